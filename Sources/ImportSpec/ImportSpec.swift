/// The desired state of one S3 import: a restored Aurora MySQL cluster, its ingestion role and its instances.
///
/// Field names mirror the inputs of the terraform-aws-rds-aurora module (snake_case in JSON) so an operator can carry
/// a module block over almost line for line. Optional fields are `nil` when the JSON leaves them out; the defaults
/// aurorad applies are exposed as computed properties (`effective…`) so the stored spec stays what was submitted.
public struct ImportSpec: Encodable, Sendable, Equatable {
    /// The cluster identifier, and the stem of every derived name (instances, managed role, final snapshot).
    public var name: String
    /// Always `aurora-mysql`: S3 import is MySQL-only.
    public var engine: String
    /// Aurora engine version, e.g. `5.7.mysql_aurora.2.11.2`; `nil` lets RDS pick its default.
    public var engineVersion: String?
    /// The master user name (1–16 alphanumerics, starting with a letter).
    public var masterUsername: String
    /// Let RDS keep the master password in Secrets Manager (the default when no password file is given).
    public var manageMasterUserPassword: Bool?
    /// A file holding the master password, read at call time and never stored; excludes the managed password.
    public var masterPasswordFile: String?
    /// The instance class for instances that do not name their own.
    public var clusterInstanceClass: String
    /// The cluster's instances, keyed as in the module (`"1"`, `"2"`, …).
    public var instances: [String: InstanceSpec]
    /// The DB subnet group the cluster is placed in.
    public var dbSubnetGroupName: String?
    /// The VPC security groups attached to the cluster.
    public var vpcSecurityGroupIds: [String]?
    /// IAM roles to associate with the cluster after the restore, keyed by the module's feature key.
    public var roleAssociations: [String: RoleAssociation]?
    /// Where the Percona XtraBackup lives and which role RDS assumes to read it.
    public var s3Import: S3Import
    /// Skip the final snapshot when the spec is deleted.
    public var skipFinalSnapshot: Bool?
    /// Encrypt the cluster's storage; defaults to `true` as in the rds-aurora module.
    public var storageEncrypted: Bool?
    /// The KMS key for storage encryption; `nil` uses the account's default RDS key.
    public var kmsKeyId: String?
    /// Refuse deletion of the cluster at the RDS level.
    public var deletionProtection: Bool?
    /// CloudWatch log types to export.
    public var enabledCloudwatchLogsExports: [String]?
    /// Apply changes that restart instances (an instance class) now, one instance at a time, instead of in the
    /// next maintenance window; defaults to `false` as in the rds-aurora module.
    public var applyImmediately: Bool?
    /// Tags applied to every resource aurorad creates for this spec (besides its own ownership tags).
    public var tags: [String: String]?
    /// The module's common cluster inputs (backup, maintenance, parameter group, …), flat at the top level in JSON.
    public var clusterSettings: ClusterSettings = ClusterSettings()
    /// The module's cluster-level defaults of per-instance inputs, flat at the top level in JSON.
    public var instanceDefaults: InstanceSettings = InstanceSettings()
    /// The module's Enhanced Monitoring role inputs, flat at the top level in JSON.
    public var monitoringRole: MonitoringRoleSettings = MonitoringRoleSettings()

    // MARK: The module's security group inputs (see `ImportSpec+SecurityGroup.swift`)

    /// The port the cluster accepts connections on (`Port`); the module's default for Aurora MySQL is 3306.
    public var port: Int?
    /// The VPC of the security group aurorad creates; with it, `create_security_group` defaults to true.
    public var vpcId: String?
    /// Create and own a security group in `vpc_id` (default true when `vpc_id` is given, as in the module).
    public var createSecurityGroup: Bool?
    /// The group's name, or its prefix; empty or left out means `name`.
    public var securityGroupName: String?
    /// Use `security_group_name` as a prefix with a stable suffix aurorad derives (default true, as in the module).
    public var securityGroupUseNamePrefix: Bool?
    /// The group's description; empty or left out means "Control traffic to/from RDS Aurora <group name>".
    public var securityGroupDescription: String?
    /// Tags of the group besides `tags`.
    public var securityGroupTags: [String: String]?
    /// One inbound rule per entry, keyed like the module's map.
    public var securityGroupIngressRules: [String: SecurityGroupRule]?
    /// One outbound rule per entry, keyed like the module's map.
    public var securityGroupEgressRules: [String: SecurityGroupRule]?

    /// One instance of the cluster.
    public struct InstanceSpec: Encodable, Sendable, Equatable {
        /// Overrides the derived identifier `<name>-<key>`.
        public var identifier: String?
        /// Overrides `cluster_instance_class`.
        public var instanceClass: String?
        /// The instance's own settings (flat in its JSON entry), over the spec's `instanceDefaults`.
        public var settings: InstanceSettings

        /// Creates an instance entry.
        public init(identifier: String? = nil, instanceClass: String? = nil, settings: InstanceSettings = .init()) {
            self.identifier = identifier
            self.instanceClass = instanceClass
            self.settings = settings
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case identifier
            case instanceClass = "instance_class"
        }

        /// Every key an instance entry may hold: its own and the module's per-instance settings.
        static let entryKeys =
            CodingKeys.allCases.map(\.rawValue) + InstanceSettings.CodingKeys.allCases.map(\.rawValue)
    }

    /// One role association; with no `role_arn` the ingestion role (given or managed) is associated.
    public struct RoleAssociation: Encodable, Sendable, Equatable {
        /// The role to associate; `nil` means the spec's ingestion role.
        public var roleArn: String?

        public init(roleArn: String? = nil) {
            self.roleArn = roleArn
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case roleArn = "role_arn"
        }
    }

    /// The `s3_import` block of the module.
    public struct S3Import: Encodable, Sendable, Equatable {
        /// MySQL version of the source server, e.g. `5.7.12` or `8.0.36`.
        public var sourceEngineVersion: String
        /// The bucket holding the backup; it must be in the cluster's region.
        public var bucketName: String
        /// The key prefix of the backup inside the bucket; `nil` means the whole bucket.
        public var bucketPrefix: String?
        /// An existing role RDS assumes to read the bucket; `nil` makes aurorad create and own one.
        public var ingestionRole: String?

        public init(
            sourceEngineVersion: String, bucketName: String, bucketPrefix: String? = nil,
            ingestionRole: String? = nil
        ) {
            self.sourceEngineVersion = sourceEngineVersion
            self.bucketName = bucketName
            self.bucketPrefix = bucketPrefix
            self.ingestionRole = ingestionRole
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case sourceEngineVersion = "source_engine_version"
            case bucketName = "bucket_name"
            case bucketPrefix = "bucket_prefix"
            case ingestionRole = "ingestion_role"
        }
    }

    /// Every key the top level may hold: the spec's own, the cluster settings, the instance defaults and the
    /// monitoring role's inputs.
    static let topLevelKeys =
        CodingKeys.allCases.map(\.rawValue) + ClusterSettings.CodingKeys.allCases.map(\.rawValue)
        + InstanceSettings.CodingKeys.clusterDefaults.map(\.rawValue)
        + MonitoringRoleSettings.CodingKeys.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, engine, instances, tags
        case engineVersion = "engine_version"
        case masterUsername = "master_username"
        case manageMasterUserPassword = "manage_master_user_password"
        case masterPasswordFile = "master_password_file"
        case clusterInstanceClass = "cluster_instance_class"
        case dbSubnetGroupName = "db_subnet_group_name"
        case vpcSecurityGroupIds = "vpc_security_group_ids"
        case roleAssociations = "role_associations"
        case s3Import = "s3_import"
        case skipFinalSnapshot = "skip_final_snapshot"
        case storageEncrypted = "storage_encrypted"
        case kmsKeyId = "kms_key_id"
        case deletionProtection = "deletion_protection"
        case enabledCloudwatchLogsExports = "enabled_cloudwatch_logs_exports"
        case applyImmediately = "apply_immediately"
        // The module's security group inputs.
        case port
        case vpcId = "vpc_id"
        case createSecurityGroup = "create_security_group"
        case securityGroupName = "security_group_name"
        case securityGroupUseNamePrefix = "security_group_use_name_prefix"
        case securityGroupDescription = "security_group_description"
        case securityGroupTags = "security_group_tags"
        case securityGroupIngressRules = "security_group_ingress_rules"
        case securityGroupEgressRules = "security_group_egress_rules"
    }

    public init(
        name: String, engine: String = "aurora-mysql", engineVersion: String? = nil, masterUsername: String,
        manageMasterUserPassword: Bool? = nil, masterPasswordFile: String? = nil, clusterInstanceClass: String,
        instances: [String: InstanceSpec], dbSubnetGroupName: String? = nil, vpcSecurityGroupIds: [String]? = nil,
        roleAssociations: [String: RoleAssociation]? = nil, s3Import: S3Import, skipFinalSnapshot: Bool? = nil,
        storageEncrypted: Bool? = nil, kmsKeyId: String? = nil, deletionProtection: Bool? = nil,
        enabledCloudwatchLogsExports: [String]? = nil, applyImmediately: Bool? = nil, tags: [String: String]? = nil,
        port: Int? = nil, vpcId: String? = nil, createSecurityGroup: Bool? = nil, securityGroupName: String? = nil,
        securityGroupUseNamePrefix: Bool? = nil, securityGroupDescription: String? = nil,
        securityGroupTags: [String: String]? = nil, securityGroupIngressRules: [String: SecurityGroupRule]? = nil,
        securityGroupEgressRules: [String: SecurityGroupRule]? = nil,
        clusterSettings: ClusterSettings = ClusterSettings(), instanceDefaults: InstanceSettings = InstanceSettings(),
        monitoringRole: MonitoringRoleSettings = MonitoringRoleSettings()
    ) {
        self.name = name
        self.engine = engine
        self.engineVersion = engineVersion
        self.masterUsername = masterUsername
        self.manageMasterUserPassword = manageMasterUserPassword
        self.masterPasswordFile = masterPasswordFile
        self.clusterInstanceClass = clusterInstanceClass
        self.instances = instances
        self.dbSubnetGroupName = dbSubnetGroupName
        self.vpcSecurityGroupIds = vpcSecurityGroupIds
        self.roleAssociations = roleAssociations
        self.s3Import = s3Import
        self.skipFinalSnapshot = skipFinalSnapshot
        self.storageEncrypted = storageEncrypted
        self.kmsKeyId = kmsKeyId
        self.deletionProtection = deletionProtection
        self.enabledCloudwatchLogsExports = enabledCloudwatchLogsExports
        self.applyImmediately = applyImmediately
        self.tags = tags
        self.port = port
        self.vpcId = vpcId
        self.createSecurityGroup = createSecurityGroup
        self.securityGroupName = securityGroupName
        self.securityGroupUseNamePrefix = securityGroupUseNamePrefix
        self.securityGroupDescription = securityGroupDescription
        self.securityGroupTags = securityGroupTags
        self.securityGroupIngressRules = securityGroupIngressRules
        self.securityGroupEgressRules = securityGroupEgressRules
        self.clusterSettings = clusterSettings
        self.instanceDefaults = instanceDefaults
        self.monitoringRole = monitoringRole
    }
}

extension ImportSpec {
    /// `storage_encrypted` with the module's default (`true`), not the RDS API's (`false`).
    public var effectiveStorageEncrypted: Bool { storageEncrypted ?? true }
    /// Whether RDS manages the master password: yes unless a password file is given.
    public var effectiveManageMasterUserPassword: Bool { manageMasterUserPassword ?? (masterPasswordFile == nil) }
    /// `skip_final_snapshot`, default `false` (take a final snapshot on delete), as in the module.
    public var effectiveSkipFinalSnapshot: Bool { skipFinalSnapshot ?? false }
    /// `deletion_protection` at the restore, default `false`; after the restore it is managed only when set.
    public var effectiveDeletionProtection: Bool { deletionProtection ?? false }
    /// `apply_immediately`, default `false` (the module's): instance restarts wait for the maintenance window.
    public var effectiveApplyImmediately: Bool { applyImmediately ?? false }

    /// The RDS identifier of the instance under `key`: its override, or `<name>-<key>`.
    public func instanceIdentifier(forKey key: String) -> String {
        instances[key]?.identifier ?? "\(name)-\(key)"
    }

    /// The instance class of the instance under `key`: its override, or `cluster_instance_class`.
    public func instanceClass(forKey key: String) -> String {
        instances[key]?.instanceClass ?? clusterInstanceClass
    }

    /// The settings of the instance under `key`: its own, else the spec's cluster-level defaults (as the module).
    public func instanceSettings(forKey key: String) -> InstanceSettings {
        (instances[key]?.settings ?? InstanceSettings()).merged(over: instanceDefaults)
    }
}
