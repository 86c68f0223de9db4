import AWSCore
import AWSServices
import Foundation
import Testing
import TestSupport

/// The module's common inputs through the built daemon: sent at the restore and the creates (checked in the
/// emulator's restore log and DescribeDBInstances), and after the restore repaired only when the spec sets them;
/// the Enhanced Monitoring role aurorad creates for `monitoring_interval` (`create_monitoring_role`, default true) is
/// used by every instance, repaired when its policy is detached, and deleted with the spec.
@Suite(.sharedEmulator())
struct CommonInputsTests {
    static let monitoringPolicy = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    static let boundary = "arn:aws:iam::123456789012:policy/rds-boundary"

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
                $0["iam_role_permissions_boundary"] = Self.boundary
                $0["instances"] = [
                    "1": ["performance_insights_enabled": true],
                    "2": ["instance_class": "db.r8g.xlarge", "availability_zone": "eu-west-1b", "promotion_tier": 2],
                ]
            }
            try daemon.submit(spec)
            let ready = try await daemon.waitForPhase(name, "Ready")
            ConvergeChecks.readyStatus(ready)
            #expect(ready.condition("MonitoringRoleReady") == "True", "\(ready)")
            let monitoringRoleName = "\(name)-monitor"
            let monitoringRole = try #require(try inspector.iam.getRole(roleName: monitoringRoleName))
            #expect(monitoringRole.assumeRolePolicyDocument?.contains("monitoring.rds.amazonaws.com") == true)
            #expect(tagDictionary(monitoringRole.tags)["aurorad:spec"] == name)
            #expect(monitoringRole.permissionsBoundaryArn == Self.boundary)
            #expect(
                try inspector.iam.listAttachedRolePolicies(roleName: monitoringRoleName).map(\.policyArn)
                    == [Self.monitoringPolicy])
            // The cutover's starting point, from RDS's event after the restore (the sample backup's binlog_pos).
            let binlog = try #require(ready.raw["binlog"] as? [String: Any], "\(ready.raw)")
            #expect(binlog["file"] as? String == "mysql-bin.000003")
            #expect(binlog["position"] as? Int == 154)
            #expect(binlog["source"] as? String == "rds-event")
            let text = try daemon.process.ctl(["status", name])
            #expect(text.stdout.contains("Source binlog:       mysql-bin.000003 position 154 (from rds-event"))

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
                #expect(instance.settings.monitoringRoleArn == monitoringRole.arn)
            }
            #expect(instances[0].settings.enablePerformanceInsights == true)
            #expect(instances[1].availabilityZone == "eu-west-1b")
            #expect(instances[1].promotionTier == 2)

            // Drift: a setting the spec sets is put back at the next resync; one it leaves out stays.
            _ = try inspector.rds.modifyDBCluster(
                identifier: name, settings: RDSClusterSettings(backupRetentionPeriod: 3, storageType: "aurora-iopt1"))
            _ = try inspector.rds.modifyDBInstance(
                identifier: "\(name)-2", applyImmediately: true, promotionTier: 9)
            try inspector.iam.detachRolePolicy(roleName: monitoringRoleName, policyArn: Self.monitoringPolicy)
            let repaired = try await eventually(timeout: 60) {
                let cluster = try inspector.rds.describeDBCluster(identifier: name)
                let tier = try inspector.rds.describeDBInstance(identifier: "\(name)-2")?.promotionTier
                let attached = try inspector.iam.listAttachedRolePolicies(roleName: monitoringRoleName)
                return cluster?.settings.backupRetentionPeriod == 14 && tier == 2
                    && attached.map(\.policyArn) == [Self.monitoringPolicy]
            }
            #expect(repaired, "\(daemon.logTail)")
            let cluster = try #require(try inspector.rds.describeDBCluster(identifier: name))
            #expect(cluster.settings.storageType == "aurora-iopt1", "storage_type is not in the spec: left alone")
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))

            // The delete preview names the monitoring role; the role goes after the instances and the cluster.
            let deleted = try daemon.process.ctl(["delete", name])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(deleted.stderr.contains("delete IAM role \(monitoringRoleName)"), "\(deleted.stderr)")
            let gone = try await eventually { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try inspector.iam.getRole(roleName: monitoringRoleName) == nil)
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
        }
    }
}

extension CommonInputsTests {
    /// Every DescribeDBEngineVersions call the emulator answered, from `GET /_emulator/engine-version-calls`.
    static func engineVersionCalls(_ emulator: EmulatorProcess) throws -> [[String: String]] {
        let response = try CurlTransport().send(
            HTTPRequest(
                method: "GET", scheme: "http", host: "127.0.0.1", port: emulator.port,
                path: "/_emulator/engine-version-calls"),
            timeout: .seconds(10))
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (object?["Calls"] as? [[String: Any]] ?? []).map { $0.compactMapValues { $0 as? String } }
    }

    @Test func theSeedsMySQLStyleVersionFailsWithTheNearestAuroraVersionsAndCreatesNothing() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-engine-version"
            let spec = try writeDemoSpec(name: name, directory: directory) { $0["engine_version"] = "5.7.12" }
            try daemon.submit(spec)
            let failed = try await daemon.waitForPhase(name, "Failed")
            let message = failed.message ?? ""
            for fragment in [
                "RDS has no aurora-mysql engine version 5.7.12",
                "5.7.mysql_aurora.2.12.5 and 5.7.mysql_aurora.2.12.4", "Aurora MySQL 2", "Nothing was created",
            ] {
                #expect(message.contains(fragment), "\(message)")
            }
            #expect(failed.condition("ClusterRestored") == "False")
            #expect(failed.conditionMessage("ClusterRestored")?.contains("5.7.mysql_aurora.2.12.5") == true)
            #expect(try inspector.iam.getRole(roleName: EmulatorInspector.managedRoleName(name)) == nil)
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.restores(cluster: name).isEmpty)

            // Two resyncs later (10 s each) the spec was checked again, but RDS was asked once per daemon run.
            try await Task.sleep(for: .seconds(21))
            let asked = try Self.engineVersionCalls(emulator).filter { $0["EngineVersion"] == "5.7.12" }
            #expect(asked.count == 1, "\(asked)")
            #expect(try daemon.status(name).phase == "Failed")
        }
    }
}
