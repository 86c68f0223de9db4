import Foundation
import StatusModel

/// The kinds of conditions, one per step of the import plus the summary `Ready`; raw values are the `type` of the
/// Store's `Condition`.
public enum ConditionType: String, Equatable, Sendable, CaseIterable {
    /// The ingestion role exists with the right trust policy.
    case roleReady = "RoleReady"
    /// The ingestion role grants RDS read access to the backup.
    case policyReady = "PolicyReady"
    /// The backup passed the preflight.
    case backupVerified = "BackupVerified"
    /// The security group aurorad owns exists with the spec's rules (true at once for a spec without `vpc_id`).
    case securityGroupReady = "SecurityGroupReady"
    /// The Enhanced Monitoring role aurorad owns exists, trusts RDS monitoring and has its policy attached (true at
    /// once for a spec that needs none).
    case monitoringRoleReady = "MonitoringRoleReady"
    /// The cluster has been restored from the backup.
    case clusterRestored = "ClusterRestored"
    /// Every role association is ACTIVE.
    case roleAssociated = "RoleAssociated"
    /// Every instance exists and is available.
    case instancesReady = "InstancesReady"
    /// Everything above is true.
    case ready = "Ready"
}

extension Condition {
    /// Creates a condition of a known step type, stamped at `time` (whole seconds, as the store keeps them).
    public init(type: ConditionType, status: ConditionStatus, reason: String, message: String, at time: Date) {
        self.init(
            type: type.rawValue, status: status, reason: reason, message: message,
            lastTransitionTime: Timestamp(time))
    }
}

/// When to reconcile the spec again, as a hint to the controller.
public enum Requeue: Equatable, Sendable {
    /// Right away: the plan only asked for a read (the backup preflight) whose result the next plan needs.
    case immediately
    /// After the poll interval: AWS is working, or actions were just issued.
    case poll
    /// After the resync interval: converged, or failed in a way only the operator can fix.
    case resync
    /// Never: the spec is gone.
    case none
}
