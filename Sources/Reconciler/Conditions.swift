import Foundation

/// The phase of a spec, as in the status contract (raw values are what `ctl status --json` shows).
public enum Phase: String, Equatable, Sendable, CaseIterable {
    /// Nothing of the spec exists in AWS yet.
    case pending = "Pending"
    /// aurorad is creating or repairing resources, or waiting for AWS.
    case converging = "Converging"
    /// Everything exists and is available.
    case ready = "Ready"
    /// The operator must act; the message of the failing condition says how.
    case failed = "Failed"
    /// The spec is being deleted.
    case deleting = "Deleting"
}

/// The kinds of conditions, one per step of the import plus the summary `Ready`.
public enum ConditionType: String, Equatable, Sendable, CaseIterable {
    /// The ingestion role exists with the right trust policy.
    case roleReady = "RoleReady"
    /// The ingestion role grants RDS read access to the backup.
    case policyReady = "PolicyReady"
    /// The backup passed the preflight.
    case backupVerified = "BackupVerified"
    /// The cluster has been restored from the backup.
    case clusterRestored = "ClusterRestored"
    /// Every role association is ACTIVE.
    case roleAssociated = "RoleAssociated"
    /// Every instance exists and is available.
    case instancesReady = "InstancesReady"
    /// Everything above is true.
    case ready = "Ready"
}

/// Whether a condition holds.
public enum ConditionStatus: String, Equatable, Sendable {
    /// It holds.
    case `true` = "True"
    /// It does not hold.
    case `false` = "False"
    /// It cannot be told yet.
    case unknown = "Unknown"
}

/// One condition of a spec's status: a step, whether it holds, why (CamelCase) and a sentence for the operator.
public struct Condition: Equatable, Sendable {
    /// The step this condition describes.
    public var type: ConditionType
    /// Whether it holds.
    public var status: ConditionStatus
    /// A CamelCase reason, stable for scripts.
    public var reason: String
    /// A sentence for the operator.
    public var message: String
    /// When `status` last changed.
    public var lastTransitionTime: Date

    /// Creates a condition.
    public init(type: ConditionType, status: ConditionStatus, reason: String, message: String, at time: Date) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = time
    }

    /// Merges freshly computed conditions into the previous ones: a condition whose status did not change keeps its
    /// earlier transition time, and types not recomputed this time are kept as they were.
    public static func merge(previous: [Condition], current: [Condition]) -> [Condition] {
        var merged = previous.filter { old in !current.contains { $0.type == old.type } }
        for var condition in current {
            if let old = previous.first(where: { $0.type == condition.type }), old.status == condition.status {
                condition.lastTransitionTime = old.lastTransitionTime
            }
            merged.append(condition)
        }
        let order = ConditionType.allCases
        return merged.sorted { order.firstIndex(of: $0.type)! < order.firstIndex(of: $1.type)! }
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
