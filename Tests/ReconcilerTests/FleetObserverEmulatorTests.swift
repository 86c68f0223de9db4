import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Logging
import Reconciler
import StatusModel
import Synchronization
import Testing
import TestSupport

/// The batched read against the emulator observes exactly what the per-spec reads observe.
@Suite("FleetObserver against the AWS emulator", .serialized)
struct FleetObserverEmulatorTests {
    @Test func theBatchedReadObservesWhatPerSpecReadsObserveAndSeesAnOwnWrite() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            let iam = IAMClient(client: try harness.admin)
            let given = try iam.createRole(
                roleName: "fleet-team-role", assumeRolePolicyDocument: ManagedResources.trustPolicy().json)
            try iam.putRolePolicy(
                roleName: given.roleName, policyName: "read-backups",
                policyDocument: ManagedResources.inlinePolicy(bucket: EmulatorHarness.bucket, partition: "aws").json)
            let specs = [
                EmulatorHarness.spec(name: "fleet-managed"),
                EmulatorHarness.spec(name: "fleet-given", ingestionRole: given.arn),
            ]
            for spec in specs {
                try harness.submit(spec)
                #expect(try harness.reconcile(spec.name, untilPhase: .ready)?.phase == .ready)
            }
            let perSpec = AWSObserver(client: harness.client, logger: harness.logger)
            let fleet = FleetObserver(
                reader: perSpec,
                timing: FleetObserver.Timing(
                    pollInterval: .seconds(60), resync: FleetSchedule(interval: .seconds(600))))
            fleet.watch(specs.map(\.name) + ["fleet-absent"])
            for spec in specs {
                let batched = try fleet.observe(spec)
                #expect(batched == (try perSpec.observe(spec)), "\(spec.name)")
                #expect(batched.instances.count == 2 && batched.role != nil)
            }
            // The binlog positions come from one read of the account's recent cluster events, as each spec's own
            // events tell them.
            let positions = try perSpec.readRecentBinlogPositions()
            for spec in specs {
                #expect(positions[spec.name]?.source == BinlogPosition.fromEvent, "\(spec.name)")
                let position = try fleet.binlogPosition(spec)
                let own = try perSpec.binlogPosition(spec)
                #expect(position.source == BinlogPosition.fromEvent && position == own)
            }
            let absent = try fleet.observe(EmulatorHarness.spec(name: "fleet-absent"))
            #expect(absent.cluster == nil && absent.role == nil && absent.instances.isEmpty)

            // 250 names: DescribeDBClusters in 3 chunks of at most 100 (the emulator, unlike AWS, accepts more, so
            // the count of requests is what shows the chunking), DescribeDBInstances once for the 2 clusters.
            let attempts = Mutex(0)
            let counted = try AWSClient(
                environment: emulator.environment(credentials: emulator.adminCredentials),
                options: AWSClientOptions(maxAttempts: 1, beforeAttempt: { _ in attempts.withLock { $0 += 1 } }),
                logger: harness.logger)
            var interests = Dictionary(
                uniqueKeysWithValues: (1...248).map {
                    ("fleet-none-\($0)", FleetInterest(specNamed: "fleet-none-\($0)"))
                })
            for spec in specs { interests[spec.name] = FleetInterest(spec) }
            let view = try AWSObserver(client: counted, logger: harness.logger).readFleet(interests, instancesOf: [])
            #expect(attempts.withLock { $0 } == 4)
            #expect(Set(view.clusters.keys) == Set(specs.map(\.name)))
            #expect(view.instances.values.map(\.count) == [2, 2] && view.roles.isEmpty)
            // The instances of 150 more clusters (specs waiting on their instances alone) in the same read: its
            // DescribeDBInstances by db-cluster-id in 2 chunks, one request more.
            attempts.withLock { $0 = 0 }
            let waiting = Set((1...148).map { "fleet-none-\($0)" } + specs.map(\.name))
            let both = try AWSObserver(client: counted, logger: harness.logger).readFleet(
                interests, instancesOf: waiting)
            #expect(attempts.withLock { $0 } == 5)
            #expect(both.instances.values.map(\.count) == [2, 2])

            // Instance identifiers a spec wants but its available cluster lacks are looked for once for every such
            // spec: one DescribeDBInstances by db-instance-id, finding the one another cluster holds, as a per-spec
            // read finds it.
            var wantsTaken = specs[1]
            wantsTaken.instances["3"] = .init(identifier: "fleet-managed-1")
            wantsTaken.instances["4"] = .init(identifier: "fleet-given-free")
            var wantsFree = specs[0]
            wantsFree.instances["5"] = .init(identifier: "fleet-managed-free")
            attempts.withLock { $0 = 0 }
            let conflicts = try AWSObserver(client: counted, logger: harness.logger).readFleet(
                [wantsTaken.name: FleetInterest(wantsTaken), wantsFree.name: FleetInterest(wantsFree)],
                instancesOf: [])
            #expect(attempts.withLock { $0 } == 3, "DescribeDBClusters, DescribeDBInstances by cluster and by id")
            #expect(conflicts.instanceConflicts["fleet-given"]?.found.map(\.identifier) == ["fleet-managed-1"])
            #expect(conflicts.instanceConflicts["fleet-managed"]?.found == [])
            #expect(conflicts.observation(of: wantsFree).conflictingInstances == [])
            #expect(conflicts.observation(of: specs[0]).conflictingInstances == nil, "lacks none: not looked for")
            var wantsMore = wantsFree
            wantsMore.instances["6"] = .init(identifier: "fleet-managed-other")
            #expect(conflicts.observation(of: wantsMore).conflictingInstances == nil, "not all looked for")
            let observedTaken = conflicts.observation(of: wantsTaken)
            #expect(
                observedTaken.conflictingInstances
                    == (try perSpec.observe(wantsTaken)).conflictingInstances)
            #expect(view.instanceConflicts.isEmpty, "Ready specs lack no instance: nothing looked for")

            // A role write by the spec whose effect is not known: the next observation reads again and sees it.
            let managed = specs[0]
            let roleName = ManagedResources.roleName(forSpec: managed.name)
            let deletion = Action.deleteRolePolicy(roleName: roleName, policyName: ManagedResources.inlinePolicyName)
            try IAMClient(client: harness.client).deleteRolePolicy(
                roleName: roleName, policyName: ManagedResources.inlinePolicyName)
            #expect(try fleet.observe(managed).role?.inlinePolicies.isEmpty == false, "the kept read still serves")
            fleet.wrote(managed.name, [(deletion, .unknown)])
            #expect(try fleet.observe(managed).role?.inlinePolicies.isEmpty == true)
            // The executor's own write: its known effect is what the next observation shows, as a read shows it.
            let policy = ManagedResources.inlinePolicy(bucket: EmulatorHarness.bucket, partition: "aws")
            let put = Action.putRolePolicy(
                roleName: roleName, policyName: ManagedResources.inlinePolicyName, policy: policy)
            let result = try AWSActionExecutor(client: harness.client, logger: harness.logger).execute(put)
            #expect(result == .expected)
            fleet.wrote(managed.name, [(put, result)])
            let written = try fleet.observe(managed)
            #expect(written.role?.inlinePolicies[ManagedResources.inlinePolicyName] == policy)
            #expect(written == (try perSpec.observe(managed)))
        }
    }
}
