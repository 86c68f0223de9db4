import AWSCore
import Foundation
import Testing
import TestSupport

@Suite struct CredentialChainTests {
    private let envKeys = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "SECRET-ENV"]

    /// An environment with every source configured from `layers` on, in chain order, under `dir`.
    private func environment(_ dir: String, _ extra: [String: String]) throws -> [String: String] {
        try writeFile("\(dir)/credentials", "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = S\n")
        try writeFile("\(dir)/token", "WEB-TOKEN")
        return isolatedEnvironment(
            home: dir,
            [
                "AWS_SHARED_CREDENTIALS_FILE": "\(dir)/credentials", "AWS_CONFIG_FILE": "\(dir)/config",
            ].merging(extra) { $1 })
    }

    private func resolve(
        _ environment: [String: String], explicit: AWSCredentials? = nil,
        assumer: RecordingRoleAssumer = RecordingRoleAssumer()
    ) throws -> any CredentialProvider {
        try CredentialChain.resolve(
            environment: environment, explicit: explicit, roleAssumer: assumer, transport: UnusedTransport(),
            logger: quietLogger)
    }

    @Test func explicitBeatsEnvironment() throws {
        try withTemporaryDirectory { dir in
            let provider = try resolve(
                try environment(dir, envKeys),
                explicit: AWSCredentials(accessKeyId: "AKIAEXPLICIT", secretAccessKey: "SECRET-EXPLICIT"))
            #expect(try provider.credentials().accessKeyId == "AKIAEXPLICIT")
            #expect(provider.sourceDescription == "explicit configuration")
        }
    }

    @Test func environmentBeatsProfile() throws {
        try withTemporaryDirectory { dir in
            let provider = try resolve(try environment(dir, envKeys.merging(["AWS_PROFILE": "default"]) { $1 }))
            #expect(try provider.credentials().accessKeyId == "AKIAENV")
            #expect(provider.sourceDescription == "environment")
        }
    }

    @Test func profileBeatsWebIdentity() throws {
        try withTemporaryDirectory { dir in
            let provider = try resolve(
                try environment(
                    dir,
                    [
                        "AWS_WEB_IDENTITY_TOKEN_FILE": "\(dir)/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/web",
                    ]))
            #expect(try provider.credentials().accessKeyId == "AKIAPROFILE")
            #expect(provider.sourceDescription == "shared credentials file (profile default)")
        }
    }

    @Test func webIdentityBeatsInstanceMetadata() throws {
        try withTemporaryDirectory { dir in
            let assumer = RecordingRoleAssumer()
            var environment = try environment(
                dir,
                [
                    "AWS_WEB_IDENTITY_TOKEN_FILE": "\(dir)/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/web",
                    "AWS_EC2_METADATA_DISABLED": "false",
                ])
            environment["AWS_SHARED_CREDENTIALS_FILE"] = "\(dir)/absent"
            let provider = try resolve(environment, assumer: assumer)
            #expect(try provider.credentials().accessKeyId == "ASIAASSUMED1")
            #expect(assumer.calls.map(\.webIdentityToken) == ["WEB-TOKEN"])
            #expect(provider.sourceDescription == "web identity token file")
        }
    }

    @Test func partialEnvironmentStopsTheChain() throws {
        try withTemporaryDirectory { dir in
            let error = #expect(throws: CredentialError.self) {
                try resolve(try environment(dir, ["AWS_ACCESS_KEY_ID": "AKIAENV"]))
            }
            #expect(error?.kind == .invalidConfiguration)
            #expect(error?.description.contains("AWS_SECRET_ACCESS_KEY") == true)
        }
    }

    @Test func missingSelectedProfileNamesBothFiles() throws {
        try withTemporaryDirectory { dir in
            let error = #expect(throws: CredentialError.self) {
                try resolve(try environment(dir, ["AWS_PROFILE": "nosuch"]))
            }
            let text = String(describing: error)
            #expect(text.contains("nosuch") && text.contains("\(dir)/credentials") && text.contains("\(dir)/config"))
        }
    }

    @Test func nothingFoundListsEverySourceTriedInOrder() throws {
        try withTemporaryDirectory { dir in
            let port = try unusedLoopbackPort()
            let environment = isolatedEnvironment(
                home: dir,
                [
                    "AWS_EC2_METADATA_DISABLED": "false",
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)",
                ])
            let error = #expect(throws: CredentialError.self) {
                try CredentialChain.resolve(
                    environment: environment, explicit: nil, roleAssumer: RecordingRoleAssumer(),
                    transport: CurlTransport(), logger: quietLogger)
            }
            #expect(error?.kind == .notFound)
            let text = error?.description ?? ""
            let steps = [
                "1. explicit configuration", "2. environment",
                "3. shared files: no profile default in "
                    + "\(dir)/.aws/credentials or \(dir)/.aws/config", "4. web identity", "5. container",
                "6. EC2 instance metadata (IMDSv2) at http://127.0.0.1:\(port)",
            ]
            let positions = steps.map { text.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(text)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
            #expect(text.contains("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
        }
    }

    @Test func disabledInstanceMetadataIsReportedAsSuch() throws {
        try withTemporaryDirectory { dir in
            let error = #expect(throws: CredentialError.self) { try resolve(isolatedEnvironment(home: dir)) }
            #expect(error?.description.contains("disabled by AWS_EC2_METADATA_DISABLED") == true)
        }
    }

    @Test func profileWithoutCredentialsFallsThrough() throws {
        try withTemporaryDirectory { dir in
            var environment = try environment(
                dir,
                [
                    "AWS_WEB_IDENTITY_TOKEN_FILE": "\(dir)/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/web",
                    "AWS_PROFILE": "regiononly",
                ])
            try writeFile("\(dir)/config", "[profile regiononly]\nregion = eu-west-3\n")
            environment["AWS_SHARED_CREDENTIALS_FILE"] = "\(dir)/absent"
            let provider = try resolve(environment)
            #expect(provider.sourceDescription == "web identity token file")
        }
    }

    @Test func noDescriptionOrErrorContainsASecret() throws {
        try withTemporaryDirectory { dir in
            let secrets = ["SECRET-ENV", "TOKEN-ENV"]
            let provider = try resolve(try environment(dir, envKeys.merging(["AWS_SESSION_TOKEN": "TOKEN-ENV"]) { $1 }))
            let credentials = try provider.credentials()
            let texts = [
                String(describing: provider), String(reflecting: credentials), String(describing: credentials),
            ]
            for text in texts {
                #expect(!secrets.contains { text.contains($0) }, "\(text)")
            }
        }
    }
}
