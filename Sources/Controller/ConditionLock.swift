import Foundation

/// State guarded by one lock that threads can also wait on; `Mutex` has no condition variable, so this wraps
/// `NSCondition`. Every change wakes every waiter, which then re-checks its own predicate.
final class ConditionLock<State>: @unchecked Sendable {
    // Safe to share: `state` is only touched while `condition` is locked.
    private let condition = NSCondition()
    private var state: State

    /// Guards `state`.
    init(_ state: State) {
        self.state = state
    }

    /// Runs `body` on the state under the lock, then wakes every waiter.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Waits until `ready` holds (or `deadline` passes: nil is returned), then runs `body` under the same lock.
    func wait<R>(until deadline: Date?, for ready: (State) -> Bool, then body: (inout State) -> R) -> R? {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        while !ready(state) {
            if let deadline {
                guard condition.wait(until: deadline) || ready(state) else { return nil }
            } else {
                condition.wait()
            }
        }
        return body(&state)
    }
}
