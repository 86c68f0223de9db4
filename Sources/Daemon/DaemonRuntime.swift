import AWSServices
import Control
import Controller
import Dispatch
import Foundation
import ImportSpec
import Logging
import Reconciler
import StatusModel
import Store
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The running daemon: opens the store, connects to AWS, serves the control socket (and the metrics endpoint when
/// configured), drives the controller, and stops cleanly on SIGTERM or SIGINT. `aurorad run` builds one and calls
/// `run()`; tests build it the same way.
public final class DaemonRuntime: Sendable {
    private let config: DaemonConfig
    private let environment: [String: String]
    private let logger: Logger
    private let logSettings: LogSettings?
    private let reloadConfig: (@Sendable () throws -> DaemonConfig)?

    /// A daemon for `config`, taking AWS settings from `environment`, logging to `logger`. On SIGHUP it calls
    /// `reloadConfig` (nil: SIGHUP is ignored) and applies the log level (through `logSettings`), intervals and
    /// rate limits of the result.
    public init(
        config: DaemonConfig, environment: [String: String], logger: Logger, logSettings: LogSettings? = nil,
        reloadConfig: (@Sendable () throws -> DaemonConfig)? = nil
    ) {
        self.config = config
        self.environment = environment
        self.logger = logger
        self.logSettings = logSettings
        self.reloadConfig = reloadConfig
    }

    /// Runs until SIGTERM or SIGINT, then stops gracefully; SIGHUP reloads the configuration. Throws when start-up
    /// fails (nothing is left running).
    public func run() throws {
        signal(SIGPIPE, SIG_IGN)
        // A reload that arrives before the signal sources exist must not end the daemon (SIGHUP's default action).
        signal(SIGHUP, SIG_IGN)
        let store = try SQLiteStore(path: config.database)
        let metrics = DaemonMetrics(listen: config.metricsListen, logger: logger)
        let rateLimit = ReloadableRateLimit(
            total: config.awsRate, services: config.awsServiceRates, metrics: metrics.factory, logger: logger)
        // Resync passes fall on boundaries counted from the start, so the Ready specs of a pass share one read.
        let started = Date()
        let (reconciler, fleet) = try makeReconciler(
            store: store, rateLimit: rateLimit, metrics: metrics, started: started)
        let controller = Controller(
            reconciler: reconciler, workers: config.workers,
            backoff: ExponentialBackoff(base: config.backoffMin, max: config.backoffMax),
            reconcileMetrics: metrics.reconciles, logger: logger)
        let notifier = SystemdNotifier(environment: environment)
        let monitor = ServiceMonitor(
            notifier: notifier, heartbeat: controller.heartbeat, store: store,
            queueDepth: DrainTrimmer(trim: { [logger] in
                // The settled specs' observation and SQLite's page caches first: the heap trim then returns the pages
                // they held.
                if let counts = fleet.releaseSettledReads() {
                    logger.debug(
                        "released the settled specs' observation",
                        metadata: ["released": "\(counts.released)", "kept": "\(counts.kept)"])
                }
                store.releaseMemory()
                Heap.trim()
            }).observing(finished: { controller.heartbeat.finishedReconciles }) { controller.metrics },
            gauges: StateGauges(factory: metrics.factory), logger: logger)
        let hooks = SpecControlHandler.SpecHooks(
            submitted: { [logger] name, changed in
                fleet.watch([name])
                if !changed {
                    do { try reconciler.current.requestRetry(name: name) } catch {
                        logger.error(
                            "could not record a retry request", metadata: ["spec": "\(name)", "error": "\(error)"])
                    }
                }
                monitor.invalidate()
                controller.wake(name)
            },
            deletionRequested: { name in
                monitor.invalidate()
                controller.wake(name)
            },
            plan: { spec in Self.planResult(try reconciler.current.preview(spec), of: spec) },
            restoreRequested: { name in controller.wake(name) },
            deletePreview: { spec in try reconciler.current.previewDeletion(spec) })
        let server = ControlServer(
            path: config.socket, group: config.socketGroup.map { .name($0) },
            allowedUIDs: Set([0, geteuid()] + config.allowedUIDs), allowedGIDs: allowedGroups(),
            handler: SpecControlHandler(store: store, hooks: hooks, logger: logger), logger: logger)
        try server.start()
        do {
            try metrics.start()
        } catch {
            server.stop()
            throw error
        }
        let specs = try store.specs().map(\.name)
        fleet.watch(specs)
        controller.start(keys: specs)
        logger.notice(
            "aurorad started",
            metadata: [
                "socket": "\(config.socket)", "database": "\(config.database)", "specs": "\(specs.count)",
                "workers": "\(config.workers)",
            ])
        notifier.ready(status: monitor.summary())
        monitor.start()

        var running = config
        let signal = waitForTermination { [self] in
            notifier.reloading()
            running = reload(
                running, reconciler: reconciler, fleet: fleet, controller: controller, rateLimit: rateLimit,
                started: started)
            notifier.ready(status: monitor.summary())
        }
        logger.notice("stopping: finishing in-flight work", metadata: ["signal": "\(signal)"])
        monitor.stop()
        notifier.stopping()
        server.stop()
        metrics.stop()
        if !controller.shutdown(timeout: .seconds(60)) {
            logger.warning("stopped with reconciles still running; they resume from AWS state at the next start")
        }
        logger.notice("aurorad stopped")
    }

    /// The AWS client and the reconciler over it, sharing one AWS request budget (per service and in total),
    /// observing through one fleet-wide batched observation.
    private func makeReconciler(
        store: any SpecStore, rateLimit: ReloadableRateLimit, metrics: DaemonMetrics, started: Date
    ) throws -> (ReloadableReconciler, FleetObserver) {
        let client = try AWSClient(
            environment: environment,
            options: AWSClientOptions(
                region: config.region, maxAttempts: config.awsMaxAttempts, caFile: config.caFile,
                beforeAttempt: { rateLimit.acquire($0) }, throttled: { rateLimit.throttled($0) },
                metrics: metrics.awsCalls),
            logger: logger)
        logger.info(
            "AWS configured",
            metadata: [
                "region": "\(client.region.name)", "credentials": "\(client.credentialProvider.sourceDescription)",
            ])
        let options = Self.reconcilerOptions(config, started: started)
        let observer = FleetObserver(
            reader: AWSObserver(client: client, logger: logger), timing: Self.fleetTiming(options))
        let executor = AWSActionExecutor(client: client, logger: logger)
        let reconciler = ReloadableReconciler(options: options) { [logger] options in
            SpecReconciler(store: store, observer: observer, executor: executor, options: options, logger: logger)
        }
        return (reconciler, observer)
    }

    private static func reconcilerOptions(_ config: DaemonConfig, started: Date) -> ReconcilerOptions {
        ReconcilerOptions(
            pollInterval: config.pollInterval, resyncInterval: config.resyncInterval, resyncAnchor: started)
    }

    private static func fleetTiming(_ options: ReconcilerOptions) -> FleetObserver.Timing {
        FleetObserver.Timing(pollInterval: options.pollInterval, resync: options.resync)
    }

    /// Re-reads the configuration (SIGHUP) and applies what a running daemon can; returns the settings now in force.
    /// An invalid file changes nothing.
    private func reload(
        _ running: DaemonConfig, reconciler: ReloadableReconciler, fleet: FleetObserver, controller: Controller,
        rateLimit: ReloadableRateLimit, started: Date
    ) -> DaemonConfig {
        guard let reloadConfig else {
            logger.notice("SIGHUP received; no configuration source to reload, nothing changed")
            return running
        }
        let loaded: DaemonConfig
        do {
            loaded = try reloadConfig()
        } catch {
            logger.error(
                "configuration reload refused; the previous settings stay in force: fix the file, then reload again",
                metadata: ["error": "\(error)"])
            return running
        }
        let changes = ConfigChanges(from: running, to: loaded)
        let adopted = ConfigChanges.adoptable(from: loaded, keeping: running)
        logSettings?.level = Logger.Level(rawValue: adopted.logLevel) ?? .info
        let options = Self.reconcilerOptions(adopted, started: started)
        reconciler.reconfigure(options)
        fleet.reconfigure(Self.fleetTiming(options))
        controller.reconfigureBackoff(base: adopted.backoffMin, max: adopted.backoffMax)
        rateLimit.reconfigure(total: adopted.awsRate, services: adopted.awsServiceRates)
        logger.notice(
            "configuration reloaded",
            metadata: [
                "applied": "\(changes.applied.isEmpty ? "no change" : changes.applied.joined(separator: "; "))"
            ])
        if !changes.needRestart.isEmpty {
            logger.warning(
                "changed settings that apply only at the next restart (systemctl restart aurorad)",
                metadata: ["pending": "\(changes.needRestart.joined(separator: "; "))"])
        }
        return adopted
    }

    /// The `plan` result for `spec`: the preview, and the settings aurorad manages after the restore and those it
    /// leaves as they are in AWS.
    private static func planResult(_ preview: PlanPreview, of spec: ImportSpec) -> PlanResult {
        PlanResult(
            preview: preview, managedSettings: FieldOwnership.managed(by: spec),
            unmanagedSettings: FieldOwnership.unmanaged(by: spec))
    }

    /// The groups allowed on the socket: the socket's group (the server's default) plus the configured extras.
    private func allowedGroups() -> Set<gid_t>? {
        guard !config.allowedGIDs.isEmpty else { return nil }
        let socketGroup = config.socketGroup.flatMap { getgrnam($0)?.pointee.gr_gid } ?? getegid()
        return Set(config.allowedGIDs + [socketGroup])
    }

    /// Blocks until SIGTERM or SIGINT arrives and returns its name; runs `reload` on this thread for each SIGHUP.
    private func waitForTermination(reload: () -> Void) -> String {
        let received = DispatchSemaphore(value: 0)
        let names = Mutex<[String]>([])
        let queue = DispatchQueue(label: "aurorad.signals")
        var sources: [any DispatchSourceSignal] = []
        for (number, label) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT"), (SIGHUP, "SIGHUP")] {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                names.withLock { $0.append(label) }
                received.signal()
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        // One signal per semaphore signal; the loop ends at the first termination signal.
        while true {
            received.wait()
            let name = names.withLock { $0.removeFirst() }
            guard name == "SIGHUP" else { return name }
            logger.notice("SIGHUP received: reloading the configuration")
            reload()
        }
    }
}
