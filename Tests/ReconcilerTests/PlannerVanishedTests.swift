import Foundation
import ImportSpec
import Reconciler
import StatusModel
import Testing

@Suite("Planner: a cluster aurorad restored is gone")
struct PlannerVanishedTests {
    let spec = Fixture.spec()
    /// The cluster was last seen an hour before `Fixture.now`.
    let seen = ClusterHistory(lastSeen: Fixture.now.addingTimeInterval(-3600))
    let asked = ClusterHistory(lastSeen: Fixture.now.addingTimeInterval(-3600), restoreRequested: true)

    /// The managed role still there, cluster and instances gone, the backup verified.
    var vanished: ObservedState {
        var observed = Fixture.converged(spec)
        observed.cluster = nil
        observed.instances = []
        observed.backup = .verified(serverVersion: "5.7.12-log")
        return observed
    }

    @Test func goneClusterFailsTheSpecWithNoActionAndSaysWhenItWasSeenAndHowToRestore() {
        let plan = Fixture.plan(spec, vanished, history: seen)
        #expect(plan.steps.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.clusterRestored) == "ClusterVanished")
        #expect(plan.reason(.ready) == "ClusterVanished")
        let message = plan.condition(.ready)?.message ?? ""
        #expect(message.contains("last seen at 2023-11-14T21:13:20Z"), "\(message)")
        #expect(message.contains("is gone"))
        #expect(message.contains("aurorad ctl restore ex-s3-import"))
    }

    @Test func clusterBeingDeletedOutsideAuroradIsAVanishToo() {
        var observed = Fixture.converged(spec)
        observed.cluster?.status = "deleting"
        let plan = Fixture.plan(spec, observed, history: seen)
        #expect(plan.steps.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.condition(.ready)?.message.contains("is being deleted") == true)
    }

    @Test func aClusterNeverSeenIsRestoredAsUsual() {
        let plan = Fixture.plan(spec, vanished)
        #expect(plan.kinds == [[.restoreCluster]])
        #expect(plan.phase == .converging)
    }

    @Test func aRequestedRestoreRestoresTheGoneCluster() {
        let plan = Fixture.plan(spec, vanished, history: asked)
        #expect(plan.kinds == [[.restoreCluster]])
        #expect(plan.phase == .converging)
    }

    @Test func aRequestedRestoreWaitsForTheOldClusterToGo() {
        var observed = Fixture.converged(spec)
        observed.cluster?.status = "deleting"
        let plan = Fixture.plan(spec, observed, history: asked)
        #expect(plan.steps.isEmpty)
        #expect(plan.phase == .converging)
        #expect(plan.requeue == .poll)
        #expect(plan.reason(.clusterRestored) == "WaitingForOldCluster")
    }

    @Test func instancesAndTheRoleAreStillRecreatedWhenTheClusterIsThere() {
        var observed = Fixture.converged(spec)
        observed.instances.removeFirst()
        observed.role = nil
        let plan = Fixture.plan(spec, observed, history: seen)
        #expect(plan.actions.contains { $0.kind == .createRole })
        var withRole = Fixture.converged(spec)
        withRole.instances.removeFirst()
        #expect(Fixture.plan(spec, withRole, history: seen).kinds == [[.createInstance]])
    }

    @Test func deletingAVanishedSpecRemovesTheRoleAndTheSpec() {
        let plan = Fixture.plan(spec, vanished, deleting: true, history: seen)
        #expect(plan.kinds == [[.deleteRolePolicy], [.deleteRole], [.removeSpec]])
    }

    @Test func theProjectionStopsAtTheVanishUntilARestoreIsRequested() {
        let waiting = Planner.project(desired: spec, observed: vanished, now: Fixture.now, history: seen)
        #expect(waiting.steps.isEmpty)
        #expect(waiting.end == .failed)
        #expect(waiting.finalMessage.contains("aurorad ctl restore ex-s3-import"))
        let restoring = Planner.project(desired: spec, observed: vanished, now: Fixture.now, history: asked)
        #expect(restoring.end == .converged)
        #expect(restoring.steps.first?.map(\.kind) == [.restoreCluster])
    }

    @Test(arguments: [
        ("absent", Int64?.some(1), false, nil as String?),
        ("deleting", 1, false, nil),
        ("available", 1, false, "exists (status available)"),
        ("absent", nil, false, "has not been restored yet"),
        ("absent", 1, true, "is being deleted"),
    ])
    func restoreIsRefusedUnlessTheClusterVanished(
        clusterStatus: String, lastSeen: Int64?, deleting: Bool, refusal: String?
    ) {
        let status = SpecStatus(
            name: "ex", generation: 1, observedGeneration: 1, phase: .failed,
            cluster: ClusterFacts(
                identifier: "ex", status: clusterStatus, lastSeen: lastSeen.map { Timestamp(secondsSince1970: $0) }),
            deletionRequested: deleting, updatedAt: Timestamp(secondsSince1970: 2))
        let answer = ClusterHistory.restoreRefusal(status: status)
        if let refusal {
            #expect(answer?.contains(refusal) == true, "\(answer ?? "nil")")
            #expect(answer?.contains("nothing was changed") == true)
        } else {
            #expect(answer == nil)
        }
    }
}
