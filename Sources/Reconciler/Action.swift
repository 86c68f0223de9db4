import AWSServices
import ImportSpec

/// One step the reconciler may take against AWS; `description` is what `ctl plan` prints.
public enum Action: Equatable, Sendable, CustomStringConvertible {
    /// Read the backup's `xtrabackup_checkpoints` and `xtrabackup_info` (a read; its result feeds the next plan).
    case verifyBackup(bucket: String, prefix: String?, sourceEngineVersion: String)
    /// CreateRole with its trust policy and tags in one call; `path` nil is IAM's default `/`; `permissionsBoundary`:
    /// the ARN of the managed policy bounding the role, if any.
    case createRole(
        name: String, trustPolicy: PolicyDocument, tags: [String: String], description: String, path: String? = nil,
        permissionsBoundary: String? = nil)
    /// UpdateAssumeRolePolicy: put the trust policy back.
    case updateAssumeRolePolicy(roleName: String, policy: PolicyDocument)
    /// PutRolePolicy: create or put back the inline policy.
    case putRolePolicy(roleName: String, policyName: String, policy: PolicyDocument)
    /// TagRole with the tags that are missing or differ.
    case tagRole(roleName: String, tags: [String: String])
    /// RestoreDBClusterFromS3.
    case restoreCluster(RestoreParameters)
    /// AddRoleToDBCluster; `featureName` is `nil` for Aurora MySQL (see `Planner.featureName`).
    case addRoleToCluster(clusterIdentifier: String, roleArn: String, featureName: String?)
    /// Nothing to call: the association is being set up by RDS.
    case waitForRoleAssociation(clusterIdentifier: String, roleArn: String)
    /// CreateDBInstance in the cluster.
    case createInstance(InstanceParameters)
    /// DeleteDBInstance.
    case deleteInstance(identifier: String)
    /// ModifyDBCluster of the settings that differ from the spec, applied immediately.
    case modifyCluster(identifier: String, changes: ClusterChanges)
    /// ModifyDBInstance of the settings that differ; the class and CA certificate restart the instance: now when
    /// `applyImmediately`, else in its next maintenance window.
    case modifyInstance(identifier: String, changes: InstanceChanges, applyImmediately: Bool)
    /// DeleteDBCluster; `nil` snapshot identifier means `SkipFinalSnapshot`.
    case deleteCluster(identifier: String, finalSnapshotIdentifier: String?)
    /// DeleteRolePolicy.
    case deleteRolePolicy(roleName: String, policyName: String)
    /// DeleteRole.
    case deleteRole(roleName: String)
    /// AttachRolePolicy of a managed policy (the monitoring role's AmazonRDSEnhancedMonitoringRole).
    case attachRolePolicy(roleName: String, policyArn: String)
    /// DetachRolePolicy, before the role is deleted.
    case detachRolePolicy(roleName: String, policyArn: String)
    /// PutRolePermissionsBoundary: put back the spec's permissions boundary.
    case putRolePermissionsBoundary(roleName: String, policyArn: String)
    /// AddTagsToResource on a cluster or instance ARN with the tags that are missing or differ.
    case addTagsToResource(arn: String, tags: [String: String])
    /// Nothing to call: the cluster is in a transitional status.
    case waitForCluster(identifier: String, status: String)
    /// Nothing to call: these instances are in transitional statuses.
    case waitForInstances(identifiers: [String])
    /// Delete the spec from the store: everything it owned in AWS is gone.
    case removeSpec(name: String)

    // The security group aurorad owns (`vpc_id`); see `Planner+SecurityGroup.swift`.
    /// CreateSecurityGroup, tagged in the same call.
    case createSecurityGroup(SecurityGroupParameters)
    /// AuthorizeSecurityGroupIngress or AuthorizeSecurityGroupEgress of one rule, tagged in the same call.
    case authorizeSecurityGroupRule(groupId: String, isEgress: Bool, rule: EC2Rule, tags: [String: String])
    /// RevokeSecurityGroupIngress or RevokeSecurityGroupEgress of rules by id.
    case revokeSecurityGroupRules(groupId: String, isEgress: Bool, ruleIds: [String])
    /// CreateTags on the group with the tags that are missing or differ.
    case tagSecurityGroup(id: String, tags: [String: String])
    /// DeleteSecurityGroup, after the cluster is gone; `DependencyViolation` while its network interfaces linger.
    case deleteSecurityGroup(id: String, name: String)

    /// The kind of the action, for events, metrics and error mapping.
    public var kind: ActionKind {
        switch self {
        case .verifyBackup: .verifyBackup
        case .createRole: .createRole
        case .updateAssumeRolePolicy: .updateAssumeRolePolicy
        case .putRolePolicy: .putRolePolicy
        case .tagRole: .tagRole
        case .restoreCluster: .restoreCluster
        case .addRoleToCluster: .addRoleToCluster
        case .waitForRoleAssociation: .waitForRoleAssociation
        case .createInstance: .createInstance
        case .deleteInstance: .deleteInstance
        case .modifyCluster: .modifyCluster
        case .modifyInstance: .modifyInstance
        case .deleteCluster: .deleteCluster
        case .deleteRolePolicy: .deleteRolePolicy
        case .deleteRole: .deleteRole
        case .attachRolePolicy: .attachRolePolicy
        case .detachRolePolicy: .detachRolePolicy
        case .putRolePermissionsBoundary: .putRolePermissionsBoundary
        case .addTagsToResource: .addTagsToResource
        case .waitForCluster: .waitForCluster
        case .waitForInstances: .waitForInstances
        case .removeSpec: .removeSpec
        case .createSecurityGroup: .createSecurityGroup
        case .authorizeSecurityGroupRule(_, let egress, _, _):
            egress ? .authorizeSecurityGroupEgress : .authorizeSecurityGroupIngress
        case .revokeSecurityGroupRules(_, let egress, _):
            egress ? .revokeSecurityGroupEgress : .revokeSecurityGroupIngress
        case .tagSecurityGroup: .tagSecurityGroup
        case .deleteSecurityGroup: .deleteSecurityGroup
        }
    }

    /// Whether the action changes nothing in AWS (a read or a wait); `ctl plan` lists them but a converged spec has
    /// none.
    public var isReadOnly: Bool {
        switch kind {
        case .verifyBackup, .waitForRoleAssociation, .waitForCluster, .waitForInstances: true
        default: false
        }
    }

    /// The IAM role an IAM write changes (by its name), nil for any other action.
    public var roleName: String? {
        switch self {
        case .createRole(let name, _, _, _, _, _): name
        case .updateAssumeRolePolicy(let name, _), .putRolePolicy(let name, _, _), .tagRole(let name, _),
            .deleteRolePolicy(let name, _), .deleteRole(let name), .attachRolePolicy(let name, _),
            .detachRolePolicy(let name, _), .putRolePermissionsBoundary(let name, _):
            name
        default: nil
        }
    }

    /// One line for `ctl plan` and events.
    public var description: String {
        switch self {
        case .verifyBackup(let bucket, let prefix, let version):
            "verify the backup in \(s3URL(bucket, prefix)) is a Percona XtraBackup of MySQL \(version)"
        case .createRole(let name, let trust, let tags, _, let path, let boundary):
            "create IAM role \(path.map { $0 == "/" ? "" : $0 } ?? "")\(name) trusted by "
                + trust.statements.flatMap { $0.principal?["Service"] ?? [] }.joined(separator: ", ")
                + (boundary.map { ", bounded by \($0)" } ?? "") + ", tagged \(render(tags))"
        case .updateAssumeRolePolicy(let role, let policy):
            "put back the trust policy of IAM role \(role): \(policy.json)"
        case .putRolePolicy(let role, let name, let policy):
            "put inline policy \(name) on IAM role \(role): \(policy.json)"
        case .tagRole(let role, let tags):
            "tag IAM role \(role) with \(render(tags))"
        case .restoreCluster(let parameters):
            parameters.description
        case .addRoleToCluster(let cluster, let role, let feature):
            "associate IAM role \(role) with cluster \(cluster) "
                + (feature.map { "for feature \($0)" } ?? "(no feature name: Aurora MySQL takes none)")
        case .waitForRoleAssociation(let cluster, let role):
            "wait for the association of \(role) with cluster \(cluster) to become ACTIVE"
        case .createInstance(let parameters):
            "create instance \(parameters.identifier) (\(parameters.instanceClass)) in cluster "
                + parameters.clusterIdentifier
        case .deleteInstance(let identifier):
            "delete instance \(identifier)"
        case .modifyCluster(let identifier, let changes):
            "modify cluster \(identifier), applied immediately: \(changes)"
        case .modifyInstance(let identifier, let changes, let immediately):
            "modify instance \(identifier) \(changes.instanceClass == nil ? "setting " : "")\(changes), "
                + (immediately
                    ? "applied immediately" + (changes.restarts ? " (it restarts)" : "")
                    : changes.restarts
                        ? "in its next maintenance window (apply_immediately is false)"
                        : "applied without a restart")
        case .deleteCluster(let identifier, let snapshot):
            "delete cluster \(identifier) "
                + (snapshot.map { "with final snapshot \($0)" } ?? "without a final snapshot (skip_final_snapshot)")
        case .deleteRolePolicy(let role, let name):
            "delete inline policy \(name) of IAM role \(role)"
        case .deleteRole(let role):
            "delete IAM role \(role)"
        case .attachRolePolicy(let role, let policy):
            "attach managed policy \(policy) to IAM role \(role)"
        case .detachRolePolicy(let role, let policy):
            "detach managed policy \(policy) from IAM role \(role)"
        case .putRolePermissionsBoundary(let role, let policy):
            "put back the permissions boundary \(policy) of IAM role \(role)"
        case .addTagsToResource(let arn, let tags):
            "tag \(arn) with \(render(tags))"
        case .waitForCluster(let identifier, let status):
            "wait for cluster \(identifier) to become available (now \(status))"
        case .waitForInstances(let identifiers):
            "wait for instances \(identifiers.joined(separator: ", ")) to settle"
        case .removeSpec(let name):
            "remove spec \(name): everything it owned is gone"
        case .createSecurityGroup(let parameters):
            "create security group \(parameters.name) in \(parameters.vpcId) (\"\(parameters.description)\"), tagged "
                + render(parameters.tags)
        case .authorizeSecurityGroupRule(let group, let egress, let rule, _):
            "allow \(ManagedSecurityGroup.describe(rule, egress: egress)) in security group \(group)"
        case .revokeSecurityGroupRules(let group, let egress, let ids):
            "revoke \(egress ? "egress" : "ingress") rule(s) \(ids.joined(separator: ", ")) of security group \(group)"
        case .tagSecurityGroup(let id, let tags):
            "tag security group \(id) with \(render(tags))"
        case .deleteSecurityGroup(let id, let name):
            "delete security group \(id) (\(name))"
        }
    }
}

/// The kinds of `Action`, with stable raw values for events and stored errors.
public enum ActionKind: String, Equatable, Sendable, CaseIterable {
    case verifyBackup, createRole, updateAssumeRolePolicy, putRolePolicy, tagRole, restoreCluster, addRoleToCluster
    case waitForRoleAssociation, createInstance, deleteInstance, deleteCluster, deleteRolePolicy, deleteRole
    case addTagsToResource, waitForCluster, waitForInstances, removeSpec, modifyCluster, modifyInstance
    case createSecurityGroup, authorizeSecurityGroupIngress, authorizeSecurityGroupEgress, revokeSecurityGroupIngress
    case revokeSecurityGroupEgress, tagSecurityGroup, deleteSecurityGroup, attachRolePolicy, detachRolePolicy
    case putRolePermissionsBoundary
}

/// Every input of CreateSecurityGroup for the group aurorad owns (see `ManagedSecurityGroup`).
public struct SecurityGroupParameters: Equatable, Sendable {
    /// GroupName.
    public var name: String
    /// GroupDescription.
    public var description: String
    /// VpcId.
    public var vpcId: String
    /// The tags, put on in the create call (`TagSpecification`).
    public var tags: [String: String]

    /// Creates the parameters of one CreateSecurityGroup call.
    public init(name: String, description: String, vpcId: String, tags: [String: String]) {
        self.name = name
        self.description = description
        self.vpcId = vpcId
        self.tags = tags
    }
}

/// Every input of RestoreDBClusterFromS3, taken from the spec with aurorad's defaults applied.
public struct RestoreParameters: Equatable, Sendable, CustomStringConvertible {
    /// DBClusterIdentifier: the spec name.
    public var clusterIdentifier: String
    /// Engine: `aurora-mysql`.
    public var engine: String
    /// EngineVersion; `nil` lets RDS choose.
    public var engineVersion: String?
    /// MasterUsername.
    public var masterUsername: String
    /// ManageMasterUserPassword; when false the password comes from `masterPasswordFile`.
    public var manageMasterUserPassword: Bool
    /// The file the executor reads MasterUserPassword from at call time (never stored or logged).
    public var masterPasswordFile: String?
    /// DBSubnetGroupName.
    public var dbSubnetGroupName: String?
    /// VpcSecurityGroupIds.
    public var vpcSecurityGroupIds: [String]
    /// EnableCloudwatchLogsExports.
    public var enabledCloudwatchLogsExports: [String]
    /// StorageEncrypted (aurorad's default is true).
    public var storageEncrypted: Bool
    /// KmsKeyId.
    public var kmsKeyId: String?
    /// DeletionProtection.
    public var deletionProtection: Bool
    /// Tags: spec tags, ownership tags and restore-fact tags.
    public var tags: [String: String]
    /// S3BucketName.
    public var s3BucketName: String
    /// S3Prefix; `nil` means the whole bucket.
    public var s3Prefix: String?
    /// S3IngestionRoleArn.
    public var s3IngestionRoleArn: String
    /// SourceEngine: always `mysql`.
    public var sourceEngine: String
    /// SourceEngineVersion.
    public var sourceEngineVersion: String
    /// Port: the spec's `port`, or nil for RDS's default (3306, the module's too).
    public var port: Int?
    /// The module's common cluster settings the spec sets (BackupRetentionPeriod, PreferredBackupWindow, …).
    public var clusterSettings: ClusterSettings

    /// Creates the parameters of one RestoreDBClusterFromS3 call.
    public init(
        clusterIdentifier: String, engine: String, engineVersion: String?, masterUsername: String,
        manageMasterUserPassword: Bool, masterPasswordFile: String?, dbSubnetGroupName: String?,
        vpcSecurityGroupIds: [String], enabledCloudwatchLogsExports: [String], storageEncrypted: Bool,
        kmsKeyId: String?, deletionProtection: Bool, tags: [String: String], s3BucketName: String, s3Prefix: String?,
        s3IngestionRoleArn: String, sourceEngine: String, sourceEngineVersion: String, port: Int? = nil,
        clusterSettings: ClusterSettings = ClusterSettings()
    ) {
        self.clusterIdentifier = clusterIdentifier
        self.engine = engine
        self.engineVersion = engineVersion
        self.masterUsername = masterUsername
        self.manageMasterUserPassword = manageMasterUserPassword
        self.masterPasswordFile = masterPasswordFile
        self.dbSubnetGroupName = dbSubnetGroupName
        self.vpcSecurityGroupIds = vpcSecurityGroupIds
        self.enabledCloudwatchLogsExports = enabledCloudwatchLogsExports
        self.storageEncrypted = storageEncrypted
        self.kmsKeyId = kmsKeyId
        self.deletionProtection = deletionProtection
        self.tags = tags
        self.s3BucketName = s3BucketName
        self.s3Prefix = s3Prefix
        self.s3IngestionRoleArn = s3IngestionRoleArn
        self.sourceEngine = sourceEngine
        self.sourceEngineVersion = sourceEngineVersion
        self.port = port
        self.clusterSettings = clusterSettings
    }

    /// One line for `ctl plan`.
    public var description: String {
        "restore cluster \(clusterIdentifier) (\(engine) \(engineVersion ?? "default version"), source MySQL "
            + "\(sourceEngineVersion)) from \(s3URL(s3BucketName, s3Prefix)) as \(s3IngestionRoleArn)"
    }
}

/// Every input of CreateDBInstance for one instance of the cluster.
public struct InstanceParameters: Equatable, Sendable {
    /// DBInstanceIdentifier.
    public var identifier: String
    /// DBInstanceClass.
    public var instanceClass: String
    /// Engine (the cluster's).
    public var engine: String
    /// DBClusterIdentifier.
    public var clusterIdentifier: String
    /// Tags: spec tags and ownership tags.
    public var tags: [String: String]
    /// The instance's settings (its own over the spec's defaults); `publiclyAccessible` is always set (default
    /// false, whatever the subnet group).
    public var settings: InstanceSettings

    /// Creates the parameters of one CreateDBInstance call.
    public init(
        identifier: String, instanceClass: String, engine: String, clusterIdentifier: String, tags: [String: String],
        settings: InstanceSettings = InstanceSettings(publiclyAccessible: false)
    ) {
        self.identifier = identifier
        self.instanceClass = instanceClass
        self.engine = engine
        self.clusterIdentifier = clusterIdentifier
        self.tags = tags
        self.settings = settings
    }
}

private func s3URL(_ bucket: String, _ prefix: String?) -> String {
    "s3://\(bucket)/\(prefix ?? "")"
}

private func render(_ tags: [String: String]) -> String {
    tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
}
