import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd about the daemon's state through `$NOTIFY_SOCKET` (the sd_notify protocol), so a `Type=notify`
/// unit counts as started only once the socket is listening. Without `$NOTIFY_SOCKET` it does nothing.
public struct SystemdNotifier: Sendable {
    private let socketPath: String?

    /// Reads `NOTIFY_SOCKET` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends `READY=1`.
    public func ready() { send("READY=1") }

    /// Sends `STOPPING=1`.
    public func stopping() { send("STOPPING=1") }

    /// Sends one datagram of `KEY=VALUE` lines; failures are ignored, as sd_notify's are.
    private func send(_ state: String) {
        guard var path = socketPath else { return }
        // An abstract socket is named with a leading "@" standing for the NUL byte.
        let abstract = path.hasPrefix("@")
        if abstract { path.removeFirst() }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count + (abstract ? 1 : 0) < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: (abstract ? [0] : []) + bytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 1 : 0))
        _ = state.withCString { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, text, strlen(text), Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
    }
}
