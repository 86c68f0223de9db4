import Foundation
import ImportSpec
import Reconciler
import StatusModel
import Testing

@Suite("Planner: mutable fields after the restore")
struct PlannerMutableFieldsTests {
    let spec = Fixture.spec()

    /// The converged observation with `edit` applied to the cluster.
    func observed(_ edit: (inout ObservedCluster) -> Void) -> ObservedState {
        var observed = Fixture.converged(spec)
        edit(&observed.cluster!)
        return observed
    }

    struct ClusterCase: Sendable, CustomTestStringConvertible {
        let name: String
        let protection: Bool
        let logs: [String]
        let groups: [String]
        let changes: ClusterChanges
        var testDescription: String { name }
    }

    @Test(arguments: [
        ClusterCase(
            name: "deletion protection turned off in the console", protection: false, logs: ["audit", "error"],
            groups: ["sg-0123456789abcdef0"], changes: ClusterChanges(deletionProtection: true)),
        ClusterCase(
            name: "a log type disabled and another enabled", protection: true, logs: ["error", "general"],
            groups: ["sg-0123456789abcdef0"],
            changes: ClusterChanges(enableLogTypes: ["audit"], disableLogTypes: ["general"])),
        ClusterCase(
            name: "security groups replaced", protection: true, logs: ["audit", "error"], groups: ["sg-other"],
            changes: ClusterChanges(vpcSecurityGroupIds: ["sg-0123456789abcdef0"])),
        ClusterCase(
            name: "everything at once", protection: false, logs: [], groups: ["sg-a", "sg-b"],
            changes: ClusterChanges(
                deletionProtection: true, enableLogTypes: ["audit", "error"],
                vpcSecurityGroupIds: ["sg-0123456789abcdef0"])),
    ])
    func clusterSettingsDriftIsModifiedImmediately(_ test: ClusterCase) {
        var desired = spec
        desired.deletionProtection = true
        let plan = Fixture.plan(
            desired,
            observed {
                $0.deletionProtection = test.protection
                $0.enabledCloudwatchLogsExports = test.logs
                $0.vpcSecurityGroupIds = test.groups
            })
        #expect(plan.actions == [.modifyCluster(identifier: spec.name, changes: test.changes)])
        #expect(plan.phase == .converging)
        #expect(plan.requeue == .poll)
        #expect(plan.reason(.clusterRestored) == "SettingsDiffer")
        #expect(plan.condition(.ready)?.message.contains(test.changes.description) == true)
    }

    @Test func equalSettingsInAnotherOrderNeedNoAction() {
        var desired = spec
        desired.vpcSecurityGroupIds = ["sg-b", "sg-a"]
        let plan = Fixture.plan(
            desired,
            observed {
                $0.enabledCloudwatchLogsExports = ["error", "audit"]
                $0.vpcSecurityGroupIds = ["sg-a", "sg-b"]
            })
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
    }

    @Test func securityGroupsAreLeftAloneWhenTheSpecNamesNone() {
        var desired = spec
        desired.vpcSecurityGroupIds = nil
        let plan = Fixture.plan(desired, observed { $0.vpcSecurityGroupIds = ["sg-default"] })
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
    }

    @Test func settingsTheSpecLeavesOutStayAsTheOperatorSetThem() {
        var desired = spec
        desired.deletionProtection = nil
        desired.enabledCloudwatchLogsExports = nil
        desired.vpcSecurityGroupIds = nil
        let plan = Fixture.plan(
            desired,
            observed {
                $0.deletionProtection = true
                $0.enabledCloudwatchLogsExports = ["slowquery", "audit"]
                $0.vpcSecurityGroupIds = ["sg-console"]
            })
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
    }

    @Test func deletionProtectionIsTurnedOffOnlyWhenTheSpecSaysFalse() {
        var desired = spec
        desired.deletionProtection = false
        let plan = Fixture.plan(desired, observed { $0.deletionProtection = true })
        #expect(
            plan.actions == [
                .modifyCluster(
                    identifier: spec.name,
                    changes: ClusterChanges(
                        deletionProtection: false))
            ])
    }

    @Test func anEmptyLogExportListInTheSpecDisablesEveryExport() {
        var desired = spec
        desired.enabledCloudwatchLogsExports = []
        let plan = Fixture.plan(desired, observed { $0.enabledCloudwatchLogsExports = ["slowquery"] })
        #expect(
            plan.actions == [
                .modifyCluster(
                    identifier: spec.name,
                    changes: ClusterChanges(
                        disableLogTypes: ["slowquery"]))
            ])
    }

    @Test func ownershipListsFollowWhatTheSpecSets() {
        var desired = spec
        desired.deletionProtection = nil
        desired.enabledCloudwatchLogsExports = ["audit"]
        desired.vpcSecurityGroupIds = nil
        #expect(
            FieldOwnership.managed(by: desired) == [
                "enabled_cloudwatch_logs_exports", "instances", "role_associations",
                "s3_import (the managed ingestion role)",
                "tags",
            ])
        let unmanaged = FieldOwnership.unmanaged(by: desired)
        #expect(unmanaged.contains("deletion_protection") && unmanaged.contains("vpc_security_group_ids"))
        #expect(unmanaged.contains("backup_retention_period") && unmanaged.contains("publicly_accessible"))
        desired.clusterSettings.backupRetentionPeriod = 7
        desired.clusterSettings.engineLifecycleSupport = "open-source-rds-extended-support-disabled"
        desired.instances["1"]?.settings.promotionTier = 1
        let managed = FieldOwnership.managed(by: desired)
        #expect(managed.contains("backup_retention_period") && managed.contains("promotion_tier"))
        #expect(!managed.contains("engine_lifecycle_support"), "RDS takes it only at the restore")
        #expect(FieldOwnership.unmanaged(by: desired).contains("engine_lifecycle_support"))
        desired.s3Import.ingestionRole = "arn:aws:iam::123456789012:role/given"
        #expect(!FieldOwnership.managed(by: desired).contains { $0.hasPrefix("s3_import") })
    }

    @Test func busyClusterIsNotModifiedUntilAvailable() {
        let plan = Fixture.plan(
            spec,
            observed {
                $0.status = "modifying"
                $0.deletionProtection = true
            })
        #expect(plan.kinds == [[.waitForCluster]])
    }

    @Test func deletingNeverModifiesTheCluster() {
        var desired = spec
        desired.deletionProtection = true
        let plan = Fixture.plan(desired, observed { $0.enabledCloudwatchLogsExports = [] }, deleting: true)
        #expect(!plan.actions.contains { $0.kind == .modifyCluster })
        #expect(plan.kinds.first == [.deleteInstance, .deleteInstance])
    }

    @Test func immutableChangeHaltsTheModificationToo() {
        var desired = spec
        desired.masterUsername = "admin"
        let plan = Fixture.plan(desired, observed { $0.deletionProtection = true })
        #expect(plan.actions.isEmpty)
        #expect(plan.reason(.clusterRestored) == "ImmutableFieldChanged")
    }

    @Test func instanceClassChangeGoesToTheMaintenanceWindowByDefault() {
        var desired = spec
        desired.instances["1"] = .init(instanceClass: "db.r8g.2xlarge")
        let plan = Fixture.plan(desired, Fixture.converged(spec))
        #expect(
            plan.actions == [
                .modifyInstance(
                    identifier: "ex-s3-import-1", changes: InstanceChanges(instanceClass: "db.r8g.2xlarge"),
                    applyImmediately: false)
            ])
        #expect(plan.reason(.instancesReady) == "InstanceClassDiffers")
        #expect(plan.condition(.instancesReady)?.message.contains("db.r8g.large → db.r8g.2xlarge") == true)
        #expect(plan.condition(.instancesReady)?.message.contains("next maintenance window") == true)
        #expect(plan.phase == .converging)
    }

    @Test func aChangePendingForTheWindowIsNotSentAgain() {
        var desired = spec
        desired.instances["1"] = .init(instanceClass: "db.r8g.2xlarge")
        var observed = Fixture.converged(spec)
        observed.instances[0].pendingInstanceClass = "db.r8g.2xlarge"
        let plan = Fixture.plan(desired, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
        #expect(plan.reason(.instancesReady) == "ChangesPendingMaintenance")
        #expect(plan.condition(.instancesReady)?.message.contains("wait for the next maintenance window") == true)
        // A different pending class (the spec changed again) is replaced.
        observed.instances[0].pendingInstanceClass = "db.r8g.4xlarge"
        #expect(
            Fixture.plan(desired, observed).actions == [
                .modifyInstance(
                    identifier: "ex-s3-import-1", changes: InstanceChanges(instanceClass: "db.r8g.2xlarge"),
                    applyImmediately: false)
            ])
    }

    @Test func applyImmediatelyChangesOneInstanceAtATimeReadersFirstWriterLast() {
        var desired = spec
        desired.instances = ["1": .init(), "2": .init(), "3": .init()]
        var observed = Fixture.converged(desired)
        observed.cluster?.writerIdentifier = "ex-s3-import-1"
        desired.clusterInstanceClass = "db.r8g.2xlarge"
        desired.applyImmediately = true
        let first = Fixture.plan(desired, observed)
        #expect(
            first.actions == [
                .modifyInstance(
                    identifier: "ex-s3-import-2", changes: InstanceChanges(instanceClass: "db.r8g.2xlarge"),
                    applyImmediately: true)
            ])
        #expect(first.condition(.instancesReady)?.message.contains("readers first and the writer last") == true)
        // While one restarts, nothing else is changed.
        observed.instances[1].status = "modifying"
        observed.instances[1].instanceClass = "db.r8g.2xlarge"
        #expect(Fixture.plan(desired, observed).kinds == [[.waitForInstances]])
        // A change already pending for the window is applied now too once apply_immediately is true.
        observed.instances[1].status = "available"
        observed.instances[2].pendingInstanceClass = "db.r8g.2xlarge"
        #expect(
            Fixture.plan(desired, observed).actions == [
                .modifyInstance(
                    identifier: "ex-s3-import-3", changes: InstanceChanges(instanceClass: "db.r8g.2xlarge"),
                    applyImmediately: true)
            ])
        // `ctl plan` shows the order: the readers, then the writer, each a step of its own.
        var before = Fixture.converged(spec)
        before.instances = Fixture.instances(
            for: {
                var three = spec
                three.instances = ["1": .init(), "2": .init(), "3": .init()]
                return three
            }())
        before.cluster?.writerIdentifier = "ex-s3-import-1"
        let projection = Planner.project(desired: desired, observed: before, now: Fixture.now)
        let modified = projection.steps.map { group in
            group.compactMap { action -> String? in
                if case .modifyInstance(let identifier, _, _) = action { return identifier }
                return nil
            }
        }
        #expect(modified == [["ex-s3-import-2"], ["ex-s3-import-3"], ["ex-s3-import-1"]])
        #expect(projection.finalPhase == .ready)
    }

    @Test func busyInstanceIsResizedOnlyOnceAvailable() {
        var desired = spec
        desired.clusterInstanceClass = "db.r8g.2xlarge"
        var observed = Fixture.converged(spec)
        observed.instances[0].status = "modifying"
        let plan = Fixture.plan(desired, observed)
        #expect(plan.kinds == [[.waitForInstances]])
    }

    @Test func removedInstanceOwnedByTheSpecIsDeleted() {
        var desired = spec
        desired.instances["2"] = nil
        let plan = Fixture.plan(desired, Fixture.converged(spec))
        #expect(plan.actions == [.deleteInstance(identifier: "ex-s3-import-2")])
        #expect(plan.reason(.instancesReady) == "InstancesNotInSpec")
    }

    @Test func removedInstanceWaitsUntilItsReplacementIsAvailable() {
        var desired = spec
        desired.instances = ["1": .init(), "3": .init()]
        let creating = Fixture.plan(desired, Fixture.converged(spec))
        #expect(creating.kinds == [[.createInstance]])
        #expect(
            creating.condition(.instancesReady)?.message.contains("ex-s3-import-2 are no longer in the spec")
                == true)
        var observed = Fixture.converged(spec)
        observed.instances.append(
            ObservedInstance(
                identifier: "ex-s3-import-3", status: "creating", instanceClass: "db.r8g.large",
                clusterIdentifier: spec.name, tags: ManagedResources.desiredTags(for: spec)))
        #expect(Fixture.plan(desired, observed).kinds == [[.waitForInstances]])
        observed.instances[2].status = "available"
        #expect(Fixture.plan(desired, observed).actions == [.deleteInstance(identifier: "ex-s3-import-2")])
        observed.instances[1].status = "deleting"
        #expect(Fixture.plan(desired, observed).actions == [.waitForInstances(identifiers: ["ex-s3-import-2"])])
    }

    @Test func foreignInstanceInTheClusterIsNeverDeleted() {
        var observed = Fixture.converged(spec)
        observed.instances.append(
            ObservedInstance(
                identifier: "reporting-replica", status: "available", instanceClass: "db.r8g.large",
                clusterIdentifier: spec.name, tags: ["team": "bi"]))
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
        #expect(plan.condition(.instancesReady)?.message.contains("reporting-replica") == true)
        #expect(plan.condition(.instancesReady)?.message.contains("leaves them alone") == true)
    }

    @Test func projectionShowsTheModificationsAndConverges() {
        var desired = spec
        desired.deletionProtection = true
        desired.instances = ["1": .init(instanceClass: "db.r8g.2xlarge")]
        let projection = Planner.project(desired: desired, observed: Fixture.converged(spec), now: Fixture.now)
        #expect(projection.now.map { $0.map(\.kind) } == [[.modifyCluster, .modifyInstance]])
        #expect(projection.steps.map { $0.map(\.kind) } == [[.modifyCluster, .modifyInstance], [.deleteInstance]])
        #expect(projection.end == .converged)
        #expect(projection.finalPhase == .ready)
    }

    @Test func descriptionsSayWhatChanges() {
        let modify = Action.modifyCluster(
            identifier: "c1",
            changes: ClusterChanges(
                deletionProtection: false, enableLogTypes: ["audit"], disableLogTypes: ["general", "slowquery"],
                vpcSecurityGroupIds: ["sg-1"]))
        #expect(
            modify.description == "modify cluster c1, applied immediately: deletion protection off; start "
                + "exporting audit logs; stop exporting general, slowquery logs; security groups sg-1")
        #expect(
            Action.modifyInstance(
                identifier: "c1-1", changes: InstanceChanges(instanceClass: "db.r8g.xlarge"),
                applyImmediately: true
            )
            .description == "modify instance c1-1 to class db.r8g.xlarge, applied immediately (it restarts)")
        #expect(
            Action.modifyInstance(
                identifier: "c1-1", changes: InstanceChanges(instanceClass: "db.r8g.xlarge"),
                applyImmediately: false
            )
            .description == "modify instance c1-1 to class db.r8g.xlarge, in its next maintenance window "
                + "(apply_immediately is false)")
    }
}
