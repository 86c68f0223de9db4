import AWSCore
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite struct ContainerCredentialProviderTests {
    private let relative = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    private let full = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
    private let tokenVariable = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
    private let tokenFileVariable = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"

    @Test func relativeURIGoesToTheAgentBaseAndBeatsTheFullURI() throws {
        try withContainerServer { server in
            let provider = try containerProvider(
                [relative: "/v2/credentials/task-1", full: "http://127.0.0.1:1/unused"], base: server.base)
            let credentials = try provider.credentials()
            #expect(credentials.accessKeyId == "ASIACONTAINER1")
            #expect(credentials.secretAccessKey == "container-secret-1")
            #expect(credentials.sessionToken == "container-session-token-1")
            let expiration = try #require(credentials.expiration)
            #expect(abs(expiration.timeIntervalSinceNow - 3600) < 120)
            #expect(
                try server.log() == [
                    .init(path: "/v2/credentials/task-1", authorization: nil, accept: "application/json", status: 200)
                ])
            #expect(provider.sourceDescription == "container credentials endpoint \(server.base)/v2/credentials/task-1")
            for text in [String(describing: provider), String(reflecting: provider), String(describing: credentials)] {
                #expect(!text.contains("container-secret-1") && !text.contains("container-session-token-1"))
            }
        }
    }

    @Test func relativeURIDefaultsToTheECSAgentAddress() throws {
        #expect(ContainerCredentialProvider.defaultRelativeURIBase == "http://169.254.170.2")
        let provider = try #require(
            try ContainerCredentialProvider.fromEnvironment(
                [relative: "/v2/credentials/x"], transport: UnusedTransport()))
        #expect(provider.sourceDescription == "container credentials endpoint http://169.254.170.2/v2/credentials/x")
        let error = #expect(throws: CredentialError.self) {
            try ContainerCredentialProvider.fromEnvironment([relative: "v2/credentials"], transport: UnusedTransport())
        }
        #expect(error?.kind == .invalidConfiguration && error?.description.contains(relative) == true)
        #expect(
            try ContainerCredentialProvider.fromEnvironment([relative: "", full: ""], transport: UnusedTransport())
                == nil)
    }

    @Test func fullURIOnLoopbackSendsTheTokenFromTheEnvironment() throws {
        try withContainerServer(["--token", "Bearer env-token"]) { server in
            let provider = try containerProvider(
                [full: "\(server.base)/get-credentials?role=a%20b", tokenVariable: "Bearer env-token"])
            #expect(try provider.credentials().accessKeyId == "ASIACONTAINER1")
            let log = try server.log()
            #expect(log.map(\.authorization) == ["Bearer env-token"])
            #expect(log.map(\.path) == ["/get-credentials?role=a%20b"])
            #expect(provider.sourceDescription == "container credentials endpoint \(server.base)/get-credentials")
        }
    }

    @Test(arguments: [
        "https://credentials.example.com/v1", "http://127.0.0.1:8080/creds", "http://127.200.3.4/creds",
        "http://localhost:9911/creds", "http://LOCALHOST/creds", "http://[::1]:9911/creds", "http://169.254.170.2/v2/x",
        "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
        "http://[fd00:ec2:0:0:0:0:0:23]:80/v1/credentials",
    ])
    func fullURIHostsTheSDKsAllow(uri: String) throws {
        #expect(try ContainerCredentialProvider.fromEnvironment([full: uri], transport: UnusedTransport()) != nil)
    }

    @Test(arguments: [
        "http://credentials.example.com/v1", "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/creds",
        "http://[fd00:ec2::24]/creds", "http://128.0.0.1/creds", "ftp://127.0.0.1/creds", "127.0.0.1:80/creds",
    ])
    func fullURIOtherHostsAreAConfigurationError(uri: String) throws {
        let error = #expect(throws: CredentialError.self) {
            try ContainerCredentialProvider.fromEnvironment([full: uri], transport: UnusedTransport())
        }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.contains(full) == true, "\(String(describing: error))")
    }

    @Test func tokenFileIsReadAtEachFetchAndBeatsTheVariable() throws {
        try withContainerServer(["--token", "pod-token-1"]) { server in
            try withTemporaryDirectory { dir in
                try writeFile("\(dir)/token", "pod-token-1")
                let provider = try containerProvider([
                    full: "\(server.base)/v1/credentials", tokenFileVariable: "\(dir)/token",
                    tokenVariable: "ignored-token",
                ])
                #expect(try provider.credentials().accessKeyId == "ASIACONTAINER1")
                try writeFile("\(dir)/token", "pod-token-2")
                try server.requireToken("pod-token-2")
                #expect(try provider.credentials().accessKeyId == "ASIACONTAINER2")
                #expect(try server.log().map(\.authorization) == ["pod-token-1", "pod-token-2"])

                try FileManager.default.removeItem(atPath: "\(dir)/token")
                let error = #expect(throws: CredentialError.self) { try provider.credentials() }
                #expect(error?.description.contains("\(dir)/token") == true)
                #expect(try server.log().count == 2, "no request without the token")
            }
        }
    }

    @Test func tokenWithALineBreakIsRefusedBeforeAnyRequest() throws {
        let error = #expect(throws: CredentialError.self) {
            try ContainerCredentialProvider.fromEnvironment(
                [full: "http://127.0.0.1:1/creds", tokenVariable: "secret-token\r\nX-Injected: 1"],
                transport: UnusedTransport())
        }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.contains(tokenVariable) == true)
        #expect(error?.description.contains("secret-token") == false)
        try withTemporaryDirectory { dir in
            try writeFile("\(dir)/token", "secret-token\n")
            let provider = try #require(
                try ContainerCredentialProvider.fromEnvironment(
                    [full: "http://127.0.0.1:1/creds", tokenFileVariable: "\(dir)/token"],
                    transport: UnusedTransport()))
            let fileError = #expect(throws: CredentialError.self) { try provider.credentials() }
            #expect(fileError?.description.contains("line break") == true)
            #expect(fileError?.description.contains("secret-token") == false)
        }
    }

    @Test func refusedTokenIsACredentialErrorThatNeverRepeatsIt() throws {
        try withContainerServer(["--token", "right-token"]) { server in
            let provider = try containerProvider([full: "\(server.base)/creds", tokenVariable: "wrong-token"])
            let error = #expect(throws: CredentialError.self) { try provider.credentials() }
            #expect(error?.kind == .retrievalFailed)
            let text = error?.description ?? ""
            #expect(text.contains("HTTP 401") && text.contains("InvalidToken") && text.contains(tokenFileVariable))
            #expect(text.contains(server.base))
            #expect(!text.contains("wrong-token") && !text.contains("right-token"), "\(text)")
            #expect(try server.log().map(\.status) == [401, 401, 401], "three attempts, as botocore")
        }
    }

    @Test func errorJSONIsReportedWithItsCodeAndMessage() throws {
        try withContainerServer(["--error-status", "404"]) { server in
            let provider = try containerProvider([full: "\(server.base)/creds"])
            let error = #expect(throws: CredentialError.self) { try provider.credentials() }
            let text = error?.description ?? ""
            #expect(
                text.contains("HTTP 404 (AccessDenied: no role is associated with this service account)"), "\(text)")
            #expect(text.contains("Pod Identity association"))
        }
    }

    @Test(arguments: ["AccessKeyId", "SecretAccessKey", "Token", "Expiration"])
    func answerWithoutARequiredFieldIsACredentialError(field: String) throws {
        try withContainerServer(["--omit", field]) { server in
            let provider = try containerProvider([full: "\(server.base)/creds"])
            let error = #expect(throws: CredentialError.self) { try provider.credentials() }
            #expect(error?.description.contains("The endpoint returned no \(field); the field is required.") == true)
            #expect(error?.description.contains("container-secret") == false)
        }
    }

    @Test func failedAttemptsAreRetried() throws {
        try withContainerServer { server in
            try server.failNext(2)
            let provider = try containerProvider([full: "\(server.base)/creds"])
            #expect(try provider.credentials().accessKeyId == "ASIACONTAINER1")
            #expect(try server.log().map(\.status) == [500, 500, 200])
        }
    }

    @Test func unreachableEndpointIsACredentialErrorAfterThreeAttempts() throws {
        let transport = CountingTransport()
        let provider = try containerProvider(
            [full: "http://127.0.0.1:\(try unusedLoopbackPort())/creds"], transport: transport)
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        #expect(error?.kind == .retrievalFailed)
        #expect(error?.description.contains("did not answer") == true)
        #expect(error?.description.contains("in 3 attempts") == true)
        #expect(transport.requestCount == 3)
    }
}
