import Foundation

/// How a failed call should be handled, following botocore's standard retry mode.
public enum AWSErrorKind: String, Sendable, Equatable {
    /// The service is rate limiting: retry with backoff.
    case throttling
    /// A server-side or network fault that usually clears: retry with backoff.
    case transient
    /// The request was rejected because the local clock is off: re-sign with the server's time and retry once.
    case clockSkew
    /// Retrying the same request cannot succeed (bad input, access denied, not found, …).
    case terminal
}

/// An error answer from an AWS service: code, message, request id and HTTP status, for one service call.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service, as shown to people (`EC2`, `RDS`, `IAM`, `S3`, `STS`).
    public var service: String
    /// The API action (`RestoreDBClusterFromS3`, `HeadBucket`, …).
    public var action: String
    /// The AWS error code (`InvalidParameterValue`); derived from the status when the body has none.
    public var code: String
    /// The service's message, if it sent one.
    public var message: String?
    /// The request id from the `x-amzn-RequestId` / `x-amz-request-id` header or the body's `RequestId`.
    public var requestId: String?
    /// The HTTP status code.
    public var status: Int
    /// The bucket's region from S3's `x-amz-bucket-region` header or `<Region>` (redirects and wrong-region errors).
    public var bucketRegion: String?
    /// The server's clock minus the local clock when the response arrived, from its `Date` header, in seconds.
    public var clockOffset: TimeInterval?

    public init(
        service: String, action: String, code: String, message: String? = nil, requestId: String? = nil,
        status: Int, bucketRegion: String? = nil, clockOffset: TimeInterval? = nil
    ) {
        self.service = service
        self.action = action
        self.code = code
        self.message = message
        self.requestId = requestId
        self.status = status
        self.bucketRegion = bucketRegion
        self.clockOffset = clockOffset
    }

    /// How to handle this error: throttling and transient errors are retried, clock skew is re-signed, the rest is
    /// terminal. Code lists follow botocore `retries/standard.py` (`ThrottledRetryableChecker`,
    /// `TransientRetryableChecker`, `special.RetryIDPCommunicationError`).
    public var kind: AWSErrorKind {
        if Self.throttlingCodes.contains(code) { return .throttling }
        if Self.clockSkewCodes.contains(code), let clockOffset, abs(clockOffset) > Self.clockSkewThreshold {
            return .clockSkew
        }
        if Self.transientCodes.contains(code) || Self.transientStatuses.contains(status) { return .transient }
        if code == "IDPCommunicationError" && service.uppercased() == "STS" { return .transient }
        return .terminal
    }

    /// Whether retrying (after backoff or re-signing) may succeed.
    public var isRetryable: Bool { kind != .terminal }

    public var description: String {
        var text = "\(service) \(action) failed: \(code)"
        if let message, !message.isEmpty { text += ": \(message)" }
        text += " (HTTP \(status)"
        if let requestId { text += ", request id \(requestId)" }
        if let bucketRegion { text += ", bucket region \(bucketRegion)" }
        return text + ")."
    }

    /// botocore's `_THROTTLED_ERROR_CODES`: the one table of throttling codes (the reconciler's derive from it).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// botocore's `_TRANSIENT_ERROR_CODES`, plus the internal-failure codes AWS services send with a 5xx (S3's
    /// `InternalError`, IAM's `ServiceFailure`, the Query services' `InternalFailure` and `ServiceUnavailable`), so an
    /// error read back without its HTTP status (a failure stored in a spec's status) classifies the same. The one
    /// table of transient codes: the reconciler's error classes derive from it.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError", "InternalFailure",
        "InternalServerError", "ServiceUnavailable", "ServiceFailure",
    ]

    /// botocore's `_TRANSIENT_STATUS_CODES`.
    public static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    /// Codes that mean "signature too old or from the wrong time" when the clocks really disagree (the AWS SDKs'
    /// clock-skew codes; `SignatureDoesNotMatch` and friends are usually a wrong key and stay terminal otherwise).
    public static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException",
        "SignatureDoesNotMatch", "AuthFailure",
    ]

    /// Offsets up to this many seconds are not treated as skew (the AWS SDK for Swift's `AWSClockSkewProvider` uses
    /// 300 s; SigV4 accepts requests within 5 minutes).
    public static let clockSkewThreshold: TimeInterval = 300
}
