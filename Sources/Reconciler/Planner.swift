import Foundation
import ImportSpec
import StatusModel

/// The outcome of planning: what to do now, how the spec stands, and when to look again.
public struct Plan: Equatable, Sendable {
    /// Groups of actions to run one group after the other, stopping at the first failure; the actions inside a
    /// group are independent of each other and may run in parallel.
    public var steps: [[Action]]
    /// The phase the status should show.
    public var phase: Phase
    /// The conditions computed from this observation (while deleting: only `Ready`).
    public var conditions: [Condition]
    /// When to reconcile again if every action succeeds.
    public var requeue: Requeue
    /// While deleting: what is left in place because aurorad does not own it, one phrase each.
    public var leftInPlace: [String] = []

    /// Every action in order.
    public var actions: [Action] { steps.flatMap { $0 } }

    /// The condition of one type, if computed.
    public func condition(_ type: ConditionType) -> Condition? {
        conditions.condition(ofType: type.rawValue)
    }
}

/// Tunables of the planner.
public struct PlanOptions: Equatable, Sendable {
    /// How long RestoreDBClusterFromS3 is retried on IAM propagation errors before the spec fails; the Terraform
    /// provider uses 2 minutes.
    public var iamPropagationRetryWindow: TimeInterval

    /// Creates options; the defaults follow the Terraform provider.
    public init(iamPropagationRetryWindow: TimeInterval = 120) {
        self.iamPropagationRetryWindow = iamPropagationRetryWindow
    }
}

/// The pure planner: from the desired spec and observed AWS state to the next actions, with no I/O at all.
public enum Planner {
    /// Plans the next actions for `desired` (generation `generation`) given `observed`.
    ///
    /// `lastFailure` is the last failed action as the controller stored it; a terminal failure of this generation
    /// makes the spec Failed until a new generation arrives. `now` names the final snapshot and stamps conditions.
    /// `history` says whether the cluster was seen before and a restore was asked for (a vanished cluster).
    public static func plan(
        desired: ImportSpec, generation: Int64, observed: ObservedState, deleting: Bool, now: Date,
        lastFailure: ActionFailure? = nil, options: PlanOptions = PlanOptions(),
        history: ClusterHistory = ClusterHistory()
    ) -> Plan {
        let failure = lastFailure.flatMap { $0.generation == generation ? $0 : nil }
        var draft = PlanDraft(spec: desired, observed: observed, now: now, history: history)
        if deleting {
            draft.planDeletion(failure: failure)
        } else {
            draft.planConvergence(failure: failure, options: options)
        }
        return draft.finish(deleting: deleting)
    }

    /// The FeatureName of AddRoleToDBCluster. Aurora MySQL supports none: AWS answers `FeatureName=s3Import` with
    /// "The feature name s3Import is not valid for the engine Aurora MySQL" (terraform-aws-rds-aurora issue #273,
    /// whose s3-import example sends it), so the role is associated with no feature name. Other engines use the
    /// module's association key as the feature name.
    public static func featureName(engine: String, associationKey: String) -> String? {
        engine == "aurora-mysql" ? nil : associationKey
    }

    /// `major.minor` of a MySQL version string (`5.7.12-log` → `5.7`), or `nil` when it has no such prefix.
    public static func majorMinor(_ version: String) -> String? {
        let numbers = version.split(whereSeparator: { !$0.isNumber }).prefix(2)
        guard numbers.count == 2, version.first?.isNumber == true else { return nil }
        return numbers.joined(separator: ".")
    }
}

/// The plan under construction: conditions by type, action groups, and the reasons the operator must act.
struct PlanDraft {
    let spec: ImportSpec
    let observed: ObservedState
    let now: Date
    /// What the store remembers about the cluster (see `ClusterHistory`).
    let history: ClusterHistory
    /// The partition of the bucket ARNs: the given role's, else the region's.
    let partition: String
    var conditions: [ConditionType: Condition] = [:]
    var steps: [[Action]] = []
    /// Why the operator must act, each with a sentence saying how; any makes the phase Failed and shows in Ready.
    var blockers: [(reason: String, message: String)] = []
    /// Set when this plan must not take any action at all (a terminal state such as a failed backup).
    var halted = false
    /// What a delete leaves in place because aurorad does not own it, one phrase each (e.g. `instance x (…)`).
    var leftInPlace: [String] = []
    /// The managed Enhanced Monitoring role's ARN once RDS may use it (set by `planMonitoringRole`).
    var monitoringRoleArn: String?

    init(spec: ImportSpec, observed: ObservedState, now: Date, history: ClusterHistory = ClusterHistory()) {
        self.spec = spec
        self.observed = observed
        self.now = now
        self.history = history
        self.partition =
            spec.s3Import.ingestionRole.flatMap(ManagedResources.partition(fromARN:))
            ?? ManagedResources.partition(forRegion: observed.region)
    }

    /// Whether aurorad manages the ingestion role (the spec gives none).
    var managesRole: Bool { spec.s3Import.ingestionRole == nil }

    /// The desired tags of every resource created for the spec.
    var desiredTags: [String: String] { ManagedResources.desiredTags(for: spec) }

    mutating func set(_ type: ConditionType, _ status: ConditionStatus, _ reason: String, _ message: String) {
        conditions[type] = Condition(type: type, status: status, reason: reason, message: message, at: now)
    }

    /// Marks the spec Failed with `message` on condition `type`; no action is taken.
    mutating func block(_ type: ConditionType, reason: String, message: String) {
        set(type, .false, reason, message)
        blockers.append((reason, message))
        halted = true
    }

    mutating func add(_ group: [Action]) {
        if !group.isEmpty { steps.append(group) }
    }

    /// Converges toward the spec: role, backup, cluster, associations, instances.
    mutating func planConvergence(failure: ActionFailure?, options: PlanOptions) {
        if let cluster = observed.cluster, !ManagedResources.isOwned(tags: cluster.tags, bySpec: spec.name) {
            block(
                .clusterRestored, reason: "ClusterNotOwned",
                message: "Cluster \(cluster.identifier) exists but is not tagged \(ManagedResources.specTagKey)="
                    + "\(spec.name) and \(ManagedResources.managedByTagKey)=\(ManagedResources.managedByTagValue); "
                    + "aurorad does not adopt resources it did not create: choose another spec name.")
            return
        }
        if planVanishedCluster() { return }
        if let cluster = observed.cluster, let actual = cluster.vpcId, let wanted = spec.vpcId, actual != wanted {
            block(
                .clusterRestored, reason: "VpcChanged",
                message: "vpc_id is \(wanted) but cluster \(cluster.identifier) lives in \(actual) (its DB subnet "
                    + "group \(cluster.dbSubnetGroup ?? "?")), and RDS cannot move an Aurora cluster to another VPC: "
                    + "set vpc_id back to \(actual), or delete the spec (aurorad ctl delete \(spec.name)) and submit "
                    + "it again to restore into \(wanted). Nothing was changed.")
            return
        }
        var role = planRole()
        // Both roles are created (and repaired) side by side, before the restore.
        let monitoring = planMonitoringRole()
        role.steps = (0..<max(role.steps.count, monitoring.count)).map { index in
            (role.steps.indices.contains(index) ? role.steps[index] : [])
                + (monitoring.indices.contains(index) ? monitoring[index] : [])
        }
        let securityGroup = planSecurityGroup()
        if let cluster = observed.cluster {
            set(
                .backupVerified, .true, "RestoreStarted",
                "Cluster \(cluster.identifier) exists, so the backup was accepted; it is not checked again.")
            planExistingCluster(cluster, role: role, securityGroup: securityGroup)
        } else {
            planRestore(role: role, securityGroup: securityGroup)
        }
        apply(failure: failure, options: options)
    }

    /// Folds the last failed action into the plan: terminal (or propagation past its window) fails the spec.
    mutating func apply(failure: ActionFailure?, options: PlanOptions) {
        guard let failure else { return }
        let error = failure.error
        let type = error.action.conditionType
        switch error.errorClass {
        case .terminal:
            block(type, reason: error.code, message: error.description)
        case .retryable(.iamPropagation)
        where now.timeIntervalSince(failure.firstOccurred) > options.iamPropagationRetryWindow:
            let seconds = Int(options.iamPropagationRetryWindow)
            let check =
                type == .instancesReady
                ? "the monitoring role trusts \(ManagedResources.monitoringServicePrincipal) and has the "
                    + "AmazonRDSEnhancedMonitoringRole policy attached"
                : "the role trusts \(ManagedResources.rdsServicePrincipal) and can list the bucket and read its objects"
            let role = type == .instancesReady ? "Enhanced Monitoring role" : "ingestion role"
            block(
                type, reason: "IAMPropagationTimeout",
                message: "RDS still could not use the \(role) after \(seconds) s (\(error.code): "
                    + "\(error.message)); check that \(check), then resubmit the spec.")
        case .retryable:
            if conditions[type]?.status != .true {
                set(type, conditions[type]?.status ?? .unknown, "Retrying", error.description)
            }
        }
    }

    /// Builds the plan: Ready, phase and requeue follow from the conditions, blockers and actions.
    func finish(deleting: Bool) -> Plan {
        let steps = halted ? [] : self.steps
        var conditions = self.conditions
        let stepTypes = ConditionType.allCases.filter { $0 != .ready }
        if !deleting {
            let order: [ConditionType] = [
                .backupVerified, .roleReady, .policyReady, .securityGroupReady, .monitoringRoleReady,
                .clusterRestored, .roleAssociated, .instancesReady,
            ]
            if let blocker = blockers.first {
                conditions[.ready] = Condition(
                    type: .ready, status: .false, reason: blocker.reason, message: blocker.message, at: now)
            } else if let first = order.compactMap({ conditions[$0] }).first(where: { $0.status != .true }) {
                conditions[.ready] = Condition(
                    type: .ready, status: .false, reason: first.reason, message: first.message, at: now)
            } else {
                let endpoint = observed.cluster?.endpoint.map { " at \($0)" } ?? ""
                conditions[.ready] = Condition(
                    type: .ready, status: .true, reason: "Converged",
                    message: "Cluster \(spec.name) is available\(endpoint) with \(spec.instances.count) instance(s).",
                    at: now)
            }
        }
        let ordered = (stepTypes + [.ready]).compactMap { conditions[$0] }
        let phase: Phase
        let requeue: Requeue
        if deleting {
            phase = .deleting
            // Only a plan whose next step removes the spec is finished; earlier steps (the role's policies, the
            // role) must be followed by another reconcile, or the delete stops half-way.
            requeue = steps.first?.contains { $0.kind == .removeSpec } == true ? .none : .poll
        } else if !blockers.isEmpty {
            phase = .failed
            requeue = .resync
        } else if conditions[.ready]?.status == .true && steps.isEmpty {
            phase = .ready
            requeue = .resync
        } else {
            let nothingExists = observed.cluster == nil && (observed.role == nil || !managesRole)
            phase = nothingExists ? .pending : .converging
            requeue =
                steps.flatMap { $0 }.allSatisfy { $0.kind == .verifyBackup } && !steps.isEmpty
                ? .immediately : .poll
        }
        return Plan(steps: steps, phase: phase, conditions: ordered, requeue: requeue, leftInPlace: leftInPlace)
    }
}

extension ActionKind {
    /// The condition describing the step this action serves.
    var conditionType: ConditionType {
        switch self {
        case .verifyBackup: .backupVerified
        case .createRole, .updateAssumeRolePolicy, .tagRole, .deleteRole: .roleReady
        case .putRolePolicy, .deleteRolePolicy: .policyReady
        case .attachRolePolicy, .detachRolePolicy, .putRolePermissionsBoundary: .monitoringRoleReady
        case .restoreCluster, .deleteCluster, .waitForCluster, .addTagsToResource, .modifyCluster: .clusterRestored
        case .addRoleToCluster, .waitForRoleAssociation: .roleAssociated
        case .createInstance, .deleteInstance, .modifyInstance, .waitForInstances: .instancesReady
        case .removeSpec: .ready
        case .createSecurityGroup, .authorizeSecurityGroupIngress, .authorizeSecurityGroupEgress,
            .revokeSecurityGroupIngress, .revokeSecurityGroupEgress, .tagSecurityGroup, .deleteSecurityGroup:
            .securityGroupReady
        }
    }
}
