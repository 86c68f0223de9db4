import Foundation
import ImportSpec
import Reconciler
import Testing

/// The module's common inputs: sent at the restore and the create, repaired after only when the spec sets them.
@Suite("Planner: the module's common inputs")
struct PlannerSettingsTests {
    static let monitoringRole = "arn:aws:iam::123456789012:role/rds-monitoring"

    /// The fixture spec with a handful of common inputs set.
    static func spec() -> ImportSpec {
        var spec = Fixture.spec()
        spec.clusterSettings = ClusterSettings(
            backupRetentionPeriod: 14, preferredBackupWindow: "02:00-03:00",
            preferredMaintenanceWindow: "sun:05:00-sun:06:00", copyTagsToSnapshot: true,
            engineLifecycleSupport: "open-source-rds-extended-support-disabled")
        spec.instanceDefaults = InstanceSettings(
            caCertIdentifier: "rds-ca-rsa2048-g1", monitoringInterval: 60, monitoringRoleArn: monitoringRole)
        spec.instances["2"]?.settings = InstanceSettings(availabilityZone: "eu-west-1b", promotionTier: 2)
        return spec
    }

    @Test func theRestoreCarriesTheClusterSettings() throws {
        let spec = Self.spec()
        var observed = Fixture.verifiedNothing()
        observed.role = Fixture.managedRole(for: spec)
        let plan = Fixture.plan(spec, observed)
        let restore = try #require(
            plan.actions.compactMap { action -> RestoreParameters? in
                if case .restoreCluster(let parameters) = action { return parameters }
                return nil
            }.first)
        #expect(restore.clusterSettings == spec.clusterSettings)
    }

    @Test func instancesAreCreatedWithTheirSettingsOverTheDefaults() {
        let spec = Self.spec()
        var observed = Fixture.converged(spec)
        observed.instances = []
        let created = Fixture.plan(spec, observed).actions.compactMap { action -> InstanceParameters? in
            if case .createInstance(let parameters) = action { return parameters }
            return nil
        }
        #expect(created.map(\.identifier) == ["ex-s3-import-1", "ex-s3-import-2"])
        #expect(
            created[0].settings
                == InstanceSettings(
                    caCertIdentifier: "rds-ca-rsa2048-g1", publiclyAccessible: false, monitoringInterval: 60,
                    monitoringRoleArn: Self.monitoringRole))
        #expect(created[1].settings.availabilityZone == "eu-west-1b")
        #expect(created[1].settings.promotionTier == 2)
        #expect(created[1].settings.publiclyAccessible == false, "always sent, false unless the spec says true")
    }

    @Test func aConvergedSpecWithSettingsPlansNothing() {
        let spec = Self.spec()
        let plan = Fixture.plan(spec, Fixture.converged(spec))
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
    }

    @Test func clusterSettingsTheSpecSetsArePutBack() {
        let spec = Self.spec()
        var observed = Fixture.converged(spec)
        observed.cluster?.settings.backupRetentionPeriod = 1
        observed.cluster?.settings.preferredMaintenanceWindow = "Sun:05:00-Sun:06:00"  // same window, other case
        observed.cluster?.settings.storageType = "aurora-iopt1"  // not in the spec: left alone
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.actions == [
                .modifyCluster(
                    identifier: spec.name, changes: ClusterChanges(settings: ClusterSettings(backupRetentionPeriod: 14))
                )
            ])
        #expect(plan.reason(.clusterRestored) == "SettingsDiffer")
    }

    @Test func settingsTheSpecLeavesOutAreNeverTouched() {
        let spec = Fixture.spec()
        var observed = Fixture.converged(spec)
        observed.cluster?.settings = ClusterSettings(
            backupRetentionPeriod: 35, preferredBackupWindow: "10:00-11:00", iamDatabaseAuthenticationEnabled: true)
        for index in observed.instances.indices {
            observed.instances[index].settings = InstanceSettings(
                caCertIdentifier: "rds-ca-ecc384-g1", publiclyAccessible: true, promotionTier: 9,
                performanceInsightsEnabled: true, monitoringInterval: 15, monitoringRoleArn: Self.monitoringRole)
        }
        #expect(Fixture.plan(spec, observed).actions.isEmpty)
    }

    @Test func instanceDriftIsPutBackWithoutARestartInOneCallPerInstance() {
        let spec = Self.spec()
        var observed = Fixture.converged(spec)
        observed.instances[1].settings.promotionTier = 15
        observed.instances[1].settings.monitoringInterval = 0
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.actions == [
                .modifyInstance(
                    identifier: "ex-s3-import-2",
                    changes: InstanceChanges(
                        settings: InstanceSettings(
                            promotionTier: 2, monitoringInterval: 60, monitoringRoleArn: Self.monitoringRole)),
                    applyImmediately: false)
            ])
        #expect(plan.reason(.instancesReady) == "InstanceSettingsDiffer")
    }

    @Test func aCACertificateChangeWaitsForTheWindowOnceWithoutApplyImmediately() {
        let spec = Self.spec()
        var observed = Fixture.converged(spec)
        observed.instances[0].settings.caCertIdentifier = "rds-ca-2019"
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.actions == [
                .modifyInstance(
                    identifier: "ex-s3-import-1",
                    changes: InstanceChanges(settings: InstanceSettings(caCertIdentifier: "rds-ca-rsa2048-g1")),
                    applyImmediately: false)
            ])
        observed.instances[0].pendingCACertificate = "rds-ca-rsa2048-g1"
        let pending = Fixture.plan(spec, observed)
        #expect(pending.actions.isEmpty, "held by RDS for the window: not sent twice")
        #expect(pending.reason(.instancesReady) == "ChangesPendingMaintenance")
    }

    @Test func aCACertificateChangeWithApplyImmediatelyGoesOneInstanceAtATimeWriterLast() {
        var spec = Self.spec()
        spec.applyImmediately = true
        var observed = Fixture.converged(spec)
        observed.cluster?.writerIdentifier = "ex-s3-import-1"
        for index in observed.instances.indices { observed.instances[index].settings.caCertIdentifier = "rds-ca-2019" }
        observed.instances[0].settings.promotionTier = 3  // the writer's drift goes now, restarting nothing
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.actions.contains(
                .modifyInstance(
                    identifier: "ex-s3-import-2",
                    changes: InstanceChanges(settings: InstanceSettings(caCertIdentifier: "rds-ca-rsa2048-g1")),
                    applyImmediately: true)))
        #expect(
            !plan.actions.contains { action in
                if case .modifyInstance(_, let changes, _) = action, changes.restarts {
                    return action
                        != .modifyInstance(
                            identifier: "ex-s3-import-2",
                            changes: InstanceChanges(settings: InstanceSettings(caCertIdentifier: "rds-ca-rsa2048-g1")),
                            applyImmediately: true)
                }
                return false
            }, "only the reader restarts now")
    }

    @Test func theProjectionOfASpecWithSettingsConverges() {
        let spec = Self.spec()
        let projection = Planner.project(
            desired: spec, observed: Fixture.verifiedNothing(), now: Fixture.now)
        #expect(projection.finalPhase == .ready)
        #expect(!projection.steps.flatMap { $0 }.contains { $0.kind == .modifyCluster || $0.kind == .modifyInstance })
    }
}
