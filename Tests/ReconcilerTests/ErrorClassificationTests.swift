import Reconciler
import Testing

@Suite("Error classification")
struct ErrorClassificationTests {
    @Test(arguments: [
        (
            "InvalidParameterValue",
            "Files from the specified Amazon S3 bucket cannot be downloaded. Make sure that you have created an AWS "
                + "Identity and Access Management (IAM) role that lets Amazon RDS access Amazon S3 for you.",
            ErrorClass.retryable(.iamPropagation)
        ),
        (
            "InvalidParameterValue",
            "IAM role ARN value is invalid or does not include the required permissions for: S3_SNAPSHOT_INGESTION",
            .retryable(.iamPropagation)
        ),
        ("InvalidParameterValue", "S3 bucket cannot be found", .retryable(.iamPropagation)),
        (
            "InvalidParameterValue", "IAM role arn:aws:iam::123456789012:role/r cannot be assumed",
            .retryable(.iamPropagation)
        ),
        ("InvalidParameterValue", "The source engine version 5.6.1 is not supported", .terminal),
        ("DBClusterAlreadyExistsFault", "DB cluster already exists", .retryable(.resourceState)),
        ("InvalidS3BucketFault", "The bucket does not exist", .terminal),
        ("AccessDenied", "User is not authorized", .terminal),
        ("Throttling", "Rate exceeded", .retryable(.throttling)),
        ("KMSKeyNotAccessibleFault", "key disabled", .terminal),
    ])
    func restoreErrors(code: String, message: String, expected: ErrorClass) {
        #expect(
            ErrorClassifier.classify(action: .restoreCluster, code: code, message: message, httpStatus: 400)
                == expected)
    }

    @Test(arguments: [
        (ActionKind.addRoleToCluster, "InvalidDBClusterStateFault", ErrorClass.retryable(.resourceState)),
        (.addRoleToCluster, "DBClusterRoleAlreadyExists", .retryable(.resourceState)),
        (.addRoleToCluster, "InvalidParameterValue", .terminal),
        (.createInstance, "DBInstanceAlreadyExists", .retryable(.resourceState)),
        (.createInstance, "DBClusterNotFoundFault", .retryable(.resourceState)),
        (.addRoleToCluster, "DBClusterNotFoundFault", .retryable(.resourceState)),
        (.createInstance, "InsufficientDBInstanceCapacity", .terminal),
        (.deleteCluster, "DBClusterNotFoundFault", .retryable(.resourceState)),
        (.deleteInstance, "InvalidDBInstanceState", .retryable(.resourceState)),
        // botocore's shape names, which some emulators send instead of the wire codes above.
        (.addRoleToCluster, "DBClusterRoleAlreadyExistsFault", .retryable(.resourceState)),
        (.createInstance, "DBInstanceAlreadyExistsFault", .retryable(.resourceState)),
        (.deleteInstance, "InvalidDBInstanceStateFault", .retryable(.resourceState)),
        (.deleteInstance, "DBInstanceNotFound", .retryable(.resourceState)),
        (.deleteInstance, "DBInstanceNotFoundFault", .retryable(.resourceState)),
        (.deleteCluster, "DBClusterSnapshotAlreadyExistsFault", .terminal),
        (.createRole, "EntityAlreadyExists", .retryable(.resourceState)),
        (.createRole, "MalformedPolicyDocument", .terminal),
        (.putRolePolicy, "NoSuchEntity", .retryable(.resourceState)),
        (.deleteRole, "DeleteConflict", .terminal),
        (.tagRole, "ServiceFailure", .retryable(.serverError)),
        (.tagRole, "ThrottlingException", .retryable(.throttling)),
        (.verifyBackup, "RequestTimeout", .retryable(.serverError)),
    ])
    func perOperationTables(action: ActionKind, code: String, expected: ErrorClass) {
        #expect(ErrorClassifier.classify(action: action, code: code, message: "m", httpStatus: 400) == expected)
    }

    @Test(arguments: [
        (500, ErrorClass.retryable(.serverError)), (502, .retryable(.serverError)),
        (503, .retryable(.serverError)), (504, .retryable(.serverError)), (429, .retryable(.throttling)),
        (400, .terminal), (403, .terminal), (501, .terminal),
    ])
    func httpStatusDecidesForUnknownCodes(status: Int, expected: ErrorClass) {
        #expect(ErrorClassifier.classifyAWSError(code: "SomethingNew", httpStatus: status) == expected)
    }

    @Test func networkFailuresAreRetryable() {
        let error = ReconcileError.network(action: .createInstance, detail: "connection refused")
        #expect(error.errorClass == .retryable(.network))
        #expect(error.description.contains("retries with backoff"))
    }

    @Test(arguments: [
        ("AccessDenied", "grant that permission"), ("InvalidS3BucketFault", "cluster's region"),
        ("DBSubnetGroupNotFoundFault", "db_subnet_group_name"), ("DBClusterQuotaExceededFault", "quota"),
        ("InvalidParameterValue", "fix the spec field"),
    ])
    func terminalDescriptionsTellTheOperatorWhatToDo(code: String, advice: String) {
        let error = ReconcileError(
            action: .restoreCluster, code: code, message: "details", httpStatus: 400, requestId: "req-1")
        #expect(error.errorClass == .terminal)
        #expect(error.description.hasPrefix("RestoreDBClusterFromS3 failed with \(code) (details, request id req-1)"))
        #expect(error.description.contains(advice))
        #expect(error.description.hasSuffix("."))
    }
}
