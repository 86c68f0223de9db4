import Foundation
import ImportSpec
import Reconciler
import Testing

@Suite("Planner: deleting a spec")
struct PlannerDeleteTests {
    let spec = Fixture.spec()
    var roleName: String { ManagedResources.roleName(forSpec: spec.name) }

    @Test func instancesAreDeletedFirstTogether() {
        let plan = Fixture.plan(spec, Fixture.converged(spec), deleting: true)
        #expect(
            plan.steps == [
                [.deleteInstance(identifier: "ex-s3-import-1"), .deleteInstance(identifier: "ex-s3-import-2")]
            ])
        #expect(plan.phase == .deleting)
        #expect(plan.requeue == .poll)
        #expect(plan.reason(.ready) == "DeletingInstances")
        #expect(plan.conditions.map(\.type) == [ConditionType.ready.rawValue])
    }

    @Test func instancesAlreadyDeletingAreAwaited() {
        var observed = Fixture.converged(spec)
        observed.instances[0].status = "deleting"
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(
            plan.steps == [
                [.deleteInstance(identifier: "ex-s3-import-2")], [.waitForInstances(identifiers: ["ex-s3-import-1"])],
            ])
    }

    @Test func clusterIsDeletedWithAFinalSnapshotNamedAfterTheSpecAndUTCTime() {
        var observed = Fixture.converged(spec)
        observed.instances = []
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(
            plan.actions == [
                .deleteCluster(identifier: "ex-s3-import", finalSnapshotIdentifier: "ex-s3-import-final-20231114221320")
            ])
        #expect(plan.phase == .deleting)
    }

    @Test func skipFinalSnapshotDeletesWithoutOne() {
        let custom = Fixture.spec(skipFinalSnapshot: true)
        var observed = Fixture.converged(custom)
        observed.instances = []
        let plan = Fixture.plan(custom, observed, deleting: true)
        #expect(plan.actions == [.deleteCluster(identifier: "ex-s3-import", finalSnapshotIdentifier: nil)])
    }

    @Test func deletionProtectionStopsEverythingAndSaysHowToLiftIt() {
        var observed = Fixture.converged(spec)
        observed.cluster?.deletionProtection = true
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .deleting)
        #expect(plan.reason(.ready) == "DeletionProtected")
        #expect(plan.condition(.ready)?.message.contains("--no-deletion-protection") == true)
        #expect(plan.requeue == .poll)
    }

    @Test func clusterBeingDeletedIsAwaited() {
        var observed = Fixture.converged(spec)
        observed.instances = []
        observed.cluster?.status = "deleting"
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(plan.actions == [.waitForCluster(identifier: "ex-s3-import", status: "deleting")])
    }

    @Test func ownedManagedRoleGoesPolicyFirstThenRoleThenTheSpec() {
        var observed = Fixture.converged(spec)
        observed.cluster = nil
        observed.instances = []
        observed.role?.inlinePolicies["added-by-hand"] = ManagedResources.trustPolicy()
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(
            plan.steps == [
                [
                    .deleteRolePolicy(roleName: roleName, policyName: "added-by-hand"),
                    .deleteRolePolicy(roleName: roleName, policyName: "aurorad-s3-import"),
                ],
                [.deleteRole(roleName: roleName)],
                [.removeSpec(name: "ex-s3-import")],
            ])
        // The role still has to go after this step: the spec is looked at again, not dropped from the queue.
        #expect(plan.requeue == .poll)
    }

    @Test func foreignRoleWithoutOwnershipTagsIsNeverDeleted() {
        var observed = Fixture.converged(spec)
        observed.cluster = nil
        observed.instances = []
        observed.role?.tags = ["Environment": "dev"]
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(plan.actions == [.removeSpec(name: "ex-s3-import")])
        #expect(plan.condition(.ready)?.message.contains("IAM role \(roleName)") == true)
    }

    @Test func roleTaggedForAnotherSpecIsNeverDeleted() {
        var observed = Fixture.converged(spec)
        observed.cluster = nil
        observed.instances = []
        observed.role?.tags["aurorad:spec"] = "some-other-spec"
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(!plan.actions.contains { $0.kind == .deleteRole || $0.kind == .deleteRolePolicy })
    }

    @Test func givenIngestionRoleIsNeverDeleted() {
        let custom = Fixture.spec(ingestionRole: Fixture.roleArn("existing"))
        var role = Fixture.managedRole(for: custom)
        role.name = "existing"
        role.arn = Fixture.roleArn("existing")
        let observed = ObservedState(region: Fixture.region, role: role)
        let plan = Fixture.plan(custom, observed, deleting: true)
        #expect(plan.actions == [.removeSpec(name: "ex-s3-import")])
    }

    @Test func foreignClusterIsLeftInPlace() {
        var observed = Fixture.converged(spec)
        observed.cluster?.tags = [:]
        observed.role = nil
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(plan.actions == [.removeSpec(name: "ex-s3-import")])
        #expect(plan.condition(.ready)?.message.contains("cluster ex-s3-import") == true)
    }

    @Test func nothingLeftRemovesTheSpec() {
        let plan = Fixture.plan(spec, ObservedState(region: Fixture.region), deleting: true)
        #expect(plan.actions == [.removeSpec(name: "ex-s3-import")])
        #expect(plan.phase == .deleting)
        #expect(plan.requeue == .none)
    }

    @Test func errorsNeverStopADeleteAndAreShown() {
        var observed = Fixture.converged(spec)
        observed.instances = []
        let error = ReconcileError(action: .deleteCluster, code: "AccessDenied", message: "not authorized")
        let failure = ActionFailure(generation: 1, error: error, firstOccurred: Fixture.now)
        let plan = Fixture.plan(spec, observed, deleting: true, lastFailure: failure)
        #expect(plan.kinds == [[.deleteCluster]])
        #expect(plan.condition(.ready)?.message.contains("DeleteDBCluster failed with AccessDenied") == true)
    }

    @Test func fullDeleteWalkthroughEndsWithTheSpecRemoved() {
        // Simulates each pass as SpecReconciler runs it: only the first step group is carried out and succeeds, the
        // observation loses what it deleted, and the spec is looked at again unless the plan says it is finished.
        var observed = Fixture.converged(spec)
        var seen: [[ActionKind]] = []
        var requeues: [Requeue] = []
        for _ in 0..<8 {
            let plan = Fixture.plan(spec, observed, deleting: true)
            let group = plan.steps.first ?? []
            seen.append(group.map(\.kind))
            requeues.append(plan.requeue)
            for action in group {
                switch action {
                case .deleteInstance(let id): observed.instances.removeAll { $0.identifier == id }
                case .deleteCluster: observed.cluster = nil
                case .deleteRolePolicy(_, let name): observed.role?.inlinePolicies[name] = nil
                case .deleteRole: observed.role = nil
                default: break
                }
            }
            if plan.requeue == .none { break }
        }
        #expect(
            seen == [
                [.deleteInstance, .deleteInstance], [.deleteCluster], [.deleteRolePolicy], [.deleteRole], [.removeSpec],
            ])
        #expect(requeues == [.poll, .poll, .poll, .poll, .none])
    }

    /// A reader someone added by hand to the cluster: no aurorad tags.
    var handMade: ObservedInstance {
        ObservedInstance(
            identifier: "ex-reader", status: "available", instanceClass: "db.r8g.large",
            clusterIdentifier: spec.name, tags: ["team": "data"])
    }

    @Test func instancesWithoutTheSpecsTagsAreNeverDeletedAndAreNamed() {
        var observed = Fixture.converged(spec)
        observed.instances.append(handMade)
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(
            plan.steps == [
                [.deleteInstance(identifier: "ex-s3-import-1"), .deleteInstance(identifier: "ex-s3-import-2")]
            ])
        #expect(plan.condition(.ready)?.message.contains("ex-reader") == true)
        #expect(plan.leftInPlace == ["instance ex-reader (not tagged aurorad:spec=ex-s3-import)"])
    }

    @Test func anInstanceTaggedForAnotherSpecIsNotOwned() {
        var observed = Fixture.converged(spec)
        observed.instances[1].tags[ManagedResources.specTagKey] = "other"
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(plan.steps == [[.deleteInstance(identifier: "ex-s3-import-1")]])
    }

    @Test func onlyForeignInstancesLeftMakesTheDeleteWaitAndSayWhatToDo() {
        var observed = Fixture.converged(spec)
        observed.instances = [handMade]
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(plan.steps.isEmpty)
        #expect(plan.phase == .deleting)
        #expect(plan.requeue == .poll)
        #expect(plan.reason(.ready) == "ForeignInstances")
        let message = plan.condition(.ready)?.message ?? ""
        #expect(message.contains("aws rds delete-db-instance --db-instance-identifier ex-reader"), "\(message)")
        #expect(message.contains("goes on on its own"))
        observed.instances = []
        #expect(Fixture.plan(spec, observed, deleting: true).kinds == [[.deleteCluster]])
    }

    @Test func theDeletionProjectionListsWhatIsDestroyedAndWhatIsLeft() {
        let whole = Planner.project(desired: spec, observed: Fixture.converged(spec), deleting: true, now: Fixture.now)
        #expect(whole.end == .converged)
        #expect(
            whole.steps.map { $0.map(\.kind) } == [
                [.deleteInstance, .deleteInstance], [.deleteCluster], [.deleteRolePolicy], [.deleteRole], [.removeSpec],
            ])
        #expect(whole.leftInPlace.isEmpty)
        var observed = Fixture.converged(spec)
        observed.instances.append(handMade)
        let blocked = Planner.project(desired: spec, observed: observed, deleting: true, now: Fixture.now)
        #expect(blocked.steps.map { $0.map(\.kind) } == [[.deleteInstance, .deleteInstance]])
        #expect(blocked.end == .stalled)
        #expect(blocked.finalMessage.contains("ex-reader"))
        #expect(blocked.leftInPlace == ["instance ex-reader (not tagged aurorad:spec=ex-s3-import)"])
    }
}
