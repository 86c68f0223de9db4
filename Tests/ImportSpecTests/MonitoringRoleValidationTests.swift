import Foundation
import ImportSpec
import Testing

private let givenRole = "arn:aws:iam::123456789012:role/rds-monitoring"

let monitoringRoleCases: [RuleCase] = [
    .good("an interval without a role: aurorad creates one (create_monitoring_role defaults to true)") {
        $0.instanceDefaults.monitoringInterval = 60
    },
    .good("create_monitoring_role true with every role field") {
        $0.instanceDefaults.monitoringInterval = 30
        $0.monitoringRole = MonitoringRoleSettings(
            createMonitoringRole: true, iamRoleName: "ex-monitoring", iamRoleUseNamePrefix: true,
            iamRoleDescription: "Enhanced Monitoring for ex-s3-import", iamRolePath: "/rds/monitoring/",
            iamRolePermissionsBoundary: "arn:aws:iam::123456789012:policy/boundaries/rds")
    },
    .good("an AWS managed policy as the boundary") {
        $0.instanceDefaults.monitoringInterval = 60
        $0.monitoringRole.iamRolePermissionsBoundary = "arn:aws:iam::aws:policy/PowerUserAccess"
    },
    .bad("a role ARN as the boundary", "iam_role_permissions_boundary", "not a managed policy ARN") {
        $0.instanceDefaults.monitoringInterval = 60
        $0.monitoringRole.iamRolePermissionsBoundary = "arn:aws:iam::123456789012:role/boundary"
    },
    .bad("a boundary with no role to create", "iam_role_permissions_boundary", "creates no monitoring role") {
        $0.monitoringRole.iamRolePermissionsBoundary = "arn:aws:iam::123456789012:policy/b"
    },
    .good("a given role with create_monitoring_role left out") {
        $0.instanceDefaults.monitoringInterval = 5
        $0.instanceDefaults.monitoringRoleArn = givenRole
    },
    .good("create_monitoring_role true while nothing samples: nothing to create") {
        $0.monitoringRole.createMonitoringRole = true
    },
    .bad(
        "create_monitoring_role with a role of one instance", "create_monitoring_role",
        "instances.2.monitoring_role_arn also names a role"
    ) {
        $0.instanceDefaults.monitoringInterval = 60
        $0.monitoringRole.createMonitoringRole = true
        $0.instances["2"]?.settings.monitoringRoleArn = givenRole
    },
    .bad("an interval with create_monitoring_role false", "monitoring_interval", "set monitoring_role_arn") {
        $0.instanceDefaults.monitoringInterval = 15
        $0.instanceDefaults.monitoringRoleArn = nil
        $0.instances["1"]?.settings.monitoringRoleArn = givenRole
        $0.monitoringRole.createMonitoringRole = false
    },
    .bad("a role name with no role to create", "iam_role_name", "no instance samples Enhanced Monitoring") {
        $0.monitoringRole.iamRoleName = "ex-monitor"
    },
    .bad("a role path with create_monitoring_role false", "iam_role_path", "create_monitoring_role is false") {
        $0.instanceDefaults.monitoringInterval = 60
        $0.instanceDefaults.monitoringRoleArn = givenRole
        $0.monitoringRole = MonitoringRoleSettings(createMonitoringRole: false, iamRolePath: "/rds/")
    },
    .bad("a role name with a space", "iam_role_name", "A-Z a-z 0-9 + = , . @ _ -") {
        $0.instanceDefaults.monitoringInterval = 60
        $0.monitoringRole.iamRoleName = "ex monitor"
    },
    .bad("a 60-character prefix", "iam_role_name", "leaving room for aurorad's 9-character suffix") {
        $0.instanceDefaults.monitoringInterval = 60
        $0.monitoringRole = MonitoringRoleSettings(
            iamRoleName: String(repeating: "m", count: 60), iamRoleUseNamePrefix: true)
    },
    .bad("a default name over 64 characters", "iam_role_name", "set iam_role_name to a shorter name") {
        $0.name = "a" + String(repeating: "b", count: 58)
        $0.instanceDefaults.monitoringInterval = 60
    },
    .bad("a path without its trailing slash", "iam_role_path", "start and end with /") {
        $0.instanceDefaults.monitoringInterval = 60
        $0.monitoringRole.iamRolePath = "/rds"
    },
    .bad("a description with a control character", "iam_role_description", "not an IAM role description") {
        $0.instanceDefaults.monitoringInterval = 60
        $0.monitoringRole.iamRoleDescription = "monitoring\u{7}"
    },
]

@Suite("Validation of the Enhanced Monitoring role inputs")
struct MonitoringRoleValidationTests {
    @Test("each case passes or fails at its path", arguments: monitoringRoleCases)
    func rule(_ rule: RuleCase) throws { try rule.check() }

    @Test("the role inputs round-trip through the canonical JSON and through JSONEncoder's")
    func roundTrip() throws {
        var spec = Fixtures.validSpec
        spec.instanceDefaults.monitoringInterval = 60
        spec.monitoringRole = MonitoringRoleSettings(
            createMonitoringRole: true, iamRoleName: "ex-monitor", iamRoleUseNamePrefix: false,
            iamRoleDescription: "Enhanced Monitoring", iamRolePath: "/rds/",
            iamRolePermissionsBoundary: "arn:aws:iam::123456789012:policy/b")
        let json = spec.canonicalJSON()
        #expect(String(decoding: json, as: UTF8.self).contains(#""create_monitoring_role":true"#))
        #expect(try ImportSpec.decode(from: json) == spec)
        #expect(try ImportSpec.decode(from: JSONEncoder().encode(spec)) == spec)
    }

    @Test("the managed role serves exactly the instances that sample without a role of their own")
    func instancesNeedingTheRole() {
        var spec = Fixtures.validSpec
        spec.instanceDefaults.monitoringInterval = 60
        spec.instances["2"]?.settings.monitoringRoleArn = givenRole
        #expect(spec.instancesNeedingMonitoringRole == ["1"])
        #expect(spec.createsMonitoringRole)
        spec.instances["1"]?.settings.monitoringInterval = 0
        #expect(spec.instancesNeedingMonitoringRole == [])
        #expect(!spec.createsMonitoringRole)
    }
}
