import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A stand-in for systemd's notification socket: an AF_UNIX datagram socket at `path` that collects every
/// `KEY=VALUE` message a daemon sends through `$NOTIFY_SOCKET`. Reads are bounded; `close()` removes the socket.
public final class NotifyListener: @unchecked Sendable {
    /// The socket path to put in `NOTIFY_SOCKET`.
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []

    /// Binds a datagram socket at `path` (keep it short: Unix socket paths are limited to ~100 bytes).
    public init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NotifyListenerError(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw NotifyListenerError(description: "socket path \(path) is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            Glibc.close(fd)
            throw NotifyListenerError(description: "bind(\(path)) failed: errno \(errno)")
        }
    }

    /// Every message received so far, in order (reads what is waiting first, without blocking).
    public var messages: [String] {
        drain(waitingUpTo: 0)
        return lock.withLock { received }
    }

    /// Waits up to `seconds` for a message that `match` accepts (earlier messages count) and returns it.
    @discardableResult
    public func waitFor(seconds: Double, _ match: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        for _ in 0..<Int(seconds * 20) + 2 {
            if let found = messages.first(where: match) { return found }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            drain(waitingUpTo: min(left, 0.05))
        }
        return messages.first(where: match)
    }

    /// Forgets the messages received so far.
    public func clear() {
        drain(waitingUpTo: 0)
        lock.withLock { received.removeAll() }
    }

    /// Closes and removes the socket.
    public func close() {
        Glibc.close(fd)
        unlink(path)
    }

    /// Reads every datagram waiting, first waiting up to `seconds` for one to arrive.
    private func drain(waitingUpTo seconds: Double) {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var timeout = Int32(seconds * 1000)
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<1000 {
            guard poll(&poller, 1, timeout) > 0 else { return }
            timeout = 0
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { return }
            let message = String(decoding: buffer[0..<count], as: UTF8.self)
            lock.withLock { received.append(message) }
        }
    }
}

/// A notification socket that could not be set up.
public struct NotifyListenerError: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
}
