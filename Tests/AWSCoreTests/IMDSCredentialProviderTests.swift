import AWSCore
import Foundation
import Synchronization
import Testing
import TestSupport

/// `HTTPTransport` over TestSupport's loopback HTTP/1.1 client, for servers on 127.0.0.1 (the libcurl transport
/// replaces it once it lands). Counts requests so tests can see attempts.
final class LoopbackTransport: HTTPTransport {
    private let sent = Mutex(0)
    var requestCount: Int { sent.withLock { $0 } }

    func send(_ request: HTTPRequest, timeout: Duration?) throws -> HTTPResponse {
        sent.withLock { $0 += 1 }
        guard request.host == "127.0.0.1", request.scheme == "http", let port = request.port else {
            throw CredentialError(.retrievalFailed, "LoopbackTransport only reaches http://127.0.0.1:<port>")
        }
        let prefix = "http://\(request.hostHeader)"
        let response = try LoopbackHTTP.exchange(
            port: port, method: request.method, target: String(request.urlString.dropFirst(prefix.count)),
            headers: request.headers.map { ($0.name, $0.value) }, body: request.body, timeout: timeout ?? .seconds(5))
        return HTTPResponse(
            status: response.status, headers: response.headers.map { HTTPHeader($0.name, $0.value) },
            body: response.body)
    }
}

/// The local IMDSv2 server (Resources/imds/imds_server.py), stopped at the end of `body` even when it throws.
func withIMDSServer<T>(_ arguments: [String] = [], _ body: (IMDSServer) throws -> T) throws -> T {
    let script = try #require(Bundle.module.url(forResource: "Resources/imds/imds_server", withExtension: "py"))
    let process = try ServerProcess(executable: "/usr/bin/env", arguments: ["python3", script.path] + arguments)
    defer { process.stop() }
    return try body(IMDSServer(port: process.port))
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
        var AccessKeyId: String
        var SecretAccessKey: String
        var Token: String
        var Expiration: String
    }

    func log() throws -> [LoggedRequest] {
        try JSONDecoder().decode([LoggedRequest].self, from: LoopbackHTTP.exchange(
            port: port, method: "GET", target: "/_test/log").body)
    }

    func served() throws -> ServedCredentials {
        try JSONDecoder().decode(ServedCredentials.self, from: LoopbackHTTP.exchange(
            port: port, method: "GET", target: "/_test/credentials").body)
    }

    func revokeTokens() throws {
        _ = try LoopbackHTTP.exchange(port: port, method: "POST", target: "/_test/revoke-tokens")
    }
}

@Suite struct IMDSCredentialProviderTests {
    private let rolePath = "/latest/meta-data/iam/security-credentials/"

    @Test func serverImplementsTheTokenFlow() throws {
        try withIMDSServer { server in
            #expect(try LoopbackHTTP.exchange(port: server.port, method: "GET", target: rolePath).status == 401)
            #expect(try LoopbackHTTP.exchange(port: server.port, method: "PUT", target: "/latest/api/token").status
                == 400)
            let token = try LoopbackHTTP.exchange(
                port: server.port, method: "PUT", target: "/latest/api/token",
                headers: [("X-aws-ec2-metadata-token-ttl-seconds", "60")])
            #expect(token.status == 200)
            let listing = try LoopbackHTTP.exchange(
                port: server.port, method: "GET", target: rolePath,
                headers: [("X-aws-ec2-metadata-token", String(decoding: token.body, as: UTF8.self))])
            #expect(String(decoding: listing.body, as: UTF8.self) == "aurorad-test-role")
        }
    }

    @Test func fetchesCredentialsWithAnIMDSv2Token() throws {
        try withIMDSServer { server in
            let provider = try IMDSCredentialProvider(endpoint: server.endpoint, transport: LoopbackTransport())
            let credentials = try provider.credentials()
            let served = try server.served()
            #expect(credentials.accessKeyId == served.AccessKeyId)
            #expect(credentials.secretAccessKey == served.SecretAccessKey)
            #expect(credentials.sessionToken == served.Token)
            #expect(credentials.expiration == (try Date(served.Expiration, strategy: .iso8601)))
            #expect(try server.log() == [
                .init(method: "PUT", path: "/latest/api/token", ttl: "21600", token: "none", status: 200),
                .init(method: "GET", path: rolePath, ttl: nil, token: "valid", status: 200),
                .init(method: "GET", path: rolePath + "aurorad-test-role", ttl: nil, token: "valid", status: 200),
            ])
            #expect(provider.sourceDescription == "EC2 instance metadata (IMDSv2) at \(server.endpoint)")
            for text in [String(describing: provider), String(describing: credentials)] {
                #expect(!text.contains(served.SecretAccessKey) && !text.contains(served.Token))
            }
        }
    }

    @Test func cachesTheTokenAndRenewsItAfterA401() throws {
        try withIMDSServer { server in
            let provider = try IMDSCredentialProvider(endpoint: server.endpoint, transport: LoopbackTransport())
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
            let provider = try IMDSCredentialProvider(endpoint: server.endpoint, transport: LoopbackTransport())
            let error = #expect(throws: CredentialError.self) { try provider.credentials() }
            #expect(error?.description.contains("no IAM instance profile") == true)
        }
    }

    @Test func unreachableEndpointIsTriedOnceAndFails() throws {
        let transport = LoopbackTransport()
        let provider = try IMDSCredentialProvider(
            endpoint: "http://127.0.0.1:\(try LoopbackHTTP.unusedPort())", transport: transport, attempts: 2)
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        #expect(error?.description.contains("did not answer") == true)
        #expect(transport.requestCount == 1, "a host that never answered is not retried")
    }

    @Test func environmentControlsEndpointAndDisabling() throws {
        #expect(IMDSCredentialProvider.endpoint(environment: [:]) == "http://169.254.169.254")
        #expect(IMDSCredentialProvider.endpoint(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://x:1"])
            == "http://x:1")
        #expect(IMDSCredentialProvider.isDisabled(environment: ["AWS_EC2_METADATA_DISABLED": "TRUE"]))
        #expect(!IMDSCredentialProvider.isDisabled(environment: ["AWS_EC2_METADATA_DISABLED": "false"]))
        #expect(throws: CredentialError.self) {
            try IMDSCredentialProvider(endpoint: "169.254.169.254", transport: LoopbackTransport())
        }
    }

    @Test func chainFallsThroughToInstanceMetadataAtTheOverriddenEndpoint() throws {
        try withIMDSServer { server in
            try withTemporaryDirectory { dir in
                let environment = isolatedEnvironment(home: dir, [
                    "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.endpoint,
                ])
                let provider = try CredentialChain.resolve(
                    environment: environment, explicit: nil, roleAssumer: RecordingRoleAssumer(),
                    transport: LoopbackTransport(), logger: quietLogger)
                #expect(provider.sourceDescription == "EC2 instance metadata (IMDSv2) at \(server.endpoint)")
                #expect(try provider.credentials().accessKeyId == (try server.served().AccessKeyId))
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
                        transport: LoopbackTransport(), logger: quietLogger)
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
                    environment: isolatedEnvironment(home: dir, [
                        "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.endpoint,
                        "AWS_CONFIG_FILE": "\(dir)/config", "AWS_PROFILE": "r",
                    ]),
                    explicit: nil, roleAssumer: assumer, transport: LoopbackTransport(), logger: quietLogger)
                _ = try provider.credentials()
                #expect(assumer.calls.map(\.sourceAccessKeyId) == [try server.served().AccessKeyId])
                #expect(provider.sourceDescription
                    == "assume role arn:aws:iam::1:role/r via EC2 instance metadata (IMDSv2) at \(server.endpoint)")
            }
        }
    }
}
