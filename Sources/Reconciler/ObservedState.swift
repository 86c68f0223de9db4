import Foundation
import ImportSpec

/// Everything one observation found about a spec's resources, in AWS-neutral terms; the planner's only input from AWS.
public struct ObservedState: Equatable, Sendable {
    /// The region aurorad works in; it decides the ARN partition of a managed role's bucket ARNs.
    public var region: String
    /// The ingestion role: the managed role (derived name) or the spec's `ingestion_role`; `nil` when absent.
    public var role: ObservedRole?
    /// The cluster named after the spec; `nil` when it does not exist.
    public var cluster: ObservedCluster?
    /// The instances that belong to the cluster (any identifier), as DescribeDBInstances listed them.
    public var instances: [ObservedInstance]
    /// The result of the S3 backup preflight; `.notChecked` when this observation did not run it.
    public var backup: BackupPreflight
    /// The message of the latest RDS event for the cluster, quoted when the cluster fails.
    public var latestClusterEvent: String?
    /// What RDS says about the spec's `engine_version`; asked with the backup preflight, before anything is created.
    public var engineVersion: EngineVersionCheck = .notChecked
    /// Instances named like one of the spec's that are not in its cluster (another cluster's, or standalone): the
    /// identifier is taken, so creating it would fail again and again. nil: not looked for (they are looked for only
    /// while an instance is missing from the available cluster).
    public var conflictingInstances: [ObservedInstance]?
    /// The security group aurorad created for the spec (found by its ownership tags in `vpc_id`), with its rules;
    /// `nil` when absent or when the spec asks for none (then it is not looked for).
    public var securityGroup: ObservedSecurityGroup?
    /// The Enhanced Monitoring role aurorad creates for the spec (by its derived name), with its attached policies;
    /// `nil` when absent.
    public var monitoringRole: ObservedRole?

    /// Creates an observation; an empty one means "nothing exists yet and the backup was not checked".
    public init(
        region: String, role: ObservedRole? = nil, cluster: ObservedCluster? = nil,
        instances: [ObservedInstance] = [], backup: BackupPreflight = .notChecked, latestClusterEvent: String? = nil
    ) {
        self.region = region
        self.role = role
        self.cluster = cluster
        self.instances = instances
        self.backup = backup
        self.latestClusterEvent = latestClusterEvent
    }
}

/// An IAM role as observed: its trust policy, inline policies and tags, with policies already normalized.
public struct ObservedRole: Equatable, Sendable {
    /// The role name.
    public var name: String
    /// The role ARN.
    public var arn: String
    /// The trust (assume-role) policy; `nil` when IAM returned none or it could not be parsed.
    public var trustPolicy: PolicyDocument?
    /// Inline policies by name.
    public var inlinePolicies: [String: PolicyDocument]
    /// Default versions of attached managed policies by name, when the observer fetched them (verification only).
    public var attachedPolicies: [String: PolicyDocument]
    /// The role's tags.
    public var tags: ResourceTags
    /// When IAM created the role.
    public var createDate: Date?
    /// The ARNs of the managed policies attached, when the observer listed them (the monitoring role).
    public var attachedPolicyArns: [String] = []
    /// The role's IAM path, e.g. `/`.
    public var path: String = "/"
    /// The ARN of the policy bounding the role's permissions, if any.
    public var permissionsBoundary: String?

    /// Creates an observed role.
    public init(
        name: String, arn: String, trustPolicy: PolicyDocument?, inlinePolicies: [String: PolicyDocument] = [:],
        attachedPolicies: [String: PolicyDocument] = [:], tags: [String: String] = [:], createDate: Date? = nil
    ) {
        self.name = name
        self.arn = arn
        self.trustPolicy = trustPolicy
        self.inlinePolicies = inlinePolicies
        self.attachedPolicies = attachedPolicies
        self.tags = ResourceTags(tags)
        self.createDate = createDate
    }
}

/// The status RDS reports for a role associated with a cluster.
public enum AssociationStatus: String, Equatable, Sendable {
    /// The role is associated and RDS can assume it.
    case active = "ACTIVE"
    /// The association is being set up.
    case pending = "PENDING"
    /// The role is associated but RDS cannot assume it.
    case invalid = "INVALID"
}

/// One entry of a cluster's `AssociatedRoles`.
public struct ObservedRoleAssociation: Equatable, Sendable {
    /// The associated role's ARN.
    public var roleArn: String
    /// The association's status.
    public var status: AssociationStatus
    /// The feature the role is associated for; always `nil` for Aurora MySQL associations aurorad makes.
    public var featureName: String?

    /// Creates an observed association.
    public init(roleArn: String, status: AssociationStatus, featureName: String? = nil) {
        self.roleArn = roleArn
        self.status = status
        self.featureName = featureName
    }
}

/// An Aurora cluster as observed through DescribeDBClusters.
public struct ObservedCluster: Equatable, Sendable {
    /// The cluster identifier.
    public var identifier: String
    /// The RDS status string (`creating`, `available`, …), classified by `ClusterStatusClass`.
    public var status: String
    /// The cluster ARN, the target of AddTagsToResource.
    public var arn: String
    /// The writer endpoint, once RDS has assigned one.
    public var endpoint: String?
    /// The engine, e.g. `aurora-mysql`.
    public var engine: String
    /// The engine version RDS runs.
    public var engineVersion: String?
    /// The master user name, fixed at restore.
    public var masterUsername: String
    /// The roles associated with the cluster.
    public var associatedRoles: [ObservedRoleAssociation]
    /// The cluster's tags, including aurorad's ownership and restore-fact tags.
    public var tags: ResourceTags
    /// Whether RDS refuses to delete the cluster.
    public var deletionProtection: Bool
    /// Whether storage is encrypted.
    public var storageEncrypted: Bool
    /// The KMS key of the storage encryption.
    public var kmsKeyId: String?
    /// The CloudWatch log types exported.
    public var enabledCloudwatchLogsExports: [String]
    /// The VPC security groups attached.
    public var vpcSecurityGroupIds: [String]
    /// The DB subnet group.
    public var dbSubnetGroup: String?
    /// The VPC of the DB subnet group, read only when the spec names a `vpc_id` (nil: not read or not known).
    public var vpcId: String?
    /// The instance RDS lists as the cluster's writer (`DBClusterMembers`), if any.
    public var writerIdentifier: String?
    /// The module's common settings as RDS reports them; nil members: RDS reported none.
    public var settings: ClusterSettings = ClusterSettings()

    /// Creates an observed cluster.
    public init(
        identifier: String, status: String, arn: String, endpoint: String? = nil, engine: String = "aurora-mysql",
        engineVersion: String? = nil, masterUsername: String, associatedRoles: [ObservedRoleAssociation] = [],
        tags: [String: String] = [:], deletionProtection: Bool = false, storageEncrypted: Bool = true,
        kmsKeyId: String? = nil, enabledCloudwatchLogsExports: [String] = [], vpcSecurityGroupIds: [String] = [],
        dbSubnetGroup: String? = nil, writerIdentifier: String? = nil, settings: ClusterSettings = ClusterSettings()
    ) {
        self.identifier = identifier
        self.status = status
        self.arn = arn
        self.endpoint = endpoint
        self.engine = engine
        self.engineVersion = engineVersion
        self.masterUsername = masterUsername
        self.associatedRoles = associatedRoles
        self.tags = ResourceTags(tags)
        self.deletionProtection = deletionProtection
        self.storageEncrypted = storageEncrypted
        self.kmsKeyId = kmsKeyId
        self.enabledCloudwatchLogsExports = enabledCloudwatchLogsExports
        self.vpcSecurityGroupIds = vpcSecurityGroupIds
        self.dbSubnetGroup = dbSubnetGroup
        self.writerIdentifier = writerIdentifier
        self.settings = settings
    }
}

/// A DB instance of the cluster as observed through DescribeDBInstances.
public struct ObservedInstance: Equatable, Sendable {
    /// The instance identifier.
    public var identifier: String
    /// The RDS instance status (`creating`, `available`, `deleting`, …).
    public var status: String
    /// The instance class, e.g. `db.r8g.large`.
    public var instanceClass: String
    /// The cluster the instance belongs to.
    public var clusterIdentifier: String?
    /// The instance ARN, the target of AddTagsToResource.
    public var arn: String?
    /// The instance's tags.
    public var tags: ResourceTags
    /// The instance class waiting for the next maintenance window (`PendingModifiedValues`), if any.
    public var pendingInstanceClass: String?
    /// The module's per-instance settings as RDS reports them; nil members: RDS reported none.
    public var settings: InstanceSettings = InstanceSettings()
    /// The CA certificate waiting for the next maintenance window (`PendingModifiedValues`), if any.
    public var pendingCACertificate: String?

    /// Creates an observed instance.
    public init(
        identifier: String, status: String, instanceClass: String, clusterIdentifier: String?, arn: String? = nil,
        tags: [String: String] = [:], pendingInstanceClass: String? = nil,
        settings: InstanceSettings = InstanceSettings(), pendingCACertificate: String? = nil
    ) {
        self.identifier = identifier
        self.status = status
        self.instanceClass = instanceClass
        self.clusterIdentifier = clusterIdentifier
        self.arn = arn
        self.tags = ResourceTags(tags)
        self.pendingInstanceClass = pendingInstanceClass
        self.settings = settings
        self.pendingCACertificate = pendingCACertificate
    }
}

/// What the S3 preflight found about the backup.
public enum BackupPreflight: Equatable, Sendable {
    /// Not checked in this observation (the planner asks for it with `Action.verifyBackup` when it matters).
    case notChecked
    /// A full backup (prepared or not, with or without increments) whose `xtrabackup_info` names this MySQL version.
    case verified(serverVersion: String)
    /// Usable but not fully checkable, e.g. streamed files whose checkpoints cannot be read without unpacking.
    case warning(String)
    /// Unusable; the message tells the operator what to change on the source (e.g. "take a full backup").
    case failed(String)
    /// A `verified` or `warning` verdict on a backup whose objects are SSE-KMS encrypted with `kmsKeyId` (an ARN):
    /// RDS reads them only if the ingestion role may `kms:Decrypt` with that key.
    indirect case kmsEncrypted(BackupPreflight, kmsKeyId: String)

    /// The verdict itself, without the encryption it was found with.
    public var verdict: BackupPreflight {
        if case .kmsEncrypted(let verdict, _) = self { return verdict.verdict }
        return self
    }

    /// The KMS key the backup's objects are encrypted with, when they are SSE-KMS encrypted.
    public var kmsKeyId: String? {
        if case .kmsEncrypted(_, let key) = self { return key }
        return nil
    }

    /// This verdict, marked as found on objects encrypted with `kmsKeyId`; refusals and unchecked verdicts (or a
    /// nil key) are left as they are: nothing is restored from them.
    public func encrypted(withKMSKey kmsKeyId: String?) -> BackupPreflight {
        switch (verdict, kmsKeyId) {
        case (.verified, let key?), (.warning, let key?): .kmsEncrypted(verdict, kmsKeyId: key)
        default: self
        }
    }
}
