import Foundation
import ImportSpec
import Reconciler
import Testing

@Suite("Planner: the Enhanced Monitoring role (create_monitoring_role)")
struct PlannerMonitoringRoleTests {
    static let policy = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    static let trust = ManagedResources.trustPolicy(service: "monitoring.rds.amazonaws.com")

    /// The fixture spec with every instance sampling every 60 s and no monitoring_role_arn.
    static func spec() -> ImportSpec {
        var spec = Fixture.spec()
        spec.instanceDefaults.monitoringInterval = 60
        return spec
    }

    /// The monitoring role as aurorad leaves it.
    static func role(for spec: ImportSpec) -> ObservedRole {
        let name = ManagedResources.monitoringRoleName(for: spec)
        var role = ObservedRole(
            name: name, arn: Fixture.roleArn(name), trustPolicy: trust, tags: ManagedResources.desiredTags(for: spec))
        role.attachedPolicyArns = [policy]
        return role
    }

    /// Everything converged, the instances monitored with the managed role.
    static func converged(_ spec: ImportSpec) -> ObservedState {
        var state = Fixture.converged(spec)
        state.monitoringRole = role(for: spec)
        for index in state.instances.indices { state.instances[index].settings.monitoringRoleArn = role(for: spec).arn }
        return state
    }

    @Test func theRoleIsCreatedTaggedBesideTheIngestionRoleThenItsPolicyIsAttached() throws {
        var spec = Self.spec()
        let boundary = "arn:aws:iam::123456789012:policy/boundaries/rds"
        spec.monitoringRole = MonitoringRoleSettings(
            iamRoleDescription: "watch", iamRolePath: "/rds/", iamRolePermissionsBoundary: boundary)
        let plan = Fixture.plan(spec, Fixture.verifiedNothing())
        #expect(plan.kinds == [[.createRole, .createRole], [.putRolePolicy, .attachRolePolicy]])
        guard case .createRole(let name, let trust, let tags, let description, let path, let bound) = plan.steps[0][1]
        else {
            Issue.record("the second create is not the monitoring role's: \(plan.steps)")
            return
        }
        #expect(name == "ex-s3-import-monitor")
        #expect(trust == Self.trust)
        #expect(tags == ManagedResources.desiredTags(for: spec))
        #expect((description, path, bound) == ("watch", "/rds/", boundary))
        #expect(plan.steps[1][1] == .attachRolePolicy(roleName: name, policyArn: Self.policy))
        #expect(plan.reason(.monitoringRoleReady) == "MonitoringRoleMissing")
        #expect(
            plan.steps[0][1].description.contains(
                "trusted by monitoring.rds.amazonaws.com, bounded by \(boundary)"))
    }

    @Test func aPrefixedNameIsStableAndThePartitionFollowsTheRegion() throws {
        var spec = Self.spec()
        spec.monitoringRole.iamRoleName = "watch"
        spec.monitoringRole.iamRoleUseNamePrefix = true
        let name = ManagedResources.monitoringRoleName(for: spec)
        #expect(name.hasPrefix("watch-") && name.count == "watch".count + ImportSpec.monitoringRoleNameSuffixLength)
        #expect(ManagedResources.monitoringRoleName(for: spec) == name)
        var observed = Fixture.verifiedNothing()
        observed.region = "cn-north-1"
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.actions.contains(
                .attachRolePolicy(
                    roleName: name, policyArn: "arn:aws-cn:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
                )))
    }

    @Test func instancesAreCreatedWithTheRolesARNOnlyOnceItIsUsable() throws {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.instances = []
        let ready = Fixture.plan(spec, observed)
        let creates = ready.actions.compactMap { action -> InstanceParameters? in
            if case .createInstance(let parameters) = action { return parameters }
            return nil
        }
        #expect(creates.count == 2)
        #expect(creates.allSatisfy { $0.settings.monitoringRoleArn == Self.role(for: spec).arn })
        #expect(creates.allSatisfy { $0.settings.monitoringInterval == 60 })

        observed.monitoringRole?.attachedPolicyArns = []
        let detached = Fixture.plan(spec, observed)
        #expect(!detached.actions.contains { $0.kind == .createInstance })
        #expect(detached.actions.contains(.attachRolePolicy(roleName: "ex-s3-import-monitor", policyArn: Self.policy)))
        #expect(detached.reason(.monitoringRoleReady) == "PolicyDetached")
        #expect(detached.reason(.instancesReady) == "WaitingForMonitoringRole")
    }

    @Test func aGivenRoleOnOneInstanceIsKeptAndTheManagedRoleServesTheOther() throws {
        var spec = Self.spec()
        spec.instances["2"]?.settings.monitoringRoleArn = Fixture.roleArn("operators-monitoring")
        var observed = Self.converged(spec)
        observed.instances[1].settings.monitoringRoleArn = Fixture.roleArn("operators-monitoring")
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty, "\(plan.actions)")
        #expect(plan.phase == .ready)
        #expect(plan.status(.monitoringRoleReady) == .true)
    }

    @Test func driftIsRepairedTrustPolicyAttachmentAndTags() throws {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.monitoringRole?.trustPolicy = ManagedResources.trustPolicy()
        observed.monitoringRole?.attachedPolicyArns = []
        observed.monitoringRole?.tags["Environment"] = "prod"
        let plan = Fixture.plan(spec, observed)
        let name = "ex-s3-import-monitor"
        #expect(
            plan.steps.first == [
                .updateAssumeRolePolicy(roleName: name, policy: Self.trust),
                .attachRolePolicy(roleName: name, policyArn: Self.policy),
                .tagRole(roleName: name, tags: ["Environment": "dev"]),
            ])
        #expect(plan.reason(.monitoringRoleReady) == "TrustPolicyDrifted")
        #expect(plan.status(.ready) == .false)
    }

    @Test func theSpecsPermissionsBoundaryIsPutBackAndAnotherOneLeftAlone() throws {
        var spec = Self.spec()
        let boundary = "arn:aws:iam::123456789012:policy/rds-boundary"
        var observed = Self.converged(spec)
        observed.monitoringRole?.permissionsBoundary = "arn:aws:iam::123456789012:policy/scp-required"
        #expect(Fixture.plan(spec, observed).actions.isEmpty, "a boundary the spec does not name is not aurorad's")
        spec.monitoringRole.iamRolePermissionsBoundary = boundary
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions == [.putRolePermissionsBoundary(roleName: "ex-s3-import-monitor", policyArn: boundary)])
        #expect(plan.reason(.monitoringRoleReady) == "PermissionsBoundaryDiffers")
        observed.monitoringRole?.permissionsBoundary = boundary
        #expect(Fixture.plan(spec, observed).phase == .ready)
    }

    @Test func anInstanceThatLostItsRoleGetsItBack() throws {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.instances[0].settings.monitoringInterval = 0
        observed.instances[0].settings.monitoringRoleArn = nil
        let plan = Fixture.plan(spec, observed)
        let identifier = observed.instances[0].identifier
        #expect(
            plan.actions == [
                .modifyInstance(
                    identifier: identifier,
                    changes: InstanceChanges(
                        settings: InstanceSettings(
                            monitoringInterval: 60, monitoringRoleArn: Self.role(for: spec).arn)),
                    applyImmediately: false)
            ])
    }

    @Test func aRoleOfThatNameNotTaggedForTheSpecIsNeverTouched() throws {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.monitoringRole?.tags = [:]
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.monitoringRoleReady) == "MonitoringRoleNotOwned")
    }

    @Test func aChangedPathIsRefusedWithWhatToDo() throws {
        var spec = Self.spec()
        spec.monitoringRole.iamRolePath = "/rds/"
        let plan = Fixture.plan(spec, Self.converged(spec))
        #expect(plan.actions.isEmpty)
        let message = try #require(plan.condition(.monitoringRoleReady)?.message)
        #expect(message.contains("IAM cannot move a role") && message.contains("set iam_role_path back to /"))
    }

    @Test func noRoleIsPlannedWithoutMonitoringOrWithCreateMonitoringRoleFalse() throws {
        let plain = Fixture.spec()
        #expect(Fixture.plan(plain, Fixture.verifiedNothing()).kinds == [[.createRole], [.putRolePolicy]])
        #expect(Fixture.plan(plain, Fixture.converged(plain)).reason(.monitoringRoleReady) == "NotRequested")
    }

    @Test func deletionDetachesThePolicyThenDeletesTheRoleAfterTheCluster() throws {
        let spec = Self.spec()
        var observed = Self.converged(spec)
        let withCluster = Fixture.plan(spec, observed, deleting: true)
        #expect(!withCluster.actions.contains { $0.kind == .detachRolePolicy || $0.kind == .deleteRole })
        observed.cluster = nil
        observed.instances = []
        let plan = Fixture.plan(spec, observed, deleting: true)
        let ingestion = ManagedResources.roleName(forSpec: spec.name)
        #expect(
            plan.steps == [
                [
                    .deleteRolePolicy(roleName: ingestion, policyName: ManagedResources.inlinePolicyName),
                    .detachRolePolicy(roleName: "ex-s3-import-monitor", policyArn: Self.policy),
                ],
                [.deleteRole(roleName: ingestion), .deleteRole(roleName: "ex-s3-import-monitor")],
                [.removeSpec(name: spec.name)],
            ])
        observed.monitoringRole?.tags = [:]
        let foreign = Fixture.plan(spec, observed, deleting: true)
        #expect(!foreign.actions.contains(.deleteRole(roleName: "ex-s3-import-monitor")))
        #expect(foreign.leftInPlace.contains { $0.contains("ex-s3-import-monitor") })
    }

    @Test func theDeletionPreviewListsTheMonitoringRole() throws {
        let spec = Self.spec()
        let projection = Planner.project(
            desired: spec, observed: Self.converged(spec), deleting: true, now: Fixture.now)
        let lines = projection.steps.flatMap { $0 }.map(\.description)
        #expect(lines.contains("detach managed policy \(Self.policy) from IAM role ex-s3-import-monitor"))
        #expect(lines.contains("delete IAM role ex-s3-import-monitor"))
        #expect(projection.end == .converged)
    }

    @Test func aProjectionFromNothingConvergesWithTheRoleOnEveryInstance() throws {
        let spec = Self.spec()
        let projection = Planner.project(desired: spec, observed: Fixture.verifiedNothing(), now: Fixture.now)
        #expect(projection.end == .converged, "\(projection.finalMessage)")
        let creates = projection.steps.flatMap { $0 }.compactMap { action -> InstanceParameters? in
            if case .createInstance(let parameters) = action { return parameters }
            return nil
        }
        #expect(creates.count == 2)
        #expect(creates.allSatisfy { $0.settings.monitoringRoleArn?.hasSuffix(":role/ex-s3-import-monitor") == true })
    }

    @Test func aMonitoringPropagationErrorIsRetriedThenFailsNamingTheMonitoringRole() throws {
        let message =
            "IAM role ARN value is invalid or does not include the required permissions for: "
            + "ENHANCED_MONITORING"
        let retry = ErrorClassifier.classify(
            action: .createInstance, code: "InvalidParameterValue", message: message, httpStatus: 400)
        #expect(retry == .retryable(.iamPropagation))
        #expect(
            ErrorClassifier.classify(
                action: .modifyInstance, code: "InvalidParameterValue", message: message, httpStatus: 400)
                == .retryable(.iamPropagation))
        #expect(
            ErrorClassifier.classify(
                action: .createInstance, code: "InvalidParameterValue", message: "Invalid instance class",
                httpStatus: 400)
                == .terminal)
        let spec = Self.spec()
        var observed = Self.converged(spec)
        observed.instances = []
        let error = ReconcileError(action: .createInstance, code: "InvalidParameterValue", message: message)
        let failure = ActionFailure(generation: 1, error: error, firstOccurred: Fixture.now.addingTimeInterval(-300))
        let plan = Fixture.plan(spec, observed, lastFailure: failure)
        #expect(plan.phase == .failed)
        let ready = try #require(plan.condition(.ready)?.message)
        #expect(ready.contains("Enhanced Monitoring role") && ready.contains("monitoring.rds.amazonaws.com"))
    }
}

extension PlannerMonitoringRoleTests {
    @Test func ctlListsTheMonitoringRoleAsManagedOnlyWhenItIsCreated() {
        #expect(FieldOwnership.managed(by: Self.spec()).contains { $0.hasPrefix("create_monitoring_role") })
        var given = Self.spec()
        given.instanceDefaults.monitoringRoleArn = Fixture.roleArn("operators-monitoring")
        #expect(!FieldOwnership.managed(by: given).contains { $0.hasPrefix("create_monitoring_role") })
    }
}

extension PlannerMonitoringRoleTests {
    @Test func aRoleNoLongerNeededIsDeletedOnceNoInstanceUsesIt() throws {
        let monitored = Self.spec()
        var observed = Self.converged(monitored)
        var plain = monitored
        plain.instanceDefaults.monitoringInterval = 0
        // The instances still name the role (RDS has not applied interval 0 yet): it stays.
        let inUse = Fixture.plan(plain, observed)
        #expect(!inUse.actions.contains { $0.kind == .deleteRole })
        #expect(inUse.condition(.monitoringRoleReady)?.message.contains("stays while instance(s)") == true)
        for index in observed.instances.indices {
            observed.instances[index].settings.monitoringInterval = 0
            observed.instances[index].settings.monitoringRoleArn = nil
        }
        let plan = Fixture.plan(plain, observed)
        #expect(
            plan.steps == [
                [.detachRolePolicy(roleName: "ex-s3-import-monitor", policyArn: Self.policy)],
                [.deleteRole(roleName: "ex-s3-import-monitor")],
            ])
        observed.monitoringRole?.tags = [:]
        #expect(Fixture.plan(plain, observed).actions.isEmpty, "a role of that name that is not aurorad's is left")
    }
}
