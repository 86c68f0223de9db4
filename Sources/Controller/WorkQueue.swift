import Foundation

/// A point-in-time view of a work queue, read under one lock so its numbers agree with each other.
public struct QueueMetrics: Equatable, Sendable {
    /// Keys waiting for a worker.
    public var queued: Int
    /// Keys a worker is reconciling now.
    public var inFlight: Int
    /// Keys with a timer that will add them later.
    public var scheduled: Int

    /// Metrics with the given counts.
    public init(queued: Int, inFlight: Int, scheduled: Int) {
        self.queued = queued
        self.inFlight = inFlight
        self.scheduled = scheduled
    }
}

/// A queue of keys with client-go's workqueue semantics: repeated adds collapse, a key is never handed to two
/// workers at once, and a key added while it is being processed runs once more after `done`.
public final class WorkQueue: Sendable {
    private struct ScheduledAdd {
        var due: Duration
        var id: UInt64
        var timer: any CancellableTimer
    }

    private struct State {
        /// Keys ready for a worker, in the order they became ready. Arrays are fine here: at most one entry per
        /// spec, and an ops host runs hundreds of specs at most.
        var ready: [String] = []
        /// Keys that need processing: those in `ready`, plus those added again while in `processing` ("dirty").
        var waiting: Set<String> = []
        var processing: Set<String> = []
        var timers: [String: ScheduledAdd] = [:]
        var lastTimerID: UInt64 = 0
        var shuttingDown = false

        mutating func add(_ key: String) {
            // An immediate add supersedes a later scheduled one; the reconcile it causes schedules anew.
            timers.removeValue(forKey: key)?.timer.cancel()
            guard waiting.insert(key).inserted else { return }
            if !processing.contains(key) { ready.append(key) }
        }
    }

    private let clock: any TimerScheduler
    private let state = ConditionLock(State())
    private let heartbeat: Heartbeat?
    private let idleBeatInterval: Duration

    /// An empty queue whose delayed adds use `clock`; a worker waiting in `get` beats `heartbeat` every
    /// `idleBeatInterval`, so an idle controller still shows it is alive.
    public init(
        clock: any TimerScheduler = SystemClock(), heartbeat: Heartbeat? = nil, idleBeatInterval: Duration = .seconds(1)
    ) {
        precondition(idleBeatInterval > .zero, "The idle heartbeat interval must be positive.")
        self.clock = clock
        self.heartbeat = heartbeat
        self.idleBeatInterval = idleBeatInterval
    }

    /// Marks `key` as needing processing; a no-op when it already waits, or after shutdown.
    public func add(_ key: String) {
        state.withLock { state in
            guard !state.shuttingDown else { return }
            state.add(key)
        }
    }

    /// Adds `key` after `delay`, keeping one timer per key with the earliest due time of all requests.
    ///
    /// A key that already waits for a worker needs no timer: it runs sooner, and that run decides what comes next.
    public func addAfter(_ key: String, delay: Duration) {
        guard delay > .zero else { return add(key) }
        state.withLock { state in
            guard !state.shuttingDown, !state.waiting.contains(key) else { return }
            let due = clock.now() + delay
            if let existing = state.timers[key] {
                guard due < existing.due else { return }
                existing.timer.cancel()
            }
            state.lastTimerID += 1
            let id = state.lastTimerID
            let timer = clock.schedule(after: delay) { [weak self] in self?.fire(key, id: id) }
            state.timers[key] = ScheduledAdd(due: due, id: id, timer: timer)
        }
    }

    private func fire(_ key: String, id: UInt64) {
        state.withLock { state in
            // A timer replaced or cancelled just as it started running must not add its key.
            guard state.timers[key]?.id == id else { return }
            state.timers[key] = nil
            guard !state.shuttingDown else { return }
            state.add(key)
        }
    }

    /// Blocks until a key is ready and hands it out (it is then in flight until `done`); nil once shut down.
    public func get() -> String? {
        while true {
            let deadline = heartbeat.map { _ in Date(timeIntervalSinceNow: idleBeatInterval.seconds) }
            let taken = state.wait(until: deadline, for: { !$0.ready.isEmpty || $0.shuttingDown }) { state -> String? in
                guard !state.shuttingDown else { return nil }
                let key = state.ready.removeFirst()
                state.waiting.remove(key)
                state.processing.insert(key)
                return key
            }
            // nil: the wait timed out (idle a whole interval, not wedged); .some(nil): shut down.
            if let taken { return taken }
            heartbeat?.beat()
        }
    }

    /// Ends the processing of `key`; if it was added meanwhile, it becomes ready again (once).
    public func done(_ key: String) {
        state.withLock { state in
            guard state.processing.remove(key) != nil else { return }
            if state.waiting.contains(key) { state.ready.append(key) }
        }
    }

    /// Stops accepting keys, cancels every timer and makes every blocked and future `get` return nil.
    public func shutdown() {
        state.withLock { state in
            state.shuttingDown = true
            for timer in state.timers.values { timer.timer.cancel() }
            state.timers.removeAll()
        }
    }

    /// The queue's counts, read together.
    public var metrics: QueueMetrics {
        state.withLock { state in
            QueueMetrics(queued: state.ready.count, inFlight: state.processing.count, scheduled: state.timers.count)
        }
    }
}
