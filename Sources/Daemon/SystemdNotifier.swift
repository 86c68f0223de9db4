import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd about the daemon's state through `$NOTIFY_SOCKET` (the sd_notify protocol), so a `Type=notify`
/// unit counts as started only once the socket is listening. Without `$NOTIFY_SOCKET` it does nothing.
public struct SystemdNotifier: Sendable {
    private let socketPath: String?
    /// How often systemd expects `WATCHDOG=1` (`WatchdogSec=`), or nil when the watchdog is off or meant for
    /// another process.
    public let watchdogInterval: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment` as sd_notify and
    /// sd_watchdog_enabled do: the watchdog applies when `WATCHDOG_USEC` is a positive number of microseconds and
    /// `WATCHDOG_PID`, if set, is this process.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: pid_t = getpid()) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let microseconds = environment["WATCHDOG_USEC"].flatMap { UInt64($0) } ?? 0
        let forUs = environment["WATCHDOG_PID"].map { pid_t($0) == pid } ?? true
        watchdogInterval =
            socketPath != nil && microseconds > 0 && forUs
            ? .microseconds(Int64(clamping: microseconds)) : nil
    }

    /// Sends `READY=1` (at start-up and after a reload), with a `STATUS=` line.
    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    /// Sends `STOPPING=1`.
    public func stopping() { send("STOPPING=1\nSTATUS=Stopping: finishing in-flight reconciles") }

    /// Sends `STATUS=` with a one-line summary that `systemctl status` shows.
    public func status(_ text: String) { send("STATUS=\(text)") }

    /// Sends `WATCHDOG=1`: the daemon is alive and making progress.
    public func watchdog() { send("WATCHDOG=1") }

    /// Sends `RELOADING=1` with the `MONOTONIC_USEC=` systemd expects beside it (sd_notify(3)).
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        send("RELOADING=1\nMONOTONIC_USEC=\(microseconds)\nSTATUS=Reloading the configuration")
    }

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
