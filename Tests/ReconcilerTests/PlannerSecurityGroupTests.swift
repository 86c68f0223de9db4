import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Reconciler
import Testing

@Suite("Planner: the module's security group")
struct PlannerSecurityGroupTests {
    static let vpc = "vpc-0123456789abcdef0"
    static let groupId = "sg-0aaaaaaaaaaaaaaa1"

    /// The fixture spec with `vpc_id` and the seed's three ingress rules (and `vpc_security_group_ids` when given).
    static func spec(extraGroups: [String]? = nil) -> ImportSpec {
        var spec = Fixture.spec()
        spec.vpcId = vpc
        spec.vpcSecurityGroupIds = extraGroups
        spec.securityGroupIngressRules = [
            "private-az1": SecurityGroupRule(cidrIpv4: "10.0.1.0/24"),
            "private-az2": SecurityGroupRule(cidrIpv4: "10.0.2.0/24"),
            "private-az3": SecurityGroupRule(cidrIpv4: "10.0.3.0/24", description: "az3"),
        ]
        return spec
    }

    static func rule(_ cidr: String, description: String? = nil, egress: Bool = false) -> EC2Rule {
        EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv4(cidr), description: description)
    }

    /// An observed rule, tagged for the spec when `owned`.
    static func observed(_ id: String, _ rule: EC2Rule, egress: Bool = false, owned: Bool = true, spec: String)
        -> EC2SecurityGroupRule
    {
        let ownership = ManagedResources.ownershipTags(forSpec: spec)
        let tags = owned ? ownership.map { AWSTag(key: $0.key, value: $0.value) } : []
        return EC2SecurityGroupRule(id: id, groupId: groupId, isEgress: egress, rule: rule, tags: tags)
    }

    /// The group as aurorad leaves it: the three rules, tagged, no default egress.
    static func group(for spec: ImportSpec) -> ObservedSecurityGroup {
        ObservedSecurityGroup(
            id: groupId, name: ManagedSecurityGroup.name(for: spec), vpcId: vpc,
            tags: ManagedSecurityGroup.tags(for: spec),
            rules: [
                observed("sgr-1", rule("10.0.1.0/24"), spec: spec.name),
                observed("sgr-2", rule("10.0.2.0/24"), spec: spec.name),
                observed("sgr-3", rule("10.0.3.0/24", description: "az3"), spec: spec.name),
            ])
    }

    /// Converged, with the group attached to the cluster.
    static func converged(_ spec: ImportSpec) -> ObservedState {
        var state = Fixture.converged(spec)
        state.securityGroup = group(for: spec)
        state.cluster?.vpcSecurityGroupIds = [groupId] + (spec.vpcSecurityGroupIds ?? [])
        return state
    }

    @Test func theGroupIsCreatedBeforeTheRestoreNamedTaggedAndDescribedAsTheModuleDoes() throws {
        let spec = Self.spec()
        let plan = Fixture.plan(spec, Fixture.verifiedNothing())
        let create = try #require(plan.actions.first { $0.kind == .createSecurityGroup })
        guard case .createSecurityGroup(let p) = create else { return }
        #expect(p.vpcId == Self.vpc)
        #expect(p.name.hasPrefix("ex-s3-import-") && p.name.count == "ex-s3-import-".count + 8)
        #expect(p.name == ManagedSecurityGroup.name(for: spec), "the name is stable across runs")
        #expect(p.description == "Control traffic to/from RDS Aurora ex-s3-import")
        #expect(p.tags["Name"] == "ex-s3-import")
        #expect(ManagedResources.isOwned(tags: ResourceTags(p.tags), bySpec: spec.name))
        #expect(!plan.actions.contains { $0.kind == .restoreCluster }, "the restore waits for the group")
        #expect(plan.reason(.securityGroupReady) == "SecurityGroupNotFound")
    }

    @Test func aNewGroupLosesEC2sDefaultEgressGetsItsRulesAndIsRestoredWith() throws {
        let spec = Self.spec(extraGroups: ["sg-0bbbbbbbbbbbbbbb2"])
        var observed = Fixture.verifiedNothing()
        observed.role = Fixture.managedRole(for: spec)
        observed.securityGroup = ObservedSecurityGroup(
            id: Self.groupId, name: ManagedSecurityGroup.name(for: spec), vpcId: Self.vpc,
            tags: ManagedSecurityGroup.tags(for: spec),
            rules: [
                EC2SecurityGroupRule(
                    id: "sgr-default", groupId: Self.groupId, isEgress: true,
                    rule: ManagedSecurityGroup.defaultEgressRule)
            ])
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.kinds == [
                [.revokeSecurityGroupEgress],
                [.authorizeSecurityGroupIngress, .authorizeSecurityGroupIngress, .authorizeSecurityGroupIngress],
                [.restoreCluster],
            ])
        #expect(
            plan.steps[0] == [
                .revokeSecurityGroupRules(
                    groupId: Self.groupId, isEgress: true,
                    ruleIds: ["sgr-default"])
            ])
        guard case .authorizeSecurityGroupRule(_, _, let rule, let tags) = plan.steps[1][0],
            case .restoreCluster(let restore) = plan.steps[2][0]
        else { Issue.record("unexpected plan \(plan.steps)"); return }
        #expect(rule == Self.rule("10.0.1.0/24"))
        #expect(tags["Name"] == "ex-s3-import-private-az1")
        #expect(ManagedResources.isOwned(tags: ResourceTags(tags), bySpec: spec.name))
        #expect(restore.vpcSecurityGroupIds == [Self.groupId, "sg-0bbbbbbbbbbbbbbb2"])
    }

    @Test func aConvergedGroupCostsNothing() {
        let spec = Self.spec()
        let plan = Fixture.plan(spec, Self.converged(spec))
        #expect(plan.steps == [])
        #expect(plan.phase == .ready)
        #expect(plan.status(.securityGroupReady) == .true)
    }

    @Test func aRuleRemovedInTheConsoleComesBack() {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.securityGroup?.rules.removeAll { $0.id == "sgr-2" }
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.count == 1)
        guard case .authorizeSecurityGroupRule(let group, false, let rule, _)? = plan.actions.first else {
            Issue.record("expected an ingress authorization, got \(plan.actions)")
            return
        }
        #expect(group == Self.groupId)
        #expect(rule == Self.rule("10.0.2.0/24"))
        #expect(plan.status(.securityGroupReady) == .false)
    }

    @Test func aRuleAddedByHandIsLeftAlone() {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.securityGroup?.rules.append(
            Self.observed("sgr-hand", Self.rule("192.168.0.0/16"), owned: false, spec: spec.name))
        // EC2's default egress after the restore is an operator's business too.
        observed.securityGroup?.rules.append(
            EC2SecurityGroupRule(
                id: "sgr-egress", groupId: Self.groupId, isEgress: true, rule: ManagedSecurityGroup.defaultEgressRule))
        #expect(Fixture.plan(spec, observed).steps == [])
    }

    @Test func anOwnedRuleTheSpecNoLongerListsIsRevoked() {
        var spec = Self.spec()
        let observed = Self.converged(spec)
        spec.securityGroupIngressRules?["private-az3"] = nil
        let plan = Fixture.plan(spec, observed)
        #expect(plan.steps == [[.revokeSecurityGroupRules(groupId: Self.groupId, isEgress: false, ruleIds: ["sgr-3"])]])
    }

    @Test func aChangedDescriptionReplacesTheOwnedRule() {
        var spec = Self.spec()
        let observed = Self.converged(spec)
        spec.securityGroupIngressRules?["private-az3"]?.description = "third zone"
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [[.revokeSecurityGroupIngress], [.authorizeSecurityGroupIngress]])
    }

    @Test func aGroupTagChangedInTheConsoleIsPutBackAndOtherTagsStay() {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.securityGroup?.tags["Name"] = "renamed"
        observed.securityGroup?.tags["CostCenter"] = "42"
        let plan = Fixture.plan(spec, observed)
        #expect(plan.steps == [[.tagSecurityGroup(id: Self.groupId, tags: ["Name": "ex-s3-import"])]])
    }

    @Test func theClusterGetsTheManagedGroupWithTheListedOnes() {
        let spec = Self.spec(extraGroups: ["sg-0bbbbbbbbbbbbbbb2"])
        var observed = Self.converged(spec)
        observed.cluster?.vpcSecurityGroupIds = ["sg-0bbbbbbbbbbbbbbb2"]
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.actions == [
                .modifyCluster(
                    identifier: spec.name,
                    changes: ClusterChanges(vpcSecurityGroupIds: [Self.groupId, "sg-0bbbbbbbbbbbbbbb2"].sorted()))
            ])
    }

    @Test func withoutVpcIdNoGroupIsPlannedAndTheClusterGroupsStayAsTheyAre() {
        var spec = Fixture.spec()
        spec.vpcSecurityGroupIds = nil
        var observed = Fixture.converged(spec)
        observed.cluster?.vpcSecurityGroupIds = ["sg-0ccccccccccccccc3"]
        let plan = Fixture.plan(spec, observed)
        #expect(plan.steps == [])
        #expect(plan.reason(.securityGroupReady) == "NotRequested")
    }

    @Test func theGroupIsDeletedAfterTheClusterAndTheRoleBeforeTheSpecGoes() {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        #expect(!Fixture.plan(spec, observed, deleting: true).actions.contains { $0.kind == .deleteSecurityGroup })
        observed.instances = []
        observed.cluster = nil
        let plan = Fixture.plan(spec, observed, deleting: true)
        #expect(plan.kinds == [[.deleteRolePolicy], [.deleteRole], [.deleteSecurityGroup], [.removeSpec]])
        #expect(plan.steps[2] == [.deleteSecurityGroup(id: Self.groupId, name: ManagedSecurityGroup.name(for: spec))])
    }

    @Test func theDeletePreviewListsTheGroup() {
        let spec = Self.spec()
        let projection = Planner.project(
            desired: spec, observed: Self.converged(spec), deleting: true, now: Fixture.now)
        #expect(projection.end == .converged)
        #expect(projection.steps.flatMap { $0 }.contains { $0.kind == .deleteSecurityGroup })
    }

    @Test func aNewSpecProjectsGroupRulesThenTheRestore() {
        let spec = Self.spec()
        let projection = Planner.project(desired: spec, observed: Fixture.verifiedNothing(), now: Fixture.now)
        let kinds = projection.steps.flatMap { $0 }.map(\.kind)
        let create = kinds.firstIndex(of: .createSecurityGroup) ?? .max
        #expect(create < (kinds.firstIndex(of: .revokeSecurityGroupEgress) ?? -1))
        let authorize = kinds.firstIndex(of: .authorizeSecurityGroupIngress) ?? .max
        #expect(authorize < (kinds.firstIndex(of: .restoreCluster) ?? -1))
        #expect(projection.end == .converged, "\(projection.finalMessage)")
    }

    @Test func dependencyViolationOnDeleteIsRetriedAndDuplicatesSettle() {
        #expect(
            ReconcileError(action: .deleteSecurityGroup, code: "DependencyViolation", message: "in use").errorClass
                == .retryable(.resourceState))
        #expect(
            ReconcileError(action: .authorizeSecurityGroupIngress, code: "InvalidPermission.Duplicate", message: "")
                .errorClass == .retryable(.resourceState))
        #expect(
            ReconcileError(action: .createSecurityGroup, code: "InvalidGroup.Duplicate", message: "").errorClass
                == .retryable(.resourceState))
        #expect(
            ReconcileError(action: .createSecurityGroup, code: "InvalidVpcID.NotFound", message: "").errorClass
                == .terminal)
        #expect(
            RequiredPermissions.forOperation("CreateSecurityGroup") == ["ec2:CreateSecurityGroup", "ec2:CreateTags"])
    }
}
