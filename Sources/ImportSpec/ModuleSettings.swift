/// The rds-aurora module's common cluster inputs (terraform-aws-rds-aurora v9 `variables.tf`): flat fields of the
/// spec's top level, grouped here so the spec model, its reader and its JSON form name them in one place.
///
/// Every field is optional and `nil` means "not set": nothing is sent at the restore and, afterwards, the setting
/// stays as RDS or the operator has it (field ownership).
public struct ClusterSettings: Encodable, Sendable, Equatable {
    /// `DBClusterParameterGroupName`.
    public var dbClusterParameterGroupName: String?
    /// `BackupRetentionPeriod`, 1–35 days.
    public var backupRetentionPeriod: Int?
    /// `PreferredBackupWindow`, `hh24:mi-hh24:mi` UTC, at least 30 minutes.
    public var preferredBackupWindow: String?
    /// `PreferredMaintenanceWindow`, `ddd:hh24:mi-ddd:hh24:mi` UTC, at least 30 minutes.
    public var preferredMaintenanceWindow: String?
    /// `EnableIAMDatabaseAuthentication`.
    public var iamDatabaseAuthenticationEnabled: Bool?
    /// `CopyTagsToSnapshot`.
    public var copyTagsToSnapshot: Bool?
    /// `StorageType`: `aurora` (Standard) or `aurora-iopt1` (I/O-Optimized).
    public var storageType: String?
    /// `NetworkType`: `IPV4` or `DUAL`.
    public var networkType: String?
    /// `EngineLifecycleSupport`; left out, RDS enrols an Aurora MySQL 2 cluster in paid Extended Support.
    public var engineLifecycleSupport: String?

    /// Creates cluster settings; every field defaults to "not set".
    public init(
        dbClusterParameterGroupName: String? = nil, backupRetentionPeriod: Int? = nil,
        preferredBackupWindow: String? = nil, preferredMaintenanceWindow: String? = nil,
        iamDatabaseAuthenticationEnabled: Bool? = nil, copyTagsToSnapshot: Bool? = nil, storageType: String? = nil,
        networkType: String? = nil, engineLifecycleSupport: String? = nil
    ) {
        self.dbClusterParameterGroupName = dbClusterParameterGroupName
        self.backupRetentionPeriod = backupRetentionPeriod
        self.preferredBackupWindow = preferredBackupWindow
        self.preferredMaintenanceWindow = preferredMaintenanceWindow
        self.iamDatabaseAuthenticationEnabled = iamDatabaseAuthenticationEnabled
        self.copyTagsToSnapshot = copyTagsToSnapshot
        self.storageType = storageType
        self.networkType = networkType
        self.engineLifecycleSupport = engineLifecycleSupport
    }

    /// These settings with each unset field taken from `other`.
    public func merged(over other: ClusterSettings) -> ClusterSettings {
        ClusterSettings(
            dbClusterParameterGroupName: dbClusterParameterGroupName ?? other.dbClusterParameterGroupName,
            backupRetentionPeriod: backupRetentionPeriod ?? other.backupRetentionPeriod,
            preferredBackupWindow: preferredBackupWindow ?? other.preferredBackupWindow,
            preferredMaintenanceWindow: preferredMaintenanceWindow ?? other.preferredMaintenanceWindow,
            iamDatabaseAuthenticationEnabled:
                iamDatabaseAuthenticationEnabled ?? other.iamDatabaseAuthenticationEnabled,
            copyTagsToSnapshot: copyTagsToSnapshot ?? other.copyTagsToSnapshot,
            storageType: storageType ?? other.storageType, networkType: networkType ?? other.networkType,
            engineLifecycleSupport: engineLifecycleSupport ?? other.engineLifecycleSupport)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dbClusterParameterGroupName = "db_cluster_parameter_group_name"
        case backupRetentionPeriod = "backup_retention_period"
        case preferredBackupWindow = "preferred_backup_window"
        case preferredMaintenanceWindow = "preferred_maintenance_window"
        case iamDatabaseAuthenticationEnabled = "iam_database_authentication_enabled"
        case copyTagsToSnapshot = "copy_tags_to_snapshot"
        case storageType = "storage_type"
        case networkType = "network_type"
        case engineLifecycleSupport = "engine_lifecycle_support"
    }
}

/// The module's per-instance inputs: each instance's own (`instances.<key>.…`) and, except `availability_zone` and
/// `promotion_tier`, the cluster-level defaults the module applies to instances that leave them out
/// (`try(each.value.x, var.x)` in its `aws_rds_cluster_instance`).
public struct InstanceSettings: Encodable, Sendable, Equatable {
    /// `DBParameterGroupName`.
    public var dbParameterGroupName: String?
    /// `CACertificateIdentifier`, e.g. `rds-ca-rsa2048-g1`.
    public var caCertIdentifier: String?
    /// `PubliclyAccessible`; aurorad always sends it, `false` unless set (whatever the subnet group).
    public var publiclyAccessible: Bool?
    /// `AvailabilityZone` (per instance only).
    public var availabilityZone: String?
    /// `PromotionTier`, 0–15 (per instance only).
    public var promotionTier: Int?
    /// `AutoMinorVersionUpgrade`.
    public var autoMinorVersionUpgrade: Bool?
    /// `EnablePerformanceInsights`.
    public var performanceInsightsEnabled: Bool?
    /// `PerformanceInsightsRetentionPeriod`: 7, 731 or a multiple of 31 up to 731 days.
    public var performanceInsightsRetentionPeriod: Int?
    /// `PerformanceInsightsKMSKeyId`.
    public var performanceInsightsKmsKeyId: String?
    /// `MonitoringInterval` (Enhanced Monitoring), one of 0, 1, 5, 10, 15, 30, 60 seconds.
    public var monitoringInterval: Int?
    /// `MonitoringRoleArn`, required by RDS when `monitoringInterval` is above 0.
    public var monitoringRoleArn: String?

    /// Creates instance settings; every field defaults to "not set".
    public init(
        dbParameterGroupName: String? = nil, caCertIdentifier: String? = nil, publiclyAccessible: Bool? = nil,
        availabilityZone: String? = nil, promotionTier: Int? = nil, autoMinorVersionUpgrade: Bool? = nil,
        performanceInsightsEnabled: Bool? = nil, performanceInsightsRetentionPeriod: Int? = nil,
        performanceInsightsKmsKeyId: String? = nil, monitoringInterval: Int? = nil, monitoringRoleArn: String? = nil
    ) {
        self.dbParameterGroupName = dbParameterGroupName
        self.caCertIdentifier = caCertIdentifier
        self.publiclyAccessible = publiclyAccessible
        self.availabilityZone = availabilityZone
        self.promotionTier = promotionTier
        self.autoMinorVersionUpgrade = autoMinorVersionUpgrade
        self.performanceInsightsEnabled = performanceInsightsEnabled
        self.performanceInsightsRetentionPeriod = performanceInsightsRetentionPeriod
        self.performanceInsightsKmsKeyId = performanceInsightsKmsKeyId
        self.monitoringInterval = monitoringInterval
        self.monitoringRoleArn = monitoringRoleArn
    }

    /// These settings with each unset field taken from `defaults` (the module's `try(each.value.x, var.x)`).
    public func merged(over defaults: InstanceSettings) -> InstanceSettings {
        InstanceSettings(
            dbParameterGroupName: dbParameterGroupName ?? defaults.dbParameterGroupName,
            caCertIdentifier: caCertIdentifier ?? defaults.caCertIdentifier,
            publiclyAccessible: publiclyAccessible ?? defaults.publiclyAccessible,
            availabilityZone: availabilityZone ?? defaults.availabilityZone,
            promotionTier: promotionTier ?? defaults.promotionTier,
            autoMinorVersionUpgrade: autoMinorVersionUpgrade ?? defaults.autoMinorVersionUpgrade,
            performanceInsightsEnabled: performanceInsightsEnabled ?? defaults.performanceInsightsEnabled,
            performanceInsightsRetentionPeriod:
                performanceInsightsRetentionPeriod ?? defaults.performanceInsightsRetentionPeriod,
            performanceInsightsKmsKeyId: performanceInsightsKmsKeyId ?? defaults.performanceInsightsKmsKeyId,
            monitoringInterval: monitoringInterval ?? defaults.monitoringInterval,
            monitoringRoleArn: monitoringRoleArn ?? defaults.monitoringRoleArn)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dbParameterGroupName = "db_parameter_group_name"
        case caCertIdentifier = "ca_cert_identifier"
        case publiclyAccessible = "publicly_accessible"
        case availabilityZone = "availability_zone"
        case promotionTier = "promotion_tier"
        case autoMinorVersionUpgrade = "auto_minor_version_upgrade"
        case performanceInsightsEnabled = "performance_insights_enabled"
        case performanceInsightsRetentionPeriod = "performance_insights_retention_period"
        case performanceInsightsKmsKeyId = "performance_insights_kms_key_id"
        case monitoringInterval = "monitoring_interval"
        case monitoringRoleArn = "monitoring_role_arn"

        /// The keys the module also takes at the cluster level, as defaults for every instance.
        static let clusterDefaults = allCases.filter { $0 != .availabilityZone && $0 != .promotionTier }
    }
}

extension ClusterSettings {
    /// The settings that are set, as top-level JSON members.
    var jsonMembers: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        members[CodingKeys.dbClusterParameterGroupName.rawValue] = dbClusterParameterGroupName.map(JSONValue.string)
        members[CodingKeys.backupRetentionPeriod.rawValue] = backupRetentionPeriod.map(JSONValue.integer)
        members[CodingKeys.preferredBackupWindow.rawValue] = preferredBackupWindow.map(JSONValue.string)
        members[CodingKeys.preferredMaintenanceWindow.rawValue] = preferredMaintenanceWindow.map(JSONValue.string)
        members[CodingKeys.iamDatabaseAuthenticationEnabled.rawValue] =
            iamDatabaseAuthenticationEnabled.map(JSONValue.bool)
        members[CodingKeys.copyTagsToSnapshot.rawValue] = copyTagsToSnapshot.map(JSONValue.bool)
        members[CodingKeys.storageType.rawValue] = storageType.map(JSONValue.string)
        members[CodingKeys.networkType.rawValue] = networkType.map(JSONValue.string)
        members[CodingKeys.engineLifecycleSupport.rawValue] = engineLifecycleSupport.map(JSONValue.string)
        return members
    }
}

extension InstanceSettings {
    /// The settings that are set, as JSON members of an instance entry or the top level.
    var jsonMembers: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        members[CodingKeys.dbParameterGroupName.rawValue] = dbParameterGroupName.map(JSONValue.string)
        members[CodingKeys.caCertIdentifier.rawValue] = caCertIdentifier.map(JSONValue.string)
        members[CodingKeys.publiclyAccessible.rawValue] = publiclyAccessible.map(JSONValue.bool)
        members[CodingKeys.availabilityZone.rawValue] = availabilityZone.map(JSONValue.string)
        members[CodingKeys.promotionTier.rawValue] = promotionTier.map(JSONValue.integer)
        members[CodingKeys.autoMinorVersionUpgrade.rawValue] = autoMinorVersionUpgrade.map(JSONValue.bool)
        members[CodingKeys.performanceInsightsEnabled.rawValue] = performanceInsightsEnabled.map(JSONValue.bool)
        members[CodingKeys.performanceInsightsRetentionPeriod.rawValue] =
            performanceInsightsRetentionPeriod.map(JSONValue.integer)
        members[CodingKeys.performanceInsightsKmsKeyId.rawValue] = performanceInsightsKmsKeyId.map(JSONValue.string)
        members[CodingKeys.monitoringInterval.rawValue] = monitoringInterval.map(JSONValue.integer)
        members[CodingKeys.monitoringRoleArn.rawValue] = monitoringRoleArn.map(JSONValue.string)
        return members
    }
}

extension ClusterSettings {
    /// `field value` for each setting that is set, by field name, e.g. `backup_retention_period 7`.
    public var setFields: [String] { describe(jsonMembers) }
    /// The JSON names of the settings that are set, sorted.
    public var setFieldNames: [String] { jsonMembers.keys.sorted() }
    /// The JSON names of every setting.
    public static let fieldNames = CodingKeys.allCases.map(\.rawValue)
    /// The setting RDS takes only at the restore (ModifyDBCluster has no such member).
    public static let restoreOnlyField = CodingKeys.engineLifecycleSupport.rawValue
}

extension InstanceSettings {
    /// `field value` for each setting that is set, by field name, e.g. `promotion_tier 1`.
    public var setFields: [String] { describe(jsonMembers) }
    /// The JSON names of the settings that are set, sorted.
    public var setFieldNames: [String] { jsonMembers.keys.sorted() }
    /// The JSON names of every setting.
    public static let fieldNames = CodingKeys.allCases.map(\.rawValue)
    /// The setting RDS takes only at the create (ModifyDBInstance has no such member).
    public static let createOnlyField = CodingKeys.availabilityZone.rawValue
}

/// `key value` per member, sorted by key, with the value as JSON (strings quoted).
private func describe(_ members: [String: JSONValue]) -> [String] {
    members.sorted { $0.key < $1.key }.map { "\($0.key) \(String(decoding: $0.value.canonicalBytes(), as: UTF8.self))" }
}
