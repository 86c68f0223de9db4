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

    /// Creates a set of changes.
    public init(
        deletionProtection: Bool? = nil, enableLogTypes: [String] = [], disableLogTypes: [String] = [],
        vpcSecurityGroupIds: [String]? = nil
    ) {
        self.deletionProtection = deletionProtection
        self.enableLogTypes = enableLogTypes
        self.disableLogTypes = disableLogTypes
        self.vpcSecurityGroupIds = vpcSecurityGroupIds
    }

    /// The changes that bring `cluster` to the settings the spec sets, and only those (field ownership): deletion
    /// protection when `deletionProtection` is non-nil, log exports (as a set) when `logExports` is non-nil, security
    /// groups (as a set) when `desiredSecurityGroups` is non-empty. A setting the spec leaves out stays as the
    /// operator has it.
    public static func needed(
        for cluster: ObservedCluster, deletionProtection: Bool?, logExports: [String]?, desiredSecurityGroups: [String]?
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
        return changes
    }

    /// Whether nothing would change.
    public var isEmpty: Bool {
        deletionProtection == nil && enableLogTypes.isEmpty && disableLogTypes.isEmpty && vpcSecurityGroupIds == nil
    }

    /// What changes, e.g. `deletion protection on; start exporting audit; stop exporting general`.
    public var description: String {
        var parts: [String] = []
        if let deletionProtection { parts.append("deletion protection \(deletionProtection ? "on" : "off")") }
        if !enableLogTypes.isEmpty { parts.append("start exporting \(enableLogTypes.joined(separator: ", ")) logs") }
        if !disableLogTypes.isEmpty { parts.append("stop exporting \(disableLogTypes.joined(separator: ", ")) logs") }
        if let groups = vpcSecurityGroupIds { parts.append("security groups \(groups.joined(separator: ", "))") }
        return parts.isEmpty ? "nothing" : parts.joined(separator: "; ")
    }
}
