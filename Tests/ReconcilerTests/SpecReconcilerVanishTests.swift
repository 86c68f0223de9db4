import Foundation
import ImportSpec
import Reconciler
import StatusModel
import TestSupport
import Testing

@Suite("SpecReconciler: a vanished cluster waits for `ctl restore`")
struct SpecReconcilerVanishTests {
    @Test func vanishedClusterFailsWithoutAWriteUntilARestoreIsRequestedAndThenConsumesTheRequest() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            try harness.reconcile(harness.reconciler(), until: .ready)
            let seen = try #require(try harness.status.cluster.lastSeen)
            #expect(seen == Timestamp(harness.clock.function()))

            harness.aws.world.withLock {
                $0.observed.cluster = nil
                $0.observed.instances = []
            }
            let writes = harness.aws.executed.count
            // A restart in between: the last-seen time comes from the store, not from memory.
            harness.clock.advance(seconds: 60)
            _ = harness.reconciler().reconcile(name: harness.spec.name)
            let failed = try harness.status
            #expect(failed.phase == .failed)
            #expect(failed.conditions.first { $0.type == "ClusterRestored" }?.reason == "ClusterVanished")
            #expect(failed.cluster.lastSeen == seen, "the last-seen time is kept while the cluster is gone")
            #expect(failed.message?.contains("last seen at \(seen)") == true, "\(failed.message ?? "")")
            harness.clock.advance(seconds: 60)
            _ = harness.reconciler().reconcile(name: harness.spec.name)
            #expect(harness.aws.executed.count == writes, "a vanished cluster must cause no AWS write")

            let requested = try #require(try harness.store.requestRestore(name: harness.spec.name))
            #expect(requested.restoreRequestedAt != nil)
            #expect(try harness.status.restoreRequestedAt == requested.restoreRequestedAt)
            try harness.reconcile(harness.reconciler(), until: .ready)
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 2)
            #expect(try harness.store.spec(named: harness.spec.name)?.restoreRequestedAt == nil)
            #expect(try harness.status.restoreRequestedAt == nil)
        }
    }

    @Test func aCrashBetweenTheRequestedRestoreAndTheStatusWriteIsNotTakenForAVanish() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            try harness.reconcile(harness.reconciler(), until: .ready)
            harness.aws.world.withLock {
                $0.observed.cluster = nil
                $0.observed.instances = []
            }
            _ = harness.reconciler().reconcile(name: harness.spec.name)
            let vanished = try harness.status
            _ = try harness.store.requestRestore(name: harness.spec.name)
            // Reconcile until the restore call is made, then lose the status written since (kill -9 before the write).
            for _ in 0..<5 where !harness.aws.executed.suffix(1).contains(.restoreCluster) {
                harness.clock.advance(seconds: 5)
                _ = harness.reconciler().reconcile(name: harness.spec.name)
            }
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 2)
            try harness.store.writeStatus(vanished)

            harness.clock.advance(seconds: 5)
            _ = harness.reconciler().reconcile(name: harness.spec.name)
            #expect(try harness.status.phase != .failed)
            try harness.reconcile(harness.reconciler(), until: .ready)
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 2)
        }
    }

    @Test func aForgottenSpecIsNotReconciled() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            try harness.store.remove(name: harness.spec.name)
            let outcome = harness.reconciler().reconcile(name: harness.spec.name)
            guard case .done = outcome else {
                Issue.record("a forgotten spec must not be requeued: \(outcome)")
                return
            }
            #expect(harness.aws.executed.isEmpty)
        }
    }
}
