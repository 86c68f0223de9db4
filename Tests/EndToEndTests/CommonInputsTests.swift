import AWSServices
import Foundation
import Testing
import TestSupport

/// The module's common inputs through the built daemon: sent at the restore and the creates (checked in the
/// emulator's restore log and DescribeDBInstances), and after the restore repaired only when the spec sets them.
@Suite(.sharedEmulator())
struct CommonInputsTests {
    static let monitoringRole = "arn:aws:iam::123456789012:role/rds-monitoring"

    @Test func theSettingsReachAWSAndDriftIsRepairedOnlyWhereTheSpecSetsThem() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-inputs"
            let spec = try writeDemoSpec(name: name, directory: directory) {
                $0["backup_retention_period"] = 14
                $0["preferred_backup_window"] = "02:00-03:00"
                $0["preferred_maintenance_window"] = "sun:05:00-sun:06:00"
                $0["copy_tags_to_snapshot"] = true
                $0["engine_lifecycle_support"] = "open-source-rds-extended-support-disabled"
                $0["monitoring_interval"] = 60
                $0["monitoring_role_arn"] = Self.monitoringRole
                $0["instances"] = [
                    "1": ["performance_insights_enabled": true],
                    "2": ["instance_class": "db.r8g.xlarge", "availability_zone": "eu-west-1b", "promotion_tier": 2],
                ]
            }
            try daemon.submit(spec)
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))

            let restore = try #require(try inspector.restores(cluster: name).first)
            #expect(restore["BackupRetentionPeriod"] as? Int == 14)
            #expect(restore["PreferredBackupWindow"] as? String == "02:00-03:00")
            #expect(restore["PreferredMaintenanceWindow"] as? String == "sun:05:00-sun:06:00")
            #expect(restore["CopyTagsToSnapshot"] as? Bool == true)
            #expect(restore["EngineLifecycleSupport"] as? String == "open-source-rds-extended-support-disabled")
            #expect(restore["StorageType"] == nil, "left out of the spec: not sent")

            let instances = try inspector.instances(cluster: name)
            #expect(instances.map(\.identifier) == ["\(name)-1", "\(name)-2"])
            for instance in instances {
                #expect(instance.publiclyAccessible == false, "always sent, false unless the spec says true")
                #expect(instance.settings.monitoringInterval == 60)
                #expect(instance.settings.monitoringRoleArn == Self.monitoringRole)
            }
            #expect(instances[0].settings.enablePerformanceInsights == true)
            #expect(instances[1].availabilityZone == "eu-west-1b")
            #expect(instances[1].promotionTier == 2)

            // Drift: a setting the spec sets is put back at the next resync; one it leaves out stays.
            _ = try inspector.rds.modifyDBCluster(
                identifier: name, settings: RDSClusterSettings(backupRetentionPeriod: 3, storageType: "aurora-iopt1"))
            _ = try inspector.rds.modifyDBInstance(
                identifier: "\(name)-2", applyImmediately: true, promotionTier: 9)
            let repaired = try await eventually(timeout: 60) {
                let cluster = try inspector.rds.describeDBCluster(identifier: name)
                let tier = try inspector.rds.describeDBInstance(identifier: "\(name)-2")?.promotionTier
                return cluster?.settings.backupRetentionPeriod == 14 && tier == 2
            }
            #expect(repaired, "\(daemon.logTail)")
            let cluster = try #require(try inspector.rds.describeDBCluster(identifier: name))
            #expect(cluster.settings.storageType == "aurora-iopt1", "storage_type is not in the spec: left alone")
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
        }
    }
}
