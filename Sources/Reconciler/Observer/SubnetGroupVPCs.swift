import Foundation
import Synchronization

/// The VPC of each DB subnet group, kept for a while: a cluster's subnet group and the group's VPC change rarely (a
/// move to another VPC is an operator's project), so the `vpc_id` guard asks DescribeDBSubnetGroups once per group
/// and `maxAge`, not at every reconcile of every spec that names a VPC.
final class SubnetGroupVPCs: Sendable {
    private struct Entry {
        var vpcId: String?
        var read: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let maxAge: TimeInterval

    /// A cache whose answers serve for `maxAge` seconds.
    init(maxAge: TimeInterval = 600) {
        self.maxAge = maxAge
    }

    /// The VPC of `subnetGroup`, from the cache or `fetch` (whose answer is then kept); two reconciles asking at
    /// once may both fetch.
    func vpcId(
        of subnetGroup: String, now: Date = Date(), fetch: () throws(ObservationError) -> String?
    ) throws(ObservationError) -> String? {
        let key = subnetGroup.lowercased()
        if let kept = entries.withLock({ $0[key] }), now.timeIntervalSince(kept.read) < maxAge { return kept.vpcId }
        let vpcId = try fetch()
        entries.withLock { $0[key] = Entry(vpcId: vpcId, read: now) }
        return vpcId
    }
}
