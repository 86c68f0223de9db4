import ImportSpec

/// The cluster settings a ModifyDBCluster puts back to the spec; a nil or empty member changes nothing.
public struct ClusterChanges: Equatable, Sendable, CustomStringConvertible {
    /// DeletionProtection's new value.
    public var deletionProtection: Bool?
    /// Log types to start exporting (`CloudwatchLogsExportConfiguration.EnableLogTypes`), sorted.
    public var enableLogTypes: [String]
    /// Log types to stop exporting (`CloudwatchLogsExportConfiguration.DisableLogTypes`), sorted.
    public var disableLogTypes: [String]
    /// The complete new set of VPC security groups (`VpcSecurityGroupIds`), sorted.
    public var vpcSecurityGroupIds: [String]?
    /// The module's common settings that differ, with their new values (`engineLifecycleSupport` never: RDS sets
    /// it only at the restore).
    public var settings: ClusterSettings

    /// Creates a set of changes.
    public init(
        deletionProtection: Bool? = nil, enableLogTypes: [String] = [], disableLogTypes: [String] = [],
        vpcSecurityGroupIds: [String]? = nil, settings: ClusterSettings = ClusterSettings()
    ) {
        self.deletionProtection = deletionProtection
        self.enableLogTypes = enableLogTypes
        self.disableLogTypes = disableLogTypes
        self.vpcSecurityGroupIds = vpcSecurityGroupIds
        self.settings = settings
    }

    /// The changes that bring `cluster` to the settings the spec sets, and only those (field ownership): deletion
    /// protection when `deletionProtection` is non-nil, log exports (as a set) when `logExports` is non-nil, security
    /// groups (as a set) when `desiredSecurityGroups` is non-empty. A setting the spec leaves out stays as the
    /// operator has it.
    public static func needed(
        for cluster: ObservedCluster, deletionProtection: Bool?, logExports: [String]?,
        desiredSecurityGroups: [String]?, settings desired: ClusterSettings = ClusterSettings()
    ) -> ClusterChanges {
        var changes = ClusterChanges()
        if let logExports {
            let wanted = Set(logExports)
            let exported = Set(cluster.enabledCloudwatchLogsExports)
            changes.enableLogTypes = wanted.subtracting(exported).sorted()
            changes.disableLogTypes = exported.subtracting(wanted).sorted()
        }
        if let deletionProtection, cluster.deletionProtection != deletionProtection {
            changes.deletionProtection = deletionProtection
        }
        if let groups = desiredSecurityGroups, !groups.isEmpty, Set(groups) != Set(cluster.vpcSecurityGroupIds) {
            changes.vpcSecurityGroupIds = Set(groups).sorted()
        }
        changes.settings = settingsDrift(desired: desired, observed: cluster.settings)
        return changes
    }

    /// The desired settings that differ from the observed ones (a setting the spec leaves out never does). Windows
    /// compare case-insensitively: RDS answers `sun:05:00-sun:06:00` to `Sun:05:00-Sun:06:00`.
    static func settingsDrift(desired: ClusterSettings, observed: ClusterSettings) -> ClusterSettings {
        func differ<T: Equatable>(_ wanted: T?, _ actual: T?) -> T? {
            guard let wanted, wanted != actual else { return nil }
            return wanted
        }
        return ClusterSettings(
            dbClusterParameterGroupName:
                differ(desired.dbClusterParameterGroupName, observed.dbClusterParameterGroupName),
            backupRetentionPeriod: differ(desired.backupRetentionPeriod, observed.backupRetentionPeriod),
            preferredBackupWindow: differ(desired.preferredBackupWindow, observed.preferredBackupWindow),
            preferredMaintenanceWindow: differ(
                desired.preferredMaintenanceWindow?.lowercased(), observed.preferredMaintenanceWindow?.lowercased()),
            iamDatabaseAuthenticationEnabled:
                differ(desired.iamDatabaseAuthenticationEnabled, observed.iamDatabaseAuthenticationEnabled),
            copyTagsToSnapshot: differ(desired.copyTagsToSnapshot, observed.copyTagsToSnapshot),
            storageType: differ(desired.storageType, observed.storageType),
            networkType: differ(desired.networkType, observed.networkType))
    }

    /// Whether nothing would change.
    public var isEmpty: Bool {
        deletionProtection == nil && enableLogTypes.isEmpty && disableLogTypes.isEmpty && vpcSecurityGroupIds == nil
            && settings == ClusterSettings()
    }

    /// What changes, e.g. `deletion protection on; start exporting audit; stop exporting general`.
    public var description: String {
        var parts: [String] = []
        if let deletionProtection { parts.append("deletion protection \(deletionProtection ? "on" : "off")") }
        if !enableLogTypes.isEmpty { parts.append("start exporting \(enableLogTypes.joined(separator: ", ")) logs") }
        if !disableLogTypes.isEmpty { parts.append("stop exporting \(disableLogTypes.joined(separator: ", ")) logs") }
        if let groups = vpcSecurityGroupIds { parts.append("security groups \(groups.joined(separator: ", "))") }
        parts += settings.setFields
        return parts.isEmpty ? "nothing" : parts.joined(separator: "; ")
    }
}
