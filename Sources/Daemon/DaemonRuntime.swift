import AWSServices
import Control
import Controller
import Dispatch
import Foundation
import ImportSpec
import Logging
import Reconciler
import Store
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The running daemon: opens the store, connects to AWS, serves the control socket, drives the controller, and
/// stops cleanly on SIGTERM or SIGINT. `aurorad run` builds one and calls `run()`; tests build it the same way.
public final class DaemonRuntime: Sendable {
    private let config: DaemonConfig
    private let environment: [String: String]
    private let logger: Logger

    /// A daemon for `config`, taking AWS settings from `environment`, logging to `logger`.
    public init(config: DaemonConfig, environment: [String: String], logger: Logger) {
        self.config = config
        self.environment = environment
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then stops gracefully. Throws when start-up fails (nothing is left running).
    public func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let store = try SQLiteStore(path: config.database)
        let reconciler = try makeReconciler(store: store)
        let controller = Controller(
            reconciler: ReconcilerBridge(reconciler: reconciler), workers: config.workers,
            backoff: ExponentialBackoff(base: config.backoffMin, max: config.backoffMax), logger: logger)
        let hooks = SpecControlHandler.SpecHooks(
            submitted: { [logger] name, changed in
                if !changed {
                    do { try reconciler.requestRetry(name: name) } catch {
                        logger.error(
                            "could not record a retry request", metadata: ["spec": "\(name)", "error": "\(error)"])
                    }
                }
                controller.wake(name)
            },
            deletionRequested: { name in controller.wake(name) },
            plan: { spec in try Self.planJSON(reconciler.preview(spec), of: spec) },
            restoreRequested: { name in controller.wake(name) },
            deletePreview: { spec in try JSONValue(encoding: reconciler.previewDeletion(spec)) })
        let server = ControlServer(
            path: config.socket, group: config.socketGroup.map { .name($0) },
            allowedUIDs: Set([0, geteuid()] + config.allowedUIDs), allowedGIDs: allowedGroups(),
            handler: SpecControlHandler(store: store, hooks: hooks, logger: logger), logger: logger)
        try server.start()
        let specs = try store.specs().map(\.name)
        controller.start(keys: specs)
        logger.notice("aurorad started", metadata: [
            "socket": "\(config.socket)", "database": "\(config.database)", "specs": "\(specs.count)",
            "workers": "\(config.workers)",
        ])
        let notifier = SystemdNotifier()
        notifier.ready()

        let signal = waitForTermination()
        logger.notice("stopping: finishing in-flight work", metadata: ["signal": "\(signal)"])
        notifier.stopping()
        server.stop()
        if !controller.shutdown(timeout: .seconds(60)) {
            logger.warning("stopped with reconciles still running; they resume from AWS state at the next start")
        }
        logger.notice("aurorad stopped")
    }

    /// The AWS client and the reconciler over it, sharing one global AWS request rate limit.
    private func makeReconciler(store: any SpecStore) throws -> SpecReconciler {
        let bucket = TokenBucket(ratePerSecond: config.awsRequestsPerSecond, burst: config.awsBurst)
        let client = try AWSClient(
            environment: environment,
            options: AWSClientOptions(
                region: config.region, maxAttempts: config.awsMaxAttempts, caFile: config.caFile,
                beforeAttempt: { bucket.acquire() }),
            logger: logger)
        logger.info("AWS configured", metadata: [
            "region": "\(client.region.name)", "credentials": "\(client.credentialProvider.sourceDescription)",
        ])
        return SpecReconciler(
            store: store, observer: AWSObserver(client: client, logger: logger),
            executor: AWSActionExecutor(client: client, logger: logger),
            options: ReconcilerOptions(pollInterval: config.pollInterval, resyncInterval: config.resyncInterval),
            logger: logger)
    }

    /// A plan preview of `spec` as the JSON `ctl plan --json` prints: `phase`, `steps` (every projected group),
    /// `now` (the groups runnable now), `conditions`, `projectedPhase`, `projectedMessage`, and the settings aurorad
    /// manages after the restore and those it leaves as they are in AWS (`managedSettings`, `unmanagedSettings`).
    private static func planJSON(_ preview: PlanPreview, of spec: ImportSpec) throws -> JSONValue {
        .object([
            "managedSettings": .array(FieldOwnership.managed(by: spec).map { .string($0) }),
            "unmanagedSettings": .array(FieldOwnership.unmanaged(by: spec).map { .string($0) }),
            "phase": .string(preview.phase.rawValue),
            "steps": .array(preview.steps.map { .array($0.map { .string($0) }) }),
            "now": .array(preview.now.map { .array($0.map { .string($0) }) }),
            "conditions": try JSONValue(encoding: preview.conditions),
            "projectedPhase": .string(preview.projectedPhase.rawValue),
            "projectedMessage": .string(preview.projectedMessage),
        ])
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
