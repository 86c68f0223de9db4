import AWSCore
import Metrics

/// How one AWS call ended, as the `outcome` label of `aurorad_aws_calls_total`: a fixed set, so the label stays
/// bounded.
public enum AWSCallOutcome: String, CaseIterable, Sendable {
    /// A 2xx answer.
    case success
    /// The last attempt was throttled (the retries or the retry quota ran out).
    case throttled
    /// A 3xx or 4xx answer other than throttling: bad input, access denied, not found, clock skew.
    case clientError = "client_error"
    /// A 5xx answer.
    case serverError = "server_error"
    /// No HTTP answer: connection refused or reset, DNS, TLS, timeout.
    case network
    /// No credentials could be had to sign the request.
    case credentials
    /// Anything else that stopped the call before an answer.
    case other

    /// The outcome of a call that threw `error`.
    public init(error: any Error) {
        switch error {
        case let error as AWSError where error.kind == .throttling: self = .throttled
        case let error as AWSError where error.status >= 500: self = .serverError
        case is AWSError: self = .clientError
        case is TransportError: self = .network
        case is CredentialError: self = .credentials
        default: self = .other
        }
    }
}

/// Records AWS calls through swift-metrics: calls by service, action and outcome, plus the retries and the throttled
/// attempts among them. Labels are the service (`rds`, `ec2`, …) and the API action, never a resource name or id.
public struct AWSCallMetrics: Sendable {
    /// Calls by `service`, `action` and `outcome` (a call with retries counts once, by its last attempt).
    public static let callsName = "aurorad_aws_calls_total"
    /// Attempts after the first, by `service` and `action`.
    public static let retriesName = "aurorad_aws_retries_total"
    /// Attempts answered with a throttling error, by `service` and `action` (retried or not).
    public static let throttlesName = "aurorad_aws_throttles_total"

    /// The `# HELP` text of each metric above.
    public static let descriptions = [
        callsName: "AWS API calls by service, action and outcome; a retried call counts once, by its last attempt.",
        retriesName: "AWS API attempts after the first (retries after throttling, 5xx, network errors or clock skew).",
        throttlesName: "AWS API attempts answered with a throttling error, retried or not.",
    ]

    private let factory: any MetricsFactory

    /// Metrics recorded through `factory` (the no-op handler records nothing).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    /// Counts one finished call.
    func call(_ service: AWSService, _ action: String, _ outcome: AWSCallOutcome) {
        Counter(
            label: Self.callsName, dimensions: labels(service, action) + [("outcome", outcome.rawValue)],
            factory: factory
        ).increment()
    }

    /// Counts an attempt after the first.
    func retry(_ service: AWSService, _ action: String) {
        Counter(label: Self.retriesName, dimensions: labels(service, action), factory: factory).increment()
    }

    /// Counts an attempt answered with a throttling error.
    func throttled(_ service: AWSService, _ action: String) {
        Counter(label: Self.throttlesName, dimensions: labels(service, action), factory: factory).increment()
    }

    private func labels(_ service: AWSService, _ action: String) -> [(String, String)] {
        [("service", service.rawValue), ("action", action)]
    }
}
