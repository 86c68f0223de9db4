import AWSCore
import AWSServices

/// Turns what the AWS clients throw into the reconciler's classified errors. Credentials that cannot be obtained or
/// refreshed are a credentials failure (`ErrorClassifier.credentialsErrorCode`), never a network error.
enum AWSErrorMapping {
    /// The error of a failed read `operation`.
    static func observation(_ error: any Error, operation: String) -> ObservationError {
        switch error {
        case let error as AWSError:
            ObservationError(
                operation: error.action.isEmpty ? operation : error.action, code: error.code,
                message: error.message ?? "HTTP \(error.status)", httpStatus: error.status,
                requestId: error.requestId)
        case let error as TransportError:
            .network(operation: operation, detail: error.description)
        case let error as CredentialError:
            ObservationError(
                operation: operation, code: ErrorClassifier.credentialsErrorCode, message: error.description)
        case let error as AWSResponseError:
            ObservationError(operation: error.action, code: "UnreadableResponse", message: error.reason)
        default:
            .network(operation: operation, detail: "\(error)")
        }
    }

    /// The error of a failed `action`.
    static func action(_ error: any Error, kind: ActionKind) -> ReconcileError {
        switch error {
        case let error as ReconcileError:
            error
        case let error as AWSError:
            ReconcileError(
                action: kind, code: error.code, message: error.message ?? "HTTP \(error.status)",
                httpStatus: error.status, requestId: error.requestId)
        case let error as TransportError:
            .network(action: kind, detail: error.description)
        case let error as CredentialError:
            ReconcileError(action: kind, code: ErrorClassifier.credentialsErrorCode, message: error.description)
        case let error as AWSResponseError:
            // The call reached AWS and may have taken effect: the next observation settles it.
            ReconcileError(action: kind, code: "UnreadableResponse", message: error.reason, httpStatus: 500)
        default:
            .network(action: kind, detail: "\(error)")
        }
    }
}
