import AWSCore
import Foundation
import Testing
import TestSupport

/// The local container credentials endpoint (Resources/container/container_server.py), stopped at the end of `body`
/// even when it throws.
func withContainerServer<T>(_ arguments: [String] = [], _ body: (ContainerServer) throws -> T) throws -> T {
    let script = try #require(
        Bundle.module.url(forResource: "Resources/container/container_server", withExtension: "py"))
    return try PythonServerProcess.run(script: script, arguments: arguments) {
        try body(ContainerServer(port: $0.port))
    }
}

/// Test-side view of the local container credentials endpoint: its base URL, its request log and its controls.
struct ContainerServer {
    let port: Int
    /// `http://127.0.0.1:<port>`: the base for relative URIs, and the start of full URIs.
    var base: String { "http://127.0.0.1:\(port)" }

    struct LoggedRequest: Decodable, Equatable {
        var path: String
        var authorization: String?
        var accept: String?
        var status: Int
    }

    /// Sends `method path` straight to the server over libcurl, bypassing the provider under test.
    private func exchange(_ method: String, _ path: String, body: String = "") throws -> HTTPResponse {
        let request = HTTPRequest(
            method: method, scheme: "http", host: "127.0.0.1", port: port, path: path, body: Data(body.utf8))
        return try CurlTransport().send(request, timeout: .seconds(5))
    }

    func log() throws -> [LoggedRequest] {
        try JSONDecoder().decode([LoggedRequest].self, from: exchange("GET", "/_test/log").body)
    }

    /// Makes the server require `token` from now on, as an agent does after rotating it.
    func requireToken(_ token: String) throws {
        #expect(try exchange("POST", "/_test/token", body: token).status == 204)
    }

    /// Makes the next `count` credentials requests fail with HTTP 500.
    func failNext(_ count: Int) throws {
        #expect(try exchange("POST", "/_test/fail-next", body: String(count)).status == 204)
    }
}

/// A container provider for `environment`, relative URIs going to `base`, with short pauses between attempts.
func containerProvider(
    _ environment: [String: String], base: String = "http://127.0.0.1:1",
    transport: any HTTPTransport = CurlTransport()
) throws -> ContainerCredentialProvider {
    try #require(
        try ContainerCredentialProvider.fromEnvironment(
            environment, transport: transport, relativeURIBase: base, retryPause: .milliseconds(20)))
}
