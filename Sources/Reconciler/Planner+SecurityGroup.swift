import AWSServices
import ImportSpec

/// What planning the managed security group found: the step groups that create it or repair its rules, and its id
/// once it exists (the restore and ModifyDBCluster attach it).
struct SecurityGroupOutcome {
    /// Whether the spec asks for a group (`vpc_id` with `create_security_group`).
    var wanted = false
    /// The group's id, once it exists.
    var groupId: String?
    /// Create the group, or revoke then authorize rules, in order.
    var steps: [[Action]] = []

    /// The VPC security groups the cluster must have, or nil when aurorad leaves them as they are (field ownership):
    /// the managed group and `vpc_security_group_ids` when the spec manages groups either way; nil while the managed
    /// group does not exist yet.
    func clusterSecurityGroups(spec: ImportSpec) -> [String]? {
        guard wanted else { return spec.vpcSecurityGroupIds }
        guard let groupId else { return nil }
        return [groupId] + (spec.vpcSecurityGroupIds ?? []).filter { $0 != groupId }
    }

    /// The VPC security groups of the restore (`VpcSecurityGroupIds`; empty: RDS's default), or nil while the
    /// managed group does not exist yet.
    func restoreSecurityGroups(spec: ImportSpec) -> [String]? {
        wanted ? clusterSecurityGroups(spec: spec) : spec.vpcSecurityGroupIds ?? []
    }
}

extension PlanDraft {
    /// Creates the group when it is missing, and brings its tags and rules to the spec's: tags that are missing or
    /// differ are put back (others stay), a missing rule is authorized, a rule aurorad created (tagged for the spec)
    /// that the spec no longer lists is revoked, a rule added by hand is left alone. Before the restore EC2's default
    /// allow-all egress rule is revoked, as the Terraform provider does.
    mutating func planSecurityGroup() -> SecurityGroupOutcome {
        guard spec.createsSecurityGroup, let vpcId = spec.vpcId else {
            set(
                .securityGroupReady, .true, "NotRequested",
                "The spec gives no vpc_id (or create_security_group is false), so aurorad creates no security group.")
            return SecurityGroupOutcome()
        }
        let name = ManagedSecurityGroup.name(for: spec)
        guard let group = observed.securityGroup else {
            set(
                .securityGroupReady, .false, "SecurityGroupNotFound",
                "Security group \(name) does not exist yet; aurorad creates it in \(vpcId).")
            let parameters = SecurityGroupParameters(
                name: name, description: spec.effectiveSecurityGroupDescription, vpcId: vpcId,
                tags: ManagedSecurityGroup.tags(for: spec))
            return SecurityGroupOutcome(wanted: true, steps: [[.createSecurityGroup(parameters)]])
        }
        let desired = ManagedSecurityGroup.desiredRules(for: spec, groupId: group.id)
        let (revokes, authorizations) = ruleChanges(of: group, desired: desired)
        var steps: [[Action]] = []
        let revoking = group.rules.filter { revokes.contains($0.id) }
        for egress in [false, true] {
            let ids = revoking.filter { $0.isEgress == egress }.map(\.id)
            if !ids.isEmpty {
                steps.append([.revokeSecurityGroupRules(groupId: group.id, isEgress: egress, ruleIds: ids)])
            }
        }
        let tagDrift = ManagedResources.tagDrift(desired: ManagedSecurityGroup.tags(for: spec), observed: group.tags)
        let tagging: [Action] = tagDrift.isEmpty ? [] : [.tagSecurityGroup(id: group.id, tags: tagDrift)]
        if !authorizations.isEmpty || !tagging.isEmpty { steps.append(authorizations + tagging) }
        if steps.isEmpty {
            let ingress = desired.filter { !$0.isEgress }.count
            set(
                .securityGroupReady, .true, "RulesMatch",
                "Security group \(group.id) (\(group.name)) has the spec's \(ingress) ingress and "
                    + "\(desired.count - ingress) egress rule(s).")
        } else {
            set(
                .securityGroupReady, .false, "SecurityGroupDiffers",
                "Security group \(group.id) (\(group.name)) differs from the spec: aurorad revokes \(revokes.count) "
                    + "rule(s), authorizes \(authorizations.count)"
                    + (tagging.isEmpty ? "." : " and puts back its tags."))
        }
        return SecurityGroupOutcome(wanted: true, groupId: group.id, steps: steps)
    }

    /// The rules to revoke (by id) and to authorize so that `group` has the `desired` rules: see `planSecurityGroup`.
    /// Observed rules are compared in `ManagedSecurityGroup.canonical` form.
    private func ruleChanges(of observedGroup: ObservedSecurityGroup, desired: [ManagedSecurityGroup.DesiredRule])
        -> (revokes: [String], authorizations: [Action])
    {
        var group = observedGroup
        group.rules = group.rules.map {
            var rule = $0
            rule.rule = ManagedSecurityGroup.canonical($0.rule)
            return rule
        }
        var revokes: [String] = []
        var authorizations: [Action] = []
        for wanted in desired {
            let same = group.rules.filter {
                $0.isEgress == wanted.isEgress && ManagedSecurityGroup.sameTraffic($0.rule, wanted.rule)
            }
            if same.contains(where: { $0.rule == wanted.rule }) { continue }
            // The same traffic under another description: aurorad's own rule is replaced; an operator's is theirs.
            if same.contains(where: { !isOwned($0) }) { continue }
            revokes += same.map(\.id)
            authorizations.append(
                .authorizeSecurityGroupRule(
                    groupId: group.id, isEgress: wanted.isEgress, rule: wanted.rule,
                    tags: ManagedSecurityGroup.ruleTags(for: spec, key: wanted.key)))
        }
        for rule in group.rules where !revokes.contains(rule.id) {
            let listed = desired.contains { $0.isEgress == rule.isEgress && $0.rule == rule.rule }
            let stale = isOwned(rule) && !listed
            let defaultEgress = observed.cluster == nil && ManagedSecurityGroup.isDefaultEgress(rule) && !listed
            if stale || defaultEgress { revokes.append(rule.id) }
        }
        return (revokes, authorizations)
    }

    /// Deletes the managed group once the cluster is gone (its network interfaces may keep it in use for minutes:
    /// EC2 answers `DependencyViolation`, retried with backoff); a group not tagged for the spec is left in place.
    mutating func planSecurityGroupDeletion() {
        guard let group = observed.securityGroup else { return }
        if ManagedResources.isOwned(tags: group.tags, bySpec: spec.name) {
            add([.deleteSecurityGroup(id: group.id, name: group.name)])
        } else {
            leftInPlace.append(
                "security group \(group.id) (not tagged \(ManagedResources.specTagKey)=\(spec.name))")
        }
    }

    /// Whether aurorad created the rule for this spec (its ownership tags).
    private func isOwned(_ rule: EC2SecurityGroupRule) -> Bool {
        ManagedResources.isOwned(tags: ResourceTags(rule.tags.asMap), bySpec: spec.name)
    }
}
