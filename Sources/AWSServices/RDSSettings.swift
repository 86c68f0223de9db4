import AWSCore

/// Cluster settings that RestoreDBClusterFromS3 and ModifyDBCluster both take, under the same member names
/// (botocore rds `RestoreDBClusterFromS3Message`, `ModifyDBClusterMessage`); nil members are not sent.
public struct RDSClusterSettings: Sendable, Equatable {
    /// `DBClusterParameterGroupName`.
    public var dbClusterParameterGroupName: String?
    /// `BackupRetentionPeriod`.
    public var backupRetentionPeriod: Int?
    /// `PreferredBackupWindow`.
    public var preferredBackupWindow: String?
    /// `PreferredMaintenanceWindow`.
    public var preferredMaintenanceWindow: String?
    /// `EnableIAMDatabaseAuthentication`.
    public var enableIAMDatabaseAuthentication: Bool?
    /// `CopyTagsToSnapshot`.
    public var copyTagsToSnapshot: Bool?
    /// `StorageType`.
    public var storageType: String?
    /// `NetworkType`.
    public var networkType: String?
    /// `EngineLifecycleSupport`: RestoreDBClusterFromS3 only (ModifyDBCluster has no such member).
    public var engineLifecycleSupport: String?

    /// Creates settings; nil members are not sent.
    public init(
        dbClusterParameterGroupName: String? = nil, backupRetentionPeriod: Int? = nil,
        preferredBackupWindow: String? = nil, preferredMaintenanceWindow: String? = nil,
        enableIAMDatabaseAuthentication: Bool? = nil, copyTagsToSnapshot: Bool? = nil, storageType: String? = nil,
        networkType: String? = nil, engineLifecycleSupport: String? = nil
    ) {
        self.dbClusterParameterGroupName = dbClusterParameterGroupName
        self.backupRetentionPeriod = backupRetentionPeriod
        self.preferredBackupWindow = preferredBackupWindow
        self.preferredMaintenanceWindow = preferredMaintenanceWindow
        self.enableIAMDatabaseAuthentication = enableIAMDatabaseAuthentication
        self.copyTagsToSnapshot = copyTagsToSnapshot
        self.storageType = storageType
        self.networkType = networkType
        self.engineLifecycleSupport = engineLifecycleSupport
    }

    /// Writes the members both calls share (not `EngineLifecycleSupport`, which only the restore takes).
    func encode(into params: inout QueryEncoding) {
        params.add("BackupRetentionPeriod", backupRetentionPeriod)
        params.add("DBClusterParameterGroupName", dbClusterParameterGroupName)
        params.add("PreferredBackupWindow", preferredBackupWindow)
        params.add("PreferredMaintenanceWindow", preferredMaintenanceWindow)
        params.add("EnableIAMDatabaseAuthentication", enableIAMDatabaseAuthentication)
        params.add("CopyTagsToSnapshot", copyTagsToSnapshot)
        params.add("StorageType", storageType)
        params.add("NetworkType", networkType)
    }
}

/// Instance settings that CreateDBInstance and ModifyDBInstance both take, under the same member names (botocore
/// rds `CreateDBInstanceMessage`, `ModifyDBInstanceMessage`); nil members are not sent.
public struct RDSInstanceSettings: Sendable, Equatable {
    /// `DBParameterGroupName`.
    public var dbParameterGroupName: String?
    /// `AutoMinorVersionUpgrade`.
    public var autoMinorVersionUpgrade: Bool?
    /// `MonitoringInterval`.
    public var monitoringInterval: Int?
    /// `MonitoringRoleArn`.
    public var monitoringRoleArn: String?
    /// `EnablePerformanceInsights`.
    public var enablePerformanceInsights: Bool?
    /// `PerformanceInsightsKMSKeyId`.
    public var performanceInsightsKMSKeyId: String?
    /// `PerformanceInsightsRetentionPeriod`.
    public var performanceInsightsRetentionPeriod: Int?
    /// `CACertificateIdentifier`.
    public var caCertificateIdentifier: String?

    /// Creates settings; nil members are not sent.
    public init(
        dbParameterGroupName: String? = nil, autoMinorVersionUpgrade: Bool? = nil, monitoringInterval: Int? = nil,
        monitoringRoleArn: String? = nil, enablePerformanceInsights: Bool? = nil,
        performanceInsightsKMSKeyId: String? = nil, performanceInsightsRetentionPeriod: Int? = nil,
        caCertificateIdentifier: String? = nil
    ) {
        self.dbParameterGroupName = dbParameterGroupName
        self.autoMinorVersionUpgrade = autoMinorVersionUpgrade
        self.monitoringInterval = monitoringInterval
        self.monitoringRoleArn = monitoringRoleArn
        self.enablePerformanceInsights = enablePerformanceInsights
        self.performanceInsightsKMSKeyId = performanceInsightsKMSKeyId
        self.performanceInsightsRetentionPeriod = performanceInsightsRetentionPeriod
        self.caCertificateIdentifier = caCertificateIdentifier
    }

    /// Writes the members both calls share.
    func encode(into params: inout QueryEncoding) {
        params.add("DBParameterGroupName", dbParameterGroupName)
        params.add("AutoMinorVersionUpgrade", autoMinorVersionUpgrade)
        params.add("MonitoringInterval", monitoringInterval)
        params.add("MonitoringRoleArn", monitoringRoleArn)
        params.add("EnablePerformanceInsights", enablePerformanceInsights)
        params.add("PerformanceInsightsKMSKeyId", performanceInsightsKMSKeyId)
        params.add("PerformanceInsightsRetentionPeriod", performanceInsightsRetentionPeriod)
        params.add("CACertificateIdentifier", caCertificateIdentifier)
    }
}
