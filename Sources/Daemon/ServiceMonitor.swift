import Controller
import Dispatch
import Logging
import StatusModel
import Synchronization

/// Keeps systemd informed while the daemon runs: pings the watchdog only while the controller makes progress (its
/// heartbeat is younger than the watchdog interval) and sends a `STATUS=` phase summary whenever it may have changed
/// (a reconcile finished, or `invalidate()` was called after a control request). Each tick also samples the work
/// queue's depth into `gauges`, and the specs' phases whenever it reads them. Ticks on its own Dispatch queue.
public final class ServiceMonitor: Sendable {
    private struct State {
        var lastReconcileCount: UInt64?
        var lastStatus = ""
        var invalidated = true
        var withholding = false
    }

    private let notifier: SystemdNotifier
    private let heartbeat: Heartbeat
    private let store: any SpecStore
    private let queueDepth: @Sendable () -> QueueMetrics
    private let gauges: StateGauges
    private let logger: Logger
    private let queue = DispatchQueue(label: "aurorad.service-monitor")
    /// Made in `start()`: libdispatch traps when a source that was never resumed is released.
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)
    private let state = Mutex(State())

    /// A monitor reading `heartbeat` and the phases in `store`, talking through `notifier` and sampling
    /// `queueDepth` and the phases into `gauges`; `start()` starts it.
    public init(
        notifier: SystemdNotifier, heartbeat: Heartbeat, store: any SpecStore,
        queueDepth: @escaping @Sendable () -> QueueMetrics, gauges: StateGauges, logger: Logger
    ) {
        self.notifier = notifier
        self.heartbeat = heartbeat
        self.store = store
        self.queueDepth = queueDepth
        self.gauges = gauges
        self.logger = logger
    }

    /// How often the monitor ticks: twice per watchdog interval (as sd_watchdog_enabled(3) advises), at most every
    /// 2 s so the status line follows phase changes.
    public static func tickInterval(watchdog: Duration?) -> Duration {
        guard let watchdog else { return .seconds(2) }
        return min(.seconds(2), max(.milliseconds(100), watchdog / 2))
    }

    /// The current phase summary, read from the store (never from AWS); the phases go to the gauges too.
    public func summary() -> String {
        do {
            let counts = try store.phaseCounts()
            gauges.record(phases: counts)
            return PhaseSummary.line(counts)
        } catch {
            return "spec store unreadable: \(error)"
        }
    }

    /// Starts ticking (once).
    public func start() {
        let interval = Self.tickInterval(watchdog: notifier.watchdogInterval)
        let started = timer.withLock { timer -> Bool in
            guard timer == nil else { return false }
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now(), repeating: .milliseconds(Int(interval / .milliseconds(1))))
            source.setEventHandler { [self] in tick() }
            source.resume()
            timer = source
            return true
        }
        guard started else { return }
        if let watchdog = notifier.watchdogInterval {
            logger.info("systemd watchdog enabled", metadata: ["interval": "\(watchdog)"])
        }
    }

    /// Stops ticking; no watchdog ping or status is sent afterwards.
    public func stop() {
        timer.withLock { $0?.cancel() }
        queue.sync {}
    }

    /// Makes the next tick send the status line again (the set of specs or a phase may have changed).
    public func invalidate() {
        state.withLock { $0.invalidated = true }
    }

    private func tick() {
        if let watchdog = notifier.watchdogInterval { pingWatchdog(limit: watchdog) }
        gauges.record(queue: queueDepth())
        let count = heartbeat.finishedReconciles
        let due = state.withLock { state in
            defer {
                state.invalidated = false
                state.lastReconcileCount = count
            }
            return state.invalidated || state.lastReconcileCount != count
        }
        guard due else { return }
        let line = summary()
        let changed = state.withLock { state in
            defer { state.lastStatus = line }
            return state.lastStatus != line
        }
        if changed { notifier.status(line) }
    }

    /// Pings only while the heartbeat is younger than the watchdog interval; otherwise systemd's watchdog fires and
    /// restarts the daemon, which is the point when every worker is stuck.
    private func pingWatchdog(limit: Duration) {
        let age = heartbeat.age
        let healthy = age < limit
        let transition = state.withLock { state in
            defer { state.withholding = !healthy }
            return state.withholding == healthy
        }
        if healthy {
            notifier.watchdog()
            if transition { logger.notice("controller making progress again; watchdog pings resumed") }
        } else if transition {
            logger.critical(
                """
                controller has made no progress (every worker stuck in one reconcile, or the queue wedged); \
                withholding watchdog pings so systemd restarts aurorad
                """,
                metadata: ["since": "\(age)", "watchdog": "\(limit)"])
        }
    }
}
