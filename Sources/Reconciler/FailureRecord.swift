import Foundation
import StatusModel

/// Keeps a spec's last failed action in its status, as condition `LastError`, so it survives a restart: a terminal
/// failure keeps the spec Failed, and the IAM propagation window keeps counting from the first failure.
///
/// ACK does the same with its `ACK.Terminal` and `ACK.Recoverable` conditions. The condition is True while it exists;
/// its reason is the AWS error code, its message the error's description (what failed and what to do) and its
/// transition time the first occurrence in a row. The message always starts with the fixed head
/// `<Operation> failed with <Code> (<AWS message>[, request id <id>])` (see `ReconcileError.description`), which is
/// what `failure(in:)` reads back; the generation is the status's `observedGeneration`.
public enum FailureRecord {
    /// The condition type holding the last failed action.
    public static let conditionType = "LastError"
    private static let retryTail = "); aurorad retries with backoff."
    private static let requestMarker = ", request id "

    /// The condition recording `failure`.
    public static func condition(for failure: ActionFailure) -> Condition {
        Condition(
            type: conditionType, status: .true, reason: failure.error.code, message: failure.error.description,
            lastTransitionTime: Timestamp(failure.firstOccurred))
    }

    /// The failure recorded in `status`, or nil when there is none or its text is not in the recorded form.
    public static func failure(in status: SpecStatus) -> ActionFailure? {
        guard let condition = status.conditions.condition(ofType: conditionType) else { return nil }
        let code = condition.reason
        let text = condition.message
        for kind in ActionKind.allCases {
            let head = "\(kind.operationName) failed with \(code) ("
            guard text.hasPrefix(head) else { continue }
            let body = text.dropFirst(head.count)
            let retryable = body.hasSuffix(retryTail)
            let advice = ErrorClassifier.operatorAdvice(action: kind, code: code, message: "")
            let terminalTail = String(advice.dropFirst(head.count))
            guard retryable || body.hasSuffix(terminalTail) else { continue }
            var inner = String(body.dropLast(retryable ? retryTail.count : terminalTail.count))
            var requestId: String?
            if let marker = inner.range(of: requestMarker, options: .backwards) {
                requestId = String(inner[marker.upperBound...])
                inner = String(inner[..<marker.lowerBound])
            }
            var error = ReconcileError(action: kind, code: code, message: inner, requestId: requestId)
            if code == ErrorClassifier.networkErrorCode {
                error = ReconcileError.network(action: kind, detail: inner)
            } else if retryable, error.errorClass == .terminal {
                // Only an HTTP status (not recorded) can have made it retryable: a 5xx.
                error.errorClass = .retryable(.serverError)
            } else if !retryable, error.errorClass != .terminal {
                error.errorClass = .terminal
            }
            error.requestId = requestId
            return ActionFailure(
                generation: status.observedGeneration, error: error, firstOccurred: condition.lastTransitionTime.date)
        }
        return nil
    }
}
