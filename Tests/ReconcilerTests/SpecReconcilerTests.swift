import Controller
import Foundation
import ImportSpec
import Reconciler
import StatusModel
import TestSupport
import Testing

/// The outcome as a comparable value.
private func describe(_ outcome: ReconcileResult) -> String {
    switch outcome {
    case .done: "done"
    case .requeueAfter(let delay): "requeue \(delay)"
    case .retryableError(let error): "retryable \(code(error))"
    case .terminalError(let error): "terminal \(code(error))"
    }
}

private func code(_ error: any Error) -> String {
    (error as? ReconcileError)?.code ?? (error as? ObservationError)?.code ?? "\(error)"
}

private let accessDenied = ReconcileError(
    action: .restoreCluster, code: "AccessDenied",
    message: "User is not authorized to perform rds:RestoreDBClusterFromS3",
    httpStatus: 403, requestId: "req-1")
private let propagation = ReconcileError(
    action: .restoreCluster, code: "InvalidParameterValue",
    message: "IAM role ARN value is invalid or does not include the required permissions for: S3_SNAPSHOT_INGESTION",
    httpStatus: 400)

@Suite("SpecReconciler: the driver over a store and a simulated AWS")
struct SpecReconcilerTests {
    @Test func newSpecConvergesToReadyAndRecordsStatusAndEvents() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let outcome = try harness.reconcile(harness.reconciler(), until: .ready)
            let status = try harness.status
            #expect(status.phase == .ready)
            #expect(describe(outcome) == "requeue 60.0 seconds")
            #expect(status.observedGeneration == 1)
            #expect(status.conditions.map(\.type) == ConditionType.allCases.map(\.rawValue))
            #expect(status.conditions.allSatisfy { $0.status == .true })
            #expect(status.cluster.arn == "arn:aws:rds:eu-west-1:123456789012:cluster:ex-s3-import")
            #expect(status.cluster.endpoint == "ex-s3-import.cluster-abc.eu-west-1.rds.amazonaws.com")
            #expect(status.role.arn == Fixture.roleArn("aurorad-ex-s3-import-s3-import"))
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 1)
            let reasons = try harness.store.events(name: harness.spec.name, limit: 50).map(\.reason)
            for reason in [
                "CreateRole", "PutRolePolicy", "RestoreCluster", "AddRoleToCluster", "CreateInstance",
                "Ready",
            ] {
                #expect(reasons.contains(reason), "missing event \(reason)")
            }
            // Converged: another reconcile only reads.
            let before = harness.aws.executed.count
            #expect(describe(harness.reconciler().reconcile(name: harness.spec.name)) == "requeue 60.0 seconds")
            #expect(harness.aws.executed.count == before)
        }
    }

    @Test func roleWritesWithKnownEffectsContinueAtOnceButNeverTwiceInARow() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.world.withLock { $0.tellsRoleEffects = true }
            let reconciler = harness.reconciler()
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "requeue 0.0 seconds")
            #expect(harness.aws.executed == [.createRole, .putRolePolicy])
            // The restore's effect is not known from its answer: the next look is at the poll.
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "requeue 5.0 seconds")
            #expect(harness.aws.executed.last == .restoreCluster)

            // A write that answers success but does not hold: asked again at once once, then only at the poll.
            let stuck = try DriverHarness(directory: directory + "/stuck", spec: Fixture.spec(name: "stuck"))
            stuck.aws.world.withLock {
                $0.tellsRoleEffects = true
                $0.ineffective = [.putRolePolicy]
            }
            let other = stuck.reconciler()
            let outcomes = (0..<3).map { _ in describe(other.reconcile(name: stuck.spec.name)) }
            #expect(outcomes == ["requeue 0.0 seconds", "requeue 5.0 seconds", "requeue 0.0 seconds"])
            #expect(stuck.aws.executed == [.createRole, .putRolePolicy, .putRolePolicy, .putRolePolicy])
        }
    }

    @Test func mutableFieldChangesOfANewGenerationAreAppliedAndRecorded() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            try harness.reconcile(harness.reconciler(), until: .ready)
            var changed = harness.spec
            changed.deletionProtection = true
            changed.enabledCloudwatchLogsExports = ["slowquery", "audit"]
            changed.instances = ["1": .init(instanceClass: "db.r8g.2xlarge")]
            changed.applyImmediately = true
            try harness.store.put(name: changed.name, specJSON: changed.canonicalJSON())
            let reconciler = harness.reconciler()
            _ = reconciler.reconcile(name: changed.name)
            #expect(try harness.status.phase == .converging)
            try harness.reconcile(reconciler, until: .ready)
            #expect(try harness.status.observedGeneration == 2)
            let world = harness.aws.world.withLock { $0.observed }
            #expect(world.cluster?.deletionProtection == true)
            #expect(Set(world.cluster?.enabledCloudwatchLogsExports ?? []) == ["audit", "slowquery"])
            #expect(world.instances.map(\.identifier) == ["ex-s3-import-1"])
            #expect(world.instances.first?.instanceClass == "db.r8g.2xlarge")
            let events = try harness.store.events(name: changed.name, limit: 50)
            #expect(
                events.contains {
                    $0.reason == "ModifyCluster" && $0.message.contains("deletion protection on")
                        && $0.message.contains("start exporting slowquery logs")
                        && $0.message.contains("stop exporting error logs")
                })
            #expect(events.contains { $0.reason == "ModifyInstance" && $0.message.contains("db.r8g.2xlarge") })
            #expect(events.contains { $0.reason == "DeleteInstance" && $0.message.contains("ex-s3-import-2") })
            // Converged again: another reconcile only reads.
            let before = harness.aws.executed.count
            _ = harness.reconciler().reconcile(name: changed.name)
            #expect(harness.aws.executed.count == before)
        }
    }

    @Test func terminalActionErrorFailsAndStaysFailedAcrossARestart() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.script(.restoreCluster, accessDenied)
            let outcome = try harness.reconcile(harness.reconciler(), until: .failed)
            #expect(describe(outcome) == "requeue 60.0 seconds")
            let status = try harness.status
            #expect(status.message?.contains("grant that permission") == true)
            #expect(status.conditions.condition(ofType: "ClusterRestored")?.reason == "AccessDenied")
            #expect(status.conditions.condition(ofType: FailureRecord.conditionType)?.reason == "AccessDenied")
            // A restarted daemon keeps it Failed without calling RestoreDBClusterFromS3 again.
            let restarted = harness.reconciler()
            #expect(describe(restarted.reconcile(name: harness.spec.name)) == "requeue 60.0 seconds")
            #expect(try harness.status.phase == .failed)
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 1)
            // The operator resubmits the identical spec: the daemon asks for a retry, and it converges.
            try restarted.requestRetry(name: harness.spec.name)
            #expect(try harness.status.conditions.condition(ofType: FailureRecord.conditionType) == nil)
            try harness.reconcile(restarted, until: .ready)
            #expect(try harness.status.phase == .ready)
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 2)
        }
    }

    @Test func newGenerationRetriesATerminalFailure() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.script(.restoreCluster, accessDenied)
            let reconciler = harness.reconciler()
            try harness.reconcile(reconciler, until: .failed)
            var changed = harness.spec
            changed.tags = ["Environment": "prod"]
            try harness.store.put(name: changed.name, specJSON: changed.canonicalJSON())
            #expect(describe(reconciler.reconcile(name: changed.name)) == "requeue 5.0 seconds")
            #expect(try harness.status.observedGeneration == 2)
            #expect(try harness.status.phase == .converging)
            try harness.reconcile(reconciler, until: .ready)
            #expect(try harness.status.phase == .ready)
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 2)
        }
    }

    @Test func propagationErrorsRetryWithinTheWindowThenFail() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.script(.restoreCluster, propagation, propagation, propagation)
            let reconciler = harness.reconciler(window: 60)
            // The first pass creates the role and its policy; the restore comes at the next observation.
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "requeue 5.0 seconds")
            #expect(harness.aws.executed == [.createRole, .putRolePolicy])
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "retryable InvalidParameterValue")
            let first = try #require(try harness.status.conditions.condition(ofType: FailureRecord.conditionType))
            #expect(try harness.status.phase == .converging)
            harness.clock.advance(seconds: 30)
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "retryable InvalidParameterValue")
            let second = try #require(try harness.status.conditions.condition(ofType: FailureRecord.conditionType))
            #expect(second.lastTransitionTime == first.lastTransitionTime)
            // Past the window the planner stops trying: Failed, no third call.
            harness.clock.advance(seconds: 31)
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "requeue 60.0 seconds")
            #expect(try harness.status.phase == .failed)
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == 2)
            #expect(try harness.status.conditions.condition(ofType: "Ready")?.reason == "IAMPropagationTimeout")
        }
    }

    @Test func propagationErrorThenSuccessConverges() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.script(.restoreCluster, propagation)
            try harness.reconcile(harness.reconciler(), until: .ready)
            #expect(try harness.status.phase == .ready)
            #expect(try harness.status.conditions.condition(ofType: FailureRecord.conditionType) == nil)
        }
    }

    @Test func alreadyExistsIsAnObservationNotAFailure() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.script(
                .createRole,
                ReconcileError(
                    action: .createRole, code: "EntityAlreadyExists", message: "Role with name x already exists.",
                    httpStatus: 409))
            let reconciler = harness.reconciler()
            // Through the controller's backoff: a write AWS keeps answering this way is never repeated faster.
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "retryable EntityAlreadyExists")
            #expect(try harness.status.conditions.condition(ofType: FailureRecord.conditionType) == nil)
            let events = try harness.store.events(name: harness.spec.name, limit: 10)
            #expect(events.contains { $0.reason == "CreateRoleSettling" && $0.type == .normal })
        }
    }

    @Test func failedPreflightFailsWithoutCreatingAnything() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.world.withLock {
                $0.backup = .failed("The backup is not prepared: run xtrabackup --prepare, then upload it again.")
            }
            #expect(describe(harness.reconciler().reconcile(name: harness.spec.name)) == "requeue 60.0 seconds")
            #expect(try harness.status.phase == .failed)
            #expect(try harness.status.message?.contains("run xtrabackup --prepare") == true)
            #expect(harness.aws.executed.isEmpty)
        }
    }

    @Test func observationErrorsAreClassified() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let reconciler = harness.reconciler()
            harness.aws.world.withLock {
                $0.observationErrors = [
                    ObservationError(
                        operation: "DescribeDBClusters", code: "Throttling", message: "Rate exceeded",
                        httpStatus: 400),
                    ObservationError(
                        operation: "DescribeDBClusters", code: "AccessDenied", message: "not allowed",
                        httpStatus: 403),
                ]
            }
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "retryable Throttling")
            #expect(try harness.status.phase == .pending)
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "requeue 60.0 seconds")
            #expect(try harness.status.phase == .failed)
            #expect(try harness.status.message?.contains("may not call DescribeDBClusters") == true)
            #expect(try harness.status.message?.contains("(rds:DescribeDBClusters)") == true)
            #expect(harness.aws.executed.isEmpty)
        }
    }

    @Test func aRepeatedObservationFailureIsOneEventUntilTheFailureChanges() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let reconciler = harness.reconciler()
            let throttled = ObservationError(
                operation: "DescribeDBClusters", code: "Throttling", message: "Rate exceeded", httpStatus: 400)
            let unreachable = ObservationError.network(operation: "DescribeDBClusters", detail: "connection refused")
            harness.aws.world.withLock { $0.observationErrors = [throttled, throttled, throttled, unreachable] }
            for _ in 0..<4 {
                #expect(describe(reconciler.reconcile(name: harness.spec.name)).hasPrefix("retryable"))
                harness.clock.advance(seconds: 1)
            }
            let failures = try harness.store.events(name: harness.spec.name, limit: 50)
                .filter { $0.reason == "ObservationFailed" }.map(\.message)
            #expect(failures == [unreachable.description, throttled.description])
            #expect(try harness.status.message == unreachable.description)
        }
    }

    @Test func aRepeatedRetryableObservationFailureRewritesTheStatusOnlyAfterAMinute() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let reconciler = harness.reconciler()
            let unreachable = ObservationError.network(operation: "DescribeDBClusters", detail: "connection refused")
            harness.aws.world.withLock { $0.observationErrors = Array(repeating: unreachable, count: 4) }
            _ = reconciler.reconcile(name: harness.spec.name)
            let first = try harness.status.updatedAt
            // Retries within the minute: the status stays as written.
            for _ in 0..<2 {
                harness.clock.advance(seconds: 20)
                #expect(describe(reconciler.reconcile(name: harness.spec.name)).hasPrefix("retryable"))
                #expect(try harness.status.updatedAt == first)
            }
            // A minute after the write, the retry brings its time up.
            harness.clock.advance(seconds: 21)
            #expect(describe(reconciler.reconcile(name: harness.spec.name)).hasPrefix("retryable"))
            #expect(try harness.status.updatedAt.secondsSince1970 == first.secondsSince1970 + 61)
            #expect(try harness.status.message == unreachable.description)
        }
    }

    @Test func aTerminalFailureIsRetriedAtTheResyncSoAFixOutsideTheSpecHeals() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            harness.aws.script(.restoreCluster, accessDenied)
            let reconciler = harness.reconciler()
            _ = try harness.reconcile(reconciler, until: .failed)
            #expect(try harness.status.message?.contains("(rds:RestoreDBClusterFromS3, iam:PassRole") == true)
            let calls = harness.aws.executed.filter { $0 == .restoreCluster }.count
            // Before the resync interval (60 s here) has passed, nothing is called again.
            harness.clock.advance(seconds: 59)
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "requeue 60.0 seconds")
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == calls)
            // The operator granted the permission meanwhile (no error is scripted any more): the resync retries.
            harness.clock.advance(seconds: 60)
            _ = reconciler.reconcile(name: harness.spec.name)
            #expect(harness.aws.executed.filter { $0 == .restoreCluster }.count == calls + 1)
            #expect(try harness.status.phase != .failed)
            #expect(try harness.status.conditions.condition(ofType: FailureRecord.conditionType) == nil)
        }
    }

    @Test func deletionRemovesEverythingThenTheSpec() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let reconciler = harness.reconciler()
            try harness.reconcile(reconciler, until: .ready)
            _ = try harness.store.requestDeletion(name: harness.spec.name)
            var last = ReconcileResult.done
            for _ in 0..<20 where try harness.store.spec(named: harness.spec.name) != nil {
                last = reconciler.reconcile(name: harness.spec.name)
            }
            #expect(describe(last) == "done")
            #expect(try harness.store.spec(named: harness.spec.name) == nil)
            let world = harness.aws.world.withLock { $0.observed }
            #expect(world.cluster == nil && world.instances.isEmpty && world.role == nil)
            #expect(describe(reconciler.reconcile(name: harness.spec.name)) == "done")
        }
    }

    @Test func previewPlansWithoutChangingAnything() throws {
        try withTemporaryDirectory { directory in
            let harness = try DriverHarness(directory: directory)
            let reconciler = harness.reconciler()
            let fresh = try reconciler.preview(harness.spec)
            #expect(fresh.steps.count == 5, "\(fresh.steps)")
            #expect(fresh.steps[0].first?.hasPrefix("create IAM role aurorad-ex-s3-import-s3-import") == true)
            #expect(fresh.steps[2].first?.hasPrefix("restore cluster ex-s3-import") == true)
            #expect(fresh.steps[4].count == harness.spec.instances.count)
            #expect(fresh.now == Array(fresh.steps.prefix(2)))
            #expect(fresh.phase == .pending)
            #expect(fresh.projectedPhase == .ready)
            #expect(harness.aws.executed.isEmpty)
            #expect(try harness.status.observedGeneration == 0)
            try harness.reconcile(reconciler, until: .ready)
            let converged = try reconciler.preview(harness.spec)
            #expect(converged.steps.isEmpty && converged.now.isEmpty)
            #expect(converged.phase == .ready)
            #expect(converged.projectedPhase == .ready)
        }
    }
}
