import Foundation
import Testing
import Synchronization
import TestSupport

@testable import Reconciler

/// Resync passes and poll ticks on fleet-wide boundaries (`FleetSchedule`) and preflight verdicts shared per backup
/// location (`PreflightCache`).
@Suite("Resync boundaries and shared preflight verdicts")
struct FleetScheduleTests {
    let anchor = Fixture.now
    var aligned: FleetSchedule { FleetSchedule(interval: .seconds(600), anchor: anchor) }

    @Test func anAlignedResyncLandsOnTheNextBoundaryNeverMoreThanAnIntervalAway() {
        #expect(aligned.delay(from: anchor.addingTimeInterval(10)) == .seconds(590))
        #expect(
            aligned.delay(from: anchor.addingTimeInterval(599.5)) == .milliseconds(600_500),
            "a boundary less than the early-firing margin ahead counts as reached: the next one")
        #expect(aligned.delay(from: anchor.addingTimeInterval(1_234)) == .seconds(566))
        for offset in stride(from: 0.0, to: 1_800, by: 37) {
            #expect(aligned.delay(from: anchor.addingTimeInterval(offset)) <= .milliseconds(601_000))
        }
    }

    @Test func aResyncIsDueOnceABoundaryPassedEvenIfATimerFiresALittleEarly() {
        #expect(!aligned.isDue(since: anchor.addingTimeInterval(10), now: anchor.addingTimeInterval(500)))
        #expect(aligned.isDue(since: anchor.addingTimeInterval(10), now: anchor.addingTimeInterval(600)))
        #expect(aligned.isDue(since: anchor.addingTimeInterval(10), now: anchor.addingTimeInterval(599.8)))
        #expect(aligned.passStart(at: anchor.addingTimeInterval(700)) == anchor.addingTimeInterval(599))
    }

    @Test func aReadySpecOfAnAlignedReconcilerRequeuesForTheNextFleetBoundary() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let anchor = Fixture.now.addingTimeInterval(-7)
            let reconciler = Self.alignedReconciler(harness, anchor: anchor)
            let outcome = try harness.reconcile(reconciler, until: .ready)
            guard case .requeueAfter(let delay) = outcome else {
                Issue.record("not requeued: \(outcome)")
                return
            }
            let landing = harness.clock.function().timeIntervalSince(anchor) + delay / .seconds(1)
            #expect(delay <= .seconds(60))
            #expect(abs(landing / 60 - (landing / 60).rounded()) < 0.0001, "lands \(landing) s after the anchor")
        }
    }

    @Test func aPollLandsOnTheNextTickAtLeastHalfAnIntervalAwaySoNeverLaterThanOneAndAHalf() {
        let ticks = FleetSchedule(interval: .seconds(10), anchor: anchor)
        #expect(ticks.delay(from: anchor.addingTimeInterval(3), atLeast: .seconds(5)) == .seconds(7))
        #expect(ticks.delay(from: anchor.addingTimeInterval(6), atLeast: .seconds(5)) == .seconds(14), "skips a tick")
        #expect(ticks.delay(from: anchor.addingTimeInterval(15), atLeast: .seconds(5)) == .seconds(5))
        for offset in stride(from: 0.0, to: 100, by: 0.7) {
            let now = anchor.addingTimeInterval(offset)
            let delay = ticks.delay(from: now, atLeast: .seconds(5))
            let landing = offset + delay / .seconds(1)
            #expect(delay >= .seconds(5) && delay <= .seconds(15), "at \(offset) s: \(delay)")
            #expect(abs(landing - (landing / 10).rounded() * 10) < 0.002, "lands \(landing) s after the anchor")
        }
        #expect(FleetSchedule(interval: .seconds(10)).delay(from: anchor, atLeast: .seconds(5)) == .seconds(10))
    }

    @Test func aSpecWaitingOnAWSRequeuesForAPollTickOfTheFleetGrid() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let anchor = Fixture.now.addingTimeInterval(-6)
            let reconciler = Self.alignedReconciler(harness, anchor: anchor)
            // Ticks every 5 s; reconciles 1 s apart from 1 s into a tick. After a write (the restore 2 s into the
            // tick, then the role association 3 s into it) the next tick at least a whole interval away.
            var afterWrites: [Duration] = []
            for _ in 0..<20 where try harness.status.phase != .ready {
                let outcome = reconciler.reconcile(name: harness.spec.name)
                if try harness.status.phase == .converging, case .requeueAfter(let delay) = outcome, delay > .zero {
                    let landing = harness.clock.function().timeIntervalSince(anchor) + delay / .seconds(1)
                    #expect(abs(landing / 5 - (landing / 5).rounded()) < 0.0001, "lands \(landing) s after the anchor")
                    afterWrites.append(delay)
                }
                harness.clock.advance(seconds: 1)
            }
            #expect(try harness.status.phase == .ready)
            #expect(afterWrites == [.seconds(8), .seconds(7)])
            // Waiting with nothing to write (the cluster modifying): 1 s into a tick the next is 4 s away; 3 s into
            // it the next is 2 s away, less than half an interval, so the one after.
            harness.aws.world.withLock { $0.observed.cluster?.status = "modifying" }
            let into = harness.clock.function().timeIntervalSince(anchor).truncatingRemainder(dividingBy: 5)
            harness.clock.advance(seconds: 6 - into)
            var delays: [Duration] = []
            for _ in 0..<2 {
                let outcome = reconciler.reconcile(name: harness.spec.name)
                if case .requeueAfter(let delay) = outcome { delays.append(delay) }
                harness.clock.advance(seconds: 2)
            }
            #expect(delays.map { ($0 / .milliseconds(1)).rounded() } == [4_000, 7_000], "\(delays)")
        }
    }

    @Test func withoutAnAnchorEachSpecResyncsOnItsOwnClock() {
        let own = FleetSchedule(interval: .seconds(600))
        #expect(own.delay(from: anchor.addingTimeInterval(10)) == .seconds(600))
        #expect(!own.isDue(since: anchor, now: anchor.addingTimeInterval(599)))
        #expect(own.isDue(since: anchor, now: anchor.addingTimeInterval(600)))
        #expect(own.passStart(at: anchor) == nil)
    }

    @Test func aPassedVerdictServesLaterGenerationsOnlyWhenReadAfterThem() throws {
        let cache = PreflightCache(maxAge: .seconds(600))
        var reads = 0
        let read = { () throws(ObservationError) -> BackupPreflight in
            reads += 1
            return .verified(serverVersion: "5.7.12-log")
        }
        let submitted = anchor
        for second in 1...3 {
            _ = try cache.verdict(
                bucket: "b", prefix: "p/", validAfter: submitted, now: anchor.addingTimeInterval(Double(second)),
                read: read)
        }
        #expect(reads == 1, "three specs of one backup location, one read")
        _ = try cache.verdict(bucket: "b", prefix: "other/", validAfter: submitted, now: anchor + 4, read: read)
        #expect(reads == 2, "another location reads")
        _ = try cache.verdict(bucket: "b", prefix: "p/", validAfter: anchor + 5, now: anchor + 6, read: read)
        #expect(reads == 3, "a generation stored after the verdict reads again")
        _ = try cache.verdict(bucket: "b", prefix: "p/", validAfter: submitted, now: anchor + 700, read: read)
        #expect(reads == 4, "a verdict older than its max age reads again")
    }

    @Test func callersArrivingWhileALocationIsReadTakeItsVerdict() throws {
        let cache = PreflightCache(maxAge: .seconds(600))
        let reads = Mutex(0)
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let read = { @Sendable () throws(ObservationError) -> BackupPreflight in
            if reads.withLock({ count in
                count += 1
                return count == 1
            }) {
                entered.signal()
                _ = release.wait(timeout: .now() + 30)
            }
            return .verified(serverVersion: "5.7.12-log")
        }
        let finished = DispatchGroup()
        let anchor = self.anchor
        finished.enter()
        Thread {
            _ = try? cache.verdict(bucket: "b", prefix: "p/", validAfter: anchor, now: anchor + 1, read: read)
            finished.leave()
        }.start()
        _ = entered.wait(timeout: .now() + 30)
        // Three more specs of the location start while the first reads it.
        for _ in 1...3 {
            finished.enter()
            Thread {
                _ = try? cache.verdict(bucket: "b", prefix: "p/", validAfter: anchor, now: anchor + 2, read: read)
                finished.leave()
            }.start()
        }
        Thread.sleep(forTimeInterval: 0.3)
        release.signal()
        _ = finished.wait(timeout: .now() + 30)
        #expect(reads.withLock { $0 } == 1)
        #expect(cache.locationsBeingRead == 0, "a location's lock goes with its last caller")
    }

    @Test func aFailedVerdictIsNeverKeptSoAFixInS3HealsAtTheRetry() throws {
        let cache = PreflightCache(maxAge: .seconds(600))
        var answers: [BackupPreflight] = [.failed("take a full backup"), .verified(serverVersion: "5.7.12-log")]
        let read = { () throws(ObservationError) -> BackupPreflight in answers.removeFirst() }
        let first = try cache.verdict(bucket: "b", prefix: nil, validAfter: anchor, now: anchor + 1, read: read)
        let retried = try cache.verdict(bucket: "b", prefix: nil, validAfter: anchor, now: anchor + 2, read: read)
        #expect(first == .failed("take a full backup"))
        #expect(retried == .verified(serverVersion: "5.7.12-log"))
        #expect(answers.isEmpty)
    }

    /// A reconciler of `harness` polling every 5 s and resyncing every 60 s on the grid from `anchor`.
    private static func alignedReconciler(_ harness: DriverHarness, anchor: Date) -> SpecReconciler {
        SpecReconciler(
            store: harness.store, observer: harness.aws, executor: harness.aws,
            options: ReconcilerOptions(pollInterval: .seconds(5), resyncInterval: .seconds(60), resyncAnchor: anchor),
            logger: .init(label: "test"), clock: harness.clock.function)
    }
}
