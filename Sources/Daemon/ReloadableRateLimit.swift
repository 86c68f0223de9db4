import Controller
import Synchronization

/// The global AWS request rate, replaceable on a configuration reload: every attempt takes a token from the
/// current bucket. A new rate starts with a full bucket.
final class ReloadableRateLimit: Sendable {
    private let bucket: Mutex<TokenBucket>

    /// A limit of `ratePerSecond` with `burst`.
    init(ratePerSecond: Double, burst: Int) {
        bucket = Mutex(TokenBucket(ratePerSecond: ratePerSecond, burst: burst))
    }

    /// Blocks until the current bucket gives a token.
    func acquire() {
        bucket.withLock { $0 }.acquire()
    }

    /// Replaces the bucket when the rate or burst changed.
    func reconfigure(ratePerSecond: Double, burst: Int) {
        bucket.withLock { current in
            guard current.ratePerSecond != ratePerSecond || current.burst != burst else { return }
            current = TokenBucket(ratePerSecond: ratePerSecond, burst: burst)
        }
    }
}
