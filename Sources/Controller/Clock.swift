import Dispatch
import Foundation

/// Monotonic time, injectable so rate limiters and timers can be tested exactly.
public protocol MonotonicClock: Sendable {
    /// The time elapsed since a fixed origin of this clock.
    func now() -> Duration
}

/// Blocks the calling thread for a while, injectable so tests need not wait.
public protocol Sleeper: Sendable {
    /// Blocks the calling thread for `duration` (returns at once when it is not positive).
    func sleep(for duration: Duration)
}

/// A scheduled action that can be called off before it runs.
public protocol CancellableTimer: Sendable {
    /// Stops the action from running if it has not started yet.
    func cancel()
}

/// A clock that can also run an action later, on some other thread.
public protocol TimerScheduler: MonotonicClock {
    /// Runs `action` once `delay` has passed on this clock, unless the returned timer is cancelled first.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any CancellableTimer
}

/// The real clock: `ContinuousClock` time, `Thread.sleep`, and timers on Dispatch's global queue.
public struct SystemClock: TimerScheduler, Sleeper {
    private let origin = ContinuousClock.now

    /// A clock whose origin is now.
    public init() {}

    /// The time since this clock was made.
    public func now() -> Duration { ContinuousClock.now - origin }

    /// Blocks the calling thread for `duration`.
    public func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        Thread.sleep(forTimeInterval: duration.seconds)
    }

    /// Runs `action` on Dispatch's global queue after `delay`; the timer's `cancel` stops it.
    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any CancellableTimer {
        let item = DispatchWorkItem(block: action)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(delay.clampedNanoseconds)), execute: item)
        return DispatchItemTimer(item: item)
    }
}

/// A Dispatch work item seen as a cancellable timer.
private struct DispatchItemTimer: CancellableTimer, @unchecked Sendable {
    // DispatchWorkItem is thread-safe (libdispatch synchronises cancel and perform) but not marked Sendable.
    let item: DispatchWorkItem

    func cancel() { item.cancel() }
}

extension Duration {
    /// The duration in nanoseconds, saturating at the bounds of `Int64` instead of trapping.
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowAgain { return seconds < 0 ? .min : .max }
        return total
    }

    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
