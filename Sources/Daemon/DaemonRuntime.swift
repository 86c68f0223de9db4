import Control
import Dispatch
import Foundation
import Logging
import Store
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The running daemon: opens the store, serves the control socket, drives the controller, and stops cleanly on
/// SIGTERM or SIGINT. `aurorad run` builds one and calls `run()`; tests build it the same way.
public final class DaemonRuntime: Sendable {
    private let config: DaemonConfig
    private let logger: Logger

    /// A daemon for `config`, logging to `logger`.
    public init(config: DaemonConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then stops gracefully. Throws when start-up fails (nothing is left running).
    public func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let store = try SQLiteStore(path: config.database)
        let handler = SpecControlHandler(store: store, logger: logger) { _ in }
        let server = ControlServer(
            path: config.socket, group: config.socketGroup.map { .name($0) },
            allowedUIDs: Set([0, geteuid()] + config.allowedUIDs), allowedGIDs: allowedGroups(), handler: handler,
            logger: logger)
        try server.start()
        let specs = try store.specs()
        logger.notice("aurorad started", metadata: [
            "socket": "\(config.socket)", "database": "\(config.database)", "specs": "\(specs.count)",
        ])
        let notifier = SystemdNotifier()
        notifier.ready()

        let signal = waitForTermination()
        logger.notice("stopping", metadata: ["signal": "\(signal)"])
        notifier.stopping()
        server.stop()
        logger.notice("aurorad stopped")
    }

    /// The groups allowed on the socket: the socket's group (the server's default) plus the configured extras.
    private func allowedGroups() -> Set<gid_t>? {
        guard !config.allowedGIDs.isEmpty else { return nil }
        let socketGroup = config.socketGroup.flatMap { getgrnam($0)?.pointee.gr_gid } ?? getegid()
        return Set(config.allowedGIDs + [socketGroup])
    }

    /// Blocks until SIGTERM or SIGINT arrives and returns its name.
    private func waitForTermination() -> String {
        let received = DispatchSemaphore(value: 0)
        let name = Mutex<String>("")
        let queue = DispatchQueue(label: "aurorad.signals")
        var sources: [any DispatchSourceSignal] = []
        for (number, label) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                name.withLock { $0 = label }
                received.signal()
            }
            source.resume()
            sources.append(source)
        }
        received.wait()
        sources.forEach { $0.cancel() }
        return name.withLock { $0 }
    }
}
