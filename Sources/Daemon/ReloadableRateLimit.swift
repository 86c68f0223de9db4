import Controller
import Metrics
import Synchronization

/// The global AWS request rate, replaceable on a configuration reload: every attempt takes a token from the
/// current bucket, and the time it waited for it goes to the `aurorad_rate_limiter_wait_seconds` histogram. A new
/// rate starts with a full bucket.
final class ReloadableRateLimit: Sendable {
    /// Time AWS attempts waited for a token (0 when one was available).
    static let waitName = "aurorad_rate_limiter_wait_seconds"
    /// The histogram's upper bounds: no wait, a token interval at typical rates, up to a long queue behind a burst.
    static let waitBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// The `# HELP` text of the histogram.
    static let descriptions = [waitName: "Seconds each AWS attempt waited for a token of the global request rate."]

    private let bucket: Mutex<TokenBucket>
    private let wait: Timer

    /// A limit of `ratePerSecond` with `burst`, recording waits through `metrics`.
    init(ratePerSecond: Double, burst: Int, metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        bucket = Mutex(TokenBucket(ratePerSecond: ratePerSecond, burst: burst))
        wait = Timer(label: Self.waitName, dimensions: [], factory: metrics)
    }

    /// Blocks until the current bucket gives a token.
    func acquire() {
        wait.record(duration: bucket.withLock { $0 }.acquire())
    }

    /// Replaces the bucket when the rate or burst changed.
    func reconfigure(ratePerSecond: Double, burst: Int) {
        bucket.withLock { current in
            guard current.ratePerSecond != ratePerSecond || current.burst != burst else { return }
            current = TokenBucket(ratePerSecond: ratePerSecond, burst: burst)
        }
    }
}
