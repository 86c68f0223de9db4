import AWSServices
import Foundation
import Logging
import Reconciler
import Testing
import TestSupport

/// A call that could not be signed because aurorad's own credentials failed is a credential error, retried, and
/// never reported as a network failure or blamed on the spec.
@Suite struct CredentialFailureTests {
    @Test func credentialsUnavailableIsRetryable() {
        #expect(
            ErrorClassifier.classifyAWSError(code: ErrorClassifier.credentialsErrorCode, httpStatus: nil)
                == .retryable(.credentials))
        let error = ReconcileError(
            action: .restoreCluster, code: ErrorClassifier.credentialsErrorCode, message: "no credentials")
        #expect(error.errorClass == .retryable(.credentials))
        #expect(error.description.hasSuffix("aurorad retries with backoff."))
    }

    @Test func failingContainerCredentialsAreACredentialErrorNotANetworkError() throws {
        try withTemporaryDirectory { dir in
            let unused = try unusedLoopbackPort()
            let logger = Logger(label: "credential-failure-test") { _ in SwiftLogNoOpLogHandler() }
            let client = try AWSClient(
                environment: [
                    "HOME": dir, "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "eu-west-1",
                    "AWS_ENDPOINT_URL": "http://127.0.0.1:\(unused)",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(unused)/creds",
                ],
                logger: logger)
            let observer = AWSObserver(client: client, logger: logger)
            let error = #expect(throws: ObservationError.self) {
                try observer.preflight(bucket: "aurorad-backups", prefix: nil)
            }
            #expect(error?.code == ErrorClassifier.credentialsErrorCode)
            #expect(error?.errorClass == .retryable(.credentials))
            #expect(error?.description.contains("container credentials endpoint") == true)
        }
    }
}
