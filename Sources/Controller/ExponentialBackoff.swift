import Synchronization

/// Per-key exponential backoff, as client-go's `ItemExponentialFailureRateLimiter`: the n-th consecutive failure of a
/// key waits `base × 2^(n-1)`, capped at `max`; `forget` starts the key over after a success.
public final class ExponentialBackoff: Sendable {
    private let limits: Mutex<(base: Duration, max: Duration)>
    private let counts = Mutex<[String: Int]>([:])

    /// A backoff from `base` (default 1 s) doubling up to `max` (default 5 min).
    public init(base: Duration = .seconds(1), max: Duration = .seconds(300)) {
        precondition(base > .zero && max >= base, "The backoff needs 0 < base <= max.")
        limits = Mutex((base, max))
    }

    /// The delay after the first failure.
    public var base: Duration { limits.withLock { $0.base } }
    /// The longest delay.
    public var max: Duration { limits.withLock { $0.max } }

    /// Changes the delays (on a configuration reload); failures counted so far are kept.
    public func reconfigure(base: Duration, max: Duration) {
        precondition(base > .zero && max >= base, "The backoff needs 0 < base <= max.")
        limits.withLock { $0 = (base, max) }
    }

    /// Records one more failure of `key` and returns how long to wait before retrying it.
    public func next(for key: String) -> Duration {
        let count = counts.withLock { failures in
            failures[key, default: 0] += 1
            return failures[key, default: 0]
        }
        // Doubles exactly in integer nanoseconds; past 62 doublings any base has long passed any cap.
        let exponent = Swift.min(count - 1, 62)
        let (base, max) = limits.withLock { ($0.base, $0.max) }
        let (delay, overflow) = base.clampedNanoseconds.multipliedReportingOverflow(by: Int64(1) << exponent)
        let cap = max.clampedNanoseconds
        return .nanoseconds(overflow ? cap : Swift.min(delay, cap))
    }

    /// Forgets the failures of `key`, so its next failure waits `base` again.
    public func forget(_ key: String) {
        _ = counts.withLock { $0.removeValue(forKey: key) }
    }

    /// How many consecutive failures `key` has had.
    public func failures(for key: String) -> Int {
        counts.withLock { $0[key, default: 0] }
    }
}
