import AWSCore
import AWSServices
import Foundation
import Testing
import TestSupport

/// The daemon converges and deletes a spec (with a managed security group, so EC2 is exercised too) as an IAM user
/// whose only policy is `deploy/iam-policy.json`, unchanged, with the emulator enforcing the caller's permissions.
///
/// The emulator checks the IAM, RDS and EC2 writes aurorad makes against their real resource ARNs (the role, the
/// cluster and instance, the security group and its rules, the groups a call names) and evaluates the condition keys
/// the policy uses (`aws:RequestTag/…`, `aws:ResourceTag/…`, `iam:PassedToService`, `iam:PolicyARN`,
/// `ec2:CreateAction`), including the dependent actions AWS checks with them (iam:PassRole, tag-on-create); see
/// `Tests/Emulator/iam_scoping.py`. So this proves the action list, the `aurorad-*` and tag scoping and the
/// conditions; `Tests/Emulator/test_scoping.py` proves the same policy is refused on what aurorad does not own.
@Suite(.sharedEmulator())
struct LeastPrivilegeTests {
    @Test func aFullConvergeAndDeleteNeedsNothingBeyondThePolicy() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        let demo = try #require(
            try inspector.ec2.describeSecurityGroups(
                filters: [AWSFilter(name: "group-name", values: ["aurorad-demo-db"])]).first,
            "the emulator seeds security group aurorad-demo-db (--seed-demo)")
        let vpcId = try #require(demo.vpcId)
        let key = try inspector.createUser("e2e-least-privilege", policyDocument: try Self.policy())
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment(credentials: key))
            defer { daemon.process.kill() }
            let name = "e2e-least"
            try daemon.submit(
                try writeDemoSpec(name: name, directory: directory) { spec in
                    spec["vpc_id"] = vpcId
                    spec["security_group_ingress_rules"] = ["private": ["cidr_ipv4": "10.0.1.0/24"]]
                })
            let ready = try await daemon.waitForPhase(name, "Ready")
            #expect(ready.phase == "Ready", "\(ready)\n\(daemon.logTail)")

            let deleted = try daemon.process.ctl(["delete", name])
            #expect(deleted.status == 0 && deleted.stdout.contains("\(name) deletion requested"), "\(deleted)")
            let gone = try await eventually(timeout: 120) { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.roleNames(prefix: "aurorad-\(name)-").isEmpty)
            let groups = try inspector.ec2.describeSecurityGroups(
                filters: [AWSFilter(name: "tag:aurorad:spec", values: [name])])
            #expect(groups.isEmpty, "\(groups)")
            #expect(!daemon.process.child.stderr.contains("AccessDenied"), "\(daemon.logTail)")
        }
    }

    /// `deploy/iam-policy.json` as shipped.
    static func policy() throws -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/iam-policy.json")
        return try String(contentsOf: path, encoding: .utf8)
    }
}
