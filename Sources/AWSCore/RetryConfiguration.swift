import Foundation

/// The SDKs' retry modes (`AWS_RETRY_MODE`).
public enum RetryMode: String, Sendable, Equatable {
    /// Standard mode: 3 attempts, exponential backoff with full jitter capped at 20 s, a shared retry quota.
    case standard
    /// Legacy mode: 5 attempts, the same backoff, no retry quota (botocore's pre-2020 default).
    case legacy
    /// Adaptive mode: standard mode plus client-side rate limiting; here the client-side limiting is the
    /// controller's global token bucket, so retries behave as in standard mode.
    case adaptive
}

/// A retry setting from the environment that the SDKs would also reject.
public struct RetryConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable at fault.
    public var variable: String
    /// The value it had.
    public var value: String

    public init(variable: String, value: String) {
        self.variable = variable
        self.value = value
    }

    public var description: String {
        switch variable {
        case "AWS_MAX_ATTEMPTS":
            return "AWS_MAX_ATTEMPTS is \"\(value)\", which is not a whole number of at least 1; set it to e.g. 3."
        default:
            return "\(variable) is \"\(value)\", which is not a retry mode; use standard, legacy or adaptive."
        }
    }
}

/// How many attempts a call gets and how long to wait between them.
public struct RetryConfiguration: Sendable, Equatable {
    /// The retry mode.
    public var mode: RetryMode
    /// The total number of attempts, the first included (`AWS_MAX_ATTEMPTS`).
    public var maxAttempts: Int
    /// The cap on one backoff delay (20 s in every SDK).
    public var maxBackoff: Duration

    /// A configuration for `mode`; `maxAttempts` defaults to the mode's (3, or 5 for legacy).
    public init(mode: RetryMode = .standard, maxAttempts: Int? = nil, maxBackoff: Duration = .seconds(20)) {
        self.mode = mode
        self.maxAttempts = max(1, maxAttempts ?? (mode == .legacy ? 5 : 3))
        self.maxBackoff = maxBackoff
    }

    /// Reads `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS` from `environment` (injected, so tests need not touch the
    /// process environment); unset means standard mode with its default attempts.
    public init(environment: [String: String]) throws(RetryConfigurationError) {
        var mode = RetryMode.standard
        if let text = environment["AWS_RETRY_MODE"] {
            guard let parsed = RetryMode(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw RetryConfigurationError(variable: "AWS_RETRY_MODE", value: text)
            }
            mode = parsed
        }
        var attempts: Int?
        if let text = environment["AWS_MAX_ATTEMPTS"] {
            guard let parsed = Int(text.trimmingCharacters(in: .whitespaces)), parsed >= 1 else {
                throw RetryConfigurationError(variable: "AWS_MAX_ATTEMPTS", value: text)
            }
            attempts = parsed
        }
        self.init(mode: mode, maxAttempts: attempts)
    }

    /// Whether retries draw from the shared retry quota (standard and adaptive modes).
    public var usesRetryQuota: Bool { mode != .legacy }
}
