import Dispatch
import Foundation
import ImportSpec
import Reconciler
import StatusModel
import Synchronization
import Testing

/// `FleetObserver`'s sharing rules over a counting fake reader: concurrent observers share one batched read, a
/// spec's own write is always seen, a failed read fails its waiters and the looks of its hold, a resync pass shares
/// one read.
@Suite("One batched read serves the fleet")
struct FleetObserverTests {
    static let timing = FleetObserver.Timing(
        pollInterval: .seconds(10), resync: FleetSchedule(interval: .seconds(60), anchor: Fixture.now))

    @Test func concurrentObserversOfWatchedSpecsShareTheReadInFlight() throws {
        let specs = (1...8).map { Fixture.spec(name: "fleet-\($0)") }
        let reader = CountingFleetReader(holdingFirstRead: true)
        let clock = GatedClock(start: Fixture.now)
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        fleet.watch(specs.map(\.name))
        // The first read is held until every observer has looked at the state (each reads the clock under the lock),
        // then released: every other observer waits for it.
        clock.release(reader.gate, afterCalls: specs.count + 1)
        let observed = observeConcurrently(fleet, specs)
        #expect(reader.reads.count == 1)
        #expect(Set(reader.reads.first?.keys ?? [:].keys) == Set(specs.map(\.name)))
        #expect(observed.map { $0?.cluster?.identifier } == specs.map(\.name))
    }

    @Test func observersArrivingDuringAReadThatMissesThemShareTheNextOne() throws {
        let specs = (1...8).map { Fixture.spec(name: "fleet-\($0)") }
        let reader = CountingFleetReader(holdingFirstRead: true)
        let clock = GatedClock(start: Fixture.now)
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        // Nothing is watched. The first spec's look begins the first read (of the whole fleet as watched then: itself)
        // and the read is held in the reader; only then do the others look, so they all ask while it is in flight.
        let first = beginHeldRead(fleet, specs[0], reader)
        // Released once every other observer has looked at the state (each reads the clock under the lock).
        clock.release(reader.gate, afterCalls: specs.count - 1)
        let others = observeConcurrently(fleet, Array(specs.dropFirst()))
        let firstObserved = first()
        // The second read, asked for as a whole read but begun after the pass's whole read was kept, covers only the
        // specs that asked meanwhile.
        #expect(reader.reads.count == 2)
        #expect(Set(reader.reads.first?.keys ?? [:].keys) == [specs[0].name])
        #expect(Set(reader.reads.last?.keys ?? [:].keys) == Set(specs.dropFirst().map(\.name)))
        let observed = [firstObserved] + others
        #expect(observed.map { $0?.cluster?.identifier } == specs.map(\.name))
    }

    @Test func aSpecsOwnWriteIsSeenByItsNextObservation() throws {
        let spec = Fixture.spec(name: "writer")
        let other = Fixture.spec(name: "bystander")
        let reader = CountingFleetReader()
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: { Fixture.now })
        fleet.watch([spec.name, other.name])
        _ = try fleet.observe(spec)
        _ = try fleet.observe(spec)
        _ = try fleet.observe(other)
        #expect(reader.reads.count == 1, "a fresh read serves again")
        reader.clusterStatus.withLock { $0 = "modifying" }
        fleet.wrote(spec.name, [(.modifyCluster(identifier: spec.name, changes: ClusterChanges()), .unknown)])
        #expect(try fleet.observe(spec).cluster?.status == "modifying")
        #expect(reader.reads.count == 2)
        #expect(try fleet.observe(other).cluster?.status == "available", "the first read is still fresh for it")
        #expect(reader.reads.count == 2, "a Ready spec is not read with the writer's poll")
    }

    @Test func aSpecsChangedInstancesReachTheNextRead() throws {
        let spec = Fixture.spec(name: "growing")
        let reader = CountingFleetReader()
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: { Fixture.now })
        _ = try fleet.observe(spec)
        var grown = spec
        grown.instances["3"] = .init()
        // The kept interest stays for a look asking the same and is replaced when the instances wanted change.
        _ = try fleet.observe(spec)
        fleet.wrote(spec.name, [(.modifyCluster(identifier: spec.name, changes: ClusterChanges()), .unknown)])
        _ = try fleet.observe(grown)
        #expect(reader.reads.count == 2)
        #expect(reader.reads.first?[spec.name]?.instanceIdentifiers == ["growing-1", "growing-2"])
        #expect(reader.reads.last?[spec.name]?.instanceIdentifiers == ["growing-1", "growing-2", "growing-3"])
    }

    @Test func aRoleWriteWithAKnownEffectUpdatesTheKeptRolesAndAnRDSWriteRereadsOnlyRDS() throws {
        let spec = Fixture.spec(name: "creating")
        let reader = CountingFleetReader()
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: { Fixture.now })
        #expect(try fleet.observe(spec).role == nil)
        let name = ManagedResources.roleName(forSpec: spec.name)
        let policy = ManagedResources.inlinePolicy(bucket: spec.s3Import.bucketName, partition: "aws")
        let arn = Fixture.roleArn(name)
        fleet.wrote(
            spec.name,
            [
                (
                    .createRole(
                        name: name, trustPolicy: ManagedResources.trustPolicy(), tags: ["owner": "aurorad"],
                        description: ManagedResources.roleDescription),
                    .createdRole(arn: arn)
                )
            ])
        let put = Action.putRolePolicy(roleName: name, policyName: ManagedResources.inlinePolicyName, policy: policy)
        fleet.wrote(spec.name, [(put, .expected)])
        let written = try fleet.observe(spec)
        #expect(written.role?.arn == arn && written.role?.tags == ["owner": "aurorad"])
        #expect(written.role?.trustPolicy == ManagedResources.trustPolicy())
        #expect(written.role?.inlinePolicies == [ManagedResources.inlinePolicyName: policy])
        #expect(reader.reads.count == 1 && reader.rolesReads.withLock { $0 } == 1, "no read after the role writes")
        // An RDS write: the clusters and instances are read again, the roles (with the writes laid over) are not.
        fleet.wrote(spec.name, [(.deleteInstance(identifier: "creating-1"), .unknown)])
        #expect(try fleet.observe(spec).role?.arn == arn)
        #expect(reader.reads.count == 2 && reader.rolesReads.withLock { $0 } == 1)
        // A role write whose effect is not known (or that failed): the roles are read again, and the read serves.
        fleet.wrote(spec.name, [(.tagRole(roleName: name, tags: ["team": "data"]), .unknown)])
        #expect(try fleet.observe(spec).role == nil, "the fake IAM holds no role")
        #expect(reader.reads.count == 3 && reader.rolesReads.withLock { $0 } == 2)
    }

    @Test func aSpecWaitingOnItsInstancesAloneIsPolledWithAnInstancesRead() throws {
        let spec = Fixture.spec(name: "growing")
        let reader = CountingFleetReader()
        reader.instanceStatus.withLock { $0 = "creating" }
        reader.association.withLock { $0 = .pending }
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(1))
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        _ = try fleet.observe(spec)
        // The association is PENDING: the poll reads the cluster too.
        reader.association.withLock { $0 = .active }
        clock.advance(seconds: 6)
        #expect(try fleet.observe(spec).cluster?.associatedRoles.first?.status == .active)
        #expect(reader.reads.count == 2 && reader.instanceReads.withLock { $0 }.isEmpty)
        // Only the instances are awaited: the next polls read them alone, the cluster is kept.
        reader.clusterStatus.withLock { $0 = "modifying" }
        clock.advance(seconds: 6)
        #expect(try fleet.observe(spec).instances.map(\.status) == ["creating", "creating"])
        reader.instanceStatus.withLock { $0 = "available" }
        clock.advance(seconds: 6)
        let ready = try fleet.observe(spec)
        #expect(ready.instances.map(\.status) == ["available", "available"] && ready.cluster?.status == "available")
        #expect(reader.reads.count == 2 && reader.instanceReads.withLock { $0 } == [[spec.name], [spec.name]])
        // Nothing is awaited any more: the next poll reads everything, and so does one after a write.
        clock.advance(seconds: 6)
        #expect(try fleet.observe(spec).cluster?.status == "modifying")
        #expect(reader.reads.count == 3)
        reader.instanceStatus.withLock { $0 = "modifying" }
        clock.advance(seconds: 6)
        _ = try fleet.observe(spec)
        fleet.wrote(spec.name, [(.deleteInstance(identifier: "growing-2"), .unknown)])
        _ = try fleet.observe(spec)
        #expect(reader.reads.count == 5 && reader.instanceReads.withLock { $0 }.count == 2)
    }

    @Test func specsAskingForTheirBinlogPositionWithinAPollShareOneEventsRead() throws {
        let specs = ["restored-1", "restored-2", "restored-old"].map { Fixture.spec(name: $0) }
        let reader = CountingFleetReader()
        reader.recentEvents.withLock {
            $0 = [
                "restored-1": ["Recovered from Binary log filename 'mysql-bin.000007', position '154'."],
                "restored-2": [
                    "DB cluster created", "Recovered from Binary log filename 'mysql-bin.000009', position '42'.",
                ],
            ]
        }
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(1))
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        fleet.watch(specs.map(\.name))
        for spec in specs { _ = try fleet.observe(spec) }
        #expect(reader.reads.count == 1)
        #expect(
            try fleet.binlogPosition(specs[0])
                == BinlogPosition(source: BinlogPosition.fromEvent, file: "mysql-bin.000007", position: 154))
        #expect(try fleet.binlogPosition(specs[1]).file == "mysql-bin.000009")
        #expect(reader.eventReads.withLock { $0 } == 1, "one events read serves the specs of the poll")
        // An older restore's event is not among the last hour's: the spec reads its own (the fake: unavailable).
        #expect(try fleet.binlogPosition(specs[2]).source == BinlogPosition.unavailable)
        #expect(reader.eventReads.withLock { $0 } == 1 && reader.ownBinlogReads.withLock { $0 } == 1)
        // Still shared later, until the spec is observed again after the events read was made: then it reads them
        // again.
        clock.advance(seconds: 6)
        _ = try fleet.binlogPosition(specs[1])
        #expect(reader.eventReads.withLock { $0 } == 1)
        clock.advance(seconds: 6)
        _ = try fleet.observe(specs[0])
        _ = try fleet.binlogPosition(specs[0])
        #expect(reader.eventReads.withLock { $0 } == 2)
        // A refused shared read (a policy scoping DescribeEvents to named clusters): the spec reads its own.
        reader.eventsRefused.withLock { $0 = true }
        clock.advance(seconds: 6)
        _ = try fleet.observe(specs[0])
        #expect(try fleet.binlogPosition(specs[0]).source == BinlogPosition.unavailable)
        #expect(reader.eventReads.withLock { $0 } == 3 && reader.ownBinlogReads.withLock { $0 } == 2)
    }

    @Test func releasingTheSettledReadsKeepsOnlyWhatTheWaitingSpecsUse() throws {
        let settled = (1...3).map { Fixture.spec(name: "settled-\($0)") }
        let creating = Fixture.spec(name: "creating-1")
        let reader = CountingFleetReader()
        reader.instanceStatus.withLock { $0 = "available" }
        reader.clusterStatusByName.withLock { $0 = [creating.name: "creating"] }
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: { Fixture.now.addingTimeInterval(1) })
        fleet.watch((settled + [creating]).map(\.name))
        for spec in settled + [creating] { _ = try fleet.observe(spec) }
        _ = try fleet.observe(settled[0])
        #expect(reader.reads.count == 1 && reader.rolesReads.withLock { $0 } == 1, "a look within the max age")
        let counts = fleet.releaseSettledReads()
        #expect(counts?.released == 3 && counts?.kept == 1)
        // The waiting spec keeps its slice and its roles: its look plans from them.
        #expect(try fleet.observe(creating).cluster?.status == "creating")
        #expect(reader.reads.count == 1 && reader.rolesReads.withLock { $0 } == 1)
        // A settled spec's look reads itself and IAM again, with the waiting spec (its slice says it waits).
        #expect(try fleet.observe(settled[0]).cluster?.status == "available")
        #expect(reader.reads.count == 2 && reader.rolesReads.withLock { $0 } == 2)
        #expect(Set(reader.reads.last?.keys ?? [:].keys) == [settled[0].name, creating.name])
    }

    @Test func theKeptBinlogPositionsAreDroppedAMinuteAfterTheirRead() throws {
        let specs = ["kept-1", "kept-2"].map { Fixture.spec(name: $0) }
        let reader = CountingFleetReader()
        reader.recentEvents.withLock {
            $0 = ["kept-1": ["Recovered from Binary log filename 'mysql-bin.000007', position '154'."]]
        }
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(1))
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        fleet.watch(specs.map(\.name))
        for spec in specs { _ = try fleet.observe(spec) }
        #expect(try fleet.binlogPosition(specs[0]).file == "mysql-bin.000007")
        // 59 s on, another spec's read sweeps nothing yet: the position still serves the spec not observed since.
        clock.advance(seconds: 59)
        _ = try fleet.observe(specs[1])
        #expect(try fleet.binlogPosition(specs[0]).file == "mysql-bin.000007")
        #expect(reader.eventReads.withLock { $0 } == 1)
        // A minute after the events read, the next sweep drops it: the spec's position is read again.
        clock.advance(seconds: 61)
        _ = try fleet.observe(specs[1])
        #expect(try fleet.binlogPosition(specs[0]).file == "mysql-bin.000007")
        #expect(reader.eventReads.withLock { $0 } == 2)
    }

    @Test func specsBecomingAvailableTogetherShareOneEventsRead() throws {
        let specs = (1...6).map { Fixture.spec(name: "available-\($0)") }
        let reader = CountingFleetReader()
        let hold = DispatchSemaphore(value: 0)
        reader.holdingEventsRead.withLock { $0 = hold }
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: { Fixture.now })
        fleet.watch(specs.map(\.name))
        for spec in specs { _ = try fleet.observe(spec) }
        // Every spec asks while the first events read is held: they wait for it instead of reading their own.
        let asked = DispatchGroup()
        let finished = DispatchGroup()
        for spec in specs {
            asked.enter()
            finished.enter()
            Thread {
                asked.leave()
                _ = try? fleet.binlogPosition(spec)
                finished.leave()
            }.start()
        }
        _ = asked.wait(timeout: .now() + 30)
        hold.signal()
        _ = finished.wait(timeout: .now() + 30)
        #expect(reader.eventReads.withLock { $0 } == 1)
    }

    /// An observer of `specs`, each looked at once 1 s after the anchor, with every cluster `creating`.
    private static func fleetOfCreatingClusters(
        _ specs: [ImportSpec]
    ) throws -> (CountingFleetReader, GatedClock, FleetObserver) {
        let reader = CountingFleetReader()
        reader.clusterStatus.withLock { $0 = "creating" }
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(1))
        let fleet = FleetObserver(reader: reader, timing: timing, clock: clock.function)
        fleet.watch(specs.map(\.name))
        for spec in specs { _ = try fleet.observe(spec) }
        return (reader, clock, fleet)
    }

    @Test func aPollAWorkerGetsToLatePlansFromAReadBegunOnTheTickItWasDueOn() throws {
        let specs = (1...3).map { Fixture.spec(name: "late-\($0)") }
        let (reader, clock, fleet) = try Self.fleetOfCreatingClusters(specs)
        // Each is due on the tick 10 s after the anchor (the first at least 5 s after its look): the first is looked
        // at on it, the others only in the tick after (a busy worker), past the read's max age.
        clock.advance(seconds: 9)
        _ = try fleet.observe(specs[0])
        clock.advance(seconds: 13)
        _ = try fleet.observe(specs[1])
        _ = try fleet.observe(specs[2])
        #expect(reader.reads.count == 2, "the due tick's read covered them")
        // Their next poll is due on the tick 30 s after the anchor: read again.
        clock.advance(seconds: 7)
        _ = try fleet.observe(specs[1])
        #expect(reader.reads.count == 3)
    }

    @Test func aResyncLookDueLongAgoPlansFromAReadOfItsPass() throws {
        let specs = ["settled", "polling"].map { Fixture.spec(name: $0) }
        let (reader, clock, fleet) = try Self.fleetOfCreatingClusters(specs)
        // The other's poll on the next tick reads both (both were waiting); then the first is next looked at in the
        // next resync pass, long after the tick it would have been due on as a poll: a read of the pass, the whole.
        clock.advance(seconds: 9)
        _ = try fleet.observe(specs[1])
        #expect(reader.reads.map(\.count) == [2, 2])
        clock.advance(seconds: 51)
        _ = try fleet.observe(specs[0])
        #expect(reader.reads.map(\.count) == [2, 2, 2] && reader.rolesReads.withLock { $0 } == 2)
    }

    @Test func aLiveObservationReadsAfreshEvenWhenAKeptReadIsFresh() throws {
        let spec = Fixture.spec(name: "previewed")
        let reader = CountingFleetReader()
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: { Fixture.now })
        fleet.watch([spec.name])
        _ = try fleet.observe(spec)
        reader.clusterStatus.withLock { $0 = "modifying" }
        #expect(try fleet.observe(spec).cluster?.status == "available", "the kept read is still fresh")
        #expect(try fleet.observeLive(spec).cluster?.status == "modifying", "what ctl plan and delete show")
        #expect(reader.reads.count == 2)
    }

    @Test func aReadOlderThanItsMaxAgeIsReadAgainAndAChangedSpecIsReadAgain() throws {
        let spec = Fixture.spec(name: "aging")
        let reader = CountingFleetReader()
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(1))
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        _ = try fleet.observe(spec)
        clock.advance(seconds: 4)
        _ = try fleet.observe(spec)
        #expect(reader.reads.count == 1, "within half the poll interval")
        clock.advance(seconds: 2)
        _ = try fleet.observe(spec)
        #expect(reader.reads.count == 2)
        let given = Fixture.spec(name: "aging", ingestionRole: Fixture.roleArn("team-role"))
        _ = try fleet.observe(given)
        #expect(reader.reads.count == 3, "the spec now uses another role, which the last read did not cover")
        #expect(reader.reads.last?["aging"]?.roleName == "team-role")
    }

    @Test func aFailedReadAnswersTheLooksOfItsHoldWithItsErrorThenTheNextLookReadsAgain() throws {
        let spec = Fixture.spec(name: "denied")
        let other = Fixture.spec(name: "bystander")
        let denied = ObservationError(
            operation: "GetAccountAuthorizationDetails", code: "AccessDenied", message: "not allowed", httpStatus: 403)
        let reader = CountingFleetReader()
        reader.failures.withLock { $0 = [denied] }
        let clock = GatedClock(start: Fixture.now)
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        #expect(throws: denied) { try fleet.observe(spec) }
        // The hold is one second with a 10 s poll: a look within it gets the error without a read.
        clock.advance(seconds: 0.5)
        #expect(throws: denied) { try fleet.observe(other) }
        #expect(reader.reads.count == 1)
        clock.advance(seconds: 0.6)
        #expect(try fleet.observe(spec).cluster?.identifier == spec.name)
        #expect(reader.reads.count == 2)
    }

    @Test func observersQueuedBehindAFailingReadShareItsErrorWithoutAnotherRead() throws {
        let specs = (1...6).map { Fixture.spec(name: "queued-\($0)") }
        let reader = CountingFleetReader(holdingFirstRead: true)
        reader.failures.withLock {
            $0 = [ObservationError.network(operation: "DescribeDBClusters", detail: "connection refused")]
        }
        let clock = GatedClock(start: Fixture.now)
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        // The first look begins the read, held in the reader; the others ask while it is in flight, so they queue
        // for the read after it, which the failure then answers.
        let first = beginHeldRead(fleet, specs[0], reader)
        clock.release(reader.gate, afterCalls: specs.count - 1)
        let others = observeConcurrently(fleet, Array(specs.dropFirst()))
        #expect(first() == nil)
        #expect(others.allSatisfy { $0 == nil })
        #expect(reader.reads.count == 1)
    }

    @Test func theSpecsOfOneResyncPassShareOneRead() throws {
        let specs = (1...3).map { Fixture.spec(name: "ready-\($0)") }
        let reader = CountingFleetReader()
        // The pass begins 60 s after the anchor; each spec last looked in the pass before.
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(30))
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        fleet.watch(specs.map(\.name))
        for spec in specs { _ = try fleet.observe(spec) }
        #expect(reader.reads.count == 1)
        clock.advance(seconds: 30)
        _ = try fleet.observe(specs[0])
        #expect(reader.reads.count == 2)
        // 20 s into the pass, far past the read's max age (5 s): still this pass's read for specs not yet seen in it.
        clock.advance(seconds: 20)
        _ = try fleet.observe(specs[1])
        _ = try fleet.observe(specs[2])
        #expect(reader.reads.count == 2)
        // A second look in the same pass is a poll: it needs a read younger than the max age, but not of the roles.
        _ = try fleet.observe(specs[0])
        #expect(reader.reads.count == 3)
        #expect(reader.rolesReads.withLock { $0 } == 2)
        // After a role write with an unknown effect the roles are read again.
        fleet.wrote(
            specs[1].name, [(.deleteRole(roleName: ManagedResources.roleName(forSpec: specs[1].name)), .unknown)])
        _ = try fleet.observe(specs[1])
        #expect(reader.rolesReads.withLock { $0 } == 3)
    }

    @Test func aPollInALargeFleetReadsOnlyTheSpecsWaitingOnAWS() throws {
        let specs = (1...50).map { Fixture.spec(name: "many-\($0)") }
        let reader = CountingFleetReader()
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(1))
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        fleet.watch(specs.map(\.name))
        for spec in specs { _ = try fleet.observe(spec) }
        #expect(reader.reads.map(\.count) == [50], "the pass's first look reads every watched spec")
        // Two specs wait on their clusters: a poll reads them, not the Ready ones.
        reader.clusterStatusByName.withLock { $0 = [specs[0].name: "modifying", specs[1].name: "modifying"] }
        fleet.wrote(specs[0].name, [(.modifyCluster(identifier: specs[0].name, changes: ClusterChanges()), .unknown)])
        fleet.wrote(specs[1].name, [(.modifyCluster(identifier: specs[1].name, changes: ClusterChanges()), .unknown)])
        clock.advance(seconds: 30)
        _ = try fleet.observe(specs[0])
        clock.advance(seconds: 1)
        _ = try fleet.observe(specs[1])
        #expect(reader.reads.map(\.count) == [50, 2], "one read for the tick; the second planned from it")
        #expect(Set(reader.reads.last?.keys ?? [:].keys) == [specs[0].name, specs[1].name])
        // A spec submitted in the pass: the pass's whole read is done, so its first look reads it and the waiting.
        let submitted = Fixture.spec(name: "many-new")
        fleet.watch([submitted.name])
        _ = try fleet.observe(submitted)
        #expect(reader.reads.map(\.count) == [50, 2, 3])
    }

    @Test func theWaitingSpecsOfATickShareOneReadAndThoseWaitingOnInstancesAloneCostAnInstancesRead() throws {
        // More than 100 of each kind: the observer asks for them in one read, which AWSObserver chunks by 100
        // (FleetObserverEmulatorTests counts its requests).
        let restoring = (1...120).map { Fixture.spec(name: "restoring-\($0)") }
        let growing = (1...110).map { Fixture.spec(name: "growing-\($0)") }
        let ready = (1...5).map { Fixture.spec(name: "ready-\($0)") }
        let reader = CountingFleetReader()
        reader.instanceStatus.withLock { $0 = "creating" }
        reader.clusterStatusByName.withLock { statuses in
            for spec in restoring { statuses[spec.name] = "creating" }
        }
        reader.instanceStatusByName.withLock { statuses in
            for spec in ready { statuses[spec.name] = "available" }
        }
        let clock = GatedClock(start: Fixture.now.addingTimeInterval(1))
        let fleet = FleetObserver(reader: reader, timing: Self.timing, clock: clock.function)
        let all = restoring + growing + ready
        fleet.watch(all.map(\.name))
        for spec in all { _ = try fleet.observe(spec) }
        #expect(reader.reads.map(\.count) == [235])
        // The next poll tick (10 s after the anchor): the first look reads every waiting spec, the restoring ones in
        // full and the growing ones' instances in the same DescribeDBInstances; the Ready ones are not read.
        clock.advance(seconds: 9)
        let polled = restoring + growing
        var observed = try polled.prefix(200).map { try fleet.observe($0) }
        // Past the max age (5 s), still in the tick: the specs not yet looked at in it plan from the tick's read.
        clock.advance(seconds: 7)
        observed += try polled.dropFirst(200).map { try fleet.observe($0) }
        #expect(reader.reads.map(\.count) == [235, 120] && reader.instanceReads.withLock { $0 }.isEmpty)
        #expect(Set(reader.reads.last?.keys ?? [:].keys) == Set(restoring.map(\.name)))
        #expect(reader.instancesAlsoRead.withLock { $0.last } == Set(growing.map(\.name)))
        #expect(observed.prefix(120).allSatisfy { $0.cluster?.status == "creating" })
        #expect(observed.suffix(110).allSatisfy { $0.cluster?.status == "available" && $0.instances.count == 2 })
        // The restores finish; the next tick's read sees it. On the tick after, every spec waits on its instances
        // alone: one DescribeDBInstances for all, no DescribeDBClusters.
        reader.clusterStatusByName.withLock { $0 = [:] }
        clock.advance(seconds: 4)
        for spec in polled { _ = try fleet.observe(spec) }
        #expect(reader.reads.map(\.count) == [235, 120, 120])
        clock.advance(seconds: 10)
        for spec in polled { _ = try fleet.observe(spec) }
        #expect(reader.reads.count == 3)
        #expect(reader.instanceReads.withLock { $0 } == [Set(polled.map(\.name))])
    }

    /// Each spec observed on a thread of its own (all at once, unlike a pool as wide as the cores); the results in
    /// the order of `specs`.
    /// Starts `spec`'s look on its own thread and returns once `reader` holds the read it began (at most 10 s); the
    /// function returned waits (at most 60 s) for the look and gives what it observed, nil when it threw.
    private func beginHeldRead(
        _ fleet: FleetObserver, _ spec: ImportSpec, _ reader: CountingFleetReader
    ) -> () -> ObservedState? {
        let observed = Mutex<ObservedState?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            observed.withLock { $0 = try? fleet.observe(spec) }
            done.signal()
        }.start()
        for _ in 0..<1000 where reader.reads.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
        return {
            _ = done.wait(timeout: .now() + 60)
            return observed.withLock { $0 }
        }
    }

    private func observeConcurrently(_ fleet: FleetObserver, _ specs: [ImportSpec]) -> [ObservedState?] {
        let results = Mutex<[ObservedState?]>(Array(repeating: nil, count: specs.count))
        let finished = DispatchGroup()
        for (index, spec) in specs.enumerated() {
            finished.enter()
            Thread {
                let observed = try? fleet.observe(spec)
                results.withLock { $0[index] = observed }
                finished.leave()
            }.start()
        }
        _ = finished.wait(timeout: .now() + 60)
        return results.withLock { $0 }
    }
}

/// A fake `FleetReading` that records the interests of every batched read and answers with an available cluster
/// (status `clusterStatus`) per spec; with `holdingFirstRead` its first read waits for `gate` (at most 30 s).
final class CountingFleetReader: FleetReading {
    let gate = DispatchSemaphore(value: 0)
    let holdsFirstRead: Bool
    let recorded = Mutex<[[String: FleetInterest]]>([])
    /// How many account-wide role reads were made.
    let rolesReads = Mutex(0)
    let clusterStatus = Mutex("available")
    /// Cluster and instance statuses of given specs, overriding `clusterStatus` and `instanceStatus`.
    let clusterStatusByName = Mutex<[String: String]>([:])
    let instanceStatusByName = Mutex<[String: String]>([:])
    /// The status of the role association of each cluster.
    let association = Mutex(AssociationStatus.active)
    /// The status of each spec's instances; nil: none.
    let instanceStatus = Mutex<String?>(nil)
    /// The clusters of every instances-only read, and the clusters whose instances each batched read was asked
    /// for besides its specs'.
    let instanceReads = Mutex<[Set<String>]>([])
    let instancesAlsoRead = Mutex<[Set<String>]>([])
    let failures = Mutex<[ObservationError]>([])
    /// The recent cluster events the fake answers, and how many times they and a spec's own events were read.
    let recentEvents = Mutex<[String: [String]]>([:])
    let eventReads = Mutex(0)
    let ownBinlogReads = Mutex(0)
    let eventsRefused = Mutex(false)
    /// When set, the next events read waits for it (at most 30 s).
    let holdingEventsRead = Mutex<DispatchSemaphore?>(nil)

    init(holdingFirstRead: Bool = false) {
        holdsFirstRead = holdingFirstRead
    }

    var reads: [[String: FleetInterest]] { recorded.withLock { $0 } }

    func readFleet(
        _ interests: [String: FleetInterest], instancesOf clusters: Set<String>
    ) throws(ObservationError) -> FleetView {
        let first = recorded.withLock { recorded in
            recorded.append(interests)
            return recorded.count == 1
        }
        instancesAlsoRead.withLock { $0.append(clusters) }
        if first, holdsFirstRead { _ = gate.wait(timeout: .now() + 30) }
        if let failure = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        var view = FleetView(region: Fixture.region)
        let status = clusterStatus.withLock { $0 }
        let statuses = clusterStatusByName.withLock { $0 }
        let association = association.withLock { $0 }
        for name in interests.keys {
            let spec = Fixture.spec(name: name)
            view.clusters[name] = Fixture.cluster(
                for: spec, status: statuses[name] ?? status,
                associations: [
                    ObservedRoleAssociation(
                        roleArn: Fixture.roleArn(ManagedResources.roleName(forSpec: name)), status: association)
                ])
            view.instances[name] = instances(of: name)
        }
        for name in clusters { view.instances[name] = instances(of: name) }
        return view
    }

    private func instances(of cluster: String) -> [ObservedInstance]? {
        let status = instanceStatusByName.withLock { $0[cluster] } ?? instanceStatus.withLock { $0 }
        return status.map { Fixture.instances(for: Fixture.spec(name: cluster), status: $0) }
    }

    func readInstances(ofClusters clusters: Set<String>) throws(ObservationError) -> [String: [ObservedInstance]] {
        instanceReads.withLock { $0.append(clusters) }
        return Dictionary(uniqueKeysWithValues: clusters.compactMap { name in instances(of: name).map { (name, $0) } })
    }

    func readRoles(named names: Set<String>) throws(ObservationError) -> KeyedValues<ObservedRole> {
        rolesReads.withLock { $0 += 1 }
        return KeyedValues()
    }

    func completeObservation(_ observed: ObservedState, of spec: ImportSpec) throws(ObservationError)
        -> ObservedState
    {
        observed
    }

    func observe(_ spec: ImportSpec) throws(ObservationError) -> ObservedState {
        let view = try readFleet([spec.name: FleetInterest(spec)], instancesOf: [])
        return try completeObservation(view.observation(of: spec), of: spec)
    }

    func preflight(bucket: String, prefix: String?) throws(ObservationError) -> BackupPreflight {
        .verified(serverVersion: "5.7.12-log")
    }

    func checkEngineVersion(_ version: String, engine: String) throws(ObservationError) -> EngineVersionCheck {
        .available
    }

    func binlogPosition(_ spec: ImportSpec) throws(ObservationError) -> BinlogPosition {
        ownBinlogReads.withLock { $0 += 1 }
        return BinlogPosition(source: BinlogPosition.unavailable)
    }

    func readRecentBinlogPositions() throws(ObservationError) -> [String: BinlogPosition] {
        eventReads.withLock { $0 += 1 }
        // The first read takes the hold (a semaphore to wait on); later reads find none.
        if let hold = holdingEventsRead.withLock({ held in held.take() }) {
            _ = hold.wait(timeout: .now() + 30)
        }
        if eventsRefused.withLock({ $0 }) {
            throw ObservationError(
                operation: "DescribeEvents", code: "AccessDenied", message: "not authorized", httpStatus: 403)
        }
        return recentEvents.withLock { $0 }.compactMapValues {
            $0.lazy.compactMap(BinlogRecovery.position(inEvent:)).first
        }
    }
}

/// A manual clock that can also open a gate once it has been read a given number of times.
final class GatedClock: Sendable {
    private struct State {
        var now: Date
        var calls = 0
        var gate: (semaphore: DispatchSemaphore, calls: Int)?
    }

    private let state: Mutex<State>

    init(start: Date) {
        state = Mutex(State(now: start))
    }

    var function: @Sendable () -> Date {
        {
            self.state.withLock { state in
                state.calls += 1
                if let gate = state.gate, state.calls == gate.calls { gate.semaphore.signal() }
                return state.now
            }
        }
    }

    func advance(seconds: TimeInterval) {
        state.withLock { $0.now += seconds }
    }

    /// Signals `semaphore` at the `calls`-th reading from now on.
    func release(_ semaphore: DispatchSemaphore, afterCalls calls: Int) {
        state.withLock { $0.gate = (semaphore, $0.calls + calls) }
    }
}
