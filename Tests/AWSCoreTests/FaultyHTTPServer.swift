import AWSCore
import Foundation
import TestSupport

/// The faulty HTTP server of the test tree (`Resources/faulty_http_server.py`) on 127.0.0.1, one per test.
struct FaultyHTTPServer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources/faulty_http_server.py")

    let port: Int

    /// Starts a server, runs `body`, and kills the server by pid afterwards, even when `body` throws.
    static func with<T>(_ body: (FaultyHTTPServer) throws -> T) throws -> T {
        try PythonServerProcess.run(script: script) { process in try body(FaultyHTTPServer(port: process.port)) }
    }

    /// A request to `path` on this server.
    func request(
        _ path: String, _ query: [QueryItem] = [], method: String = "GET", headers: [HTTPHeader] = [],
        body: Data = Data()
    ) -> HTTPRequest {
        HTTPRequest(
            method: method, scheme: "http", host: "127.0.0.1", port: port, path: path, query: query,
            headers: headers, body: body)
    }

    /// The number of TCP connections the server has accepted, asked over a fresh transport (counted too).
    func connectionCount() throws -> Int {
        let response = try CurlTransport().send(request("/stats"), timeout: .seconds(10))
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (json?["connections"] as? Int) ?? -1
    }
}
