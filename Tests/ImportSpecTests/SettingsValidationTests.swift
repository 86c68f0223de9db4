import Foundation
import ImportSpec
import Testing

private let monitoringRole = "arn:aws:iam::123456789012:role/rds-monitoring"
private let kmsKey = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"

let goodSettings: [RuleCase] = [
    .good("every cluster setting") {
        $0.clusterSettings = ClusterSettings(
            dbClusterParameterGroupName: "aurora-mysql57-tuned", backupRetentionPeriod: 35,
            preferredBackupWindow: "02:00-03:00", preferredMaintenanceWindow: "sun:05:00-sun:06:00",
            iamDatabaseAuthenticationEnabled: true, copyTagsToSnapshot: true, storageType: "aurora-iopt1",
            networkType: "DUAL", engineLifecycleSupport: "open-source-rds-extended-support-disabled")
    },
    .good("one-day retention") { $0.clusterSettings.backupRetentionPeriod = 1 },
    .good("backup window across midnight") { $0.clusterSettings.preferredBackupWindow = "23:45-00:15" },
    .good("maintenance window across Sunday night, capitalised days") {
        $0.clusterSettings.preferredMaintenanceWindow = "Sun:23:30-Mon:00:30"
    },
    .good("windows on the same day that do not meet") {
        $0.clusterSettings.preferredBackupWindow = "03:00-03:30"
        $0.clusterSettings.preferredMaintenanceWindow = "wed:03:30-wed:04:00"
    },
    .good("every instance setting as a cluster-level default") {
        $0.instanceDefaults = InstanceSettings(
            dbParameterGroupName: "aurora-mysql57", caCertIdentifier: "rds-ca-rsa2048-g1", publiclyAccessible: false,
            autoMinorVersionUpgrade: false, performanceInsightsEnabled: true, performanceInsightsRetentionPeriod: 731,
            performanceInsightsKmsKeyId: kmsKey, monitoringInterval: 60, monitoringRoleArn: monitoringRole)
    },
    .good("per-instance zone, tier and a 93-day Performance Insights retention") {
        $0.instances["1"]?.settings = InstanceSettings(
            availabilityZone: "eu-west-1a", promotionTier: 15, performanceInsightsRetentionPeriod: 93)
    },
    .good("monitoring interval per instance with the role as a default") {
        $0.instanceDefaults.monitoringRoleArn = monitoringRole
        $0.instances["1"]?.settings.monitoringInterval = 5
    },
    .good("monitoring off needs no role") { $0.instanceDefaults.monitoringInterval = 0 },
    .good("KMS alias") { $0.instanceDefaults.performanceInsightsKmsKeyId = "alias/pi" },
]

let badSettings: [RuleCase] = [
    .bad("retention 0", "backup_retention_period", "1 to 35") { $0.clusterSettings.backupRetentionPeriod = 0 },
    .bad("retention 36", "backup_retention_period", "1 to 35") { $0.clusterSettings.backupRetentionPeriod = 36 },
    .bad("backup window in the maintenance format", "preferred_backup_window", "hh24:mi-hh24:mi") {
        $0.clusterSettings.preferredBackupWindow = "sun:03:00-sun:04:00"
    },
    .bad("backup window of 29 minutes", "preferred_backup_window", "at least 30") {
        $0.clusterSettings.preferredBackupWindow = "03:00-03:29"
    },
    .bad("hour 24", "preferred_backup_window", "not a window") {
        $0.clusterSettings.preferredBackupWindow = "24:00-01:00"
    },
    .bad("maintenance window without days", "preferred_maintenance_window", "ddd:hh24:mi-ddd:hh24:mi") {
        $0.clusterSettings.preferredMaintenanceWindow = "05:00-06:00"
    },
    .bad("maintenance window of 10 minutes", "preferred_maintenance_window", "lasts 10 minutes") {
        $0.clusterSettings.preferredMaintenanceWindow = "sun:05:00-sun:05:10"
    },
    .bad("maintenance window with a made-up day", "preferred_maintenance_window", "not a window") {
        $0.clusterSettings.preferredMaintenanceWindow = "fun:05:00-fun:06:00"
    },
    .bad("overlapping windows", "preferred_backup_window", "overlaps preferred_maintenance_window") {
        $0.clusterSettings.preferredBackupWindow = "05:30-06:30"
        $0.clusterSettings.preferredMaintenanceWindow = "tue:06:00-tue:07:00"
    },
    .bad("daily backup overlapping a window across midnight", "preferred_backup_window", "overlaps") {
        $0.clusterSettings.preferredBackupWindow = "00:00-00:30"
        $0.clusterSettings.preferredMaintenanceWindow = "sat:23:45-sun:00:15"
    },
    .bad("Multi-AZ storage type", "storage_type", "aurora, aurora-iopt1") { $0.clusterSettings.storageType = "io1" },
    .bad("lower-case network type", "network_type", "IPV4, DUAL") { $0.clusterSettings.networkType = "ipv4" },
    .bad("lifecycle typo", "engine_lifecycle_support", "open-source-rds-extended-support-disabled") {
        $0.clusterSettings.engineLifecycleSupport = "disabled"
    },
    .bad("cluster parameter group with _", "db_cluster_parameter_group_name", "only letters, digits") {
        $0.clusterSettings.dbClusterParameterGroupName = "my_group"
    },
    .bad("parameter group ending in -", "instances.1.db_parameter_group_name", "must not end with -") {
        $0.instances["1"]?.settings.dbParameterGroupName = "group-"
    },
    .bad("monitoring interval 2", "monitoring_interval", "1, 5, 10, 15, 30, 60") {
        $0.instanceDefaults.monitoringInterval = 2
        $0.instanceDefaults.monitoringRoleArn = monitoringRole
    },
    .bad(
        "monitoring without a role, creating none", "instances.1.monitoring_interval",
        "create_monitoring_role is false"
    ) {
        $0.instances["1"]?.settings.monitoringInterval = 30
        $0.monitoringRole.createMonitoringRole = false
    },
    .bad("monitoring role that is not an ARN", "monitoring_role_arn", "IAM role ARN") {
        $0.instanceDefaults.monitoringRoleArn = "rds-monitoring"
    },
    .bad("Performance Insights for 30 days", "performance_insights_retention_period", "multiple of 31") {
        $0.instanceDefaults.performanceInsightsRetentionPeriod = 30
    },
    .bad("Performance Insights for 744 days", "instances.1.performance_insights_retention_period", "731") {
        $0.instances["1"]?.settings.performanceInsightsRetentionPeriod = 744
    },
    .bad("Performance Insights key in the wrong service", "performance_insights_kms_key_id", "not a KMS key") {
        $0.instanceDefaults.performanceInsightsKmsKeyId = "arn:aws:iam::123456789012:role/x"
    },
    .bad("promotion tier 16", "instances.1.promotion_tier", "0 (promoted first) to 15") {
        $0.instances["1"]?.settings.promotionTier = 16
    },
    .bad("region as a zone", "instances.1.availability_zone", "availability zone") {
        $0.instances["1"]?.settings.availabilityZone = "eu-west-1"
    },
    .bad("CA with a space", "ca_cert_identifier", "CA certificate") { $0.instanceDefaults.caCertIdentifier = "rds ca" },
]

@Suite("Validation of the module's common inputs")
struct SettingsValidationTests {
    @Test("good values pass", arguments: goodSettings)
    func goodValue(_ rule: RuleCase) throws { try rule.check() }

    @Test("bad values are reported at their path", arguments: badSettings)
    func badValue(_ rule: RuleCase) throws { try rule.check() }

    @Test("the settings round-trip through the canonical JSON and through JSONEncoder's")
    func roundTrip() throws {
        var spec = Fixtures.validSpec
        spec.clusterSettings = ClusterSettings(
            backupRetentionPeriod: 7, preferredBackupWindow: "02:00-03:00",
            storageType: "aurora-iopt1")
        spec.instanceDefaults = InstanceSettings(caCertIdentifier: "rds-ca-rsa2048-g1", monitoringInterval: 0)
        spec.instances["1"]?.settings = InstanceSettings(publiclyAccessible: true, promotionTier: 1)
        let json = spec.canonicalJSON()
        #expect(try ImportSpec.decode(from: json) == spec)
        #expect(try ImportSpec.decode(from: JSONEncoder().encode(spec)) == spec)
    }

    @Test("a whole-number field given a string, and a zone at the top level, are named")
    func typesAndPlacement() throws {
        var text = String(decoding: Fixtures.minimalSpec.canonicalJSON(), as: UTF8.self)
        text.removeLast()
        text += #","backup_retention_period":"7","availability_zone":"eu-west-1a"}"#
        #expect(throws: SpecError.self) { try ImportSpec.decode(from: Data(text.utf8)) }
        do {
            _ = try ImportSpec.decode(from: Data(text.utf8))
        } catch {
            let paths = error.problems.map(\.path)
            #expect(paths == ["availability_zone", "backup_retention_period"], "\(error)")
            #expect(error.problems.last?.message.contains("whole number") == true)
        }
    }
}
