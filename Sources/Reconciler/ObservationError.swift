/// A failed read while observing a spec's resources (a describe, get or list call, or the backup preflight),
/// classified like action errors; its description never contains a secret.
public struct ObservationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The AWS operation that failed, e.g. `DescribeDBClusters`.
    public var operation: String
    /// The AWS error code, `NetworkError` when AWS did not answer, or `CredentialsUnavailable` when aurorad had no credentials.
    public var code: String
    /// AWS's error message, or the transport's description of the failure.
    public var message: String
    /// The HTTP status, when AWS answered.
    public var httpStatus: Int?
    /// AWS's request id, for support cases.
    public var requestId: String?
    /// Retryable (throttling, 5xx, network) or terminal (access denied, …).
    public var errorClass: ErrorClass

    /// Classifies an AWS error answer to the read `operation`.
    public init(operation: String, code: String, message: String, httpStatus: Int? = nil, requestId: String? = nil) {
        self.operation = operation
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.errorClass = ErrorClassifier.classifyAWSError(code: code, httpStatus: httpStatus)
    }

    /// A read that got no answer from AWS: always retryable.
    public static func network(operation: String, detail: String) -> ObservationError {
        ObservationError(operation: operation, code: ErrorClassifier.networkErrorCode, message: detail)
    }

    /// A full sentence: what failed and what happens next or what the operator should do.
    public var description: String {
        let request = requestId.map { ", request id \($0)" } ?? ""
        switch errorClass {
        case .retryable:
            return "\(operation) failed with \(code) (\(message)\(request)) while observing AWS; aurorad retries "
                + "with backoff."
        case .terminal:
            return ErrorClassifier.operatorAdvice(operation: operation, code: code, message: message + request)
        }
    }
}
