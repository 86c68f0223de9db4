import Foundation
import Synchronization
import Testing

@testable import AWSCore

@Suite("CurlTransport")
struct CurlTransportTests {
    /// The echo route's view of a request.
    struct Echo: Decodable {
        var method: String
        var path: String
        var headers: [[String]]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0[0].lowercased() == name.lowercased() }?[1]
        }
    }

    @Test("GET returns status, headers and body")
    func get() throws {
        try FaultyHTTPServer.with { server in
            let response = try CurlTransport().send(server.request("/ok"), timeout: nil)
            #expect(response.status == 200)
            #expect(response.body == Data("ok".utf8))
            #expect(response.header("content-length") == "2")
            #expect(response.header("Content-Type") == "text/plain")
        }
    }

    @Test("POST and PUT upload the body; headers go out as given, with no Expect and no default Content-Type")
    func uploads() throws {
        try FaultyHTTPServer.with { server in
            let transport = CurlTransport()
            let form = Data("Action=GetRole&Version=2010-05-08&RoleName=a%2Fb".utf8)
            let post = server.request(
                "/echo", [QueryItem("a b", "c/d")], method: "POST",
                headers: [
                    HTTPHeader("Content-Type", QueryEncoding.contentType),
                    HTTPHeader("X-Amz-Date", "20251125T110518Z"),
                ], body: form)
            let echoed = try JSONDecoder().decode(Echo.self, from: transport.send(post, timeout: nil).body)
            #expect(echoed.method == "POST")
            #expect(echoed.path == "/echo?a%20b=c%2Fd")
            #expect(echoed.body == String(decoding: form, as: UTF8.self))
            #expect(echoed.header("Content-Type") == QueryEncoding.contentType)
            #expect(echoed.header("X-Amz-Date") == "20251125T110518Z")
            #expect(echoed.header("Expect") == nil)
            #expect(echoed.header("Host") == "127.0.0.1:\(server.port)")

            let bytes = Data((0...255).map { UInt8($0) } + Array(repeating: 0x41, count: 100_000))
            let put = try transport.send(server.request("/echo", method: "PUT", body: bytes), timeout: nil)
            let echoedPut = try JSONDecoder().decode(Echo.self, from: put.body)
            #expect(echoedPut.method == "PUT")
            #expect(Data(echoedPut.body.unicodeScalars.map { UInt8($0.value) }) == bytes)
            #expect(echoedPut.header("Content-Type") == nil)
            #expect(echoedPut.header("Expect") == nil)

            let emptyPut = try JSONDecoder().decode(
                Echo.self, from: transport.send(server.request("/echo", method: "PUT"), timeout: nil).body)
            #expect(emptyPut.method == "PUT")
            #expect(emptyPut.header("Content-Length") == "0")
            let delete = try JSONDecoder().decode(
                Echo.self, from: transport.send(server.request("/echo", method: "DELETE"), timeout: nil).body)
            #expect(delete.method == "DELETE")
        }
    }

    @Test("HEAD returns the headers and no body")
    func head() throws {
        try FaultyHTTPServer.with { server in
            let response = try CurlTransport().send(server.request("/ok", method: "HEAD"), timeout: nil)
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == "2")
            #expect(response.body.isEmpty)
        }
    }

    @Test("sequential calls reuse one connection")
    func connectionReuse() throws {
        try FaultyHTTPServer.with { server in
            let transport = CurlTransport()
            for _ in 0..<10 {
                let response = try transport.send(server.request("/ok"), timeout: nil)
                #expect(response.status == 200)
            }
            let post = try transport.send(server.request("/ok", method: "POST", body: Data("x".utf8)), timeout: nil)
            #expect(post.status == 200)
            // One connection for the 11 calls above, one for the stats call's own transport.
            let connections = try server.connectionCount()
            #expect(connections == 2)
        }
    }

    @Test("concurrent callers each get a handle and all succeed")
    func concurrentUse() throws {
        try FaultyHTTPServer.with { server in
            let transport = CurlTransport(configuration: CurlTransportConfiguration(maxIdleHandles: 4))
            let failures = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 32) { index in
                let ok = (try? transport.send(server.request("/echo", [QueryItem("i", "\(index)")]), timeout: nil))
                    .map { $0.status == 200 && String(decoding: $0.body, as: UTF8.self).contains("i=\(index)\"") }
                if ok != true { failures.withLock { $0 += 1 } }
            }
            #expect(failures.withLock { $0 } == 0)
            let connections = try server.connectionCount()
            #expect(connections <= 33)
        }
    }

    @Test("a reset connection is a connectionReset error")
    func reset() throws {
        try FaultyHTTPServer.with { server in
            let error = #expect(throws: TransportError.self) {
                try CurlTransport().send(server.request("/reset"), timeout: nil)
            }
            #expect(error?.kind == .connectionReset)
            #expect(error?.isTransient == true)
        }
    }

    @Test("a stalled server gives timedOut within the per-call timeout")
    func stall() throws {
        try FaultyHTTPServer.with { server in
            let error = #expect(throws: TransportError.self) {
                try CurlTransport().send(
                    server.request("/stall", [QueryItem("seconds", "10")]),
                    timeout: .milliseconds(300))
            }
            #expect(error?.kind == .timedOut)
            #expect(error?.description.contains("127.0.0.1") == true)
        }
    }

    @Test("a body shorter than its Content-Length is truncated")
    func truncated() throws {
        try FaultyHTTPServer.with { server in
            let error = #expect(throws: TransportError.self) {
                try CurlTransport().send(server.request("/truncated"), timeout: nil)
            }
            #expect(error?.kind == .truncated)
        }
    }

    @Test("bodies over the cap are aborted, with or without Content-Length", arguments: [false, true])
    func oversize(chunked: Bool) throws {
        try FaultyHTTPServer.with { server in
            let transport = CurlTransport(configuration: CurlTransportConfiguration(maxResponseBytes: 100_000))
            var query = [QueryItem("bytes", "100000")]
            if chunked { query.append(QueryItem("chunked", "1")) }
            let underCap = try transport.send(server.request("/big", query), timeout: nil)
            #expect(underCap.body.count == 100_000)
            query[0].value = "5000000"
            let error = #expect(throws: TransportError.self) {
                try transport.send(server.request("/big", query), timeout: nil)
            }
            #expect(error?.kind == .tooLarge)
            #expect(error?.isTransient == false)
        }
    }

    @Test("a refused connection is connectFailed, and the description has no request headers")
    func connectFailed() throws {
        let port = try FaultyHTTPServer.with { $0.port }  // the server is gone: nothing listens there now
        let request = HTTPRequest(
            method: "GET", scheme: "http", host: "127.0.0.1", port: port,
            headers: [HTTPHeader("Authorization", "AWS4-HMAC-SHA256 Signature=SECRET")])
        let error = #expect(throws: TransportError.self) { try CurlTransport().send(request, timeout: nil) }
        #expect(error?.kind == .connectFailed)
        #expect(error?.description.contains("127.0.0.1") == true)
        #expect(error?.description.contains("SECRET") == false)
    }

    @Test("TLS failures are tls errors: a plain-HTTP peer and an unreadable CA file")
    func tls() throws {
        try FaultyHTTPServer.with { server in
            var request = server.request("/ok")
            request.scheme = "https"
            let handshake = #expect(throws: TransportError.self) { try CurlTransport().send(request, timeout: nil) }
            #expect(handshake?.kind == .tls)
            let badCA = CurlTransport(configuration: CurlTransportConfiguration(caFile: "/nonexistent/ca.pem"))
            let caError = #expect(throws: TransportError.self) { try badCA.send(request, timeout: nil) }
            #expect(caError?.kind == .tls)
        }
    }
}
