import Foundation
import ImportSpec
import Reconciler
import StatusModel
import Testing

@Suite("Planner: converging a spec")
struct PlannerConvergeTests {
    let spec = Fixture.spec()
    var roleName: String { ManagedResources.roleName(forSpec: spec.name) }
    var roleArn: String { Fixture.roleArn(roleName) }

    @Test func brandNewSpecAsksForThePreflightOnly() {
        let plan = Fixture.plan(spec, ObservedState(region: Fixture.region))
        let verify = Action.verifyBackup(bucket: "my-import-bucket", prefix: "backup/", sourceEngineVersion: "5.7.12")
        #expect(plan.actions == [verify])
        #expect(plan.phase == .pending)
        #expect(plan.requeue == .immediately)
        #expect(plan.status(.backupVerified) == .unknown)
        #expect(plan.status(.ready) == .false)
    }

    @Test func failedPreflightIsTerminalAndCreatesNothing() {
        var observed = ObservedState(region: Fixture.region)
        observed.backup = .failed("The backup is not prepared: run xtrabackup --prepare, then upload it again.")
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.requeue == .resync)
        #expect(plan.reason(.backupVerified) == "BackupInvalid")
        #expect(plan.condition(.ready)?.message.contains("xtrabackup --prepare") == true)
    }

    @Test func backupFromAnotherMajorVersionFails() {
        var observed = ObservedState(region: Fixture.region)
        observed.backup = .verified(serverVersion: "8.0.36-28")
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.backupVerified) == "SourceVersionMismatch")
    }

    @Test func missingManagedRoleIsCreatedFirstThenItsPolicyAndNoRestoreYet() {
        let plan = Fixture.plan(spec, Fixture.verifiedNothing())
        #expect(plan.kinds == [[.createRole], [.putRolePolicy]])
        guard case .createRole(let name, let trust, let tags, _, _, _) = plan.actions[0] else {
            Issue.record("first action is not createRole")
            return
        }
        #expect(name == "aurorad-ex-s3-import-s3-import")
        #expect(trust == ManagedResources.trustPolicy())
        #expect(tags == ["aurorad:managed-by": "aurorad", "aurorad:spec": "ex-s3-import", "Environment": "dev"])
        #expect(
            plan.actions[1]
                == .putRolePolicy(
                    roleName: name, policyName: "aurorad-s3-import",
                    policy: ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")))
        #expect(plan.phase == .pending)
        #expect(plan.requeue == .poll)
        #expect(plan.reason(.roleReady) == "RoleMissing")
    }

    @Test func readyRoleAndNoClusterRestoresWithEverySpecField() throws {
        var observed = Fixture.verifiedNothing()
        observed.role = Fixture.managedRole(for: spec)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [[.restoreCluster]])
        guard case .restoreCluster(let p) = try #require(plan.actions.first) else { return }
        #expect(p.clusterIdentifier == "ex-s3-import")
        #expect(p.engine == "aurora-mysql")
        #expect(p.engineVersion == "5.7.mysql_aurora.2.11.2")
        #expect(p.masterUsername == "root")
        #expect(p.manageMasterUserPassword)
        #expect(p.masterPasswordFile == nil)
        #expect(p.dbSubnetGroupName == "my-subnets")
        #expect(p.vpcSecurityGroupIds == ["sg-0123456789abcdef0"])
        #expect(p.enabledCloudwatchLogsExports == ["audit", "error"])
        #expect(p.storageEncrypted)
        #expect(!p.deletionProtection)
        #expect(p.s3BucketName == "my-import-bucket")
        #expect(p.s3Prefix == "backup/")
        #expect(p.s3IngestionRoleArn == roleArn)
        #expect(p.sourceEngine == "mysql")
        #expect(p.sourceEngineVersion == "5.7.12")
        #expect(p.tags["aurorad:spec"] == "ex-s3-import")
        #expect(p.tags["Environment"] == "dev")
        #expect(p.tags["aurorad:s3-bucket"] == "=my-import-bucket")
        #expect(plan.phase == .converging)
        #expect(plan.status(.backupVerified) == .true)
        #expect(plan.status(.roleReady) == .true)
        #expect(plan.status(.policyReady) == .true)
        #expect(plan.reason(.clusterRestored) == "ClusterNotFound")
    }

    @Test func passwordFileGoesToTheRestoreInsteadOfTheManagedPassword() throws {
        var custom = spec
        custom.masterPasswordFile = "/etc/aurorad/secret"
        var observed = Fixture.verifiedNothing()
        observed.role = Fixture.managedRole(for: custom)
        guard case .restoreCluster(let p) = try #require(Fixture.plan(custom, observed).actions.first) else {
            Issue.record("no restore planned")
            return
        }
        #expect(!p.manageMasterUserPassword)
        #expect(p.masterPasswordFile == "/etc/aurorad/secret")
    }

    @Test func streamedBackupWarningStillRestores() {
        var observed = Fixture.verifiedNothing()
        observed.backup = .warning("The backup is streamed (.xbstream); its checkpoints were not read.")
        observed.role = Fixture.managedRole(for: spec)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [[.restoreCluster]])
        #expect(plan.status(.backupVerified) == .unknown)
        #expect(plan.reason(.backupVerified) == "BackupNotInspectable")
    }

    @Test(arguments: [
        (
            "trust drifted",
            RoleMutation.trust(
                PolicyDocument(statements: [
                    PolicyStatement(principal: ["Service": ["ec2.amazonaws.com"]], actions: ["sts:AssumeRole"])
                ])), [ActionKind.updateAssumeRolePolicy], "TrustPolicyDrifted", ConditionType.roleReady
        ),
        ("trust deleted", RoleMutation.trust(nil), [.updateAssumeRolePolicy], "TrustPolicyMissing", .roleReady),
        ("policy deleted", RoleMutation.policy(nil), [.putRolePolicy], "PolicyMissing", .policyReady),
        (
            "policy drifted", RoleMutation.policy(ManagedResources.inlinePolicy(bucket: "other", partition: "aws")),
            [.putRolePolicy], "PolicyDrifted", .policyReady
        ),
    ])
    func managedRoleDriftIsPutBackBeforeTheRestore(
        label: String, mutation: RoleMutation, kinds: [ActionKind], reason: String, type: ConditionType
    ) {
        var observed = Fixture.verifiedNothing()
        observed.role = mutation.apply(to: Fixture.managedRole(for: spec))
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [kinds], "\(label)")
        #expect(plan.reason(type) == reason, "\(label)")
        #expect(plan.phase == .converging, "\(label)")
    }

    @Test func trustDriftOnAConvergedSpecIsRepairedWithoutTouchingTheCluster() {
        var observed = Fixture.converged(spec)
        observed.role?.trustPolicy = nil
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions == [.updateAssumeRolePolicy(roleName: roleName, policy: ManagedResources.trustPolicy())])
        #expect(plan.phase == .converging)
        #expect(plan.status(.ready) == .false)
    }

    @Test func roleWithTheManagedNameButNoOwnershipTagsIsNeverTouched() {
        var observed = Fixture.verifiedNothing()
        var role = Fixture.managedRole(for: spec)
        role.tags = [:]
        role.trustPolicy = nil
        observed.role = role
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.roleReady) == "RoleNotOwned")
    }

    @Test func clusterCreatingIsPolled() {
        var observed = Fixture.converged(spec)
        observed.cluster = Fixture.cluster(for: spec, status: "creating", associations: [])
        observed.instances = []
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions == [.waitForCluster(identifier: "ex-s3-import", status: "creating")])
        #expect(plan.phase == .converging)
        #expect(plan.requeue == .poll)
        #expect(plan.reason(.clusterRestored) == "Restoring")
        #expect(plan.status(.instancesReady) == .unknown)
    }

    @Test(arguments: ["backing-up", "modifying", "rebooting", "some-future-status"])
    func busyOrUnknownClusterStatusIsPendingNotFailed(status: String) {
        var observed = Fixture.converged(spec)
        observed.cluster?.status = status
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [[.waitForCluster]])
        #expect(plan.phase == .converging)
        #expect(plan.status(.clusterRestored) == .true)
    }

    @Test func availableClusterGetsTheRoleWithoutFeatureNameAndAllInstancesInOneGroup() {
        var observed = Fixture.converged(spec)
        observed.cluster?.associatedRoles = []
        observed.instances = []
        let plan = Fixture.plan(spec, observed)
        #expect(plan.steps.count == 2)
        #expect(
            plan.steps[0] == [.addRoleToCluster(clusterIdentifier: "ex-s3-import", roleArn: roleArn, featureName: nil)])
        #expect(
            plan.steps[1] == [
                .createInstance(
                    InstanceParameters(
                        identifier: "ex-s3-import-1", instanceClass: "db.r8g.large", engine: "aurora-mysql",
                        clusterIdentifier: "ex-s3-import", tags: ManagedResources.desiredTags(for: spec))),
                .createInstance(
                    InstanceParameters(
                        identifier: "ex-s3-import-2", instanceClass: "db.r8g.xlarge", engine: "aurora-mysql",
                        clusterIdentifier: "ex-s3-import", tags: ManagedResources.desiredTags(for: spec))),
            ])
        #expect(plan.reason(.roleAssociated) == "RoleNotAssociated")
        #expect(plan.reason(.instancesReady) == "InstancesMissing")
    }

    @Test func specWithoutRoleAssociationsStillAssociatesTheIngestionRole() {
        var observed = Fixture.converged(Fixture.spec(roleAssociations: nil))
        observed.cluster?.associatedRoles = []
        let plan = Fixture.plan(Fixture.spec(roleAssociations: nil), observed)
        #expect(
            plan.actions == [.addRoleToCluster(clusterIdentifier: "ex-s3-import", roleArn: roleArn, featureName: nil)])
    }

    @Test func emptyRoleAssociationsAssociateNothing() {
        let custom = Fixture.spec(roleAssociations: [:])
        var observed = Fixture.converged(custom)
        observed.cluster?.associatedRoles = []
        let plan = Fixture.plan(custom, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
    }

    @Test func pendingAssociationIsAwaitedAndBlocksAnotherAdd() {
        let other = Fixture.roleArn("monitoring")
        let custom = Fixture.spec(roleAssociations: ["s3Import": .init(), "extra": .init(roleArn: other)])
        var observed = Fixture.converged(custom)
        observed.cluster?.associatedRoles = [ObservedRoleAssociation(roleArn: roleArn, status: .pending)]
        let plan = Fixture.plan(custom, observed)
        #expect(plan.actions == [.waitForRoleAssociation(clusterIdentifier: "ex-s3-import", roleArn: roleArn)])
        #expect(plan.reason(.roleAssociated) == "RoleNotAssociated")
        #expect(plan.requeue == .poll)
    }

    @Test func onlyOneAssociationIsAddedPerPass() {
        let other = Fixture.roleArn("monitoring")
        let custom = Fixture.spec(roleAssociations: ["s3Import": .init(), "extra": .init(roleArn: other)])
        var observed = Fixture.converged(custom)
        observed.cluster?.associatedRoles = []
        let plan = Fixture.plan(custom, observed)
        // Keys sorted: "extra" before "s3Import".
        #expect(
            plan.actions == [.addRoleToCluster(clusterIdentifier: "ex-s3-import", roleArn: other, featureName: nil)])
    }

    @Test func invalidAssociationIsReported() {
        var observed = Fixture.converged(spec)
        observed.cluster?.associatedRoles = [ObservedRoleAssociation(roleArn: roleArn, status: .invalid)]
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.reason(.roleAssociated) == "AssociationInvalid")
        #expect(plan.phase == .converging)
    }

    @Test func deletedInstanceIsRecreatedAlone() {
        var observed = Fixture.converged(spec)
        observed.instances.removeAll { $0.identifier == "ex-s3-import-2" }
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [[.createInstance]])
        guard case .createInstance(let p) = plan.actions[0] else { return }
        #expect(p.identifier == "ex-s3-import-2")
        #expect(p.instanceClass == "db.r8g.xlarge")
    }

    @Test func instanceOverrideIdentifierIsUsed() {
        var custom = spec
        custom.instances = ["writer": .init(identifier: "primary-db")]
        var observed = Fixture.converged(custom)
        observed.instances = []
        let plan = Fixture.plan(custom, observed)
        guard case .createInstance(let p) = plan.actions.first else {
            Issue.record("no instance planned")
            return
        }
        #expect(p.identifier == "primary-db")
    }

    @Test func creatingInstancesAreAwaited() {
        var observed = Fixture.converged(spec)
        observed.instances = Fixture.instances(for: spec, status: "creating")
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions == [.waitForInstances(identifiers: ["ex-s3-import-1", "ex-s3-import-2"])])
        #expect(plan.reason(.instancesReady) == "InstancesNotAvailable")
    }

    @Test func failedInstanceFailsTheSpec() {
        var observed = Fixture.converged(spec)
        observed.instances[0].status = "incompatible-parameters"
        let plan = Fixture.plan(spec, observed)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.instancesReady) == "InstanceFailed")
    }

    @Test func everythingAvailableIsReadyWithResyncAndNoAction() {
        let plan = Fixture.plan(spec, Fixture.converged(spec))
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
        #expect(plan.requeue == .resync)
        #expect(plan.conditions.map(\.type) == ConditionType.allCases.map(\.rawValue))
        #expect(plan.conditions.allSatisfy { $0.status == .true })
        #expect(plan.condition(.ready)?.message.contains("ex-s3-import.cluster-abc") == true)
    }

    @Test(arguments: ["migration-failed", "failed", "inaccessible-encryption-credentials", "incompatible-restore"])
    func terminalClusterStatusFailsWithTheLatestEvent(status: String) {
        var observed = Fixture.converged(spec)
        observed.cluster?.status = status
        observed.latestClusterEvent = "Migration failed: the backup is incompatible with the target engine version."
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        let message = plan.condition(.clusterRestored)?.message ?? ""
        #expect(message.contains(status))
        #expect(message.contains("the backup is incompatible with the target engine version"))
        #expect(plan.condition(.ready)?.message == message)
    }

    @Test(arguments: [
        ("bucket", "s3_import.bucket_name"), ("prefix", "s3_import.bucket_prefix"),
        ("version", "s3_import.source_engine_version"), ("role", "s3_import.ingestion_role"),
        ("user", "master_username"),
    ])
    func immutableFieldChangeIsReportedAndNotActedOn(change: String, field: String) {
        let observed = Fixture.converged(spec)
        var changed = spec
        switch change {
        case "bucket": changed.s3Import.bucketName = "another-bucket"
        case "prefix": changed.s3Import.bucketPrefix = "other/"
        case "version": changed.s3Import.sourceEngineVersion = "5.7.44"
        case "role": changed.s3Import.ingestionRole = Fixture.roleArn("existing")
        default: changed.masterUsername = "admin"
        }
        let plan = Fixture.plan(changed, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.clusterRestored) == "ImmutableFieldChanged")
        #expect(
            plan.condition(.clusterRestored)?.message.contains(
                "field \(field) cannot change after restore; delete and resubmit") == true)
    }

    @Test func immutableChangeHaltsEvenOtherRepairs() {
        var observed = Fixture.converged(spec)
        observed.instances.removeLast()
        var changed = spec
        changed.masterUsername = "admin"
        changed.s3Import.bucketName = "another-bucket"
        let plan = Fixture.plan(changed, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(
            plan.condition(.ready)?.message
                == "field master_username cannot change after restore; field s3_import.bucket_name cannot change "
                + "after restore; delete and resubmit.")
    }

    @Test func tagDriftIsRepairedOnRoleClusterAndInstances() {
        var changed = spec
        changed.tags = ["Environment": "prod", "Team": "data"]
        let plan = Fixture.plan(changed, Fixture.converged(spec))
        let drift = ["Environment": "prod", "Team": "data"]
        let cluster = Fixture.cluster(for: spec)
        let instances = Fixture.instances(for: spec)
        #expect(
            plan.steps == [
                [.tagRole(roleName: roleName, tags: drift)],
                [
                    .addTagsToResource(arn: cluster.arn, tags: drift),
                    .addTagsToResource(arn: instances[0].arn!, tags: drift),
                    .addTagsToResource(arn: instances[1].arn!, tags: drift),
                ],
            ])
        #expect(plan.reason(.roleReady) == "TagsDrifted")
        #expect(plan.phase == .converging)
    }

    @Test func removedOwnershipTagOnTheClusterMeansItIsNotAdopted() {
        var observed = Fixture.converged(spec)
        observed.cluster?.tags = ["Environment": "dev"]
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.clusterRestored) == "ClusterNotOwned")
    }

    @Test func terminalFailureOfThisGenerationFailsUntilANewGeneration() {
        var observed = Fixture.verifiedNothing()
        observed.role = Fixture.managedRole(for: spec)
        let error = ReconcileError(
            action: .restoreCluster, code: "AccessDenied",
            message: "User is not authorized to perform: rds:RestoreDBClusterFromS3", httpStatus: 403)
        let failure = ActionFailure(generation: 3, error: error, firstOccurred: Fixture.now)
        let failed = Fixture.plan(spec, observed, generation: 3, lastFailure: failure)
        #expect(failed.actions.isEmpty)
        #expect(failed.phase == .failed)
        #expect(failed.reason(.clusterRestored) == "AccessDenied")
        #expect(failed.condition(.ready)?.message.contains("grant that permission") == true)
        let retried = Fixture.plan(spec, observed, generation: 4, lastFailure: failure)
        #expect(retried.kinds == [[.restoreCluster]])
    }

    @Test func iamPropagationIsRetriedWithinItsWindowThenFails() {
        var observed = Fixture.verifiedNothing()
        observed.role = Fixture.managedRole(for: spec)
        let error = ReconcileError(
            action: .restoreCluster, code: "InvalidParameterValue",
            message: "IAM role ARN value is invalid or does not include the required permissions for: "
                + "S3_SNAPSHOT_INGESTION")
        let recent = ActionFailure(generation: 1, error: error, firstOccurred: Fixture.now.addingTimeInterval(-30))
        let retry = Fixture.plan(spec, observed, lastFailure: recent)
        #expect(retry.kinds == [[.restoreCluster]])
        #expect(retry.reason(.clusterRestored) == "Retrying")
        #expect(retry.phase == .converging)
        let old = ActionFailure(generation: 1, error: error, firstOccurred: Fixture.now.addingTimeInterval(-121))
        let gaveUp = Fixture.plan(spec, observed, lastFailure: old)
        #expect(gaveUp.actions.isEmpty)
        #expect(gaveUp.phase == .failed)
        #expect(gaveUp.reason(.clusterRestored) == "IAMPropagationTimeout")
        let patient = Fixture.plan(
            spec, observed, lastFailure: old, options: PlanOptions(iamPropagationRetryWindow: 600))
        #expect(patient.kinds == [[.restoreCluster]])
    }

    @Test func actionDescriptionsReadAsSentencesForCtlPlan() {
        let plan = Fixture.plan(spec, Fixture.verifiedNothing())
        #expect(
            plan.actions[0].description
                == "create IAM role aurorad-ex-s3-import-s3-import trusted by rds.amazonaws.com, tagged "
                + "Environment=dev, aurorad:managed-by=aurorad, aurorad:spec=ex-s3-import")
        let add = Action.addRoleToCluster(clusterIdentifier: "c", roleArn: "arn:r", featureName: nil)
        #expect(add.description == "associate IAM role arn:r with cluster c (no feature name: Aurora MySQL takes none)")
        #expect(
            Action.deleteCluster(identifier: "c", finalSnapshotIdentifier: nil).description
                == "delete cluster c without a final snapshot (skip_final_snapshot)")
    }
}

/// A change an operator (or something else) made to the managed role behind aurorad's back.
enum RoleMutation: Sendable {
    case trust(PolicyDocument?)
    case policy(PolicyDocument?)

    func apply(to role: ObservedRole) -> ObservedRole {
        var role = role
        switch self {
        case .trust(let document): role.trustPolicy = document
        case .policy(let document): role.inlinePolicies[ManagedResources.inlinePolicyName] = document
        }
        return role
    }
}

@Suite("Planner: a whole convergence against a simulated AWS")
struct PlannerWalkthroughTests {
    @Test func brandNewSpecReachesReadyInOrder() {
        let spec = Fixture.spec()
        var observed = ObservedState(region: Fixture.region)
        var seen: [[ActionKind]] = []
        var phases: [Phase] = []
        for _ in 0..<10 {
            let plan = Fixture.plan(spec, observed)
            seen.append(plan.actions.map(\.kind))
            phases.append(plan.phase)
            if plan.phase == .ready { break }
            for action in plan.actions {
                switch action {
                case .verifyBackup: observed.backup = .verified(serverVersion: "5.7.12-log")
                case .createRole: observed.role = Fixture.managedRole(for: spec)
                case .restoreCluster:
                    observed.cluster = Fixture.cluster(for: spec, status: "creating", associations: [])
                case .waitForCluster: observed.cluster?.status = "available"
                case .addRoleToCluster(_, let arn, _):
                    observed.cluster?.associatedRoles = [ObservedRoleAssociation(roleArn: arn, status: .pending)]
                case .waitForRoleAssociation: observed.cluster?.associatedRoles[0].status = .active
                case .createInstance: observed.instances = Fixture.instances(for: spec, status: "creating")
                case .waitForInstances: observed.instances = Fixture.instances(for: spec)
                default: break
                }
            }
        }
        #expect(
            seen == [
                [.verifyBackup], [.createRole, .putRolePolicy], [.restoreCluster], [.waitForCluster],
                [.addRoleToCluster, .createInstance, .createInstance], [.waitForRoleAssociation, .waitForInstances], [],
            ])
        #expect(phases == [.pending, .pending, .converging, .converging, .converging, .converging, .ready])
    }
}
