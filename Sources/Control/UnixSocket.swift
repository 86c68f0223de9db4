import Glibc

/// Thin wrappers over the Glibc socket calls that server and client share.
enum UnixSocket {
    /// The most bytes a socket path may have: `sun_path` holds 108 bytes including the terminating NUL.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Checks that `path` fits in `sockaddr_un`, returning a sentence-long reason when it does not.
    static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "The socket path is empty; give a path such as /run/aurorad/aurorad.sock." }
        let count = path.utf8.count
        if count > maxPathBytes {
            return "The socket path \(path) is \(count) bytes long but Unix sockets allow at most \(maxPathBytes); "
                + "choose a shorter path."
        }
        return nil
    }

    /// Calls `body` with a `sockaddr_un` for `path`, which must already have passed `pathProblem`.
    static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8.prefix(maxPathBytes))
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// A new close-on-exec stream socket, or -1 with `errno` set.
    static func makeStreamSocket() -> Int32 {
        socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    }

    /// Connects `fd` to `path`, returning 0 or the errno of the failure.
    static func connect(_ fd: Int32, to path: String) -> Int32 {
        let result = withAddress(path) { Glibc.connect(fd, $0, $1) }
        return result == 0 ? 0 : errno
    }

    /// Puts `fd` in non-blocking mode.
    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// The kernel's `struct ucred`, which Glibc only declares under `_GNU_SOURCE` (invisible to Swift).
    private struct UCred {
        var pid: pid_t = 0
        var uid: uid_t = 0
        var gid: gid_t = 0
    }

    /// The credentials of the process connected on `fd`, or nil when the kernel will not say.
    static func peerCredentials(_ fd: Int32) -> PeerCredentials? {
        var credentials = UCred()
        var length = socklen_t(MemoryLayout<UCred>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0,
            length == socklen_t(MemoryLayout<UCred>.size)
        else { return nil }
        return PeerCredentials(
            pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, groups: peerGroups(fd))
    }

    /// The peer's supplementary groups (SO_PEERGROUPS, Linux 4.13+), so a member of the socket's group is
    /// recognised even when that group is not the peer's primary group; empty when unsupported.
    private static func peerGroups(_ fd: Int32) -> [gid_t] {
        var groups = [gid_t](repeating: 0, count: 64)
        for _ in 0..<2 {
            var length = socklen_t(groups.count * MemoryLayout<gid_t>.size)
            if getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, &groups, &length) == 0 {
                return Array(groups.prefix(Int(length) / MemoryLayout<gid_t>.size))
            }
            // ERANGE reports the size needed in `length`; anything else means the kernel cannot say.
            guard errno == ERANGE else { return [] }
            groups = [gid_t](repeating: 0, count: Int(length) / MemoryLayout<gid_t>.size)
        }
        return []
    }

    /// The text of an errno value.
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
