import Controller
import Foundation
import Logging
import Synchronization

/// A logger that drops everything, so test output stays readable.
let quietLogger = Logger(label: "ControllerTests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Polls `condition` every millisecond until it holds or `timeout` passes; true when it held.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.001)
    }
    return condition()
}

/// Starts `body(index)` on `count` new threads; wait for them with `finished(_:)`.
func startThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    return group
}

/// Waits up to 30 s for every thread of `group`; true when all ended.
func finished(_ group: DispatchGroup) -> Bool {
    group.wait(timeout: .now() + 30) == .success
}

/// A virtual clock: time moves only when a test calls `advance`, which runs the timers that come due, in order.
final class ManualClock: TimerScheduler {
    private struct Entry {
        var id: Int
        var due: Duration
        var delay: Duration
        var action: @Sendable () -> Void
    }

    private struct State {
        var now: Duration = .zero
        var entries: [Entry] = []
        var lastID = 0
    }

    private let state = Mutex(State())

    func now() -> Duration { state.withLock { $0.now } }

    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any CancellableTimer {
        let id = state.withLock { state in
            state.lastID += 1
            state.entries.append(Entry(id: state.lastID, due: state.now + delay, delay: delay, action: action))
            return state.lastID
        }
        return Timer(clock: self, id: id)
    }

    /// The delays of the timers that are neither cancelled nor fired yet.
    var pendingDelays: [Duration] { state.withLock { $0.entries.map(\.delay) } }

    /// Moves time forward by `duration`, running each timer that comes due (outside the clock's lock).
    func advance(by duration: Duration) {
        let target = state.withLock { $0.now + duration }
        while true {
            let next = state.withLock { state -> Entry? in
                guard
                    let index = state.entries.indices.filter({ state.entries[$0].due <= target })
                        .min(by: { state.entries[$0].due < state.entries[$1].due })
                else {
                    state.now = target
                    return nil
                }
                state.now = state.entries[index].due
                return state.entries.remove(at: index)
            }
            guard let next else { return }
            next.action()
        }
    }

    private struct Timer: CancellableTimer {
        let clock: ManualClock
        let id: Int

        func cancel() { clock.state.withLock { $0.entries.removeAll { $0.id == id } } }
    }
}

/// A sleeper that records how long each caller was asked to sleep and returns at once.
final class RecordingSleeper: Sleeper {
    private let sleeps = Mutex<[Duration]>([])

    func sleep(for duration: Duration) { sleeps.withLock { $0.append(duration) } }

    /// Every requested sleep, in the order they were recorded.
    var recorded: [Duration] { sleeps.withLock { $0 } }
}

/// A gate threads wait at until a test opens it; waits give up after 10 s so a broken test cannot hang.
final class Gate: Sendable {
    private let isOpen = Mutex(false)

    func open() { isOpen.withLock { $0 = true } }

    /// Waits until the gate is open; false if it stayed closed for 10 s.
    func pass() -> Bool { waitUntil { isOpen.withLock { $0 } } }
}

/// A test error.
struct FakeError: Error, CustomStringConvertible {
    var description: String { "The fake AWS call failed; this is a test." }
}

/// A reconciler that records every call (start and end, in order), tracks concurrency per key, answers from a
/// script, and can hold chosen calls at a gate.
final class RecordingReconciler: Reconciling {
    /// One reconcile call.
    struct Call: Equatable {
        var key: String
        /// 1 for the key's first call, 2 for its second, …
        var number: Int
        var started: ContinuousClock.Instant
    }

    private struct State {
        var calls: [Call] = []
        var events: [String] = []
        var active: [String: Int] = [:]
        var maxActive: [String: Int] = [:]
        var activeTotal = 0
        var maxActiveTotal = 0
    }

    private let state = Mutex(State())
    private let script: @Sendable (_ key: String, _ number: Int) -> ReconcileResult
    private let holds: @Sendable (_ key: String, _ number: Int) -> Bool
    private let work: @Sendable () -> Void
    /// The gate held calls wait at.
    let gate = Gate()

    /// `script` answers each call; calls for which `holds` is true wait at `gate`; `work` runs inside every call.
    init(
        holds: @escaping @Sendable (String, Int) -> Bool = { _, _ in false },
        work: @escaping @Sendable () -> Void = {},
        script: @escaping @Sendable (String, Int) -> ReconcileResult = { _, _ in .done }
    ) {
        self.script = script
        self.holds = holds
        self.work = work
    }

    func reconcile(key: String) -> ReconcileResult {
        let number = state.withLock { state in
            let number = state.calls.filter { $0.key == key }.count + 1
            state.calls.append(Call(key: key, number: number, started: .now))
            state.events.append("start \(key)#\(number)")
            state.active[key, default: 0] += 1
            state.maxActive[key] = max(state.maxActive[key, default: 0], state.active[key, default: 0])
            state.activeTotal += 1
            state.maxActiveTotal = max(state.maxActiveTotal, state.activeTotal)
            return number
        }
        if holds(key, number) { _ = gate.pass() }
        work()
        state.withLock { state in
            state.active[key, default: 0] -= 1
            state.activeTotal -= 1
            state.events.append("end \(key)#\(number)")
        }
        return script(key, number)
    }

    /// Adds an event from the test (for example around a shutdown) to the ordered log.
    func note(_ event: String) { state.withLock { $0.events.append(event) } }

    var calls: [Call] { state.withLock { $0.calls } }
    var events: [String] { state.withLock { $0.events } }
    var maxActivePerKey: [String: Int] { state.withLock { $0.maxActive } }
    var maxActiveTotal: Int { state.withLock { $0.maxActiveTotal } }
    var activeTotal: Int { state.withLock { $0.activeTotal } }

    /// How many times `key` has been reconciled (started).
    func count(_ key: String) -> Int { state.withLock { $0.calls.filter { $0.key == key }.count } }
}
