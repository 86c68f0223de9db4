import AWSCore
import AWSServices
import Foundation
import Testing
import TestSupport

/// The daemon converges and deletes a spec (with a managed security group, so EC2 is exercised too) as an IAM user
/// whose only policy is `deploy/iam-policy.json`, with the emulator enforcing the caller's permissions.
///
/// The emulator (moto) evaluates every statement's Action, but checks calls other than S3's against the resource `*`
/// (so a statement scoped to `arn:aws:rds:…` never matches them) and evaluates no condition key aurorad's policy uses
/// (a `StringEquals` on a key moto does not supply passes). The user therefore gets the policy with its non-S3
/// resources widened to `*`, its conditions kept: this proves the action list (every call the daemon makes is
/// allowed by some statement naming it) and the S3 resources, not the IAM, RDS and EC2 scoping or the conditions.
@Suite(.sharedEmulator())
struct LeastPrivilegeTests {
    @Test func aFullConvergeAndDeleteNeedsNothingBeyondThePolicy() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        let demo = try #require(try inspector.ec2.describeSecurityGroups(
            filters: [AWSFilter(name: "group-name", values: ["aurorad-demo-db"])]).first,
            "the emulator seeds security group aurorad-demo-db (--seed-demo)")
        let vpcId = try #require(demo.vpcId)
        let key = try inspector.createUser("e2e-least-privilege", policyDocument: try Self.emulatorPolicy())
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment(credentials: key))
            defer { daemon.process.kill() }
            let name = "e2e-least"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory) { spec in
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

    /// `deploy/iam-policy.json` with every non-S3 statement's Resource widened to `*` (see the suite's comment).
    static func emulatorPolicy() throws -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/iam-policy.json")
        var policy = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        let statements = try #require(policy["Statement"] as? [[String: Any]])
        policy["Statement"] = statements.map { statement in
            let resources = statement["Resource"] as? [String] ?? [statement["Resource"] as? String ?? "*"]
            guard !resources.allSatisfy({ $0.hasPrefix("arn:aws:s3:::") }) else { return statement }
            var widened = statement
            widened["Resource"] = "*"
            return widened
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: policy), as: UTF8.self)
    }
}
