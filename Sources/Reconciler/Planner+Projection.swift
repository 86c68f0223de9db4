import AWSCore
import AWSServices
import Foundation
import ImportSpec
import StatusModel

/// A dry run of a whole convergence, like `terraform plan`: every step group the daemon would run, in order, found by
/// planning, assuming each action has its expected effect, and planning again. Pure: no I/O, deterministic.
public struct PlanProjection: Equatable, Sendable {
    /// How a projection ends.
    public enum End: String, Equatable, Sendable {
        /// The spec would reach Ready (when deleting: the spec would be removed).
        case converged
        /// The spec would stop Failed; `message` says why and what to do.
        case failed
        /// Nothing more would happen but the spec would not be Ready; `message` says what it waits for.
        case stalled
        /// The round limit was reached with work left; later steps are not shown.
        case roundLimit
    }

    /// Every step group in order; a group's actions are independent and run in parallel.
    public var steps: [[Action]]
    /// The groups a reconcile would run now, from the observation as it is: a prefix of `steps`.
    public var now: [[Action]]
    /// How the projection ends.
    public var end: End
    /// The phase the spec would show after the last projected step.
    public var finalPhase: Phase
    /// A sentence about the end: the Ready condition's message, the failure, or the round limit.
    public var finalMessage: String
    /// When deleting: what every round leaves in place because aurorad does not own it, without repeats.
    public var leftInPlace: [String] = []
}

extension Planner {
    /// The most plan-and-apply rounds a projection runs; a new spec with a managed role needs three.
    public static let projectionRounds = 12

    /// Projects the whole sequence of actions for `desired` from `observed`: plans, applies each planned action's
    /// expected effect to a copy of the observation (see `ObservedState.applyExpectedEffect`), and plans again,
    /// until the plan is empty, an action would change nothing, or `rounds` rounds have run. `history` is the
    /// stored spec's (a vanished cluster is restored only when asked for).
    public static func project(
        desired: ImportSpec, observed: ObservedState, deleting: Bool = false, now: Date,
        options: PlanOptions = PlanOptions(), rounds: Int = projectionRounds,
        history: ClusterHistory = ClusterHistory()
    ) -> PlanProjection {
        var state = observed
        var projection = PlanProjection(steps: [], now: [], end: .roundLimit, finalPhase: .pending, finalMessage: "")
        var round = 0
        while true {
            let plan = Planner.plan(
                desired: desired, generation: 0, observed: state, deleting: deleting, now: now, options: options,
                history: history)
            let ready = plan.condition(.ready)?.message ?? ""
            projection.leftInPlace += plan.leftInPlace.filter { !projection.leftInPlace.contains($0) }
            projection.finalPhase = plan.phase
            if round == 0 { projection.now = plan.steps }
            if plan.steps.isEmpty {
                projection.end = plan.phase == .ready ? .converged : plan.phase == .failed ? .failed : .stalled
                projection.finalMessage = ready
                return projection
            }
            if round >= rounds {
                projection.finalMessage = "The projection stops after \(rounds) rounds with work left: \(ready)"
                return projection
            }
            projection.steps += plan.steps
            var next = state
            for action in plan.actions {
                if case .removeSpec(let name) = action {
                    projection.end = .converged
                    projection.finalMessage = "Everything spec \(name) owned is gone and the spec is removed."
                    return projection
                }
                next.applyExpectedEffect(of: action)
            }
            if next == state {
                projection.end = .stalled
                projection.finalMessage = ready
                return projection
            }
            state = next
            round += 1
        }
    }
}

extension ObservedState {
    /// Applies what a successful `action` is expected to leave in AWS. A new role's ARN is a placeholder
    /// (`arn:<partition>:iam::<account>:role/<name>`, the account taken from any ARN already observed, else `(new)`);
    /// a restored cluster and a created instance are `available`, an association `ACTIVE`, a wait satisfied, a
    /// deleted resource gone. A preflight not yet run is assumed to pass; a run one stays as observed.
    mutating func applyExpectedEffect(of action: Action) {
        switch action {
        case .verifyBackup(_, _, let version):
            if backup == .notChecked { backup = .verified(serverVersion: version) }
        case .createRole, .updateAssumeRolePolicy, .putRolePolicy, .tagRole, .attachRolePolicy, .detachRolePolicy,
            .putRolePermissionsBoundary, .deleteRolePolicy, .deleteRole:
            applyRoleEffect(of: action)
        case .restoreCluster, .addRoleToCluster, .waitForRoleAssociation, .modifyCluster, .deleteCluster,
            .waitForCluster:
            applyClusterEffect(of: action)
        case .createInstance, .deleteInstance, .modifyInstance, .waitForInstances:
            applyInstanceEffect(of: action)
        case .addTagsToResource(let arn, let tags):
            applyTags(tags, toResource: arn)
        case .createSecurityGroup, .authorizeSecurityGroupRule, .revokeSecurityGroupRules, .tagSecurityGroup,
            .deleteSecurityGroup:
            applySecurityGroupEffect(of: action)
        case .removeSpec:
            break
        }
    }

    /// The ingestion or Enhanced Monitoring role after a role action: created with a placeholder ARN, its trust
    /// policy, inline and attached policies, boundary and tags changed, or gone. Other actions leave them as they are.
    private mutating func applyRoleEffect(of action: Action) {
        switch action {
        case .createRole(let name, let trustPolicy, let tags, _, let path, let boundary):
            let created = ObservedRole(
                name: name, arn: placeholderARN(service: "iam", region: "", resource: "role\(path ?? "/")\(name)"),
                trustPolicy: trustPolicy, tags: tags)
            if trustPolicy == ManagedResources.trustPolicy(service: ManagedResources.monitoringServicePrincipal) {
                monitoringRole = created
                monitoringRole?.path = path ?? "/"
                monitoringRole?.permissionsBoundary = boundary
            } else {
                role = created
            }
        case .updateAssumeRolePolicy(let name, let policy):
            updateRole(named: name) { $0?.trustPolicy = policy }
        case .putRolePolicy(let role, let name, let policy):
            updateRole(named: role) { $0?.inlinePolicies[name] = policy }
        case .tagRole(let name, let tags):
            updateRole(named: name) { $0?.tags.merge(tags) { _, new in new } }
        case .attachRolePolicy(let name, let policy):
            updateRole(named: name) { $0?.attachedPolicyArns.append(policy) }
        case .detachRolePolicy(let name, let policy):
            updateRole(named: name) { $0?.attachedPolicyArns.removeAll { $0 == policy } }
        case .putRolePermissionsBoundary(let name, let policy):
            updateRole(named: name) { $0?.permissionsBoundary = policy }
        case .deleteRolePolicy(let role, let name):
            updateRole(named: role) { $0?.inlinePolicies[name] = nil }
        case .deleteRole(let name):
            updateRole(named: name) { $0 = nil }
        default:
            break
        }
    }

    /// The cluster after a cluster action: restored `available` with a placeholder ARN, its role association
    /// `ACTIVE`, modified, waited for (`available`, or gone when it was deleting), or gone. Other actions leave it.
    private mutating func applyClusterEffect(of action: Action) {
        switch action {
        case .restoreCluster(let p):
            cluster = ObservedCluster(
                identifier: p.clusterIdentifier, status: "available",
                arn: placeholderARN(service: "rds", region: region, resource: "cluster:\(p.clusterIdentifier)"),
                engine: p.engine, engineVersion: p.engineVersion, masterUsername: p.masterUsername, tags: p.tags,
                deletionProtection: p.deletionProtection, storageEncrypted: p.storageEncrypted, kmsKeyId: p.kmsKeyId,
                enabledCloudwatchLogsExports: p.enabledCloudwatchLogsExports,
                vpcSecurityGroupIds: p.vpcSecurityGroupIds, dbSubnetGroup: p.dbSubnetGroupName,
                settings: p.clusterSettings)
        case .addRoleToCluster(_, let roleArn, let featureName):
            cluster?.associatedRoles.removeAll { $0.roleArn == roleArn }
            cluster?.associatedRoles.append(
                ObservedRoleAssociation(roleArn: roleArn, status: .active, featureName: featureName))
        case .waitForRoleAssociation(_, let roleArn):
            for index in cluster?.associatedRoles.indices ?? 0..<0
            where cluster?.associatedRoles[index].roleArn == roleArn {
                cluster?.associatedRoles[index].status = .active
            }
        case .modifyCluster(_, let changes):
            cluster?.apply(changes)
        case .deleteCluster:
            cluster = nil
        case .waitForCluster:
            if cluster?.status == "deleting" { cluster = nil } else { cluster?.status = "available" }
        default:
            break
        }
    }

    /// The instances after an instance action: a created one `available` with a placeholder ARN, a deleted one
    /// gone, a modified one changed, waited-for ones `available` (or gone when they were deleting). Other actions
    /// leave them.
    private mutating func applyInstanceEffect(of action: Action) {
        switch action {
        case .createInstance(let p):
            instances.append(
                ObservedInstance(
                    identifier: p.identifier, status: "available", instanceClass: p.instanceClass,
                    clusterIdentifier: p.clusterIdentifier,
                    arn: placeholderARN(service: "rds", region: region, resource: "db:\(p.identifier)"), tags: p.tags,
                    settings: p.settings))
        case .deleteInstance(let identifier):
            instances.removeAll { $0.identifier == identifier }
        case .modifyInstance(let identifier, let changes, let immediately):
            for index in instances.indices where instances[index].identifier == identifier {
                instances[index].apply(changes, immediately: immediately)
            }
        case .waitForInstances(let identifiers):
            let waited = Set(identifiers)
            instances.removeAll { waited.contains($0.identifier) && $0.status == "deleting" }
            for index in instances.indices where waited.contains(instances[index].identifier) {
                instances[index].status = "available"
            }
        default:
            break
        }
    }

    /// `tags` merged into the cluster or instance whose ARN is `arn` (AddTagsToResource).
    private mutating func applyTags(_ tags: [String: String], toResource arn: String) {
        if cluster?.arn == arn { cluster?.tags.merge(tags) { _, new in new } }
        for index in instances.indices where instances[index].arn == arn {
            instances[index].tags.merge(tags) { _, new in new }
        }
    }

    /// The managed security group after a security group action: created with EC2's default egress rule, rules
    /// authorized or revoked, tagged, or gone. Other actions leave it.
    private mutating func applySecurityGroupEffect(of action: Action) {
        switch action {
        case .createSecurityGroup(let p):
            // EC2 gives every new VPC group its allow-all egress rule (see `ManagedSecurityGroup.defaultEgressRule`).
            let id = "sg-(new)"
            securityGroup = ObservedSecurityGroup(
                id: id, name: p.name, vpcId: p.vpcId, tags: p.tags,
                rules: [
                    EC2SecurityGroupRule(
                        id: "sgr-(default)", groupId: id, isEgress: true, rule: ManagedSecurityGroup.defaultEgressRule)
                ])
        case .authorizeSecurityGroupRule(let groupId, let egress, let rule, let tags):
            let id = "sgr-(new)-\(securityGroup?.rules.count ?? 0)"
            securityGroup?.rules.append(
                EC2SecurityGroupRule(
                    id: id, groupId: groupId, isEgress: egress, rule: rule,
                    tags: tags.sorted { $0.key < $1.key }.map { AWSTag(key: $0.key, value: $0.value) }))
        case .revokeSecurityGroupRules(_, _, let ids):
            securityGroup?.rules.removeAll { ids.contains($0.id) }
        case .tagSecurityGroup(_, let tags):
            securityGroup?.tags.merge(tags) { _, new in new }
        case .deleteSecurityGroup:
            securityGroup = nil
        default:
            break
        }
    }

    /// Applies `change` to the monitoring role when it has that name, else to the ingestion role.
    private mutating func updateRole(named name: String, _ change: (inout ObservedRole?) -> Void) {
        if monitoringRole?.name == name { change(&monitoringRole) } else { change(&role) }
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>` with the account of an ARN already observed.
    private func placeholderARN(service: String, region: String, resource: String) -> String {
        let known = [role?.arn, cluster?.arn] + instances.map(\.arn)
        let account = known.compactMap { $0.flatMap(ManagedResources.account(fromARN:)) }.first ?? "(new)"
        return "arn:\(ManagedResources.partition(forRegion: self.region)):\(service):\(region):\(account):\(resource)"
    }
}

extension ObservedCluster {
    /// Applies what a successful ModifyDBCluster of `changes` leaves: the new settings (the projection and the tests'
    /// simulated AWS skip the `modifying` status in between).
    public mutating func apply(_ changes: ClusterChanges) {
        if let deletionProtection = changes.deletionProtection { self.deletionProtection = deletionProtection }
        let disabled = Set(changes.disableLogTypes)
        enabledCloudwatchLogsExports =
            (Set(enabledCloudwatchLogsExports).subtracting(disabled)
            .union(changes.enableLogTypes)).sorted()
        if let groups = changes.vpcSecurityGroupIds { vpcSecurityGroupIds = groups }
        settings = changes.settings.merged(over: settings)
    }
}

extension ObservedInstance {
    /// Applies what a successful ModifyDBInstance of `changes` leaves: the settings that do not restart at once;
    /// the class and CA certificate at once when `immediately`, else pending for the maintenance window.
    public mutating func apply(_ changes: InstanceChanges, immediately: Bool) {
        var restarting = InstanceSettings()
        restarting.caCertIdentifier = changes.settings.caCertIdentifier
        var others = changes.settings
        others.caCertIdentifier = nil
        settings = others.merged(over: settings)
        if immediately {
            if let newClass = changes.instanceClass { instanceClass = newClass }
            settings = restarting.merged(over: settings)
            pendingInstanceClass = nil
            pendingCACertificate = nil
        } else {
            pendingInstanceClass = changes.instanceClass ?? pendingInstanceClass
            pendingCACertificate = changes.settings.caCertIdentifier ?? pendingCACertificate
        }
    }
}
