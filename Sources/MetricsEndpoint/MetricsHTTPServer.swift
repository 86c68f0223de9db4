import Foundation
import Glibc
import Logging
import Synchronization

/// Bounds on what one scrape may cost the daemon.
public struct MetricsHTTPLimits: Sendable {
    /// The largest request head accepted; a Prometheus scrape sends a few hundred bytes.
    public var maxRequestBytes = 8 * 1024
    /// How long a connection may take to send its request and read the answer before it is closed.
    public var connectionTimeout: Duration = .seconds(5)
    /// Connections served at once; more wait in the kernel's backlog.
    public var maxConnections = 8

    /// The defaults: 8 KiB requests, 5 s per connection, 8 connections.
    public init() {}
}

/// A failure to start the metrics endpoint, naming the address and what to do.
public struct MetricsEndpointError: Error, CustomStringConvertible {
    /// One sentence: what failed, on which address, and what to change.
    public let description: String
}

/// A minimal HTTP/1.1 responder for Prometheus scrapes on a loopback TCP socket: `GET /metrics` answers 200 with
/// `body()` as `text/plain; version=0.0.4`, any other path 404 and any other method 405. Each connection carries one
/// request and is closed after the answer. One thread runs a poll loop (as the control socket's `ServerLoop`), so a
/// slow or idle client costs a descriptor until its deadline, never a thread; requests and connections are bounded
/// by `MetricsHTTPLimits`.
public final class MetricsHTTPServer: Sendable {
    /// The content type of the Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let address: LoopbackAddress
    private let limits: MetricsHTTPLimits
    private let logger: Logger
    private let body: @Sendable () -> [UInt8]
    private let state = Mutex(RunState())
    private let finished = DispatchSemaphore(value: 0)

    private struct RunState {
        var listener: Int32 = -1
        var wakeWrite: Int32 = -1
        var port: UInt16 = 0
        var running = false
    }

    /// A server for `address` answering scrapes with `body()` (called on the server's thread per scrape).
    public init(
        address: LoopbackAddress, limits: MetricsHTTPLimits = MetricsHTTPLimits(), logger: Logger,
        body: @escaping @Sendable () -> [UInt8]
    ) {
        self.address = address
        self.limits = limits
        self.logger = logger
        self.body = body
    }

    /// The port listened on (the kernel's choice when the address asked for port 0); 0 before `start()`.
    public var port: UInt16 { state.withLock { $0.port } }

    /// Binds the address and starts serving on a thread of its own. Throws when the address cannot be bound.
    public func start() throws(MetricsEndpointError) {
        let listener = try bind()
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            close(listener.fd)
            throw MetricsEndpointError(
                description: "Could not create the metrics endpoint's wake-up pipe: "
                    + "\(String(cString: strerror(errno))).")
        }
        for fd in ends { configure(fd) }
        let (wakeRead, wakeWrite) = (ends[0], ends[1])
        state.withLock { state in
            state = RunState(listener: listener.fd, wakeWrite: wakeWrite, port: listener.port, running: true)
        }
        let loop = ScrapeLoop(listener: listener.fd, wakeFD: wakeRead, limits: limits, logger: logger, body: body)
        let thread = Thread { [finished] in
            loop.run()
            close(wakeRead)
            finished.signal()
        }
        thread.name = "aurorad-metrics"
        thread.start()
        logger.info("metrics endpoint listening", metadata: ["address": "\(address.host):\(listener.port)"])
    }

    /// Stops accepting, closes every connection, and waits (at most 5 s) for the thread to end.
    public func stop() {
        let wakeWrite = state.withLock { state -> Int32? in
            guard state.running else { return nil }
            state.running = false
            return state.wakeWrite
        }
        guard let wakeWrite else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        _ = finished.wait(timeout: .now() + .seconds(5))
        close(wakeWrite)
    }

    /// A listening, non-blocking, close-on-exec socket bound to `address`, and the port it got.
    private func bind() throws(MetricsEndpointError) -> (fd: Int32, port: UInt16) {
        func failure(_ call: String, _ code: Int32) -> MetricsEndpointError {
            let reason = String(cString: strerror(code))
            return MetricsEndpointError(
                description: "Could not \(call) the metrics endpoint on \(address): \(reason); "
                    + "choose another [metrics] listen port, or stop the process that holds this one.")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("create a socket for", errno) }
        configure(fd)
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = address.port.bigEndian
        _ = inet_pton(AF_INET, address.host, &socketAddress.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> Int32 in
                if Glibc.bind(fd, address, length) != 0 { return errno }
                if listen(fd, 16) != 0 { return errno }
                return getsockname(fd, address, &length) == 0 ? 0 : errno
            }
        }
        guard result == 0 else {
            close(fd)
            throw failure("listen for", result)
        }
        return (fd, UInt16(bigEndian: socketAddress.sin_port))
    }
}

/// Makes `fd` close-on-exec and non-blocking (`accept4` and `pipe2` are hidden behind `_GNU_SOURCE` in Swift).
private func configure(_ fd: Int32) {
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}

/// One scrape connection, touched only by the loop thread.
private final class ScrapeConnection {
    let fd: Int32
    let deadline: ContinuousClock.Instant
    var request: [UInt8] = []
    var response: [UInt8] = []
    var written = 0

    init(fd: Int32, deadline: ContinuousClock.Instant) {
        self.fd = fd
        self.deadline = deadline
    }

    var answering: Bool { !response.isEmpty }
}

/// The poll loop: accepts, reads one request head per connection, answers, closes. State is confined to its thread.
private final class ScrapeLoop: @unchecked Sendable {
    private let listener: Int32
    private let wakeFD: Int32
    private let limits: MetricsHTTPLimits
    private let logger: Logger
    private let body: @Sendable () -> [UInt8]
    private let clock = ContinuousClock()
    private var connections: [ScrapeConnection] = []
    private var chunk = [UInt8](repeating: 0, count: 4096)

    init(
        listener: Int32, wakeFD: Int32, limits: MetricsHTTPLimits, logger: Logger,
        body: @escaping @Sendable () -> [UInt8]
    ) {
        self.listener = listener
        self.wakeFD = wakeFD
        self.limits = limits
        self.logger = logger
        self.body = body
    }

    func run() {
        var acceptPausedUntil: ContinuousClock.Instant?
        while true {
            let now = clock.now
            if let paused = acceptPausedUntil, now >= paused { acceptPausedUntil = nil }
            let accepting = acceptPausedUntil == nil && connections.count < limits.maxConnections
            var fds = [
                pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: accepting ? listener : -1, events: Int16(POLLIN), revents: 0),
            ]
            for connection in connections {
                let events = Int16(connection.answering ? POLLOUT : POLLIN)
                fds.append(pollfd(fd: connection.fd, events: events, revents: 0))
            }
            var nearest = connections.map(\.deadline).min()
            if let paused = acceptPausedUntil { nearest = min(nearest ?? paused, paused) }
            if poll(&fds, nfds_t(fds.count), timeout(until: nearest, now: now)) < 0, errno != EINTR {
                logger.error("metrics endpoint poll failed; the endpoint stops", metadata: ["errno": "\(errno)"])
                break
            }
            if fds[0].revents != 0 { break }
            let polled = connections
            for (index, connection) in polled.enumerated() where fds[index + 2].revents != 0 {
                if connection.answering { send(connection) } else { receive(connection) }
            }
            if fds[1].revents != 0, !accept() { acceptPausedUntil = clock.now + .milliseconds(100) }
            let expired = clock.now
            for connection in connections where expired >= connection.deadline { finish(connection) }
        }
        for connection in connections { close(connection.fd) }
        connections = []
        close(listener)
    }

    /// Milliseconds until `deadline` (rounded up), or -1 to wait for events only.
    private func timeout(until deadline: ContinuousClock.Instant?, now: ContinuousClock.Instant) -> Int32 {
        guard let deadline else { return -1 }
        let (seconds, attoseconds) = (deadline - now).components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }

    /// Accepts what is pending, up to the connection limit; false when accepting failed for lack of resources.
    private func accept() -> Bool {
        while connections.count < limits.maxConnections {
            let fd = Glibc.accept(listener, nil, nil)
            guard fd >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return true
                case EINTR, ECONNABORTED: continue
                default:
                    logger.warning("metrics endpoint accept failed", metadata: ["errno": "\(errno)"])
                    return false
                }
            }
            configure(fd)
            connections.append(ScrapeConnection(fd: fd, deadline: clock.now + limits.connectionTimeout))
        }
        return true
    }

    private func receive(_ connection: ScrapeConnection) {
        let count = recv(connection.fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
        guard count > 0 else {
            if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { finish(connection) }
            return
        }
        connection.request += chunk[0..<count]
        if let head = HTTPRequestHead(connection.request) {
            answer(connection, head)
        } else if connection.request.count > limits.maxRequestBytes {
            respond(connection, status: "431 Request Header Fields Too Large", body: "The request is too large.\n")
        }
    }

    private func answer(_ connection: ScrapeConnection, _ head: HTTPRequestHead) {
        guard !head.method.isEmpty else {
            return respond(connection, status: "400 Bad Request", body: "The request line is not HTTP/1.x.\n")
        }
        guard head.method == "GET" else {
            return respond(
                connection, status: "405 Method Not Allowed", headers: "Allow: GET\r\n",
                body: "Only GET is served here.\n")
        }
        guard head.path == "/metrics" else {
            return respond(connection, status: "404 Not Found", body: "Metrics are served at /metrics.\n")
        }
        respond(connection, status: "200 OK", contentType: MetricsHTTPServer.contentType, body: body())
    }

    private func respond(
        _ connection: ScrapeConnection, status: String, headers: String = "",
        contentType: String = "text/plain; charset=utf-8", body: String
    ) {
        respond(connection, status: status, headers: headers, contentType: contentType, body: Array(body.utf8))
    }

    private func respond(
        _ connection: ScrapeConnection, status: String, headers: String = "", contentType: String, body: [UInt8]
    ) {
        let head =
            "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
            + headers + "Connection: close\r\n\r\n"
        connection.response = Array(head.utf8) + body
        send(connection)
    }

    /// Writes what the socket takes now; closes the connection once the answer is out or the peer is gone.
    private func send(_ connection: ScrapeConnection) {
        while connection.written < connection.response.count {
            let count = connection.response.withUnsafeBytes { bytes in
                Glibc.send(
                    connection.fd, bytes.baseAddress! + connection.written, bytes.count - connection.written,
                    Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if count > 0 {
                connection.written += count
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                break
            }
        }
        finish(connection)
    }

    private func finish(_ connection: ScrapeConnection) {
        guard let index = connections.firstIndex(where: { $0 === connection }) else { return }
        close(connection.fd)
        connections.remove(at: index)
    }
}

/// The request line of an HTTP/1.x request head, once the head is complete (`\r\n\r\n` seen).
struct HTTPRequestHead: Equatable {
    /// The method, e.g. `GET`.
    let method: String
    /// The target's path, without a query string.
    let path: String

    /// Nil while `bytes` holds no complete head; a malformed request line reads as method and path "".
    init?(_ bytes: [UInt8]) {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(terminator) })
        else { return nil }
        let line = bytes[..<end].split(separator: 13, maxSplits: 1).first ?? []
        let parts = line.split(separator: 32)
        guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)) else {
            method = ""
            path = ""
            return
        }
        method = String(decoding: parts[0], as: UTF8.self)
        let target = parts[1].split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)
        path = String(decoding: target.first ?? [], as: UTF8.self)
    }
}
