import AWSCore
import Controller
import Metrics
import Synchronization

/// aurorad's AWS request budget, replaceable on a configuration reload: every attempt takes a token from its
/// service's bucket (AWS throttles each service separately), then one from the total bucket (the operator's cap on
/// aurorad's rate over all services). The time it waited for both goes to the `aurorad_rate_limiter_wait_seconds`
/// histogram, labelled with the service. A changed rate starts with a full bucket.
///
/// The service token is taken first: a caller queued behind its own service's bucket does not hold a total-bucket
/// token meanwhile, so one busy service does not delay the others.
final class ReloadableRateLimit: Sendable {
    /// Time AWS attempts waited for their tokens (0 when both were available).
    static let waitName = "aurorad_rate_limiter_wait_seconds"
    /// The histogram's upper bounds: no wait, a token interval at typical rates, up to a long queue behind a burst.
    static let waitBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// The `# HELP` text of the histogram.
    static let descriptions = [
        waitName: "Seconds each AWS attempt waited for tokens of its service's request rate and the total rate."
    ]

    private struct Buckets {
        var total: TokenBucket
        var services: [AWSService: TokenBucket]

        /// Buckets of `total` and `services`, made by `make` (or kept from `current` when the rate is unchanged).
        init(total: RequestRate, services: AWSServiceRates, current: Buckets?, make: (RequestRate) -> TokenBucket) {
            func bucket(_ rate: RequestRate, _ old: TokenBucket?) -> TokenBucket {
                guard let old, old.ratePerSecond == rate.perSecond, old.burst == rate.burst else { return make(rate) }
                return old
            }
            self.total = bucket(total, current?.total)
            self.services = Dictionary(
                uniqueKeysWithValues: AWSService.allCases.map { ($0, bucket(services[$0], current?.services[$0])) })
        }
    }

    private let buckets: Mutex<Buckets>
    private let waits: [AWSService: Timer]
    private let makeBucket: @Sendable (RequestRate) -> TokenBucket

    /// A budget of `total` over all services and `services` per service, recording waits through `metrics`; tests
    /// inject `clock` and `sleeper`.
    init(
        total: RequestRate, services: AWSServiceRates,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, clock: any MonotonicClock = SystemClock(),
        sleeper: any Sleeper = SystemClock()
    ) {
        let make: @Sendable (RequestRate) -> TokenBucket = {
            TokenBucket(ratePerSecond: $0.perSecond, burst: $0.burst, clock: clock, sleeper: sleeper)
        }
        makeBucket = make
        buckets = Mutex(Buckets(total: total, services: services, current: nil, make: make))
        waits = Dictionary(
            uniqueKeysWithValues: AWSService.allCases.map {
                ($0, Timer(label: Self.waitName, dimensions: [("service", $0.rawValue)], factory: metrics))
            })
    }

    /// Blocks until `service`'s bucket and then the total bucket give a token; returns the time waited.
    @discardableResult
    func acquire(_ service: AWSService) -> Duration {
        let (own, total) = buckets.withLock { ($0.services[service], $0.total) }
        let waited = (own?.acquire() ?? .zero) + total.acquire()
        waits[service]?.record(duration: waited)
        return waited
    }

    /// Replaces each bucket whose rate or burst changed; the others keep their tokens.
    func reconfigure(total: RequestRate, services: AWSServiceRates) {
        buckets.withLock { current in
            current = Buckets(total: total, services: services, current: current, make: makeBucket)
        }
    }
}
