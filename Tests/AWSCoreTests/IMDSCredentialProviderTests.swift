import AWSCore
import Foundation
import Synchronization
import Testing
import TestSupport

/// `CurlTransport` that counts the requests it is given, so tests can see attempts.
final class CountingTransport: HTTPTransport {
    private let transport = CurlTransport()
    private let sent = Mutex(0)
    var requestCount: Int { sent.withLock { $0 } }

    func send(_ request: HTTPRequest, timeout: Duration?) throws -> HTTPResponse {
        sent.withLock { $0 += 1 }
        return try transport.send(request, timeout: timeout)
    }
}

/// The local IMDSv2 server (Resources/imds/imds_server.py), stopped at the end of `body` even when it throws.
func withIMDSServer<T>(_ arguments: [String] = [], _ body: (IMDSServer) throws -> T) throws -> T {
    let script = try #require(Bundle.module.url(forResource: "Resources/imds/imds_server", withExtension: "py"))
    return try PythonServerProcess.run(script: script, arguments: arguments) { try body(IMDSServer(port: $0.port)) }
}

/// Test-side view of the local IMDS server: its endpoint, its request log and the credentials it serves.
struct IMDSServer {
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    struct LoggedRequest: Decodable, Equatable {
        var method: String
        var path: String
        var ttl: String?
        var token: String
        var status: Int
    }

    struct ServedCredentials: Decodable {
        var accessKeyId: String
        var secretAccessKey: String
        var token: String
        var expiration: String

        enum CodingKeys: String, CodingKey {
            case accessKeyId = "AccessKeyId"
            case secretAccessKey = "SecretAccessKey"
            case token = "Token"
            case expiration = "Expiration"
        }
    }

    /// Sends `method path` straight to the server over libcurl, bypassing the provider under test.
    func exchange(_ method: String, _ path: String, headers: [HTTPHeader] = []) throws -> HTTPResponse {
        let request = HTTPRequest(
            method: method, scheme: "http", host: "127.0.0.1", port: port, path: path,
            headers: headers)
        return try CurlTransport().send(request, timeout: .seconds(5))
    }

    func log() throws -> [LoggedRequest] {
        try JSONDecoder().decode([LoggedRequest].self, from: exchange("GET", "/_test/log").body)
    }

    func served() throws -> ServedCredentials {
        try JSONDecoder().decode(ServedCredentials.self, from: exchange("GET", "/_test/credentials").body)
    }

    func revokeTokens() throws {
        _ = try exchange("POST", "/_test/revoke-tokens")
    }
}

@Suite struct IMDSCredentialProviderTests {
    private let rolePath = "/latest/meta-data/iam/security-credentials/"

    @Test func serverImplementsTheTokenFlow() throws {
        try withIMDSServer { server in
            #expect(try server.exchange("GET", rolePath).status == 401)
            #expect(try server.exchange("PUT", "/latest/api/token").status == 400)
            let token = try server.exchange(
                "PUT", "/latest/api/token", headers: [HTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", "60")])
            #expect(token.status == 200)
            let listing = try server.exchange(
                "GET", rolePath,
                headers: [HTTPHeader("X-aws-ec2-metadata-token", String(decoding: token.body, as: UTF8.self))])
            #expect(String(decoding: listing.body, as: UTF8.self) == "aurorad-test-role")
        }
    }

    @Test func fetchesCredentialsWithAnIMDSv2Token() throws {
        try withIMDSServer { server in
            let provider = try IMDSCredentialProvider(endpoint: server.endpoint, transport: CurlTransport())
            let credentials = try provider.credentials()
            let served = try server.served()
            #expect(credentials.accessKeyId == served.accessKeyId)
            #expect(credentials.secretAccessKey == served.secretAccessKey)
            #expect(credentials.sessionToken == served.token)
            #expect(credentials.expiration == (try Date(served.expiration, strategy: .iso8601)))
            #expect(
                try server.log() == [
                    .init(method: "PUT", path: "/latest/api/token", ttl: "21600", token: "none", status: 200),
                    .init(method: "GET", path: rolePath, ttl: nil, token: "valid", status: 200),
                    .init(method: "GET", path: rolePath + "aurorad-test-role", ttl: nil, token: "valid", status: 200),
                ])
            #expect(provider.sourceDescription == "EC2 instance metadata (IMDSv2) at \(server.endpoint)")
            for text in [String(describing: provider), String(describing: credentials)] {
                #expect(!text.contains(served.secretAccessKey) && !text.contains(served.token))
            }
        }
    }

    @Test func cachesTheTokenAndRenewsItAfterA401() throws {
        try withIMDSServer { server in
            let provider = try IMDSCredentialProvider(endpoint: server.endpoint, transport: CurlTransport())
            _ = try provider.credentials()
            _ = try provider.credentials()
            #expect(try server.log().filter { $0.method == "PUT" }.count == 1)
            try server.revokeTokens()
            _ = try provider.credentials()
            let log = try server.log()
            #expect(log.filter { $0.method == "PUT" }.count == 2)
            #expect(log.filter { $0.status == 401 }.map(\.token) == ["invalid"])
        }
    }

    @Test func instanceWithoutRoleIsAClearError() throws {
        try withIMDSServer(["--no-role"]) { server in
            let provider = try IMDSCredentialProvider(endpoint: server.endpoint, transport: CurlTransport())
            let error = #expect(throws: CredentialError.self) { try provider.credentials() }
            #expect(error?.description.contains("no IAM instance profile") == true)
        }
    }

    @Test func unreachableEndpointIsTriedOnceAndFails() throws {
        let transport = CountingTransport()
        let provider = try IMDSCredentialProvider(
            endpoint: "http://127.0.0.1:\(try unusedLoopbackPort())", transport: transport, attempts: 2)
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        #expect(error?.description.contains("did not answer") == true)
        #expect(transport.requestCount == 1, "a host that never answered is not retried")
    }

    @Test func environmentControlsEndpointAndDisabling() throws {
        #expect(IMDSCredentialProvider.endpoint(environment: [:]) == "http://169.254.169.254")
        #expect(
            IMDSCredentialProvider.endpoint(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://x:1"])
                == "http://x:1")
        #expect(IMDSCredentialProvider.isDisabled(environment: ["AWS_EC2_METADATA_DISABLED": "TRUE"]))
        #expect(!IMDSCredentialProvider.isDisabled(environment: ["AWS_EC2_METADATA_DISABLED": "false"]))
        #expect(throws: CredentialError.self) {
            try IMDSCredentialProvider(endpoint: "169.254.169.254", transport: CurlTransport())
        }
    }

    @Test func chainFallsThroughToInstanceMetadataAtTheOverriddenEndpoint() throws {
        try withIMDSServer { server in
            try withTemporaryDirectory { dir in
                let environment = isolatedEnvironment(
                    home: dir,
                    [
                        "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.endpoint,
                    ])
                let provider = try CredentialChain.resolve(
                    environment: environment, explicit: nil, roleAssumer: RecordingRoleAssumer(),
                    transport: CurlTransport(), logger: quietLogger)
                #expect(provider.sourceDescription == "EC2 instance metadata (IMDSv2) at \(server.endpoint)")
                #expect(try provider.credentials().accessKeyId == (try server.served().accessKeyId))
                #expect(try server.log().count == 3, "the probe's credentials are reused, not fetched again")
            }
        }
    }

    @Test func disabledInstanceMetadataIsNeverContacted() throws {
        try withIMDSServer { server in
            try withTemporaryDirectory { dir in
                let environment = isolatedEnvironment(home: dir, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.endpoint])
                #expect(throws: CredentialError.self) {
                    try CredentialChain.resolve(
                        environment: environment, explicit: nil, roleAssumer: RecordingRoleAssumer(),
                        transport: CurlTransport(), logger: quietLogger)
                }
                let log = try server.log()
                #expect(log.isEmpty)
            }
        }
    }

    @Test func profileCredentialSourceEc2InstanceMetadataAssumesTheRole() throws {
        try withIMDSServer { server in
            try withTemporaryDirectory { dir in
                try writeFile(
                    "\(dir)/config",
                    "[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2InstanceMetadata\n")
                let assumer = RecordingRoleAssumer()
                let provider = try CredentialChain.resolve(
                    environment: isolatedEnvironment(
                        home: dir,
                        [
                            "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.endpoint,
                            "AWS_CONFIG_FILE": "\(dir)/config", "AWS_PROFILE": "r",
                        ]),
                    explicit: nil, roleAssumer: assumer, transport: CurlTransport(), logger: quietLogger)
                _ = try provider.credentials()
                #expect(assumer.calls.map(\.sourceAccessKeyId) == [try server.served().accessKeyId])
                #expect(
                    provider.sourceDescription
                        == "assume role arn:aws:iam::1:role/r via EC2 instance metadata (IMDSv2) at \(server.endpoint)")
            }
        }
    }
}
