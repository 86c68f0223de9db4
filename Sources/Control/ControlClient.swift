import Foundation
import Glibc

/// Why a request could not be exchanged with the daemon (as opposed to the daemon answering with an error).
public struct ControlClientError: Error, Sendable, CustomStringConvertible {
    /// One sentence saying what happened and what to do.
    public let description: String

    /// Nothing accepts connections at the path.
    static func notListening(_ path: String) -> ControlClientError {
        ControlClientError(
            description: "No aurorad is listening on \(path): is the daemon running? "
                + "(start it with `aurorad run` or `systemctl start aurorad`)")
    }

    /// The socket exists but this user may not connect to it.
    static func permissionDenied(_ path: String) -> ControlClientError {
        var info = stat()
        let group = lstat(path, &info) == 0 ? getgrgid(info.st_gid).map { String(cString: $0.pointee.gr_name) } : nil
        let named = group.map { "the socket's group \($0)" } ?? "the socket's group"
        return ControlClientError(
            description: "Permission denied connecting to \(path): join \(named) "
                + "(for example `sudo usermod -aG \(group ?? "GROUP") $USER`, then log in again) or run as root.")
    }

    /// No response within the timeout.
    static func timedOut(_ path: String, _ timeout: Duration) -> ControlClientError {
        ControlClientError(
            description: "aurorad on \(path) did not answer within \(timeout); check the daemon's log, "
                + "or retry with a longer timeout.")
    }

    /// The daemon closed the connection without a complete response.
    static func closed(_ path: String) -> ControlClientError {
        ControlClientError(
            description: "aurorad closed the connection on \(path) without answering; check the daemon's log.")
    }

    /// The daemon's answer is not a protocol response.
    static func invalidResponse(_ path: String, _ reason: String) -> ControlClientError {
        ControlClientError(
            description: "The reply from \(path) is not a valid aurorad response (\(reason)); "
                + "is something other than aurorad listening there?")
    }

    /// A socket call failed for another reason.
    static func system(_ operation: String, _ path: String, _ code: Int32) -> ControlClientError {
        ControlClientError(
            description: "Could not \(operation) \(path): \(UnixSocket.describe(code)) (errno \(code)).")
    }
}

/// Talks to the daemon's control socket; each `send` uses a fresh connection.
public struct ControlClient: Sendable {
    /// The socket path.
    public let path: String
    /// How long one request may take, from connect to the end of the response.
    public let timeout: Duration
    /// The longest response accepted, so a wrong peer cannot make the client buffer without bound.
    public let maxResponseBytes: Int

    /// Creates a client; nothing is connected until `send` or `connect`.
    public init(path: String, timeout: Duration = .seconds(30), maxResponseBytes: Int = 64 << 20) {
        self.path = path
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// Sends one request on a new connection and returns the daemon's response.
    public func send(_ request: ControlRequest) throws(ControlClientError) -> ControlResponse {
        let connection = try connect()
        defer { connection.close() }
        return try connection.send(request)
    }

    /// Opens a connection for several requests in turn.
    public func connect() throws(ControlClientError) -> ControlConnection {
        if let problem = UnixSocket.pathProblem(path) { throw ControlClientError(description: problem) }
        let fd = UnixSocket.makeStreamSocket()
        guard fd >= 0 else { throw .system("create a socket for", path, errno) }
        // Unix-socket connect waits on a full backlog; SO_SNDTIMEO bounds that wait.
        var limit = timeval(timeout)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let result = UnixSocket.connect(fd, to: path)
        guard result == 0 else {
            Glibc.close(fd)
            switch result {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .notListening(path)
            case EACCES, EPERM: throw .permissionDenied(path)
            case EAGAIN, EINPROGRESS: throw .timedOut(path, timeout)
            default: throw .system("connect to", path, result)
            }
        }
        UnixSocket.setNonBlocking(fd)
        return ControlConnection(fd: fd, path: path, timeout: timeout, maxResponseBytes: maxResponseBytes)
    }
}

extension timeval {
    /// A `timeval` holding `duration`.
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}

/// One open connection to the daemon; use it from one thread at a time.
public final class ControlConnection {
    private(set) var fd: Int32
    private let path: String
    private let timeout: Duration
    private let maxResponseBytes: Int
    private var buffer: [UInt8] = []
    /// What one `recv` reads into.
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private let clock = ContinuousClock()

    init(fd: Int32, path: String, timeout: Duration, maxResponseBytes: Int) {
        self.fd = fd
        self.path = path
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    deinit { close() }

    /// Sends one request and waits for its response line.
    public func send(_ request: ControlRequest) throws(ControlClientError) -> ControlResponse {
        let deadline = try write(request)
        return try readResponse(deadline: deadline, resultAsText: false)
    }

    /// Sends one request; when the daemon answers with a success whose result is an array or object, hands that
    /// result to `output` indented (`JSONText.pretty`'s layout) piece by piece as it arrives, never holding it
    /// whole, and returns nil; otherwise returns the response, a success's result kept as the JSON text it arrived
    /// as (`ControlResponse.Outcome.encodedSuccess`). A result that turns out not to be JSON throws after part of it
    /// went to `output`; so does `output`'s own error.
    public func sendIndentingResult(
        _ request: ControlRequest, to output: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ControlResponse? {
        let deadline = try write(request)
        let head = WireFormat.successPrefixLine
        while buffer.count <= head.count, !buffer.contains(WireFormat.newline), try receive(deadline: deadline) {}
        guard buffer.count > head.count, buffer.starts(with: head),
            [UInt8(ascii: "["), UInt8(ascii: "{")].contains(buffer[head.count])
        else { return try readResponse(deadline: deadline, resultAsText: true) }
        buffer.removeFirst(head.count)
        var indenter = JSONIndenter()
        var indented: [UInt8] = []
        var received = head.count
        while true {
            let taken = buffer.withUnsafeBufferPointer {
                indenter.feed($0, into: &indented, stoppingAtTopLevel: true)
            }
            guard indenter.isValid else { throw ControlClientError.invalidResponse(path, "its result is not JSON") }
            try indented.withUnsafeBufferPointer(output)
            indented.removeAll(keepingCapacity: true)
            received += taken
            buffer.removeFirst(taken)
            if indenter.closedTopLevel { break }
            guard received <= maxResponseBytes else {
                throw ControlClientError.invalidResponse(path, "longer than \(maxResponseBytes) bytes")
            }
            guard try receive(deadline: deadline) else {
                throw ControlClientError.invalidResponse(path, "it ends without a newline")
            }
        }
        // The response object closes right after its result, and the line ends there.
        while buffer.count < 2, try receive(deadline: deadline) {}
        guard buffer.starts(with: [UInt8(ascii: "}"), WireFormat.newline]) else {
            throw ControlClientError.invalidResponse(path, "its result is not followed by the end of the response")
        }
        buffer.removeFirst(2)
        return nil
    }

    /// Encodes and writes `request`; returns the deadline of the exchange.
    private func write(_ request: ControlRequest) throws(ControlClientError) -> ContinuousClock.Instant {
        let line: [UInt8]
        do {
            line = try WireFormat.line(request)
        } catch {
            throw ControlClientError(
                description: "The request cannot be encoded as JSON (\(error)); check the spec for NaN or infinity.")
        }
        let deadline = clock.now + timeout
        try write(line, deadline: deadline)
        return deadline
    }

    /// Reads and decodes one response line (`resultAsText`: see `WireFormat.response`).
    private func readResponse(deadline: ContinuousClock.Instant, resultAsText: Bool) throws(ControlClientError)
        -> ControlResponse
    {
        guard let reply = try readLine(deadline: deadline) else { throw .closed(path) }
        do {
            return try WireFormat.response(reply, resultAsText: resultAsText)
        } catch {
            throw .invalidResponse(path, "\(error)")
        }
    }

    /// Closes the connection; later sends fail.
    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// Writes all of `bytes`. If the daemon closes the connection first (it does after `request_too_large`), the
    /// write stops quietly so the caller can still read the error reply the daemon sent before closing.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(ControlClientError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + written, raw.count - written, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                written += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLOUT), deadline: deadline)
            case EPIPE, ECONNRESET: return
            case let code: throw .system("write to", path, code)
            }
        }
    }

    /// Reads one line (without its newline), or nil when the daemon closed the connection before sending any.
    func readLine(deadline: ContinuousClock.Instant) throws(ControlClientError) -> [UInt8]? {
        var scanned = 0
        while true {
            if let newline = buffer[scanned...].firstIndex(of: WireFormat.newline) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            scanned = buffer.count
            guard buffer.count <= maxResponseBytes else {
                throw .invalidResponse(path, "longer than \(maxResponseBytes) bytes")
            }
            guard try receive(deadline: deadline) else {
                guard buffer.isEmpty else { throw .invalidResponse(path, "it ends without a newline") }
                return nil
            }
        }
    }

    /// Appends what the daemon sent next to `buffer` (waiting for it until `deadline`); false when the daemon closed
    /// the connection (or reset it with nothing buffered: what was received is all there is).
    private func receive(deadline: ContinuousClock.Instant) throws(ControlClientError) -> Bool {
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLIN), deadline: deadline)
            case ECONNRESET where buffer.isEmpty: return false
            case let code: throw .system("read from", path, code)
            }
        }
    }

    private func wait(for events: Int16, deadline: ContinuousClock.Instant) throws(ControlClientError) {
        let remaining = deadline - clock.now
        guard remaining > .zero else { throw .timedOut(path, timeout) }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
        var entry = pollfd(fd: fd, events: events, revents: 0)
        if poll(&entry, 1, milliseconds) < 0, errno != EINTR { throw .system("wait on", path, errno) }
    }
}
