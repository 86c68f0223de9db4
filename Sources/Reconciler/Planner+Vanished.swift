import Foundation
import ImportSpec
import StatusModel

extension PlanDraft {
    /// Handles a cluster aurorad restored before (see `ClusterHistory`) that is now gone or being deleted outside
    /// aurorad: the spec fails with no AWS write, since restoring the backup again could bring back stale data under
    /// the same endpoint, unless the operator asked for it with `aurorad ctl restore`. Returns true when the plan
    /// ends here; false lets convergence go on (the cluster is there, was never seen, or a restore was asked for).
    mutating func planVanishedCluster() -> Bool {
        guard let lastSeen = history.lastSeen else { return false }
        let going = observed.cluster.map { $0.status == "deleting" } ?? true
        guard going else { return false }
        let identifier = observed.cluster?.identifier ?? spec.name
        let when = Timestamp(lastSeen).description
        if history.restoreRequested {
            guard observed.cluster != nil else { return false }
            set(
                .clusterRestored, .false, "WaitingForOldCluster",
                "Cluster \(identifier) is being deleted; the restore asked for with `aurorad ctl restore` starts "
                    + "once it is gone.")
            return true
        }
        let state = observed.cluster == nil ? "is gone" : "is being deleted"
        let s3 = spec.s3Import
        block(
            .clusterRestored, reason: "ClusterVanished",
            message: "Cluster \(identifier), restored by aurorad and last seen at \(when), \(state) (deleted "
                + "outside aurorad); aurorad does not restore it again on its own, as the backup in "
                + "s3://\(s3.bucketName)/\(s3.bucketPrefix ?? "") may be older than the data that was lost. "
                + "To restore it from that backup run `aurorad ctl restore \(spec.name)`; to forget the spec run "
                + "`aurorad ctl delete \(spec.name)`.")
        return true
    }
}
