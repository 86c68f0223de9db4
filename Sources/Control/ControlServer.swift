import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization

/// The daemon's control socket: accepts local connections, checks peer credentials, enforces size and time
/// limits, and passes each well-formed request to a `ControlHandler`.
///
/// Protocol: newline-delimited JSON; one request line gets one response line; a connection may send several
/// requests in turn. After an `invalid_request` reply the connection stays open (the next line may be fine);
/// after `forbidden`, `busy`, `request_too_large` or `timeout` it is closed.
public final class ControlServer: Sendable {
    /// The socket file's path.
    public let path: String
    private let group: ControlSocketGroup?
    private let allowedUIDs: Set<uid_t>?
    private let allowedGIDs: Set<gid_t>?
    private let handler: any ControlHandler
    private let logger: Logger
    private let limits: ControlServerLimits
    private let state = Mutex<State>(.idle)

    private enum State {
        case idle
        case running(ServerLoop)
        case stopped
    }

    /// Creates a server; nothing touches the file system until `start()`.
    ///
    /// - Parameters:
    ///   - group: owner group of the socket file; nil keeps the daemon's own group.
    ///   - allowedUIDs: peers allowed by uid; nil means root and the daemon's own uid.
    ///   - allowedGIDs: peers allowed by primary or supplementary group; nil means the socket's group.
    public init(
        path: String, group: ControlSocketGroup? = nil, allowedUIDs: Set<uid_t>? = nil,
        allowedGIDs: Set<gid_t>? = nil, handler: any ControlHandler, logger: Logger,
        limits: ControlServerLimits = ControlServerLimits()
    ) {
        self.path = path
        self.group = group
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
        self.handler = handler
        self.logger = logger
        self.limits = limits
    }

    /// Binds the socket (mode 0660, owned by the configured group) and starts serving on a Dispatch thread.
    ///
    /// A stale socket left by a crashed daemon is replaced; a live one, or a file that is not a socket, is an error.
    public func start() throws(ControlServerError) {
        try state.withLock { (state: inout State) throws(ControlServerError) in
            guard case .idle = state else { throw .alreadyStarted }
            let listener = try bindListener()
            let loop: ServerLoop
            do throws(ControlServerError) {
                loop = try ServerLoop(
                    listener: listener, path: path, policy: policy(listener: listener), handler: handler,
                    logger: logger, limits: limits)
            } catch {
                close(listener.fd)
                unlink(path)
                throw error
            }
            loop.start()
            state = .running(loop)
        }
        logger.info("control socket listening", metadata: ["socket": "\(path)"])
    }

    /// Stops listening, removes the socket file, lets requests in progress finish for up to the shutdown grace
    /// period, then closes every connection. Returns within about that grace period; safe to call twice.
    public func stop() {
        let loop = state.withLock { state -> ServerLoop? in
            defer { state = .stopped }
            if case .running(let loop) = state { return loop }
            return nil
        }
        guard let loop else { return }
        loop.requestStop()
        loop.waitUntilFinished(timeout: limits.shutdownGrace + .seconds(2))
        logger.info("control socket closed", metadata: ["socket": "\(path)"])
    }

    /// The listening socket and the identity of the file it created, so only that file is ever unlinked.
    struct Listener {
        let fd: Int32
        let device: UInt64
        let inode: UInt64
        let fileGroup: gid_t
    }

    private func bindListener() throws(ControlServerError) -> Listener {
        if let problem = UnixSocket.pathProblem(path) { throw .badPath(problem) }
        let groupID = try group?.resolve()
        try createParentDirectory()
        try removeStaleSocket()
        let fd = UnixSocket.makeStreamSocket()
        guard fd >= 0 else { throw .system("create a socket for", path, errno) }
        // bind creates the file with the umask's mode; the chmod right after closes that short window, and a
        // peer that connects inside it is still checked by SO_PEERCRED before anything is read.
        guard UnixSocket.withAddress(path, { Glibc.bind(fd, $0, $1) }) == 0 else {
            let code = errno
            close(fd)
            throw code == EADDRINUSE ? .alreadyListening(path) : .system("bind", path, code)
        }
        do throws(ControlServerError) {
            if let groupID, chown(path, uid_t.max, groupID) != 0 { throw .system("set the group of", path, errno) }
            guard chmod(path, 0o660) == 0 else { throw .system("set mode 0660 on", path, errno) }
            guard listen(fd, Int32(min(max(limits.maxConnections, 16), Int(SOMAXCONN)))) == 0 else {
                throw .system("listen on", path, errno)
            }
            UnixSocket.setNonBlocking(fd)
            var info = stat()
            guard lstat(path, &info) == 0 else { throw .system("inspect", path, errno) }
            return Listener(fd: fd, device: UInt64(info.st_dev), inode: UInt64(info.st_ino), fileGroup: info.st_gid)
        } catch {
            // The file is the one this call just bound, so removing it cannot hurt another daemon.
            close(fd)
            unlink(path)
            throw error
        }
    }

    private func createParentDirectory() throws(ControlServerError) {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        let code = Self.makeDirectories(parent)
        guard code == 0 else { throw .system("create the directory", parent, code) }
    }

    /// `mkdir -p` with mode 0755 (so group members can reach the 0660 socket), returning 0 or an errno.
    private static func makeDirectories(_ directory: String) -> Int32 {
        if mkdir(directory, 0o755) == 0 { return chmod(directory, 0o755) == 0 ? 0 : errno }
        switch errno {
        case EEXIST: return 0
        case ENOENT:
            let parent = (directory as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != directory else { return ENOENT }
            let code = makeDirectories(parent)
            guard code == 0 else { return code }
            guard mkdir(directory, 0o755) == 0 else { return errno == EEXIST ? 0 : errno }
            return chmod(directory, 0o755) == 0 ? 0 : errno
        case let code: return code
        }
    }

    /// Deletes a socket file nobody accepts on (a crashed run's leftover); refuses live sockets and other files.
    private func removeStaleSocket() throws(ControlServerError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw .system("inspect", path, errno) }
            return
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
        let probe = UnixSocket.makeStreamSocket()
        guard probe >= 0 else { throw .system("create a socket for", path, errno) }
        let result = UnixSocket.connect(probe, to: path)
        close(probe)
        switch result {
        case 0, EAGAIN: throw .alreadyListening(path)
        case ECONNREFUSED:
            logger.info("replacing stale control socket", metadata: ["socket": "\(path)"])
            guard unlink(path) == 0 || errno == ENOENT else { throw .system("remove the stale socket", path, errno) }
        default: throw .system("check whether a daemon listens on", path, result)
        }
    }

    private func policy(listener: Listener) -> PeerPolicy {
        PeerPolicy(uids: allowedUIDs ?? [0, geteuid()], gids: allowedGIDs ?? [listener.fileGroup])
    }
}
