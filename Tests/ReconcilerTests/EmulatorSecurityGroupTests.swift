import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Reconciler
import Store
import TestSupport
import Testing

/// The security group inputs against the emulator: rules on protocols other than tcp (`ip_protocol`; EC2 reports 17
/// as `udp` and the ports of an all-protocol rule as -1, which must read back as converged, not as drift), and a
/// `vpc_id` changed after the restore.
@Suite("Security group protocols and vpc_id against the AWS emulator", .serialized)
struct EmulatorSecurityGroupTests {
    @Test func rulesOnUdpIcmpAndEveryProtocolConvergeAndStayConverged() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            let ec2 = EC2Client(client: try harness.admin)
            let demo = try #require(
                try ec2.describeSecurityGroups(
                    filters: [AWSFilter(name: "group-name", values: ["aurorad-demo-db"])]).first)
            var spec = EmulatorHarness.spec(name: "protocols")
            spec.instances = ["1": .init()]
            spec.vpcId = demo.vpcId
            spec.securityGroupIngressRules = [
                "dns": SecurityGroupRule(cidrIpv4: "10.0.1.0/24", fromPort: 53, ipProtocol: "17"),
                "ping": SecurityGroupRule(cidrIpv4: "10.0.2.0/24", fromPort: 8, toPort: 0, ipProtocol: "ICMP"),
                "v6": SecurityGroupRule(cidrIpv6: "2001:db8::/32", ipProtocol: "58"),
            ]
            spec.securityGroupEgressRules = ["all": SecurityGroupRule(cidrIpv4: "0.0.0.0/0", ipProtocol: "-1")]
            try harness.submit(spec)
            let ready = try harness.reconcile(spec.name, untilPhase: .ready)
            #expect(ready?.phase == .ready, "status: \(String(describing: ready))")

            let group = try #require(
                try ec2.describeSecurityGroups(
                    filters: [AWSFilter(name: "tag:aurorad:spec", values: [spec.name])]).first)
            let rules = try ec2.describeSecurityGroupRules(groupIds: [group.id]).map(\.rule)
            for (ipProtocol, from, to, cidr) in [
                ("udp", 53, 53, "10.0.1.0/24"), ("icmp", 8, 0, "10.0.2.0/24"), ("-1", -1, -1, "0.0.0.0/0"),
            ] {
                let rule = EC2Rule(ipProtocol: ipProtocol, fromPort: from, toPort: to, peer: .cidrIpv4(cidr))
                #expect(rules.contains(rule), "\(rule) in \(rules)")
            }
            #expect(rules.count == 4, "\(rules)")
            // What EC2 reports reads back as the spec's rules: nothing to revoke or authorize, again and again.
            for _ in 0..<2 {
                _ = harness.reconciler.reconcile(name: spec.name)
                #expect(try harness.reconciler.preview(spec).steps.isEmpty)
            }
            #expect(try ec2.describeSecurityGroupRules(groupIds: [group.id]).count == 4)

            _ = try harness.store.requestDeletion(name: spec.name)
            #expect(try harness.reconcile(spec.name) { $0 == nil } == nil)
        }
    }

    /// The cluster's VPC is its DB subnet group's, read from RDS: a resubmitted `vpc_id` that differs fails the spec
    /// with what to do, and nothing is written (no group in the new VPC, no ModifyDBCluster).
    @Test func aVpcIdOtherThanTheClustersFailsAndChangesNothing() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            let ec2 = EC2Client(client: try harness.admin)
            let rds = RDSClient(client: try harness.admin)
            let demo = try #require(
                try ec2.describeSecurityGroups(
                    filters: [AWSFilter(name: "group-name", values: ["aurorad-demo-db"])]).first)
            var spec = EmulatorHarness.spec(name: "moved")
            spec.instances = ["1": .init()]
            spec.vpcId = demo.vpcId
            spec.securityGroupIngressRules = ["app": SecurityGroupRule(cidrIpv4: "10.0.1.0/24")]
            try harness.submit(spec)
            #expect(try harness.reconcile(spec.name, untilPhase: .ready)?.phase == .ready)
            let groupsBefore = try ec2.describeSecurityGroups(filters: [])
            let clusterBefore = try #require(try rds.describeDBCluster(identifier: spec.name))

            var moved = spec
            moved.vpcId = "vpc-0000000000000000f"
            try harness.submit(moved)
            let failed = try harness.reconcile(spec.name, untilPhase: .failed)
            let condition = try #require(failed?.conditions.first { $0.type == "ClusterRestored" })
            #expect(condition.reason == "VpcChanged")
            #expect(condition.message.contains("lives in \(spec.vpcId ?? "")"), "\(condition.message)")
            #expect(condition.message.contains("set vpc_id back to"))
            #expect(try ec2.describeSecurityGroups(filters: []).map(\.id).sorted() == groupsBefore.map(\.id).sorted())
            #expect(
                try rds.describeDBCluster(identifier: spec.name)?.vpcSecurityGroups
                    == clusterBefore.vpcSecurityGroups)

            try harness.submit(spec)
            #expect(try harness.reconcile(spec.name, untilPhase: .ready)?.phase == .ready)
            _ = try harness.store.requestDeletion(name: spec.name)
            #expect(try harness.reconcile(spec.name) { $0 == nil } == nil)
        }
    }
}
