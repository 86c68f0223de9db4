import Synchronization

/// A request-rate limit shared by every thread: `ratePerSecond` tokens a second, up to `burst` saved up.
///
/// The daemon's AWS request budget takes a token from one of these per service and one from its total before each
/// HTTP attempt. Implemented as GCRA (the generic cell rate algorithm)
/// in integer nanoseconds: the state is one "theoretical arrival time", so a test with an injected clock is exact.
/// A waiting caller reserves its token before sleeping, so waiters are served in order and none starves.
public final class TokenBucket: Sendable {
    /// Tokens added per second.
    public let ratePerSecond: Double
    /// Tokens that can be spent at once after a quiet period.
    public let burst: Int
    private let interval: Int64
    private let capacity: Int64
    private let clock: any MonotonicClock
    private let sleeper: any Sleeper
    /// When the bucket would be full again if nothing more were taken; a time in the past means full now.
    private let fullAt: Mutex<Int64>

    /// A full bucket refilling at `ratePerSecond` (> 0) up to `burst` (>= 1) tokens.
    public init(
        ratePerSecond: Double, burst: Int, clock: any MonotonicClock = SystemClock(),
        sleeper: any Sleeper = SystemClock()
    ) {
        precondition(ratePerSecond > 0 && ratePerSecond.isFinite, "The token rate must be a positive number.")
        precondition(burst >= 1, "The token burst must be at least 1.")
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        let nanoseconds = (1e9 / ratePerSecond).rounded()
        // Rates slower than one token in ~30 years are clamped, so products below cannot overflow.
        interval = nanoseconds >= 1e18 ? 1_000_000_000_000_000_000 : Swift.max(1, Int64(nanoseconds))
        let (product, overflow) = interval.multipliedReportingOverflow(by: Int64(burst))
        capacity = overflow ? Int64.max / 4 : product
        self.clock = clock
        self.sleeper = sleeper
        fullAt = Mutex(clock.now().clampedNanoseconds)
    }

    /// Takes a token if one is available now, without waiting.
    public func tryAcquire() -> Bool {
        reserve(maxWait: 0) != nil
    }

    /// Takes a token, blocking the calling thread until it is due, and returns how long it waited (zero when a token
    /// was available). The wait is bounded: a caller only waits for the tokens reserved before it, at most
    /// (callers ahead) / `ratePerSecond`.
    @discardableResult
    public func acquire() -> Duration {
        let wait = Duration.nanoseconds(reserve(maxWait: .max) ?? 0)
        sleeper.sleep(for: wait)
        return wait
    }

    /// Takes a token if it is due within `timeout`, blocking until then; false (and nothing taken) otherwise.
    public func acquire(timeout: Duration) -> Bool {
        guard let wait = reserve(maxWait: Swift.max(0, timeout.clampedNanoseconds)) else { return false }
        sleeper.sleep(for: .nanoseconds(wait))
        return true
    }

    /// Whole tokens available now without waiting.
    public var availableTokens: Int {
        let now = clock.now().clampedNanoseconds
        let debt = fullAt.withLock { Swift.max($0, now) } - now
        return Int(Swift.max(0, capacity - debt) / interval)
    }

    /// Reserves the next token and returns how long its caller must wait for it, or nil (nothing reserved) when that
    /// is longer than `maxWait` nanoseconds.
    private func reserve(maxWait: Int64) -> Int64? {
        fullAt.withLock { fullAt in
            let now = clock.now().clampedNanoseconds
            let next = Swift.max(fullAt, now) + interval
            let wait = next - now - capacity
            guard wait <= maxWait else { return nil }
            fullAt = next
            return Swift.max(0, wait)
        }
    }
}
