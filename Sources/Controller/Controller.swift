import Foundation
import Logging

/// Runs a `Reconciling` over a work queue: N worker threads, at most one reconcile per key at a time, per-key
/// exponential backoff on retryable errors, requeues the reconciler asks for, and a bounded graceful shutdown.
///
/// Workers are dedicated `Thread`s, not Dispatch work items: each one blocks in `WorkQueue.get()` and in synchronous
/// AWS calls for its whole life. Dispatch's pool is sized to the CPU count (2 on a small host), so N long-blocking
/// items would cap concurrency below N and starve the timers and other work that share the pool.
public final class Controller: Sendable {
    private struct Workers {
        var started = false
        var running = 0
    }

    private let reconciler: any Reconciling
    private let workerCount: Int
    private let backoff: ExponentialBackoff
    private let queue: WorkQueue
    private let logger: Logger
    private let clock: any TimerScheduler
    private let reconcileMetrics: ReconcileMetrics
    private let workers = ConditionLock(Workers())
    /// Beaten by workers taking and finishing keys and by idle workers; the systemd watchdog reads its age.
    public let heartbeat: Heartbeat

    /// A controller that is not running yet; `clock` drives requeue and backoff timers and times reconciles
    /// (injectable for tests), idle workers beat `heartbeat` every `idleBeatInterval`, and each finished reconcile is
    /// recorded in `reconcileMetrics`.
    public init(
        reconciler: any Reconciling, workers: Int = 4, backoff: ExponentialBackoff = ExponentialBackoff(),
        clock: any TimerScheduler = SystemClock(), idleBeatInterval: Duration = .seconds(1),
        reconcileMetrics: ReconcileMetrics = ReconcileMetrics(), logger: Logger
    ) {
        precondition(workers >= 1, "The controller needs at least one worker.")
        self.reconciler = reconciler
        self.workerCount = workers
        self.backoff = backoff
        self.heartbeat = Heartbeat(clock: clock)
        self.queue = WorkQueue(clock: clock, heartbeat: heartbeat, idleBeatInterval: idleBeatInterval)
        self.logger = logger
        self.clock = clock
        self.reconcileMetrics = reconcileMetrics
    }

    /// Starts the workers and enqueues every stored spec, so a restart resumes from observed state (level-triggered).
    public func start(keys: [String]) {
        let first = workers.withLock { workers in
            defer { workers.started = true }
            return !workers.started
        }
        precondition(first, "A controller is started once.")
        for key in keys { queue.add(key) }
        logger.info("Controller started", metadata: ["workers": "\(workerCount)", "specs": "\(keys.count)"])
        for index in 0..<workerCount {
            workers.withLock { $0.running += 1 }
            let thread = Thread { [self] in
                runWorker()
                workers.withLock { $0.running -= 1 }
            }
            thread.name = "aurorad-worker-\(index)"
            thread.start()
        }
    }

    /// Reconciles `key` as soon as a worker is free (on submit and delete); collapses with a pending wake.
    public func wake(_ key: String) {
        logger.debug("Spec woken", metadata: ["spec": "\(key)"])
        queue.add(key)
    }

    /// Takes no new work and waits up to `timeout` for in-flight reconciles to finish; true when all finished.
    public func shutdown(timeout: Duration) -> Bool {
        queue.shutdown()
        let deadline = Date(timeIntervalSinceNow: timeout.seconds)
        let finished = workers.wait(until: deadline, for: { $0.running == 0 }) { _ in true } ?? false
        if finished {
            logger.info("Controller stopped; every in-flight reconcile finished")
        } else {
            logger.info("Controller stopped with reconciles still in flight", metadata: ["timeout": "\(timeout)"])
        }
        return finished
    }

    /// The work queue's counts: keys waiting, being reconciled, and scheduled for later.
    public var metrics: QueueMetrics { queue.metrics }

    /// Changes the retry delays after errors (configuration reload); counted failures are kept.
    public func reconfigureBackoff(base: Duration, max: Duration) { backoff.reconfigure(base: base, max: max) }

    /// Consecutive retryable failures of `key` since its last success.
    public func failureCount(for key: String) -> Int { backoff.failures(for: key) }

    private func runWorker() {
        while let key = queue.get() {
            var logger = self.logger
            logger[metadataKey: "spec"] = "\(key)"
            logger.debug("Reconciling")
            heartbeat.beat()
            let started = clock.now()
            let result = reconciler.reconcile(key: key)
            reconcileMetrics.finished(result, after: clock.now() - started)
            handle(result, of: key, logger: logger)
            // Only after the follow-up is scheduled, so a wake that came meanwhile runs the key exactly once more.
            queue.done(key)
            heartbeat.reconcileFinished()
        }
    }

    private func handle(_ result: ReconcileResult, of key: String, logger: Logger) {
        switch result {
        case .done:
            backoff.forget(key)
            logger.debug("Reconciled; idle until woken")
        case .requeueAfter(let delay):
            backoff.forget(key)
            queue.addAfter(key, delay: delay)
            logger.debug("Reconciled; requeued", metadata: ["after": "\(delay)"])
        case .retryableError(let error):
            let delay = backoff.next(for: key)
            queue.addAfter(key, delay: delay)
            logger.info(
                "Reconcile failed; retrying after backoff",
                metadata: [
                    "error": "\(error)", "failures": "\(backoff.failures(for: key))", "retry_after": "\(delay)",
                ])
        case .terminalError(let error):
            backoff.forget(key)
            logger.info(
                "Reconcile failed with a terminal error; not retrying until woken", metadata: ["error": "\(error)"])
        }
    }
}
