import AWSCore
import Foundation

/// Why a failed action is worth retrying.
public enum RetryReason: String, Equatable, Sendable {
    /// The API throttled the call.
    case throttling
    /// The API failed on its side (HTTP 5xx or an internal-failure code).
    case serverError
    /// The request did not reach AWS or its answer did not come back.
    case network
    /// aurorad's own AWS credentials could not be obtained or refreshed; they return when their source does.
    case credentials
    /// RDS cannot assume a freshly created or changed role yet (IAM is eventually consistent).
    case iamPropagation
    /// The resource is busy or already in the target state: the next observation settles it.
    case resourceState
}

/// Whether an error goes away by itself (retry with backoff) or needs the operator (phase Failed).
public enum ErrorClass: Equatable, Sendable {
    /// Retry with backoff.
    case retryable(RetryReason)
    /// Stop and tell the operator what to do; a new spec generation retries.
    case terminal
}

/// A failed action, classified, with an operator-facing description that never contains a secret.
public struct ReconcileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The action that failed.
    public var action: ActionKind
    /// The AWS error code, `NetworkError` when AWS did not answer, or `CredentialsUnavailable` when aurorad had no credentials.
    public var code: String
    /// AWS's error message (AWS messages carry no secrets).
    public var message: String
    /// The HTTP status, when AWS answered.
    public var httpStatus: Int?
    /// AWS's request id, for support cases.
    public var requestId: String?
    /// Retryable or terminal.
    public var errorClass: ErrorClass

    /// Classifies an AWS error answer to `action`.
    public init(action: ActionKind, code: String, message: String, httpStatus: Int? = nil, requestId: String? = nil) {
        self.action = action
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.errorClass = ErrorClassifier.classify(action: action, code: code, message: message, httpStatus: httpStatus)
    }

    /// A call that got no answer from AWS (connection, TLS or timeout failure): always retryable.
    public static func network(action: ActionKind, detail: String) -> ReconcileError {
        var error = ReconcileError(action: action, code: ErrorClassifier.networkErrorCode, message: detail)
        error.errorClass = .retryable(.network)
        return error
    }

    /// A full sentence: what failed and what happens next or what the operator should do.
    public var description: String {
        let request = requestId.map { ", request id \($0)" } ?? ""
        switch errorClass {
        case .retryable:
            return "\(action.operationName) failed with \(code) (\(message)\(request)); aurorad retries with backoff."
        case .terminal:
            return ErrorClassifier.operatorAdvice(action: action, code: code, message: message + request)
        }
    }
}

/// The last failed action of a spec, as the controller stored it, fed back into the next plan.
public struct ActionFailure: Equatable, Sendable {
    /// The spec generation the action was planned for; a failure of an older generation is ignored.
    public var generation: Int64
    /// The error.
    public var error: ReconcileError
    /// When this action first failed with this class of error in a row (bounds the IAM propagation retries).
    public var firstOccurred: Date

    /// Creates a stored failure.
    public init(generation: Int64, error: ReconcileError, firstOccurred: Date) {
        self.generation = generation
        self.error = error
        self.firstOccurred = firstOccurred
    }
}

/// Pure error classification, per AWS operation: the tables that decide retry versus Failed.
public enum ErrorClassifier {
    /// The code given to failures where AWS did not answer.
    public static let networkErrorCode = "NetworkError"
    /// The code given when no call was made because aurorad's AWS credentials could not be obtained or refreshed.
    public static let credentialsErrorCode = "CredentialsUnavailable"
    /// The code given when the spec's `master_password_file` cannot be read (no call was made).
    public static let passwordFileUnreadableCode = "MasterPasswordFileUnreadable"

    /// Message fragments of `InvalidParameterValue` from RestoreDBClusterFromS3 that mean "the new role is not
    /// assumable yet": the Terraform provider retries the first three for 2 minutes (resource_cluster.go); the
    /// last is RDS's wording when it cannot assume the role at all yet.
    public static let iamPropagationMessages = [
        "Files from the specified Amazon S3 bucket cannot be downloaded", "S3_SNAPSHOT_INGESTION",
        "S3 bucket cannot be found", "cannot be assumed",
    ]

    /// Classifies an error answer to `action`, dispatching to the per-operation tables.
    public static func classify(action: ActionKind, code: String, message: String, httpStatus: Int?) -> ErrorClass {
        let specific: ErrorClass?
        switch action {
        case .restoreCluster: specific = classifyRestoreError(code: code, message: message)
        case .addRoleToCluster: specific = classifyAddRoleError(code: code)
        case .createInstance:
            specific =
                classifyMonitoringRoleError(code: code, message: message)
                ?? classifyCreateInstanceError(code: code)
        case .modifyInstance:
            specific = classifyMonitoringRoleError(code: code, message: message) ?? classifyRDSMutationError(code: code)
        case .deleteInstance, .deleteCluster, .addTagsToResource, .modifyCluster:
            specific = classifyRDSMutationError(code: code)
        case .createRole, .updateAssumeRolePolicy, .putRolePolicy, .tagRole, .deleteRolePolicy, .deleteRole,
            .attachRolePolicy, .detachRolePolicy, .putRolePermissionsBoundary:
            specific = classifyIAMError(code: code)
        case .createSecurityGroup, .authorizeSecurityGroupIngress, .authorizeSecurityGroupEgress,
            .revokeSecurityGroupIngress, .revokeSecurityGroupEgress, .tagSecurityGroup, .deleteSecurityGroup:
            specific = classifyEC2Error(action: action, code: code)
        case .verifyBackup, .waitForRoleAssociation, .waitForCluster, .waitForInstances, .removeSpec:
            specific = nil
        }
        return specific ?? classifyAWSError(code: code, httpStatus: httpStatus)
    }

    /// The classification shared by every call: throttling, 5xx, network and credential failures retry (the spec is
    /// not at fault, and aurorad recovers once the host's credentials do); the rest is terminal. The throttling and
    /// transient codes are AWSCore's, where the SDK-style retries live.
    public static func classifyAWSError(code: String, httpStatus: Int?) -> ErrorClass {
        if code == networkErrorCode { return .retryable(.network) }
        if code == credentialsErrorCode { return .retryable(.credentials) }
        if AWSError.throttlingCodes.contains(code) || httpStatus == 429 { return .retryable(.throttling) }
        if AWSError.transientCodes.contains(code) { return .retryable(.serverError) }
        if let httpStatus, AWSError.transientStatuses.contains(httpStatus) { return .retryable(.serverError) }
        return .terminal
    }

    /// RestoreDBClusterFromS3: `InvalidParameterValue` is retryable only with an IAM propagation message (ACK treats
    /// it all as terminal and its users hit exactly this); "already exists" is an observation, not an error.
    public static func classifyRestoreError(code: String, message: String) -> ErrorClass? {
        switch code {
        case "InvalidParameterValue":
            return iamPropagationMessages.contains { message.contains($0) } ? .retryable(.iamPropagation) : .terminal
        case "DBClusterAlreadyExistsFault", "InvalidDBClusterStateFault":
            return .retryable(.resourceState)
        default:
            return nil
        }
    }

    /// AddRoleToDBCluster: the cluster may be busy (DESIGN: retry `InvalidDBClusterStateFault`) or already have it
    /// (wire code `DBClusterRoleAlreadyExists`, shape `DBClusterRoleAlreadyExistsFault` in botocore's model).
    /// A cluster deleted between the observation and the call (`DBClusterNotFoundFault`) settles too: the next
    /// observation sees it gone (and the vanished-cluster guard takes over).
    public static func classifyAddRoleError(code: String) -> ErrorClass? {
        [
            "InvalidDBClusterStateFault", "DBClusterRoleAlreadyExists", "DBClusterRoleAlreadyExistsFault",
            "DBClusterNotFoundFault",
        ].contains(code) ? .retryable(.resourceState) : nil
    }

    /// RDS's answer to a `MonitoringRoleArn` it cannot use yet: "InvalidParameterValue: IAM role ARN value is invalid
    /// or does not include the required permissions for: ENHANCED_MONITORING". A role created or given its policy a
    /// moment ago gets it until IAM has propagated (claranet/terraform-aws-aurora#23, a race between the policy
    /// attachment and the instance's create), so it is retried like the restore's propagation errors.
    public static let monitoringRoleMessage = "does not include the required permissions for: ENHANCED_MONITORING"

    /// CreateDBInstance and ModifyDBInstance with a monitoring role RDS cannot use yet (see `monitoringRoleMessage`).
    public static func classifyMonitoringRoleError(code: String, message: String) -> ErrorClass? {
        code == "InvalidParameterValue" && message.contains(monitoringRoleMessage) ? .retryable(.iamPropagation) : nil
    }

    /// CreateDBInstance: a busy cluster, a cluster deleted since the observation, or an instance that already exists
    /// (wire code `DBInstanceAlreadyExists`, shape `DBInstanceAlreadyExistsFault`) settles at the next observation.
    public static func classifyCreateInstanceError(code: String) -> ErrorClass? {
        [
            "InvalidDBClusterStateFault", "DBClusterNotFoundFault", "DBInstanceAlreadyExists",
            "DBInstanceAlreadyExistsFault",
        ].contains(code) ? .retryable(.resourceState) : nil
    }

    /// DeleteDBInstance, DeleteDBCluster, AddTagsToResource, ModifyDBCluster, ModifyDBInstance: busy or already gone
    /// settles at the next observation (botocore wire codes `InvalidDBInstanceState` and `DBInstanceNotFound`, and
    /// their shape names ending in Fault).
    public static func classifyRDSMutationError(code: String) -> ErrorClass? {
        let settles = [
            "InvalidDBClusterStateFault", "InvalidDBInstanceState", "InvalidDBInstanceStateFault",
            "DBClusterNotFoundFault", "DBInstanceNotFound", "DBInstanceNotFoundFault",
        ]
        return settles.contains(code) ? .retryable(.resourceState) : nil
    }

    /// IAM writes: concurrent changes, an existing role or a vanished one settle at the next observation.
    public static func classifyIAMError(code: String) -> ErrorClass? {
        ["EntityAlreadyExists", "ConcurrentModification", "NoSuchEntity"].contains(code)
            ? .retryable(.resourceState) : nil
    }

    /// EC2 writes of the managed security group, per operation: what already happened settles at the next
    /// observation (a group or rule that already exists: `InvalidGroup.Duplicate`, `InvalidPermission.Duplicate`;
    /// one already gone: `InvalidGroup.NotFound`, `InvalidPermission.NotFound`), and DeleteSecurityGroup's
    /// `DependencyViolation` (the deleted cluster's network interfaces still use the group for a while) is retried.
    public static func classifyEC2Error(action: ActionKind, code: String) -> ErrorClass? {
        let settles: Set<String> =
            switch action {
            case .createSecurityGroup: ["InvalidGroup.Duplicate"]
            case .authorizeSecurityGroupIngress, .authorizeSecurityGroupEgress:
                ["InvalidPermission.Duplicate", "InvalidGroup.NotFound"]
            case .revokeSecurityGroupIngress, .revokeSecurityGroupEgress:
                ["InvalidPermission.NotFound", "InvalidSecurityGroupRuleId.NotFound", "InvalidGroup.NotFound"]
            case .tagSecurityGroup: ["InvalidGroup.NotFound"]
            case .deleteSecurityGroup: ["DependencyViolation", "InvalidGroup.NotFound"]
            default: []
            }
        return settles.contains(code) ? .retryable(.resourceState) : nil
    }

    /// The operator-facing sentence for a terminal error: what happened and what to do.
    public static func operatorAdvice(action: ActionKind, code: String, message: String) -> String {
        operatorAdvice(operation: action.operationName, code: code, message: message)
    }

    /// The sentence every terminal error ends with: terminal errors are retried at every resync, so a fix made
    /// outside the spec (a permission granted, a key enabled, a quota raised) heals the spec on its own.
    public static let retryAtResync =
        " aurorad tries again at every resync, so a fix made outside the spec needs no "
        + "resubmit; resubmitting the spec tries at once."

    /// The operator-facing sentence for a terminal error of the AWS operation named `operation` (reads included):
    /// what failed, what to do, and that aurorad retries at the next resync. The text after the AWS message
    /// depends only on `operation` and `code` (`FailureRecord` reads the message back by it).
    public static func operatorAdvice(operation: String, code: String, message: String) -> String {
        "\(operation) failed with \(code) (\(message)): \(remedy(operation: operation, code: code))\(retryAtResync)"
    }

    /// What the operator should do about a terminal `code` from `operation`, as one sentence.
    static func remedy(operation: String, code: String) -> String {
        switch code {
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationNotFound", "Forbidden":
            let permissions = RequiredPermissions.forOperation(operation)
            let named = permissions.isEmpty ? "" : " (\(permissions.joined(separator: ", ")))"
            return "aurorad's AWS identity may not call \(operation); grant that permission\(named) to the identity "
                + "`aurorad aws whoami` shows (see the README's IAM permissions)."
        case "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "UnrecognizedClientException":
            return "AWS did not accept aurorad's credentials; fix the credential source `aurorad aws whoami` "
                + "reports (keys, profile, role or instance metadata)."
        case passwordFileUnreadableCode:
            return "make the file exist, hold the password and be readable by aurorad's user."
        case "InvalidS3BucketFault":
            return "RDS cannot read the backup; check that the bucket exists in the cluster's region and that the "
                + "ingestion role can list it and read its objects."
        case "KMSKeyNotAccessibleFault":
            return "the KMS key cannot be used (disabled, pending deletion or not allowed by its key policy); enable "
                + "it, fix its key policy or change kms_key_id."
        case "InvalidVpcID.NotFound", "InvalidVpcID.Malformed":
            return "the VPC vpc_id names does not exist in aurorad's region; fix vpc_id in the spec."
        case "InvalidGroup.NotFound", "InvalidPrefixListId.NotFound", "InvalidPrefixListID.NotFound":
            return "a security group or prefix list a rule names does not exist in the VPC's region; fix "
                + "security_group_ingress_rules or security_group_egress_rules."
        case "DBSubnetGroupNotFoundFault", "InvalidSubnet", "InvalidVPCNetworkStateFault",
            "DBSubnetGroupDoesNotCoverEnoughAZs":
            return "fix db_subnet_group_name or vpc_security_group_ids in the spec, or the subnet group in AWS."
        case "DeleteConflict":
            return "detach the managed policies and instance profiles an operator added to the role; aurorad then "
                + "deletes it."
        case "DBClusterQuotaExceededFault", "InstanceQuotaExceeded", "StorageQuotaExceeded", "LimitExceeded",
            "DBClusterRoleQuotaExceeded", "DBClusterRoleQuotaExceededFault", "SnapshotQuotaExceeded",
            "InsufficientDBInstanceCapacity", "InsufficientStorageClusterCapacity", "SecurityGroupLimitExceeded",
            "RulesPerSecurityGroupLimitExceeded":
            return "an account quota or capacity limit was reached; raise the quota, free capacity or choose another "
                + "instance class."
        default:
            return "AWS rejected the request; fix the spec field it names and resubmit the spec."
        }
    }
}

extension ActionKind {
    /// The AWS API operation an action calls, or a plain name for the actions that call none.
    public var operationName: String {
        switch self {
        case .verifyBackup: "The backup preflight"
        case .createRole: "CreateRole"
        case .updateAssumeRolePolicy: "UpdateAssumeRolePolicy"
        case .putRolePolicy: "PutRolePolicy"
        case .tagRole: "TagRole"
        case .restoreCluster: "RestoreDBClusterFromS3"
        case .addRoleToCluster: "AddRoleToDBCluster"
        case .createInstance: "CreateDBInstance"
        case .deleteInstance: "DeleteDBInstance"
        case .deleteCluster: "DeleteDBCluster"
        case .deleteRolePolicy: "DeleteRolePolicy"
        case .deleteRole: "DeleteRole"
        case .attachRolePolicy: "AttachRolePolicy"
        case .detachRolePolicy: "DetachRolePolicy"
        case .putRolePermissionsBoundary: "PutRolePermissionsBoundary"
        case .addTagsToResource: "AddTagsToResource"
        case .modifyCluster: "ModifyDBCluster"
        case .modifyInstance: "ModifyDBInstance"
        case .waitForRoleAssociation, .waitForCluster, .waitForInstances: "Waiting"
        case .removeSpec: "Removing the spec"
        case .createSecurityGroup: "CreateSecurityGroup"
        case .authorizeSecurityGroupIngress: "AuthorizeSecurityGroupIngress"
        case .authorizeSecurityGroupEgress: "AuthorizeSecurityGroupEgress"
        case .revokeSecurityGroupIngress: "RevokeSecurityGroupIngress"
        case .revokeSecurityGroupEgress: "RevokeSecurityGroupEgress"
        case .tagSecurityGroup: "CreateTags"
        case .deleteSecurityGroup: "DeleteSecurityGroup"
        }
    }
}
