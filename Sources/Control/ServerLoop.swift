import Dispatch
import Foundation
import Glibc
import ImportSpec
import Logging
import Synchronization

/// The running server: owns the listener and a wake-up pipe, runs the poll loop, and answers requests.
///
/// Why one poll loop rather than a blocking Dispatch work item per connection: an idle or slow client then costs a
/// file descriptor, not a Dispatch worker thread (256 blocked readers would starve the daemon's own work), every
/// socket is non-blocking so accepting is never held up by any client, and idle deadlines are exact. Handler calls,
/// which may block on the store, run on a concurrent Dispatch queue and post their response back to the loop.
final class ServerLoop: Sendable {
    let listener: ControlServer.Listener
    let path: String
    let policy: PeerPolicy
    let logger: Logger
    let limits: ControlServerLimits
    private let handler: any ControlHandler
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let inbox = Mutex(Inbox())
    private let finished = DispatchSemaphore(value: 0)
    private let workers = DispatchQueue(label: "aurorad.control.handlers", attributes: .concurrent)

    /// What other threads hand to the loop thread.
    private struct Inbox {
        var stopRequested = false
        var loopExited = false
        var completions: [Completion] = []
    }

    /// Pieces of a response ready to be written to a connection, and what follows them.
    struct Completion: Sendable {
        let connection: UInt64
        let pieces: [[UInt8]]
        let then: Continuation
    }

    /// What follows a completion's pieces.
    enum Continuation: Sendable {
        /// Nothing: the response line ends with them.
        case done
        /// The next piece of a streamed result, asked for once these are out.
        case stream(ResultStream)
        /// The streamed result failed: the line cannot be finished, so the connection is closed once they are out.
        case broken
    }

    /// Creates the wake-up pipe; the loop starts with `start()`.
    init(
        listener: ControlServer.Listener, path: String, policy: PeerPolicy, handler: any ControlHandler,
        logger: Logger, limits: ControlServerLimits
    ) throws(ControlServerError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .system("create a wake-up pipe for", path, errno) }
        for fd in ends {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            UnixSocket.setNonBlocking(fd)
        }
        self.listener = listener
        self.path = path
        self.policy = policy
        self.handler = handler
        self.logger = logger
        self.limits = limits
        wakeRead = ends[0]
        wakeWrite = ends[1]
    }

    /// Runs the poll loop on its own serial Dispatch queue until a stop completes.
    func start() {
        DispatchQueue(label: "aurorad.control.loop").async {
            PollLoop(server: self, wakeFD: self.wakeRead).run()
            self.inbox.withLock { inbox in
                inbox.loopExited = true
                close(self.wakeRead)
                close(self.wakeWrite)
            }
            self.finished.signal()
        }
    }

    /// Asks the loop to stop accepting and wind down.
    func requestStop() {
        inbox.withLock { inbox in
            inbox.stopRequested = true
            wake(inbox)
        }
    }

    /// Waits until the loop has exited, or `timeout` has passed.
    func waitUntilFinished(timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        _ = finished.wait(timeout: .now() + .nanoseconds(nanoseconds))
    }

    /// True once `requestStop()` has been called.
    var stopRequested: Bool { inbox.withLock { $0.stopRequested } }

    /// Takes the responses workers have finished since the last call.
    func takeCompletions() -> [Completion] {
        inbox.withLock { inbox in
            defer { inbox.completions = [] }
            return inbox.completions
        }
    }

    /// Handles `line` from `connection` on a worker thread, then hands the response to the loop.
    func dispatch(_ line: [UInt8], connection: UInt64, peer: PeerCredentials) {
        workers.async {
            let (pieces, then) = self.respond(to: line, peer: peer)
            self.post(Completion(connection: connection, pieces: pieces, then: then))
        }
    }

    /// Asks `stream` for its next piece on a handler thread and hands it to the loop: the piece, or the line's end
    /// once the stream has given all of it, or a broken response when it fails.
    func pull(_ stream: ResultStream, connection: UInt64) {
        workers.async {
            let completion: Completion
            do {
                completion =
                    if let piece = try stream.nextPiece() {
                        Completion(connection: connection, pieces: [piece], then: .stream(stream))
                    } else {
                        Completion(connection: connection, pieces: [WireFormat.successClosing], then: .done)
                    }
            } catch {
                self.logger.error(
                    "control response failed while being sent; closing the connection",
                    metadata: ["error": "\(error)"])
                completion = Completion(connection: connection, pieces: [], then: .broken)
            }
            self.post(completion)
        }
    }

    /// Hands `completion` to the loop thread.
    private func post(_ completion: Completion) {
        inbox.withLock { inbox in
            // After the loop exits its pipe is closed (and the fd number may be reused): drop the response.
            guard !inbox.loopExited else { return }
            inbox.completions.append(completion)
            wake(inbox)
        }
    }

    /// Writes a byte to the wake-up pipe; called with the inbox lock held so the pipe cannot close meanwhile.
    private func wake(_ inbox: borrowing Inbox) {
        guard !inbox.loopExited else { return }
        var byte: UInt8 = 1
        // A full pipe (EAGAIN) already means "wake up", so the result needs no check.
        _ = write(wakeWrite, &byte, 1)
    }

    /// Parses, authorises and handles one request line, returning the response line in pieces; a streamed result
    /// returns the line's start with the result's first piece, and the stream.
    private func respond(to line: [UInt8], peer: PeerCredentials) -> ([[UInt8]], Continuation) {
        var id: JSONValue?
        let response: ControlResponse
        do {
            let value = try ControlRequest.parseJSON(Data(line))
            id = value["id"]
            let request = try ControlRequest(validating: value)
            logger.debug(
                "control request",
                metadata: ["command": "\(request.command.rawValue)", "uid": "\(peer.uid)", "pid": "\(peer.pid)"])
            response = handler.handle(request, peer: peer)
        } catch {
            logger.debug(
                "invalid control request", metadata: ["reason": "\(error.message)", "uid": "\(peer.uid)"])
            response = ControlResponse(.failure(error))
        }
        if case .streamedSuccess(let stream) = response.outcome, let opening = try? WireFormat.successOpening(id: id),
            let first = try? stream.nextPiece()
        {
            return stream.isComplete
                ? ([opening, first, WireFormat.successClosing], .done) : ([opening, first], .stream(stream))
        }
        return (Self.encode(ControlResponse(response.outcome, id: id)), .done)
    }

    /// The response as a line in pieces; a result JSON cannot express (NaN, infinity) becomes an `internal` error.
    static func encode(_ response: ControlResponse) -> [[UInt8]] {
        if let pieces = try? WireFormat.pieces(response) { return pieces }
        let fallback = ControlResponse(
            .failure(
                ControlError(
                    code: .internal,
                    message: "The daemon produced a result that is not valid JSON; report this as a bug.")),
            id: response.id)
        // The fallback holds only strings and the request's own decoded id, so it always encodes.
        return (try? WireFormat.pieces(fallback)) ?? [Array(#"{"ok":false}"#.utf8) + [WireFormat.newline]]
    }
}

/// One client connection, touched only by the loop thread.
private final class Connection {
    let id: UInt64
    let fd: Int32
    let peer: PeerCredentials
    var framer: LineFramer
    /// The response being written: its pieces, the one being sent, how much of it is out, and what follows.
    var output: [[UInt8]] = []
    var piece = 0
    var written = 0
    var then = ServerLoop.Continuation.done
    var awaitingResponse = false
    var closeAfterFlush = false
    var inputClosed = false
    var deadline: ContinuousClock.Instant

    init(id: UInt64, fd: Int32, peer: PeerCredentials, deadline: ContinuousClock.Instant, maxRequestBytes: Int) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.deadline = deadline
        framer = LineFramer(maxLineBytes: maxRequestBytes)
    }

    var hasPendingOutput: Bool { piece < output.count }
}

/// The loop itself: state confined to the loop thread, so it needs no locks.
private final class PollLoop {
    private let server: ServerLoop
    private let wakeFD: Int32
    private let clock = ContinuousClock()
    private var connections: [UInt64: Connection] = [:]
    private var nextID: UInt64 = 0
    private var listening = true
    private var stopDeadline: ContinuousClock.Instant?
    private var acceptPausedUntil: ContinuousClock.Instant?
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(server: ServerLoop, wakeFD: Int32) {
        self.server = server
        self.wakeFD = wakeFD
    }

    private var logger: Logger { server.logger }
    private var limits: ControlServerLimits { server.limits }

    func run() {
        while true {
            let now = clock.now
            if stopDeadline == nil, server.stopRequested { beginStop(now) }
            if let stopDeadline, connections.isEmpty || now >= stopDeadline { break }

            var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            if let pausedUntil = acceptPausedUntil, now >= pausedUntil { acceptPausedUntil = nil }
            let accepting = listening && acceptPausedUntil == nil
            fds.append(pollfd(fd: accepting ? server.listener.fd : -1, events: Int16(POLLIN), revents: 0))
            let polled = Array(connections.values)
            for connection in polled {
                // A connection waiting for its handler is left out: a hang-up would otherwise wake poll forever.
                let events = connection.hasPendingOutput ? POLLOUT : connection.awaitingResponse ? 0 : POLLIN
                fds.append(pollfd(fd: events == 0 ? -1 : connection.fd, events: Int16(events), revents: 0))
            }
            if poll(&fds, nfds_t(fds.count), pollTimeout(now)) < 0, errno != EINTR {
                logger.error("control socket poll failed", metadata: ["errno": "\(errno)"])
                break
            }
            if fds[0].revents != 0 { drainWakePipe() }
            for completion in server.takeCompletions() {
                guard let connection = connections[completion.connection] else { continue }
                connection.awaitingResponse = false
                queue(completion.pieces, then: completion.then, on: connection)
            }
            if fds[1].revents != 0 { acceptConnections() }
            for (index, connection) in polled.enumerated() where fds[index + 2].revents != 0 {
                guard connections[connection.id] === connection else { continue }
                if connection.hasPendingOutput { flush(connection) } else { receive(from: connection) }
            }
            expireDeadlines(clock.now)
        }
        for connection in connections.values { close(connection.fd) }
        connections = [:]
        if listening { closeListener() }
    }

    /// Milliseconds until the nearest deadline, or -1 to wait for events only.
    private func pollTimeout(_ now: ContinuousClock.Instant) -> Int32 {
        var nearest = stopDeadline
        if let acceptPausedUntil, listening { nearest = min(nearest ?? acceptPausedUntil, acceptPausedUntil) }
        for connection in connections.values where !connection.awaitingResponse {
            nearest = min(nearest ?? connection.deadline, connection.deadline)
        }
        guard let nearest else { return -1 }
        let (seconds, attoseconds) = (nearest - now).components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeFD, &buffer, buffer.count) > 0 {}
    }

    private func beginStop(_ now: ContinuousClock.Instant) {
        stopDeadline = now + limits.shutdownGrace
        closeListener()
        for connection in connections.values where !connection.awaitingResponse && !connection.hasPendingOutput {
            closeConnection(connection)
        }
    }

    /// Closes the listener and removes the socket file, unless another process has since replaced it.
    private func closeListener() {
        listening = false
        close(server.listener.fd)
        var info = stat()
        if lstat(server.path, &info) == 0, UInt64(info.st_dev) == server.listener.device,
            UInt64(info.st_ino) == server.listener.inode
        {
            unlink(server.path)
        }
    }

    private func acceptConnections() {
        // Bounded so a flood of connects cannot starve the clients already connected.
        for _ in 0..<64 {
            let fd = accept(server.listener.fd, nil, nil)
            guard fd >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED: continue
                default:
                    // Out of descriptors or memory: back off briefly instead of spinning on a readable listener.
                    logger.warning(
                        "control socket accept failed", metadata: ["errno": "\(errno)", "socket": "\(server.path)"])
                    acceptPausedUntil = clock.now + .milliseconds(100)
                    return
                }
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            UnixSocket.setNonBlocking(fd)
            guard let peer = UnixSocket.peerCredentials(fd), server.policy.allows(peer) else {
                let peer = UnixSocket.peerCredentials(fd)
                logger.warning(
                    "refused control connection from a peer that is not allowed",
                    metadata: [
                        "uid": "\(peer.map { String($0.uid) } ?? "unknown")",
                        "pid": "\(peer.map { String($0.pid) } ?? "unknown")", "socket": "\(server.path)",
                    ])
                refuse(
                    fd, .forbidden,
                    "This user may not use the aurorad socket; run as root or as a member of the socket's group.")
                continue
            }
            guard connections.count < limits.maxConnections else {
                logger.warning(
                    "refused control connection: too many connections",
                    metadata: ["limit": "\(limits.maxConnections)", "uid": "\(peer.uid)", "pid": "\(peer.pid)"])
                refuse(fd, .busy, "The daemon is serving too many connections; try again in a moment.")
                continue
            }
            nextID += 1
            connections[nextID] = Connection(
                id: nextID, fd: fd, peer: peer, deadline: clock.now + limits.idleTimeout,
                maxRequestBytes: limits.maxRequestBytes)
        }
    }

    /// Sends a short error to a socket that is about to be closed; a fresh socket's buffer always takes it.
    private func refuse(_ fd: Int32, _ code: ControlErrorCode, _ message: String) {
        sendOnce(fd, ServerLoop.encode(.failure(code, message)))
        close(fd)
    }

    private func sendOnce(_ fd: Int32, _ pieces: [[UInt8]]) {
        _ = Array(pieces.joined()).withUnsafeBytes {
            send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
    }

    private func receive(from connection: Connection) {
        let count = recv(connection.fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
        if count > 0 {
            connection.framer.append(chunk[0..<count])
            processInput(connection)
        } else if count == 0 {
            connection.inputClosed = true
            processInput(connection)
        } else if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
            closeConnection(connection)
        }
    }

    /// Starts the next complete request, if any, when the connection is free to take one.
    private func processInput(_ connection: Connection) {
        guard !connection.awaitingResponse, !connection.hasPendingOutput, !connection.closeAfterFlush else { return }
        switch connection.framer.next(inputClosed: connection.inputClosed) {
        case .line(let line):
            start(line, on: connection)
        case .lastLine(let line):
            connection.closeAfterFlush = true
            start(line, on: connection)
        case .tooLarge:
            rejectTooLarge(connection)
        case .needMore:
            break
        case .end:
            closeConnection(connection)
        }
    }

    private func start(_ line: [UInt8], on connection: Connection) {
        connection.awaitingResponse = true
        server.dispatch(line, connection: connection.id, peer: connection.peer)
    }

    private func rejectTooLarge(_ connection: Connection) {
        logger.info(
            "control request too large",
            metadata: ["limit": "\(limits.maxRequestBytes)", "uid": "\(connection.peer.uid)"])
        connection.closeAfterFlush = true
        let message = "The request is larger than the \(limits.maxRequestBytes)-byte limit; send a smaller spec."
        queue(ServerLoop.encode(.failure(.requestTooLarge, message)), then: .done, on: connection)
    }

    private func queue(_ pieces: [[UInt8]], then: ServerLoop.Continuation, on connection: Connection) {
        connection.output = pieces
        connection.then = then
        connection.piece = 0
        connection.written = 0
        connection.deadline = clock.now + limits.idleTimeout
        flush(connection)
    }

    /// Writes what the socket takes now, piece by piece, releasing each piece once it is out; then asks a streamed
    /// result for its next piece (waiting for it as for a response), or, once the response is out, closes or moves on
    /// to the next request.
    private func flush(_ connection: Connection) {
        while connection.hasPendingOutput {
            guard connection.written < connection.output[connection.piece].count else {
                connection.output[connection.piece] = []
                connection.piece += 1
                connection.written = 0
                continue
            }
            let count = connection.output[connection.piece].withUnsafeBytes { bytes in
                send(
                    connection.fd, bytes.baseAddress! + connection.written, bytes.count - connection.written,
                    Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if count > 0 {
                connection.written += count
                // A reader that keeps taking bytes is slow, not stuck: only a stalled response times out.
                connection.deadline = clock.now + limits.idleTimeout
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                return closeConnection(connection)
            }
        }
        connection.output = []
        connection.piece = 0
        connection.written = 0
        switch connection.then {
        case .stream(let stream):
            connection.then = .done
            connection.awaitingResponse = true
            return server.pull(stream, connection: connection.id)
        case .broken:
            return closeConnection(connection)
        case .done:
            break
        }
        connection.deadline = clock.now + limits.idleTimeout
        if connection.closeAfterFlush || stopDeadline != nil { return closeConnection(connection) }
        processInput(connection)
    }

    private func expireDeadlines(_ now: ContinuousClock.Instant) {
        for connection in connections.values where !connection.awaitingResponse && now >= connection.deadline {
            if connection.hasPendingOutput {
                logger.debug("control client stopped reading; closing", metadata: ["uid": "\(connection.peer.uid)"])
            } else {
                logger.debug("control client idle; closing", metadata: ["uid": "\(connection.peer.uid)"])
                let message =
                    "No complete request arrived within the idle timeout of \(limits.idleTimeout); "
                    + "the connection is closed."
                sendOnce(connection.fd, ServerLoop.encode(.failure(.timeout, message)))
            }
            closeConnection(connection)
        }
    }

    private func closeConnection(_ connection: Connection) {
        close(connection.fd)
        connections[connection.id] = nil
    }
}
