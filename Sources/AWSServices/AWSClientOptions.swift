import AWSCore
import Foundation

/// Settings for `AWSClient` that do not come from the environment (daemon configuration, flags, tests).
public struct AWSClientOptions: Sendable {
    /// A region that wins over `AWS_REGION`, `AWS_DEFAULT_REGION` and the profile's.
    public var region: String?
    /// Credentials from aurorad's configuration, ahead of the environment and shared files.
    public var credentials: AWSCredentials?
    /// Endpoint URLs per service that win over `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`.
    public var endpointURLs: [AWSService: String]
    /// Total attempts per call, overriding `AWS_MAX_ATTEMPTS`.
    public var maxAttempts: Int?
    /// A CA bundle to verify TLS servers with (used when no `transport` is given).
    public var caFile: String?
    /// Bounds one HTTP exchange; nil uses the transport's default.
    public var timeout: Duration?
    /// Called before every attempt (retries included) with the service it goes to: the daemon blocks here on that
    /// service's request budget and its global one.
    public var beforeAttempt: (@Sendable (AWSService) -> Void)?
    /// Called when an attempt is answered with a throttling error, with its service: the daemon slows that service's
    /// request rate.
    public var throttled: (@Sendable (AWSService) -> Void)?
    /// The HTTP transport; nil builds a `CurlTransport` with `caFile`.
    public var transport: (any HTTPTransport)?
    /// The clock used for signing and credential expiry (tests inject one).
    public var now: @Sendable () -> Date
    /// Waits out retry backoff; nil sleeps the thread (tests record instead).
    public var sleeper: (@Sendable (Duration) -> Void)?
    /// Where the call, retry and throttle counters go (the daemon's Prometheus factory, or nowhere).
    public var metrics: AWSCallMetrics

    /// Options that leave everything to the environment.
    public init(
        region: String? = nil, credentials: AWSCredentials? = nil, endpointURLs: [AWSService: String] = [:],
        maxAttempts: Int? = nil, caFile: String? = nil, timeout: Duration? = nil,
        beforeAttempt: (@Sendable (AWSService) -> Void)? = nil, throttled: (@Sendable (AWSService) -> Void)? = nil,
        transport: (any HTTPTransport)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }, sleeper: (@Sendable (Duration) -> Void)? = nil,
        metrics: AWSCallMetrics = AWSCallMetrics()
    ) {
        self.region = region
        self.credentials = credentials
        self.endpointURLs = endpointURLs
        self.maxAttempts = maxAttempts
        self.caFile = caFile
        self.timeout = timeout
        self.beforeAttempt = beforeAttempt
        self.throttled = throttled
        self.transport = transport
        self.now = now
        self.sleeper = sleeper
        self.metrics = metrics
    }
}
