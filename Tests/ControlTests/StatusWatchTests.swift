import Control
import Foundation
import StatusModel
import Testing

/// What `ctl watch` prints between polls, and when it stops.
@Suite struct StatusWatchTests {
    private let time = Timestamp(Date(timeIntervalSince1970: 1_800_000_000))

    private func status(
        _ phase: Phase, generation: Int64 = 2, observed: Int64 = 2, conditions: [Condition] = [],
        message: String? = nil
    ) -> SpecStatus {
        SpecStatus(
            name: "s", generation: generation, observedGeneration: observed, phase: phase, conditions: conditions,
            cluster: ClusterFacts(identifier: "s", status: "creating"), message: message, updatedAt: time)
    }

    private func condition(_ type: String, _ status: ConditionStatus, _ reason: String) -> Condition {
        Condition(type: type, status: status, reason: reason, message: "", lastTransitionTime: time)
    }

    @Test func printsOnlyWhatChanged() {
        var watch = StatusWatch()
        let restoring = condition("ClusterRestored", .false, "Restoring")
        #expect(
            watch.changes(status(.converging, observed: 1, conditions: [restoring])) == [
                "phase Converging (generation 2, observed 1)", "condition ClusterRestored False (Restoring)",
            ])
        #expect(watch.changes(status(.converging, observed: 1, conditions: [restoring])).isEmpty)
        let restored = condition("ClusterRestored", .true, "Available")
        #expect(
            watch.changes(status(.converging, observed: 1, conditions: [restored])) == [
                "condition ClusterRestored False → True (Available)"
            ])
        #expect(
            watch.changes(status(.failed, conditions: [], message: "grant s3:GetObject")) == [
                "phase Failed (generation 2, observed 2): grant s3:GetObject", "condition ClusterRestored removed",
            ])
    }

    @Test func endsOnlyForTheCurrentGeneration() {
        #expect(StatusWatch.outcome(status(.ready)) == .ready)
        #expect(StatusWatch.outcome(status(.failed)) == .failed)
        #expect(StatusWatch.outcome(status(.ready, observed: 1)) == nil)
        #expect(StatusWatch.outcome(status(.failed, observed: 1)) == nil)
        #expect(StatusWatch.outcome(status(.converging)) == nil)
        #expect(StatusWatch.outcome(status(.deleting)) == nil)
    }
}
