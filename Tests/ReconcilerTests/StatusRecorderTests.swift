import Foundation
import Reconciler
import StatusModel
import Testing

@Suite("Status recording: condition merge and the persisted last failure")
struct StatusRecorderTests {
    let early = Date(timeIntervalSince1970: 100)
    let late = Date(timeIntervalSince1970: 200)

    @Test func mergeKeepsTransitionTimeWhileStatusHoldsAndOrdersByStep() {
        let previous = [
            Condition(type: .roleReady, status: .true, reason: "RoleReady", message: "old", at: early),
            Condition(type: .clusterRestored, status: .false, reason: "Restoring", message: "old", at: early),
            Condition(type: .instancesReady, status: .false, reason: "X", message: "kept", at: early),
        ]
        let current = [
            Condition(type: .clusterRestored, status: .true, reason: "ClusterAvailable", message: "new", at: late),
            Condition(type: .roleReady, status: .true, reason: "RoleReady", message: "new", at: late),
        ]
        let merged = StatusRecorder.merge(previous: previous, current: current, failure: nil)
        #expect(merged.map(\.type) == ["RoleReady", "ClusterRestored", "InstancesReady"])
        #expect(merged[0].lastTransitionTime == Timestamp(early))
        #expect(merged[0].message == "new")
        #expect(merged[1].lastTransitionTime == Timestamp(late))
        #expect(merged[2].message == "kept")
    }

    @Test func mergeReplacesTheLastFailureWithItsOwnFirstTime() {
        let old = ActionFailure(
            generation: 1, error: ReconcileError(action: .createRole, code: "Throttling", message: "Rate exceeded"),
            firstOccurred: early)
        let new = ActionFailure(
            generation: 1, error: ReconcileError(action: .restoreCluster, code: "Throttling", message: "Rate exceeded"),
            firstOccurred: late)
        let first = StatusRecorder.merge(previous: [], current: [], failure: old)
        let second = StatusRecorder.merge(previous: first, current: [], failure: new)
        #expect(second.count == 1)
        #expect(second[0].lastTransitionTime == Timestamp(late))
        #expect(second[0].message.hasPrefix("RestoreDBClusterFromS3 failed"))
        #expect(StatusRecorder.merge(previous: second, current: [], failure: nil).isEmpty)
    }

    static let errors: [ReconcileError] = [
        ReconcileError(
            action: .restoreCluster, code: "AccessDenied", message: "User: arn:aws:iam::1:user/x (is) not authorized",
            httpStatus: 403, requestId: "abc-123"),
        ReconcileError(
            action: .restoreCluster, code: "InvalidParameterValue",
            message: "IAM role ARN value is invalid or does not include the required permissions for: "
                + "S3_SNAPSHOT_INGESTION"),
        ReconcileError(action: .deleteRole, code: "DeleteConflict", message: "Cannot delete entity (attached)."),
        ReconcileError(action: .deleteRolePolicy, code: "Throttling", message: "Rate exceeded", requestId: "r"),
        ReconcileError(action: .createInstance, code: "Unavailable", message: "Service unavailable", httpStatus: 503),
        ReconcileError.network(action: .putRolePolicy, detail: "Connection refused (127.0.0.1:1)"),
        ReconcileError(
            action: .createRole, code: ErrorClassifier.credentialsErrorCode,
            message: "Could not get credentials from the container credentials endpoint http://127.0.0.1:1/creds in 3 "
                + "attempts. The endpoint answered HTTP 500 (InternalError: the agent failed). Check the agent."),
    ]

    @Test(arguments: errors)
    func lastFailureRoundTripsThroughTheStatus(error: ReconcileError) throws {
        let failure = ActionFailure(generation: 3, error: error, firstOccurred: early)
        let status = SpecStatus(
            name: "x", generation: 3, observedGeneration: 3, phase: .converging,
            conditions: StatusRecorder.merge(previous: [], current: [], failure: failure),
            cluster: ClusterFacts(identifier: "x", status: "absent"), updatedAt: Timestamp(late))
        let read = try #require(FailureRecord.failure(in: status))
        #expect(read.generation == 3)
        #expect(read.firstOccurred == early)
        #expect(read.error.action == error.action)
        #expect(read.error.code == error.code)
        #expect(read.error.message == error.message)
        #expect(read.error.requestId == error.requestId)
        #expect(read.error.errorClass == error.errorClass)
        #expect(read.error.description == error.description)
    }

    @Test func unrecognizedFailureTextIsIgnored() {
        let status = SpecStatus(
            name: "x", generation: 1, observedGeneration: 1, phase: .failed,
            conditions: [
                Condition(
                    type: FailureRecord.conditionType, status: .true, reason: "AccessDenied", message: "edited by hand",
                    lastTransitionTime: Timestamp(early))
            ],
            cluster: ClusterFacts(identifier: "x", status: "absent"), updatedAt: Timestamp(late))
        #expect(FailureRecord.failure(in: status) == nil)
    }
}
