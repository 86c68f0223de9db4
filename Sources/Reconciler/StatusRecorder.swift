import Foundation
import ImportSpec
import StatusModel

/// Builds the status a reconcile writes: phase and conditions from the plan, cluster and role facts from the
/// observation, and the last failure as condition `LastError`.
public enum StatusRecorder {
    /// The cluster status shown when observation found no cluster.
    public static let clusterAbsentStatus = "absent"

    /// The status describing `plan` for generation `generation` of `spec`, merged into `previous`.
    public static func status(
        previous: SpecStatus, spec: ImportSpec, generation: Int64, plan: Plan, observed: ObservedState,
        failure: ActionFailure?, now: Date
    ) -> SpecStatus {
        var status = previous
        status.observedGeneration = generation
        status.phase = plan.phase
        status.conditions = merge(previous: previous.conditions, current: plan.conditions, failure: failure)
        status.cluster =
            observed.cluster.map {
                ClusterFacts(identifier: $0.identifier, status: $0.status, arn: $0.arn, endpoint: $0.endpoint)
            } ?? ClusterFacts(identifier: spec.name, status: clusterAbsentStatus)
        status.cluster.lastSeen = lastSeen(previous: previous.cluster, observed: observed.cluster, spec: spec, now: now)
        // A position belongs to one restored cluster: a cluster restored again gets its own.
        if observed.cluster == nil { status.binlog = nil }
        if let role = observed.role {
            status.role = RoleFacts(name: role.name, arn: role.arn)
        } else if let given = spec.s3Import.ingestionRole {
            status.role = RoleFacts(name: ManagedResources.roleName(fromARN: given), arn: given)
        } else {
            status.role = RoleFacts(name: ManagedResources.roleName(forSpec: spec.name))
        }
        status.message = plan.condition(.ready)?.message
        status.updatedAt = Timestamp(now)
        return status
    }

    /// When the cluster aurorad restored was last seen: now when this observation shows it (tagged for the spec),
    /// else the previous time, kept so that a vanished cluster is never restored again on its own.
    static func lastSeen(
        previous: ClusterFacts, observed: ObservedCluster?, spec: ImportSpec, now: Date
    ) -> Timestamp? {
        guard let observed, ManagedResources.isOwned(tags: observed.tags, bySpec: spec.name) else {
            return previous.lastSeen
        }
        return Timestamp(now)
    }

    /// Merges freshly computed conditions into the previous ones with the Store's `[Condition].set` (a condition
    /// whose status did not change keeps its transition time; types not recomputed stay as they were), replaces
    /// `LastError` with `failure` (or drops it), and orders them: the step types, `Ready`, then any others.
    public static func merge(previous: [Condition], current: [Condition], failure: ActionFailure?) -> [Condition] {
        var merged = previous.filter { $0.type != FailureRecord.conditionType }
        for condition in current { merged.set(condition) }
        if let failure { merged.append(FailureRecord.condition(for: failure)) }
        let order = ConditionType.allCases.map(\.rawValue) + [FailureRecord.conditionType]
        return merged.enumerated().sorted { left, right in
            let l = order.firstIndex(of: left.element.type) ?? order.count
            let r = order.firstIndex(of: right.element.type) ?? order.count
            return (l, left.offset) < (r, right.offset)
        }.map(\.element)
    }

    /// The event recording that `action` was carried out.
    public static func actionEvent(_ action: Action, now: Date) -> SpecEvent {
        SpecEvent(time: Timestamp(now), type: .normal, reason: action.kind.eventReason, message: action.description)
    }

    /// The event recording that `action` failed.
    public static func errorEvent(_ error: ReconcileError, now: Date) -> SpecEvent {
        SpecEvent(
            time: Timestamp(now), type: .warning, reason: error.action.eventReason + "Failed",
            message: error.description)
    }

    /// The event recording a failed observation.
    public static func errorEvent(_ error: ObservationError, now: Date) -> SpecEvent {
        SpecEvent(time: Timestamp(now), type: .warning, reason: "ObservationFailed", message: error.description)
    }

    /// The event recording a phase change (`from` nil: the first status).
    public static func phaseEvent(from old: Phase?, to new: Phase, message: String?, now: Date) -> SpecEvent {
        let change = old.map { "Phase \($0.rawValue) → \(new.rawValue)" } ?? "Phase \(new.rawValue)"
        return SpecEvent(
            time: Timestamp(now), type: new == .failed ? .warning : .normal, reason: new.rawValue,
            message: change + (message.map { ": \($0)" } ?? "."))
    }
}

extension ActionKind {
    /// The CamelCase event reason of this kind, e.g. `CreateRole`.
    var eventReason: String {
        rawValue.prefix(1).uppercased() + rawValue.dropFirst()
    }
}
