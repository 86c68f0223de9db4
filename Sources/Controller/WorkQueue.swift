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
    /// The one timer armed, for the soonest due time of the delayed adds.
    private struct Alarm {
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
        /// When each key with a delayed add comes due (the earliest asked for).
        var timers: [String: Duration] = [:]
        /// The due times of `timers`, soonest first, with stale entries of adds that ran, were cancelled or moved
        /// earlier (skipped when they come first). One timer for the soonest instead of a Dispatch timer per key:
        /// at 1,000 specs those held about 1 MB of heap between resync passes.
        var dueTimes = DueTimes()
        var alarm: Alarm?
        var lastAlarmID: UInt64 = 0
        var shuttingDown = false

        mutating func add(_ key: String) {
            // An immediate add supersedes a later scheduled one; the reconcile it causes schedules anew.
            timers.removeValue(forKey: key)
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
            rearm(&state)
        }
    }

    /// Adds `key` after `delay`, keeping one due time per key, the earliest of all requests.
    ///
    /// A key that already waits for a worker needs no timer: it runs sooner, and that run decides what comes next.
    public func addAfter(_ key: String, delay: Duration) {
        guard delay > .zero else { return add(key) }
        state.withLock { state in
            guard !state.shuttingDown, !state.waiting.contains(key) else { return }
            let due = clock.now() + delay
            if let existing = state.timers[key], existing <= due { return }
            state.timers[key] = due
            state.dueTimes.insert(due, key: key)
            rearm(&state)
        }
    }

    /// Arms the one timer for the soonest due time (cancelling it when nothing is scheduled), after dropping the
    /// stale entries that come first; rebuilds the due times when stale entries outnumber the live ones.
    private func rearm(_ state: inout State) {
        while let first = state.dueTimes.first, state.timers[first.key] != first.due { state.dueTimes.removeFirst() }
        if state.dueTimes.count > 2 * state.timers.count + 64 { state.dueTimes = DueTimes(state.timers) }
        guard let soonest = state.dueTimes.first else {
            state.alarm?.timer.cancel()
            state.alarm = nil
            return
        }
        // An alarm due sooner stays: it finds nothing due, and arms for what is due then.
        if let alarm = state.alarm {
            guard soonest.due < alarm.due else { return }
            alarm.timer.cancel()
        }
        state.lastAlarmID += 1
        let id = state.lastAlarmID
        let delay = max(.zero, soonest.due - clock.now())
        let timer = clock.schedule(after: delay) { [weak self] in self?.fire(id: id) }
        state.alarm = Alarm(due: soonest.due, id: id, timer: timer)
    }

    /// Adds every key come due, soonest first, and arms for the next.
    private func fire(id: UInt64) {
        state.withLock { state in
            // An alarm replaced or cancelled just as it started running must not add keys.
            guard state.alarm?.id == id else { return }
            state.alarm = nil
            guard !state.shuttingDown else { return }
            let now = clock.now()
            // Each turn removes an entry: at most `dueTimes.count` turns.
            while let first = state.dueTimes.first, first.due <= now {
                state.dueTimes.removeFirst()
                if state.timers[first.key] == first.due { state.add(first.key) }
            }
            rearm(&state)
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
            state.timers.removeAll()
            state.dueTimes = DueTimes()
            state.alarm?.timer.cancel()
            state.alarm = nil
        }
    }

    /// The queue's counts, read together.
    public var metrics: QueueMetrics {
        state.withLock { state in
            QueueMetrics(queued: state.ready.count, inFlight: state.processing.count, scheduled: state.timers.count)
        }
    }
}
