import Reconciler
import Testing

/// RDS status strings as the Aurora and RDS user guides list them, classified for polling.
@Suite("RDS cluster and instance statuses")
struct ResourceStatusTests {
    @Test(arguments: [
        ("available", StatusClass.available), ("creating", .pending), ("backing-up", .pending),
        ("modifying", .pending), ("migrating", .pending), ("resetting-master-credentials", .pending),
        ("migration-failed", .terminal), ("inaccessible-encryption-credentials", .terminal),
        ("incompatible-restore", .terminal), ("stopped", .unknown), ("storage-optimization", .unknown),
    ])
    func clusterStatuses(status: String, expected: StatusClass) {
        #expect(ResourceStatus.classifyCluster(status) == expected)
    }

    @Test(arguments: [
        ("available", StatusClass.available), ("creating", .pending), ("configuring-enhanced-monitoring", .pending),
        ("backing-up", .pending), ("deleting", .pending), ("stopped", .pending), ("failed", .terminal),
        ("incompatible-parameters", .terminal), ("storage-full", .terminal), ("insufficient-capacity", .terminal),
        ("inaccessible-encryption-credentials", .terminal), ("incompatible-network", .terminal),
    ])
    func instanceStatuses(status: String, expected: StatusClass) {
        #expect(ResourceStatus.classifyInstance(status) == expected)
    }
}
