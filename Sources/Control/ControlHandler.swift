import Glibc

/// Who is on the other end of a connection, as the kernel reports it (SO_PEERCRED, SO_PEERGROUPS).
public struct PeerCredentials: Sendable, Equatable {
    /// The peer's process id at connect time.
    public var pid: pid_t
    /// The peer's effective user id.
    public var uid: uid_t
    /// The peer's effective primary group id.
    public var gid: gid_t
    /// The peer's supplementary groups (empty when the kernel cannot report them).
    public var groups: [gid_t]

    /// Creates a credential record.
    public init(pid: pid_t, uid: uid_t, gid: gid_t, groups: [gid_t] = []) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}

/// Answers requests; the daemon implements it with the store and the spec model. Called on Dispatch worker
/// threads, possibly for several connections at once, so implementations must be thread-safe.
public protocol ControlHandler: Sendable {
    /// Handles one well-formed request from an authorised peer and returns its response.
    func handle(_ request: ControlRequest, peer: PeerCredentials) -> ControlResponse
}
