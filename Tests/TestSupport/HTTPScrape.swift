import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP answer read off a raw socket: status code, header fields (names lower-cased) and body.
public struct HTTPAnswer: Sendable {
    /// The status code, e.g. 200.
    public let status: Int
    /// Header fields by lower-cased name.
    public let headers: [String: String]
    /// The body, as text.
    public let body: String
}

/// A failure to talk HTTP to a loopback port, as a sentence.
public struct HTTPScrapeError: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
}

/// Sends `request` (raw bytes, e.g. `GET /metrics HTTP/1.1\r\n…\r\n\r\n`) to 127.0.0.1:`port` and reads until the
/// server closes the connection (each read bounded by `timeout` seconds), then parses the answer.
public func rawHTTPExchange(port: Int, request: String, timeout: Double = 10) throws -> HTTPAnswer {
    let fd = try connectLoopback(port: port, timeout: timeout)
    defer { close(fd) }
    _ = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    // Bounded: 64 MiB of answer at most.
    for _ in 0..<1024 {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 {
            guard count == 0 else {
                let reason = String(cString: strerror(errno))
                throw HTTPScrapeError(description: "reading from port \(port) failed: \(reason)")
            }
            break
        }
        received += chunk[0..<count]
    }
    return try parseHTTPAnswer(received)
}

/// `GET path` on 127.0.0.1:`port` with `Connection: close`.
public func httpGet(port: Int, path: String = "/metrics", timeout: Double = 10) throws -> HTTPAnswer {
    try rawHTTPExchange(
        port: port, request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n",
        timeout: timeout)
}

/// A TCP connection to 127.0.0.1:`port` whose reads and writes time out after `timeout` seconds.
public func connectLoopback(port: Int, timeout: Double = 10) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HTTPScrapeError(description: "socket() failed: \(String(cString: strerror(errno)))") }
    var limit = timeval(tv_sec: Int(timeout), tv_usec: Int(timeout.truncatingRemainder(dividingBy: 1) * 1e6))
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard connected else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw HTTPScrapeError(description: "connecting to 127.0.0.1:\(port) failed: \(reason)")
    }
    return fd
}

/// Splits a complete HTTP/1.1 answer into status, headers and body; checks `Content-Length` against the body.
func parseHTTPAnswer(_ bytes: [UInt8]) throws -> HTTPAnswer {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else {
        throw HTTPScrapeError(description: "the answer has no complete head: \(text.prefix(200))")
    }
    let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
    let statusParts = lines[0].split(separator: " ", maxSplits: 2)
    guard statusParts.count >= 2, statusParts[0] == "HTTP/1.1", let status = Int(statusParts[1]) else {
        throw HTTPScrapeError(description: "the status line is not HTTP/1.1: \(lines[0])")
    }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else {
            throw HTTPScrapeError(description: "a header line has no colon: \(line)")
        }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let body = String(text[split.upperBound...])
    if let length = headers["content-length"], Int(length) != body.utf8.count {
        throw HTTPScrapeError(description: "Content-Length is \(length) but the body has \(body.utf8.count) bytes")
    }
    return HTTPAnswer(status: status, headers: headers, body: body)
}
