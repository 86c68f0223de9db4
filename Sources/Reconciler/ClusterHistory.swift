import Foundation
import StatusModel

/// What aurorad remembers about the spec's cluster beyond one observation, from the store: whether it ever saw the
/// cluster it restored, and whether the operator asked to restore it again. The planner's only input not from AWS.
///
/// aurorad never re-creates data on its own: a cluster seen before and now gone (or being deleted by someone else)
/// is restored again only after `aurorad ctl restore NAME` (`restoreRequested`).
public struct ClusterHistory: Equatable, Sendable {
    /// When aurorad last observed the cluster it restored (the status's `cluster.lastSeen`); nil: never seen.
    public var lastSeen: Date?
    /// Whether the operator asked to restore the cluster again and that restore has not been observed yet.
    public var restoreRequested: Bool

    /// Creates a history; the default is a cluster never seen and no restore requested.
    public init(lastSeen: Date? = nil, restoreRequested: Bool = false) {
        self.lastSeen = lastSeen
        self.restoreRequested = restoreRequested
    }
}

extension ClusterHistory {
    /// Why `aurorad ctl restore` must be refused for a spec with `status`, as a sentence saying what to do; nil
    /// when the cluster aurorad restored was seen and is now gone or being deleted, so a restore may be asked for.
    public static func restoreRefusal(status: SpecStatus) -> String? {
        let cluster = status.cluster
        if status.deletionRequested {
            return "Spec \(status.name) is being deleted, so its cluster is not restored; nothing was changed. "
                + "Submit the spec again once the delete finishes to restore it."
        }
        guard cluster.lastSeen != nil else {
            return "Cluster \(cluster.identifier) has not been restored yet; aurorad restores it on its own as the "
                + "spec converges (`aurorad ctl status \(status.name)` follows it); nothing was changed."
        }
        guard cluster.status == StatusRecorder.clusterAbsentStatus || cluster.status == "deleting" else {
            return "Cluster \(cluster.identifier) exists (status \(cluster.status)); `aurorad ctl restore` only "
                + "restores a cluster that vanished after aurorad restored it; nothing was changed."
        }
        return nil
    }
}
