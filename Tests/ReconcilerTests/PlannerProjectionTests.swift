import Foundation
import ImportSpec
import Reconciler
import StatusModel
import Testing

@Suite("Planner: projecting the whole sequence of actions (ctl plan)")
struct PlannerProjectionTests {
    let spec = Fixture.spec()
    var roleName: String { ManagedResources.roleName(forSpec: spec.name) }

    func project(_ spec: ImportSpec, _ observed: ObservedState, deleting: Bool = false, rounds: Int = 12)
        -> PlanProjection
    {
        Planner.project(desired: spec, observed: observed, deleting: deleting, now: Fixture.now, rounds: rounds)
    }

    /// One row of the table: a spec, what AWS holds now, and the projection expected from it.
    struct Row: CustomTestStringConvertible, Sendable {
        let name: String
        let spec: ImportSpec
        let observed: ObservedState
        let deleting: Bool
        let kinds: [[ActionKind]]
        let nowGroups: Int
        let end: PlanProjection.End
        let phase: Phase
        var testDescription: String { name }
    }

    static let rows: [Row] = {
        let spec = Fixture.spec()
        let given = "arn:aws:iam::123456789012:role/existing"
        let givenSpec = Fixture.spec(ingestionRole: given)
        var givenObserved = Fixture.verifiedNothing()
        givenObserved.role = ObservedRole(
            name: "existing", arn: given, trustPolicy: ManagedResources.trustPolicy(),
            inlinePolicies: ["s3": ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")])
        var failed = ObservedState(region: Fixture.region)
        failed.backup = .failed("The backup is not prepared: run xtrabackup --prepare, then upload it again.")
        var noInstances = Fixture.converged(spec)
        noInstances.instances = []
        var creating = Fixture.converged(spec)
        creating.cluster = Fixture.cluster(for: spec, status: "creating", associations: [])
        creating.instances = []
        var roleGone = Fixture.converged(spec)
        roleGone.role = nil
        var invalid = Fixture.converged(spec)
        invalid.cluster?.associatedRoles[0].status = .invalid
        return [
            Row(
                name: "new spec, managed role", spec: spec, observed: Fixture.verifiedNothing(), deleting: false,
                kinds: [
                    [.createRole], [.putRolePolicy], [.restoreCluster], [.addRoleToCluster],
                    [.createInstance, .createInstance],
                ],
                nowGroups: 2, end: .converged, phase: .ready),
            Row(
                name: "new spec, preflight not run yet", spec: spec, observed: ObservedState(region: Fixture.region),
                deleting: false,
                kinds: [
                    [.verifyBackup], [.createRole], [.putRolePolicy], [.restoreCluster], [.addRoleToCluster],
                    [.createInstance, .createInstance],
                ],
                nowGroups: 1, end: .converged, phase: .ready),
            Row(
                name: "new spec, given ingestion role", spec: givenSpec, observed: givenObserved, deleting: false,
                kinds: [[.restoreCluster], [.addRoleToCluster], [.createInstance, .createInstance]],
                nowGroups: 1, end: .converged, phase: .ready),
            Row(
                name: "converged", spec: spec, observed: Fixture.converged(spec), deleting: false,
                kinds: [], nowGroups: 0, end: .converged, phase: .ready),
            Row(
                name: "preflight failed", spec: spec, observed: failed, deleting: false,
                kinds: [], nowGroups: 0, end: .failed, phase: .failed),
            Row(
                name: "cluster available, instances missing", spec: spec, observed: noInstances, deleting: false,
                kinds: [[.createInstance, .createInstance]], nowGroups: 1, end: .converged, phase: .ready),
            Row(
                name: "cluster still creating", spec: spec, observed: creating, deleting: false,
                kinds: [[.waitForCluster], [.addRoleToCluster], [.createInstance, .createInstance]],
                nowGroups: 1, end: .converged, phase: .ready),
            // The new role's ARN takes the cluster's account, so it matches the ACTIVE association: nothing more.
            Row(
                name: "managed role deleted under a converged cluster", spec: spec, observed: roleGone,
                deleting: false, kinds: [[.createRole], [.putRolePolicy]], nowGroups: 2, end: .converged,
                phase: .ready),
            Row(
                name: "association INVALID", spec: spec, observed: invalid, deleting: false,
                kinds: [], nowGroups: 0, end: .stalled, phase: .converging),
            Row(
                name: "delete a converged spec", spec: spec, observed: Fixture.converged(spec), deleting: true,
                kinds: [
                    [.deleteInstance, .deleteInstance], [.deleteCluster], [.deleteRolePolicy], [.deleteRole],
                    [.removeSpec],
                ],
                nowGroups: 1, end: .converged, phase: .deleting),
        ]
    }()

    @Test(arguments: rows)
    func projectsTheWholeSequence(_ row: Row) {
        let projection = project(row.spec, row.observed, deleting: row.deleting)
        #expect(projection.steps.map { $0.map(\.kind) } == row.kinds)
        #expect(projection.now == Array(projection.steps.prefix(row.nowGroups)))
        #expect(
            projection.now
                == Planner.plan(
                    desired: row.spec, generation: 0, observed: row.observed, deleting: row.deleting, now: Fixture.now
                ).steps)
        #expect(projection.end == row.end)
        #expect(projection.finalPhase == row.phase)
        #expect(!projection.finalMessage.isEmpty)
        #expect(project(row.spec, row.observed, deleting: row.deleting) == projection, "deterministic")
    }

    @Test func newSpecUsesAPlaceholderRoleARNAndAssociatesWithoutFeatureName() throws {
        let projection = project(spec, Fixture.verifiedNothing())
        let placeholder = "arn:aws:iam::(new):role/\(roleName)"
        guard case .restoreCluster(let restore) = projection.steps[2][0] else {
            Issue.record("step 3 is not the restore: \(projection.steps)")
            return
        }
        #expect(restore.s3IngestionRoleArn == placeholder)
        #expect(restore.clusterIdentifier == "ex-s3-import")
        #expect(
            projection.steps[3]
                == [.addRoleToCluster(clusterIdentifier: "ex-s3-import", roleArn: placeholder, featureName: nil)])
        let instances = projection.steps[4].compactMap { action -> String? in
            if case .createInstance(let p) = action { return "\(p.identifier) \(p.instanceClass)" }
            return nil
        }
        #expect(instances == ["ex-s3-import-1 db.r8g.large", "ex-s3-import-2 db.r8g.xlarge"])
        #expect(projection.finalMessage == "Cluster ex-s3-import is available with 2 instance(s).")
    }

    @Test func givenRoleIsUsedByItsARN() {
        let arn = "arn:aws:iam::123456789012:role/existing"
        var observed = Fixture.verifiedNothing()
        observed.role = ObservedRole(
            name: "existing", arn: arn, trustPolicy: ManagedResources.trustPolicy(),
            inlinePolicies: ["s3": ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")])
        let projection = project(Fixture.spec(ingestionRole: arn), observed)
        #expect(
            projection.steps.flatMap { $0 }.contains {
                $0 == .addRoleToCluster(clusterIdentifier: "ex-s3-import", roleArn: arn, featureName: nil)
            })
        #expect(!projection.steps.flatMap { $0 }.contains { $0.kind == .createRole || $0.kind == .putRolePolicy })
    }

    @Test func failedPreflightShowsOnlyTheFailure() {
        var observed = ObservedState(region: Fixture.region)
        observed.backup = .failed("The backup is not prepared: run xtrabackup --prepare, then upload it again.")
        let projection = project(spec, observed)
        #expect(projection.steps.isEmpty)
        #expect(projection.finalMessage.contains("xtrabackup --prepare"))
    }

    @Test func roundLimitStopsWithWorkLeft() {
        let projection = project(spec, Fixture.verifiedNothing(), rounds: 1)
        #expect(projection.steps.map { $0.map(\.kind) } == [[.createRole], [.putRolePolicy]])
        #expect(projection.end == .roundLimit)
        #expect(projection.finalPhase == .converging, "the role exists after the rounds run")
        #expect(projection.finalMessage.hasPrefix("The projection stops after 1 rounds with work left"))
    }

    @Test func accountComesFromAnARN() {
        #expect(ManagedResources.account(fromARN: "arn:aws:iam::123456789012:role/x") == "123456789012")
        #expect(ManagedResources.account(fromARN: "arn:aws:rds:eu-west-1:123456789012:cluster:x") == "123456789012")
        #expect(ManagedResources.account(fromARN: "arn:aws:s3:::bucket") == nil)
        #expect(ManagedResources.account(fromARN: "not-an-arn") == nil)
    }
}
