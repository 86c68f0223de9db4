import Glibc

/// Resource limits that keep one client from hurting the daemon or other clients.
public struct ControlServerLimits: Sendable, Equatable {
    /// The longest request line accepted; longer ones get `request_too_large` and the connection is closed.
    public var maxRequestBytes: Int
    /// How long a whole request line may take to arrive (counted from connect or from the previous response),
    /// and how long writing a response may stall; an idle client, or one that stops reading, is closed after it.
    public var idleTimeout: Duration
    /// Connections served at once; the next one gets `busy` and is closed.
    public var maxConnections: Int
    /// How long `stop()` lets requests in progress finish before closing their connections.
    public var shutdownGrace: Duration

    /// Creates limits; the defaults suit a daemon socket used by operators and scripts.
    public init(
        maxRequestBytes: Int = 1 << 20, idleTimeout: Duration = .seconds(30), maxConnections: Int = 256,
        shutdownGrace: Duration = .seconds(5)
    ) {
        self.maxRequestBytes = maxRequestBytes
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.shutdownGrace = shutdownGrace
    }
}

/// The group that owns the socket file, by id or by name.
public enum ControlSocketGroup: Sendable, Equatable {
    case id(gid_t)
    case name(String)

    /// Resolves the group to its id through the group database.
    func resolve() throws(ControlServerError) -> gid_t {
        switch self {
        case .id(let gid): return gid
        case .name(let name):
            if let gid = gid_t(name) { return gid }
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            var buffer = [CChar](repeating: 0, count: 16384)
            let status = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
            guard status == 0, let found = result else { throw .groupNotFound(name) }
            return found.pointee.gr_gid
        }
    }
}

/// Which peers may use the socket: a peer passes if its uid is allowed or any of its groups is.
struct PeerPolicy: Sendable {
    let uids: Set<uid_t>
    let gids: Set<gid_t>

    /// True when `peer` may send requests.
    func allows(_ peer: PeerCredentials) -> Bool {
        uids.contains(peer.uid) || gids.contains(peer.gid) || peer.groups.contains(where: gids.contains)
    }
}

/// Why the server could not start.
public struct ControlServerError: Error, Sendable, CustomStringConvertible {
    /// One sentence saying what happened and what to do.
    public let description: String

    /// The socket path does not fit in `sockaddr_un` (or is empty).
    static func badPath(_ reason: String) -> ControlServerError { ControlServerError(description: reason) }

    /// Another process accepts connections on the path.
    static func alreadyListening(_ path: String) -> ControlServerError {
        ControlServerError(
            description: "Another aurorad is listening on \(path); stop it first or choose another --socket path.")
    }

    /// Something other than a socket exists at the path.
    static func notASocket(_ path: String) -> ControlServerError {
        ControlServerError(
            description: "\(path) exists and is not a socket, so aurorad will not replace it; "
                + "remove it or choose another --socket path.")
    }

    /// The configured group is unknown.
    static func groupNotFound(_ name: String) -> ControlServerError {
        ControlServerError(
            description: "The socket group \(name) does not exist; create it (groupadd \(name)) or configure another.")
    }

    /// `start()` was called twice.
    static let alreadyStarted = ControlServerError(
        description: "The control server is already started (or was stopped); create a new one to listen again.")

    /// A system call failed.
    static func system(_ operation: String, _ path: String, _ code: Int32) -> ControlServerError {
        ControlServerError(
            description: "Could not \(operation) \(path): \(UnixSocket.describe(code)) (errno \(code)); "
                + "check the path and its permissions.")
    }
}
