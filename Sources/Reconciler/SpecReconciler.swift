import Controller
import Dispatch
import Foundation
import ImportSpec
import Logging
import StatusModel
import Synchronization

/// Reconciles one spec at a time: load it, observe AWS, plan, carry out the plan's step groups in order (a group's
/// actions in parallel; the first error ends the pass), record the status and events, and say when to look again.
/// Synchronous, blocking and thread-safe; the controller never runs two reconciles of one spec at once.
///
/// Nothing needed for correctness lives only in memory: the last failed action is kept in the status (condition
/// `LastError`, see `FailureRecord`), everything else is observed each time. Two things are shared, as caches only:
/// the observer may serve several specs from one read (`FleetObserver`; it is told of every write, so a spec always
/// sees its own), and a backup preflight verdict serves the specs of one backup location (`PreflightCache`).
///
/// Retries: a spec Failed because an action failed terminally stays Failed until the next resync, which tries the
/// action again, so a failure the operator fixes outside the spec (a permission, a KMS key, a quota) heals on its
/// own. Submitting a changed spec (a new generation) retries at once; so does `requestRetry(name:)`, which the daemon
/// calls when an identical spec is resubmitted — it drops the recorded failure, in the store and for a reconcile
/// already in flight. An answer saying AWS is not as observed ("already exists", "busy") goes through the
/// controller's backoff, so no write is repeated faster than it.
public final class SpecReconciler: Sendable {
    private let store: any SpecStore
    private let observer: any StateObserving
    private let executor: any ActionExecuting
    private let options: ReconcilerOptions
    private let logger: Logger
    private let clock: @Sendable () -> Date
    /// Specs whose operator asked for a retry since their last reconcile began.
    private let retryRequests = Mutex<Set<String>>([])
    /// Backup preflight verdicts shared by the specs restoring the same backup.
    private let preflights: PreflightCache
    /// Specs whose last reconcile asked to run again at once after writes with known effects (see `nextStep`).
    private let continuedAtOnce = Mutex<Set<String>>([])

    /// A reconciler over `store` that reads AWS through `observer` and changes it through `executor`.
    public init(
        store: any SpecStore, observer: any StateObserving, executor: any ActionExecuting,
        options: ReconcilerOptions = ReconcilerOptions(), logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.observer = observer
        self.executor = executor
        self.options = options
        self.logger = logger
        self.clock = clock
        preflights = PreflightCache(maxAge: options.resyncInterval)
    }

    /// Asks for a retry of a spec Failed by a terminal action error (an identical spec was resubmitted): drops the
    /// recorded failure so the next reconcile tries again. The caller wakes the spec afterwards.
    public func requestRetry(name: String) throws {
        retryRequests.withLock { _ = $0.insert(name) }
        guard var status = try store.status(named: name),
            status.conditions.contains(where: { $0.type == FailureRecord.conditionType })
        else { return }
        status.conditions.removeAll { $0.type == FailureRecord.conditionType }
        status.updatedAt = Timestamp(clock())
        try store.writeStatus(status)
        logger.info("retry requested", metadata: ["spec": "\(name)"])
    }

    /// Converges the spec named `name` one step and says when to reconcile it again: load it, observe and plan,
    /// run the plan's groups, record the status and events, and choose what comes next.
    public func reconcile(name: String) -> ReconcileResult {
        let now = clock()
        let continued = continuedAtOnce.withLock { $0.remove(name) != nil }
        var logger = self.logger
        logger[metadataKey: "spec"] = "\(name)"
        let stored: StoredSpec
        let previous: SpecStatus
        do {
            guard let found = try store.spec(named: name), let status = try store.status(named: name) else {
                return .done
            }
            stored = found
            previous = status
        } catch {
            logger.error("reading the store failed", metadata: ["error": "\(error)"])
            return .retryableError(error)
        }
        let spec: ImportSpec
        do {
            spec = try ImportSpec.decode(from: stored.specJSON)
        } catch {
            return recordUnreadableSpec(error, stored: stored, previous: previous, now: now, logger: logger)
        }
        let failure = standingFailure(name: name, stored: stored, previous: previous, now: now)
        let history = ClusterHistory(
            lastSeen: previous.cluster.lastSeen?.date, restoreRequested: stored.restoreRequestedAt != nil)
        var observed: ObservedState
        var plan: Plan
        do {
            // A kept preflight verdict serves only if it was read after this generation or restore request.
            let backupValidAfter = max(stored.updatedAt.date, stored.restoreRequestedAt?.date ?? .distantPast)
            (observed, plan) = try observeAndPlan(
                spec, generation: stored.generation, deleting: stored.deletionRequested, failure: failure, now: now,
                history: history, backupValidAfter: backupValidAfter)
        } catch {
            return recordObservationFailure(error, stored: stored, previous: previous, now: now, logger: logger)
        }
        consumeRestoreRequest(stored, observed: observed, logger: logger)

        let pass: PlanPass
        switch runSteps(of: plan, name: name, now: now, logger: logger) {
        case .ended(let result): return result
        case .ran(let ran): pass = ran
        }
        let newFailure: ActionFailure?
        if let error = pass.firstError {
            newFailure = nextFailure(error, after: failure, generation: stored.generation, now: now)
            plan = Planner.plan(
                desired: spec, generation: stored.generation, observed: observed,
                deleting: stored.deletionRequested, now: now, lastFailure: newFailure, options: options.plan,
                history: history)
        } else {
            newFailure = plan.phase == .failed ? failure : nil
        }
        var status = StatusRecorder.status(
            previous: previous, spec: spec, generation: stored.generation, plan: plan, observed: observed,
            failure: newFailure, now: now)
        if status.binlog == nil { status.binlog = readBinlogPosition(spec, observed: observed, logger: logger) }
        if let error = pass.firstError { status.message = error.description }
        var events = pass.events
        if previous.phase != status.phase || previous.observedGeneration == 0 {
            events.append(
                StatusRecorder.phaseEvent(
                    from: previous.observedGeneration == 0 ? nil : previous.phase, to: status.phase,
                    message: status.message, now: now))
        }
        record(status: status, events: events, logger: logger)
        return nextStep(after: pass, status: status, plan: plan, continued: continued, logger: logger)
    }

    /// The recorded action failure that still holds: one of this generation, unless the operator asked for a retry
    /// or the resync is due. What the operator fixed outside the spec (a permission, a KMS key, a quota) then
    /// converges at the next resync with no resubmit.
    private func standingFailure(name: String, stored: StoredSpec, previous: SpecStatus, now: Date) -> ActionFailure? {
        let retry = retryRequests.withLock { $0.remove(name) != nil }
        let resyncDue = options.resync.isDue(since: previous.updatedAt.date, now: now)
        guard !retry, !resyncDue, let failure = FailureRecord.failure(in: previous) else { return nil }
        return failure.generation == stored.generation ? failure : nil
    }

    /// What running a plan's groups gave: the events to record, the first error, and an answer saying AWS is not as
    /// observed ("already exists", "busy").
    private struct PlanPass {
        var events: [SpecEvent] = []
        var firstError: ReconcileError?
        var settling: ReconcileError?
        /// Whether writes were made, and whether every one's answer told its effect (`WriteResult`).
        var wrote = false
        var effectsKnown = true
    }

    /// How running a plan's groups ended: every group that could run ran, or the reconcile is over (the spec was
    /// deleted meanwhile, or removed as the plan's last step).
    private enum StepsOutcome {
        case ran(PlanPass)
        case ended(ReconcileResult)
    }

    /// Runs the plan's groups in order (a group's writes in parallel); the first group with an error or a settling
    /// answer ends the pass.
    private func runSteps(of plan: Plan, name: String, now: Date, logger: Logger) -> StepsOutcome {
        var pass = PlanPass()
        for group in plan.steps where pass.firstError == nil && pass.settling == nil {
            guard isStored(name, logger: logger) else { return .ended(.done) }
            if group.contains(where: { $0.kind == .removeSpec }) {
                record(events: pass.events, name: name, logger: logger)
                return .ended(removeSpec(name, logger: logger))
            }
            let writes = group.filter { !$0.isReadOnly }
            let results = execute(writes, logger: logger)
            if !writes.isEmpty {
                let told = results.map { ($0.action, (try? $0.outcome.get()) ?? WriteResult.unknown) }
                observer.wrote(name, told)
                pass.wrote = true
                if told.contains(where: { $0.1 == .unknown }) { pass.effectsKnown = false }
            }
            for (action, outcome) in results {
                guard case .failure(let error) = outcome else {
                    pass.events.append(StatusRecorder.actionEvent(action, now: now))
                    continue
                }
                if error.errorClass == .retryable(.resourceState) {
                    // Already exists, already gone or busy: an observation, settled by the next reconcile.
                    pass.settling = error
                    pass.events.append(
                        SpecEvent(
                            time: Timestamp(now), type: .normal, reason: action.kind.eventReason + "Settling",
                            message: "\(error.description) The next observation settles it."))
                    continue
                }
                pass.events.append(StatusRecorder.errorEvent(error, now: now))
                if pass.firstError == nil { pass.firstError = error }
            }
        }
        return .ran(pass)
    }

    /// The failure to record for `error`: the same action failing the same way in a row keeps its first time (it
    /// bounds IAM propagation).
    private func nextFailure(
        _ error: ReconcileError, after failure: ActionFailure?, generation: Int64, now: Date
    ) -> ActionFailure {
        let earlier = failure.flatMap {
            $0.error.action == error.action && $0.error.errorClass == error.errorClass ? $0.firstOccurred : nil
        }
        return ActionFailure(generation: generation, error: error, firstOccurred: earlier ?? now)
    }

    /// When to look at the spec again: at the next resync after a failure the operator must fix, after the
    /// controller's backoff after a retryable failure or a settling answer, else as the plan asks. A spec waiting on
    /// AWS wakes on a poll tick (`FleetSchedule.pollDelay(from:afterWrite:)`) with every other waiting spec, so one
    /// batched read serves them all. The delay counts from now, when the controller's timer starts, so the spec lands
    /// on the tick however long this reconcile took.
    ///
    /// A plan whose writes all succeeded with known effects (IAM's role writes) runs again at once instead of at the
    /// next poll: the observer holds those effects, so the next step (the restore after the role) is planned from
    /// the kept read; never twice in a row (`continued`), so a plan that keeps asking for the same write cannot
    /// spin.
    private func nextStep(
        after pass: PlanPass, status: SpecStatus, plan: Plan, continued: Bool, logger: Logger
    ) -> ReconcileResult {
        let now = clock()
        if let firstError = pass.firstError {
            if firstError.errorClass == .terminal || status.phase == .failed {
                logger.warning(
                    "action failed; the operator must act, and aurorad tries again at the next resync",
                    metadata: ["error": "\(firstError)"])
                return .requeueAfter(options.resync.delay(from: now))
            }
            logger.info("action failed; retrying with backoff", metadata: ["error": "\(firstError)"])
            return .retryableError(firstError)
        }
        if let settling = pass.settling {
            // Through the controller's backoff, so a write AWS keeps answering this way is never repeated faster.
            logger.info(
                "AWS answered with a state the observation did not show; observing again after backoff",
                metadata: ["error": "\(settling)"])
            return .retryableError(settling)
        }
        switch plan.requeue {
        case .immediately: return .requeueAfter(.zero)
        case .poll:
            guard pass.wrote, pass.effectsKnown, !continued else {
                return .requeueAfter(options.poll.pollDelay(from: now, afterWrite: pass.wrote))
            }
            continuedAtOnce.withLock { _ = $0.insert(status.name) }
            return .requeueAfter(.zero)
        case .resync: return .requeueAfter(options.resync.delay(from: now))
        case .none: return .done
        }
    }

    /// What a submit of `spec` would cause, from live observation: the phase and conditions now, and the whole
    /// projected sequence of actions (see `Planner.project`). Nothing is changed and nothing is stored.
    /// A stored spec of that name lends its `ClusterHistory`, so a vanished cluster shows as waiting for a restore.
    public func preview(_ spec: ImportSpec) throws(ObservationError) -> PlanPreview {
        let now = clock()
        let history = storedHistory(name: spec.name)
        let (observed, plan) = try observeAndPlan(
            spec, generation: 0, deleting: false, failure: nil, now: now, history: history, live: true)
        let projection = Planner.project(
            desired: spec, observed: observed, now: now, options: options.plan, history: history)
        return PlanPreview(
            steps: projection.steps.map { $0.map(\.description) }, now: projection.now.map { $0.map(\.description) },
            phase: plan.phase, conditions: plan.conditions, projectedPhase: projection.finalPhase,
            projectedMessage: projection.finalMessage)
    }

    /// Observes, plans, and when the plan first needs the backup preflight runs it and plans again: the preflight
    /// is a read, so it belongs to the observation. Its verdict is shared with other specs of the same backup
    /// location when read after `backupValidAfter` (see `PreflightCache`); nil: always read afresh. `live`: the
    /// spec's own reads, not the fleet's shared one (for previews).
    private func observeAndPlan(
        _ spec: ImportSpec, generation: Int64, deleting: Bool, failure: ActionFailure?, now: Date,
        history: ClusterHistory, backupValidAfter: Date? = nil, live: Bool = false
    ) throws(ObservationError) -> (ObservedState, Plan) {
        var observed = try live ? observer.observeLive(spec) : observer.observe(spec)
        var plan = Planner.plan(
            desired: spec, generation: generation, observed: observed, deleting: deleting, now: now,
            lastFailure: failure, options: options.plan, history: history)
        if case .verifyBackup(let bucket, let prefix, _) = plan.steps.first?.first {
            if let version = spec.engineVersion {
                observed.engineVersion = try observer.checkEngineVersion(version, engine: spec.engine)
            }
            let read = { () throws(ObservationError) in try self.observer.preflight(bucket: bucket, prefix: prefix) }
            if let backupValidAfter {
                observed.backup = try preflights.verdict(
                    bucket: bucket, prefix: prefix, validAfter: backupValidAfter, now: now, read: read)
            } else {
                observed.backup = try read()
            }
            plan = Planner.plan(
                desired: spec, generation: generation, observed: observed, deleting: deleting, now: now,
                lastFailure: failure, options: options.plan, history: history)
        }
        return (observed, plan)
    }

    /// What `aurorad ctl delete` would destroy, from live observation: the deletion's projected steps and what it
    /// leaves in place because aurorad does not own it (see `Planner.project` with `deleting`). Changes nothing.
    public func previewDeletion(_ spec: ImportSpec) throws(ObservationError) -> DeletionPreview {
        let now = clock()
        let observed = try observer.observeLive(spec)
        let projection = Planner.project(
            desired: spec, observed: observed, deleting: true, now: now,
            options: options.plan)
        let steps = projection.steps.map { $0.filter { $0.kind != .removeSpec }.map(\.description) }
        return DeletionPreview(
            steps: steps.filter { !$0.isEmpty }, leftInPlace: projection.leftInPlace,
            completes: projection.end == .converged, message: projection.finalMessage)
    }

    /// The stored `ClusterHistory` of the spec `name`; empty when there is none (or the store cannot be read: a
    /// preview then shows a vanished cluster as a plain restore, and the reconcile itself still refuses it).
    private func storedHistory(name: String) -> ClusterHistory {
        let stored = try? store.spec(named: name)
        let status = try? store.status(named: name)
        return ClusterHistory(
            lastSeen: status?.cluster.lastSeen?.date, restoreRequested: stored?.restoreRequestedAt != nil)
    }

    /// Drops the operator's restore request once the restored cluster is observed (and not the old one going away).
    /// Only an observation consumes it, so a crash between the restore call and the status write is harmless: the
    /// next pass observes the new cluster (or, not yet visible, asks again and RDS answers that it already exists).
    private func consumeRestoreRequest(_ stored: StoredSpec, observed: ObservedState, logger: Logger) {
        guard let requestedAt = stored.restoreRequestedAt, let cluster = observed.cluster, cluster.status != "deleting",
            ManagedResources.isOwned(tags: cluster.tags, bySpec: stored.name)
        else { return }
        do {
            try store.consumeRestoreRequest(name: stored.name, requestedAt: requestedAt)
            logger.info("restore request fulfilled: the cluster is observed again")
        } catch {
            logger.error("clearing the restore request failed", metadata: ["error": "\(error)"])
        }
    }

    /// The source's binlog position once the restored cluster (aurorad's own) is available; nil before, or when the
    /// read fails (it is tried again at the next reconcile; the position is read once, then kept in the status).
    private func readBinlogPosition(_ spec: ImportSpec, observed: ObservedState, logger: Logger) -> BinlogPosition? {
        guard let cluster = observed.cluster, ManagedResources.isOwned(tags: cluster.tags, bySpec: spec.name),
            ResourceStatus.classifyCluster(cluster.status) == .available
        else { return nil }
        do {
            return try observer.binlogPosition(spec)
        } catch {
            logger.info(
                "reading the binlog position failed; trying again at the next reconcile",
                metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Whether the spec is still stored: `aurorad ctl delete --keep-resources` may forget it during a reconcile,
    /// and then nothing more is done in AWS.
    private func isStored(_ name: String, logger: Logger) -> Bool {
        do {
            guard try store.spec(named: name) != nil else {
                logger.notice("spec forgotten during the reconcile; no further action")
                return false
            }
            return true
        } catch {
            logger.error("reading the store failed", metadata: ["error": "\(error)"])
            return true
        }
    }

    /// Runs independent actions in parallel and returns each with its result or error, in order.
    private func execute(
        _ actions: [Action], logger: Logger
    ) -> [(action: Action, outcome: Result<WriteResult, ReconcileError>)] {
        let results = Mutex<[Result<WriteResult, ReconcileError>]>(
            Array(repeating: .success(.unknown), count: actions.count))
        DispatchQueue.concurrentPerform(iterations: actions.count) { index in
            let action = actions[index]
            logger.info("executing", metadata: ["action": "\(action.kind.rawValue)"])
            let outcome: Result<WriteResult, ReconcileError>
            do throws(ReconcileError) {
                outcome = .success(try executor.execute(action))
            } catch {
                outcome = .failure(error)
            }
            results.withLock { $0[index] = outcome }
        }
        return Array(zip(actions, results.withLock { $0 })).map { (action: $0.0, outcome: $0.1) }
    }

    private func record(status: SpecStatus, events: [SpecEvent], logger: Logger) {
        record(events: events, name: status.name, logger: logger)
        do {
            try store.writeStatus(status)
        } catch {
            logger.error("recording the status failed", metadata: ["error": "\(error)"])
        }
    }

    private func record(events: [SpecEvent], name: String, logger: Logger) {
        do {
            for event in events { try store.appendEvent(name: name, event) }
        } catch {
            logger.error("recording events failed", metadata: ["error": "\(error)"])
        }
    }

    private func removeSpec(_ name: String, logger: Logger) -> ReconcileResult {
        do {
            try store.remove(name: name)
            logger.notice("spec removed: everything it owned in AWS is gone")
            return .done
        } catch {
            logger.error("removing the spec failed", metadata: ["error": "\(error)"])
            return .retryableError(error)
        }
    }

    /// How long a repeated retryable observation failure leaves the status as written (seconds).
    static let failureRefresh: TimeInterval = 60

    /// Records a failed observation: Failed (or still Deleting) when terminal, the previous phase otherwise.
    private func recordObservationFailure(
        _ error: ObservationError, stored: StoredSpec, previous: SpecStatus, now: Date, logger: Logger
    ) -> ReconcileResult {
        let repeated = previous.message == error.description
        // A retryable failure the status already shows, retried on the backoff within `failureRefresh` of the last
        // write, writes nothing: while AWS is unreachable, 10,000 specs' first retries were as many synchronous status
        // writes that told nothing new. Past it the status's time is brought up to say the failure goes on.
        if repeated, error.errorClass != .terminal,
            now.timeIntervalSince(previous.updatedAt.date) < Self.failureRefresh
        {
            return .retryableError(error)
        }
        var status = previous
        status.message = error.description
        status.updatedAt = Timestamp(now)
        // A failure the status already shows, retried on the backoff, is not appended again: the spec's bounded event
        // log keeps its history instead of one line per retry, and the status's time says the failure goes on.
        var events = repeated ? [] : [StatusRecorder.errorEvent(error, now: now)]
        if error.errorClass == .terminal {
            let phase: Phase = stored.deletionRequested ? .deleting : .failed
            status.conditions.set(
                Condition(
                    type: .ready, status: .false, reason: error.code, message: error.description, at: now))
            if phase != previous.phase {
                events.append(StatusRecorder.phaseEvent(from: previous.phase, to: phase, message: nil, now: now))
            }
            status.phase = phase
        }
        record(status: status, events: events, logger: logger)
        if error.errorClass == .terminal {
            logger.warning(
                "observation failed; the operator must act, and aurorad observes again at the next resync",
                metadata: ["error": "\(error)"])
            return .requeueAfter(options.resync.delay(from: now))
        }
        // The controller logs the retry with this error, its failure count and the delay: one line per failure.
        return .retryableError(error)
    }

    /// A stored spec that no longer decodes (written by another build): Failed until it is resubmitted.
    private func recordUnreadableSpec(
        _ error: SpecError, stored: StoredSpec, previous: SpecStatus, now: Date, logger: Logger
    ) -> ReconcileResult {
        var status = previous
        status.observedGeneration = stored.generation
        status.phase = .failed
        status.message = "The stored spec no longer passes validation (\(error)); fix it and submit it again."
        status.updatedAt = Timestamp(now)
        status.conditions.set(
            Condition(
                type: .ready, status: .false, reason: "InvalidSpec", message: status.message ?? "", at: now))
        record(status: status, events: [], logger: logger)
        logger.error("stored spec is invalid", metadata: ["error": "\(error)"])
        return .terminalError(error)
    }
}
