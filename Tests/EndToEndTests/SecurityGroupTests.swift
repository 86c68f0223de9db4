import AWSCore
import AWSServices
import Foundation
import Testing
import TestSupport

/// The module's security group through the built daemon (issue 8): created in `vpc_id` with the seed's three
/// ingress rules and attached to the cluster with `vpc_security_group_ids`, a rule revoked in the console comes back
/// at the next resync, a rule added by hand stays, and `ctl delete` deletes the group after the cluster. Each step
/// is checked in the emulator's EC2 and RDS, not only through the status.
@Suite(.sharedEmulator())
struct SecurityGroupTests {
    static let cidrs = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]

    @Test func theGroupIsCreatedAttachedRepairedAndDeletedAfterTheCluster() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        let demo = try #require(
            try inspector.ec2.describeSecurityGroups(
                filters: [AWSFilter(name: "group-name", values: ["aurorad-demo-db"])]).first,
            "the emulator seeds security group aurorad-demo-db (--seed-demo)")
        let vpcId = try #require(demo.vpcId)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-sg"
            let spec = try writeDemoSpec(name: name, directory: directory) { spec in
                spec["vpc_id"] = vpcId
                spec["port"] = 3307
                spec["vpc_security_group_ids"] = [demo.id]
                spec["security_group_ingress_rules"] = Dictionary(
                    uniqueKeysWithValues: Self.cidrs.enumerated().map {
                        ("private-az\($0.offset + 1)", ["cidr_ipv4": $0.element])
                    })
            }
            let plan = try daemon.process.ctl(["plan", spec])
            #expect(plan.stdout.contains("create security group \(name)-"), "\(plan.stdout)")
            #expect(plan.stdout.contains("allow tcp 3307 from 10.0.2.0/24 in security group"), "\(plan.stdout)")

            try daemon.submit(spec)
            let ready = try await daemon.waitForPhase(name, "Ready")
            #expect(ready.phase == "Ready", "\(ready)\n\(daemon.logTail)")

            // The group: named with a stable suffix, described and tagged as the module does, the three rules only.
            let owned = [
                AWSFilter(name: "tag:aurorad:spec", values: [name]), AWSFilter(name: "vpc-id", values: [vpcId]),
            ]
            let group = try #require(try inspector.ec2.describeSecurityGroups(filters: owned).first)
            #expect(group.name.hasPrefix("\(name)-") && group.name.count == name.count + 9, "\(group.name)")
            #expect(group.description == "Control traffic to/from RDS Aurora \(name)")
            let tags = tagDictionary(group.tags)
            #expect(tags["Name"] == name && tags["aurorad:managed-by"] == "aurorad" && tags["Environment"] == "demo")
            let rules = try inspector.ec2.describeSecurityGroupRules(groupIds: [group.id])
            #expect(rules.filter(\.isEgress).isEmpty, "EC2's default egress rule is revoked: \(rules)")
            #expect(Set(rules.map(\.rule)) == Set(Self.cidrs.map(Self.rule)), "\(rules)")
            #expect(rules.allSatisfy { tagDictionary($0.tags)["aurorad:spec"] == name })

            // The cluster has the managed group and the listed one, from the restore on.
            let cluster = try #require(try inspector.rds.describeDBCluster(identifier: name))
            #expect(Set(cluster.vpcSecurityGroups.map(\.id)) == [group.id, demo.id])
            let restore = try #require(try inspector.restores(cluster: name).first)
            #expect(Set(restore["VpcSecurityGroupIds"] as? [String] ?? []) == [group.id, demo.id], "\(restore)")
            #expect("\(restore["Port"] ?? "none")" == "3307", "\(restore)")

            // Revoked in the console: back within a resync (10 s here).
            let removed = try #require(rules.first { $0.rule.peer == .cidrIpv4("10.0.2.0/24") })
            try inspector.ec2.revokeSecurityGroupIngress(groupId: group.id, ruleIds: [removed.id])
            // Added by hand: left alone.
            let hand = EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv4("10.0.2.0/24"))
            _ = try inspector.ec2.authorizeSecurityGroupIngress(groupId: group.id, rules: [hand], tags: [])
            let restored = try await eventually(timeout: 40) {
                let now = try inspector.ec2.describeSecurityGroupRules(groupIds: [group.id]).map(\.rule)
                return now.contains(Self.rule("10.0.2.0/24"))
            }
            #expect(restored, "the revoked rule did not come back\n\(daemon.logTail)")
            try await Task.sleep(for: .seconds(12))
            let after = try inspector.ec2.describeSecurityGroupRules(groupIds: [group.id]).map(\.rule)
            #expect(after.contains(hand), "the hand-added rule was removed: \(after)")
            #expect(after.count == 4, "\(after)")
            #expect(try daemon.status(name).phase == "Ready")

            // Delete: the preview names the group; the group goes after the cluster.
            let deleted = try daemon.process.ctl(["delete", name])
            #expect(deleted.status == 0, "\(deleted)")
            #expect(deleted.stderr.contains("delete security group \(group.id)"), "\(deleted.stderr)")
            let gone = try await eventually { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.ec2.describeSecurityGroups(ids: [group.id]).isEmpty)
            #expect(try inspector.ec2.describeSecurityGroups(ids: [demo.id]).count == 1, "the listed group stays")
        }
    }

    /// The rule aurorad makes of a spec entry with only `cidr_ipv4`: tcp on the cluster port (`port`, 3307 here).
    static func rule(_ cidr: String) -> EC2Rule {
        EC2Rule(ipProtocol: "tcp", fromPort: 3307, toPort: 3307, peer: .cidrIpv4(cidr))
    }
}
