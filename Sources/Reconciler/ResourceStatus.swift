/// How the reconciler treats an RDS status string.
public enum StatusClass: Equatable, Sendable {
    /// Work in progress: poll.
    case pending
    /// The target status.
    case available
    /// Nothing will change without the operator: phase Failed.
    case terminal
    /// A status aurorad does not know: treated as pending (the caller logs it once).
    case unknown
}

/// The status sets of DESIGN.md ("Cluster statuses") and their instance counterparts.
public enum ResourceStatus {
    /// Cluster statuses that end in `available` without help.
    public static let clusterPending: Set<String> = [
        "creating", "backing-up", "migrating", "modifying", "preparing-data-migration", "rebooting",
        "resetting-master-credentials",
    ]
    /// Cluster statuses that need the operator. Terraform stops its wait on these with an "unexpected state" error
    /// (terraform-provider-aws #14275); aurorad names the status and the latest RDS event instead.
    public static let clusterTerminal: Set<String> = [
        "migration-failed", "failed", "inaccessible-encryption-credentials", "incompatible-network",
        "incompatible-restore",
    ]
    /// Instance statuses that need the operator (RDS User Guide, "Viewing Amazon RDS DB instance status";
    /// `insufficient-capacity`: no capacity for the class, delete and recreate later or pick another class).
    public static let instanceTerminal: Set<String> = [
        "failed", "incompatible-network", "incompatible-option-group", "incompatible-parameters",
        "incompatible-restore", "inaccessible-encryption-credentials", "insufficient-capacity", "restore-error",
        "storage-full",
    ]
    /// Cluster statuses during which the initial restore is still running (ClusterRestored is not yet true).
    public static let clusterRestoring: Set<String> = ["creating", "migrating", "preparing-data-migration"]

    /// Classifies a cluster status.
    public static func classifyCluster(_ status: String) -> StatusClass {
        if status == "available" { return .available }
        if clusterPending.contains(status) { return .pending }
        if clusterTerminal.contains(status) { return .terminal }
        return .unknown
    }

    /// Classifies an instance status; every status that is neither available nor terminal is work in progress.
    public static func classifyInstance(_ status: String) -> StatusClass {
        if status == "available" { return .available }
        if instanceTerminal.contains(status) { return .terminal }
        return .pending
    }
}
