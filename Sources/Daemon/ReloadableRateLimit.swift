import AWSCore
import Controller
import Logging
import Metrics
import Synchronization

/// aurorad's AWS request budget, replaceable on a configuration reload: every attempt takes a token from its
/// service's bucket (AWS throttles each service separately), then one from the total bucket (the operator's cap on
/// aurorad's rate over all services). The time it waited for both goes to the `aurorad_rate_limiter_wait_seconds`
/// histogram, labelled with the service. A changed rate starts with a full bucket.
///
/// The service token is taken first: a caller queued behind its own service's bucket does not hold a total-bucket
/// token meanwhile, so one busy service does not delay the others.
///
/// When AWS throttles a service anyway (other tools share the account's limits), its rate is halved, with no burst,
/// for `ThrottleCut.duration` after the last cut, as the AWS SDKs' "adaptive" retry mode slows a client down; see
/// `ThrottleCut`.
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

    private typealias MakeBucket = @Sendable (RequestRate) -> TokenBucket

    private struct Buckets {
        var total: TokenBucket
        var services: [AWSService: TokenBucket]
        /// The configured service rates, which a cut's end returns to.
        var rates: AWSServiceRates
        /// The services slowed after a throttle.
        var cuts: [AWSService: ThrottleCut] = [:]

        /// Buckets of `total` and `services`, made by `make`; a bucket of `current` whose rate is unchanged is kept
        /// (with its tokens), and so are its cuts.
        init(total: RequestRate, services: AWSServiceRates, current: Buckets?, make: MakeBucket) {
            func bucket(_ rate: RequestRate, _ old: TokenBucket?) -> TokenBucket {
                guard let old, old.ratePerSecond == rate.perSecond, old.burst == rate.burst else { return make(rate) }
                return old
            }
            let cuts = current?.cuts ?? [:]
            self.total = bucket(total, current?.total)
            self.services = Dictionary(
                uniqueKeysWithValues: AWSService.allCases.map { service in
                    let old = current?.services[service]
                    // A slowed service keeps its slowed bucket; the new rate applies when the cut ends.
                    if cuts[service] != nil, let old { return (service, old) }
                    return (service, bucket(services[service], old))
                })
            rates = services
            self.cuts = cuts
        }
    }

    private let buckets: Mutex<Buckets>
    private let waits: [AWSService: Timer]
    private let makeBucket: MakeBucket
    private let clock: any MonotonicClock
    private let logger: Logger

    /// A budget of `total` over all services and `services` per service, recording waits through `metrics` and
    /// logging throttle cuts to `logger`; tests inject `clock` and `sleeper`.
    init(
        total: RequestRate, services: AWSServiceRates, metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger = Logger(label: "aurorad.rate", factory: { _ in SwiftLogNoOpLogHandler() }),
        clock: any MonotonicClock = SystemClock(), sleeper: any Sleeper = SystemClock()
    ) {
        let make: MakeBucket = {
            TokenBucket(ratePerSecond: $0.perSecond, burst: $0.burst, clock: clock, sleeper: sleeper)
        }
        makeBucket = make
        self.clock = clock
        self.logger = logger
        buckets = Mutex(Buckets(total: total, services: services, current: nil, make: make))
        waits = Dictionary(
            uniqueKeysWithValues: AWSService.allCases.map {
                ($0, Timer(label: Self.waitName, dimensions: [("service", $0.rawValue)], factory: metrics))
            })
    }

    /// Blocks until `service`'s bucket and then the total bucket give a token; returns the time waited.
    @discardableResult
    func acquire(_ service: AWSService) -> Duration {
        let (own, total) = buckets.withLock { buckets in
            if let cut = buckets.cuts[service], cut.hasEnded(at: clock.now()) {
                buckets.cuts[service] = nil
                buckets.services[service] = makeBucket(buckets.rates[service])
            }
            return (buckets.services[service], buckets.total)
        }
        let waited = (own?.acquire() ?? .zero) + total.acquire()
        waits[service]?.record(duration: waited)
        return waited
    }

    /// AWS answered an attempt to `service` with a throttling error: halves that service's rate (see `ThrottleCut`).
    func throttled(_ service: AWSService) {
        let cut = buckets.withLock { buckets -> ThrottleCut? in
            let now = clock.now()
            let current = buckets.cuts[service].flatMap { $0.hasEnded(at: now) ? nil : $0 }
            guard current?.allowsAnotherCut(at: now) ?? true else { return nil }
            let cut = ThrottleCut(from: current?.rate ?? buckets.rates[service].perSecond, at: now)
            buckets.cuts[service] = cut
            buckets.services[service] = makeBucket(RequestRate(perSecond: cut.rate, burst: 1))
            return cut
        }
        guard let cut else { return }
        logger.warning(
            "AWS throttled aurorad's requests; slowing down that service's requests for a while",
            metadata: [
                "aws.service": "\(service.rawValue)", "requests_per_second": "\(cut.rate)",
                "for_seconds": "\(ThrottleCut.duration.components.seconds)",
            ])
    }

    /// Replaces each bucket whose rate or burst changed; the others keep their tokens. A service slowed after a
    /// throttle stays slowed until its cut ends, then returns to its new rate.
    func reconfigure(total: RequestRate, services: AWSServiceRates) {
        buckets.withLock { current in
            current = Buckets(total: total, services: services, current: current, make: makeBucket)
        }
    }
}

/// A service's rate after AWS throttled it: half the rate before (the configured rate, or the previous cut's), down
/// to `floor`, with a burst of 1, until `duration` after the last cut. Throttles within `spacing` of the last cut
/// make no new cut: they answer attempts sent before the slower rate took effect.
struct ThrottleCut: Equatable, Sendable {
    /// How long a cut lasts after it was made (or deepened).
    static let duration: Duration = .seconds(60)
    /// The least time between two cuts of one service.
    static let spacing: Duration = .seconds(2)
    /// The lowest rate a cut goes to (the lowest a configuration may set).
    static let floor = 0.1

    /// Requests per second while the cut lasts.
    let rate: Double
    /// When it was made, on the limiter's clock.
    let madeAt: Duration

    /// The cut of a service running at `rate`, made `at` a time of the limiter's clock.
    init(from rate: Double, at now: Duration) {
        self.rate = Swift.max(Self.floor, rate / 2)
        madeAt = now
    }

    func hasEnded(at now: Duration) -> Bool { now - madeAt >= Self.duration }

    func allowsAnotherCut(at now: Duration) -> Bool { now - madeAt >= Self.spacing }
}
