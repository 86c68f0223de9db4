import Synchronization

/// Evidence that the controller makes progress, for the systemd watchdog: workers beat when they take a key and when
/// they finish it, and idle workers beat from the work queue's wait. When every worker is stuck in one reconcile (or
/// the queue's lock is wedged) nobody beats, `age` grows, and the daemon stops pinging the watchdog.
public final class Heartbeat: Sendable {
    private struct State {
        var lastBeat: Duration
        var finishedReconciles: UInt64 = 0
    }

    private let clock: any MonotonicClock
    private let state: Mutex<State>

    /// A heartbeat that beat just now, on `clock`.
    public init(clock: any MonotonicClock = SystemClock()) {
        self.clock = clock
        state = Mutex(State(lastBeat: clock.now()))
    }

    /// Records progress now.
    public func beat() {
        let now = clock.now()
        state.withLock { $0.lastBeat = now }
    }

    /// Records progress now and counts one finished reconcile.
    public func reconcileFinished() {
        let now = clock.now()
        state.withLock {
            $0.lastBeat = now
            $0.finishedReconciles &+= 1
        }
    }

    /// How long ago the last progress was recorded.
    public var age: Duration {
        let now = clock.now()
        return now - state.withLock { $0.lastBeat }
    }

    /// Reconciles finished since start; a change means statuses may have changed.
    public var finishedReconciles: UInt64 { state.withLock { $0.finishedReconciles } }
}
