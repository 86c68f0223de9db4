import AWSCore
import Foundation
import Synchronization
import Testing
import TestSupport

/// Where the container provider sits in the chain, and its refresh through the chain's shared machinery.
@Suite struct ContainerCredentialChainTests {
    private let full = "AWS_CONTAINER_CREDENTIALS_FULL_URI"

    private func resolve(
        _ environment: [String: String], assumer: RecordingRoleAssumer = RecordingRoleAssumer(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> any CredentialProvider {
        try CredentialChain.resolve(
            environment: environment, explicit: nil, roleAssumer: assumer, transport: CurlTransport(),
            logger: quietLogger, now: now)
    }

    @Test func containerBeatsInstanceMetadata() throws {
        try withIMDSServer { imds in
            try withContainerServer { container in
                try withTemporaryDirectory { dir in
                    let provider = try resolve(
                        isolatedEnvironment(
                            home: dir,
                            [
                                "AWS_EC2_METADATA_DISABLED": "false",
                                "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint,
                                full: "\(container.base)/creds",
                            ]))
                    #expect(provider.sourceDescription == "container credentials endpoint \(container.base)/creds")
                    #expect(try provider.credentials().accessKeyId == "ASIACONTAINER1")
                    #expect(try imds.log().isEmpty)
                }
            }
        }
    }

    @Test func failingContainerIsAnErrorNotAFallThroughToInstanceMetadata() throws {
        try withIMDSServer { imds in
            try withContainerServer(["--error-status", "500"]) { container in
                try withTemporaryDirectory { dir in
                    let provider = try resolve(
                        isolatedEnvironment(
                            home: dir,
                            [
                                "AWS_EC2_METADATA_DISABLED": "false",
                                "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint,
                                full: "\(container.base)/creds",
                            ]))
                    let error = #expect(throws: CredentialError.self) { try provider.credentials() }
                    #expect(error?.description.contains("HTTP 500") == true)
                    #expect(try imds.log().isEmpty, "the host's instance role must never stand in for the task's")
                }
            }
        }
    }

    @Test func disallowedFullURIStopsTheChain() throws {
        try withIMDSServer { imds in
            try withTemporaryDirectory { dir in
                let error = #expect(throws: CredentialError.self) {
                    try resolve(
                        isolatedEnvironment(
                            home: dir,
                            [
                                "AWS_EC2_METADATA_DISABLED": "false",
                                "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint,
                                full: "http://credentials.example.com/creds",
                            ]))
                }
                #expect(error?.kind == .invalidConfiguration && error?.description.contains(full) == true)
                let log = try imds.log()
                #expect(log.isEmpty)
            }
        }
    }

    @Test func webIdentityBeatsContainer() throws {
        try withTemporaryDirectory { dir in
            try writeFile("\(dir)/token", "WEB-TOKEN")
            let provider = try CredentialChain.resolve(
                environment: isolatedEnvironment(
                    home: dir,
                    [
                        "AWS_WEB_IDENTITY_TOKEN_FILE": "\(dir)/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/web",
                        full: "http://127.0.0.1:1/creds",
                    ]),
                explicit: nil, roleAssumer: RecordingRoleAssumer(), transport: UnusedTransport(), logger: quietLogger)
            #expect(provider.sourceDescription == "web identity token file")
        }
    }

    @Test func credentialsAreRefreshedBeforeTheyExpire() throws {
        let clock = Mutex(Date())
        try withContainerServer { container in
            try withTemporaryDirectory { dir in
                let provider = try resolve(
                    isolatedEnvironment(home: dir, [full: "\(container.base)/creds"]),
                    now: { clock.withLock { $0 } })
                #expect(try provider.credentials().accessKeyId == "ASIACONTAINER1")
                #expect(try provider.credentials().accessKeyId == "ASIACONTAINER1", "cached while fresh")
                clock.withLock { $0 = $0.addingTimeInterval(3600 - 120) }
                #expect(try provider.credentials().accessKeyId == "ASIACONTAINER2", "refreshed within the window")
                #expect(try container.log().count == 2)
            }
        }
    }

    @Test func profileCredentialSourceEcsContainerAssumesTheRole() throws {
        try withContainerServer { container in
            try withTemporaryDirectory { dir in
                try writeFile(
                    "\(dir)/config",
                    "[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = EcsContainer\n")
                let assumer = RecordingRoleAssumer()
                let provider = try resolve(
                    isolatedEnvironment(
                        home: dir,
                        [
                            "AWS_CONFIG_FILE": "\(dir)/config", "AWS_PROFILE": "r", full: "\(container.base)/creds",
                        ]),
                    assumer: assumer)
                _ = try provider.credentials()
                #expect(assumer.calls.map(\.sourceAccessKeyId) == ["ASIACONTAINER1"])
                #expect(
                    provider.sourceDescription
                        == "assume role arn:aws:iam::1:role/r via container credentials endpoint \(container.base)/creds"
                )
            }
        }
    }
}
