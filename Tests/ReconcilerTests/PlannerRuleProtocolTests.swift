import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Reconciler
import Testing

/// `ip_protocol` through planning: the rule authorized in EC2's form, and EC2's report of it read back as no drift.
@Suite("Planner: security group rule protocols")
struct PlannerRuleProtocolTests {
    typealias Base = PlannerSecurityGroupTests

    static func spec() -> ImportSpec {
        var spec = Base.spec()
        spec.securityGroupIngressRules = [
            "dns": SecurityGroupRule(cidrIpv4: "10.0.1.0/24", fromPort: 53, ipProtocol: "17"),
            "ping": SecurityGroupRule(cidrIpv4: "10.0.2.0/24", fromPort: 8, toPort: 0, ipProtocol: "ICMP"),
            "v6": SecurityGroupRule(cidrIpv6: "2001:db8::/32", ipProtocol: "icmpv6"),
        ]
        spec.securityGroupEgressRules = ["all": SecurityGroupRule(cidrIpv4: "0.0.0.0/0", ipProtocol: "-1")]
        return spec
    }

    /// The rules as EC2 reports them: names for 17 and 1, `58` for icmpv6 (moto's answer; the planner must not
    /// depend on which), -1 for the ports of an all-protocol rule.
    static func reported(_ spec: ImportSpec) -> [EC2SecurityGroupRule] {
        [
            Base.observed(
                "sgr-1", EC2Rule(ipProtocol: "udp", fromPort: 53, toPort: 53, peer: .cidrIpv4("10.0.1.0/24")),
                spec: spec.name),
            Base.observed(
                "sgr-2", EC2Rule(ipProtocol: "icmp", fromPort: 8, toPort: 0, peer: .cidrIpv4("10.0.2.0/24")),
                spec: spec.name),
            Base.observed(
                "sgr-3",
                EC2Rule(
                    ipProtocol: "58", fromPort: -1, toPort: -1,
                    peer: .cidrIpv6("2001:db8::/32")), spec: spec.name),
            Base.observed(
                "sgr-4", EC2Rule(ipProtocol: "-1", fromPort: nil, toPort: nil, peer: .cidrIpv4("0.0.0.0/0")),
                egress: true, spec: spec.name),
        ]
    }

    @Test func rulesAreAuthorizedWithTheProtocolAsEC2ReportsIt() throws {
        let spec = Self.spec()
        var observed = Base.converged(spec)
        observed.securityGroup?.rules = []
        let plan = Fixture.plan(spec, observed)
        let authorized = plan.actions.compactMap { action -> EC2Rule? in
            if case .authorizeSecurityGroupRule(_, _, let rule, _) = action { return rule }
            return nil
        }
        #expect(authorized.map(\.ipProtocol).sorted() == ["-1", "icmp", "icmpv6", "udp"])
        #expect(
            authorized.contains(
                EC2Rule(
                    ipProtocol: "udp", fromPort: 53, toPort: 53, peer: .cidrIpv4("10.0.1.0/24"))))
        #expect(authorized.contains(EC2Rule(ipProtocol: "-1", fromPort: -1, toPort: -1, peer: .cidrIpv4("0.0.0.0/0"))))
        #expect(
            authorized.contains(
                EC2Rule(
                    ipProtocol: "icmpv6", fromPort: -1, toPort: -1, peer: .cidrIpv6("2001:db8::/32"))))
        let lines = plan.actions.map(\.description)
        #expect(lines.contains { $0.hasPrefix("allow icmp type 8 code 0 from 10.0.2.0/24") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("allow all traffic to 0.0.0.0/0") }, "\(lines)")
    }

    @Test func whatEC2ReportsIsNoDrift() throws {
        let spec = Self.spec()
        var observed = Base.converged(spec)
        observed.securityGroup?.rules = Self.reported(spec)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty, "\(plan.actions)")
        #expect(plan.status(.securityGroupReady) == .true)
    }

    @Test func aChangedProtocolReplacesTheRule() throws {
        var spec = Self.spec()
        spec.securityGroupIngressRules?["dns"]?.ipProtocol = "tcp"
        var observed = Base.converged(spec)
        observed.securityGroup?.rules = Self.reported(spec)
        let plan = Fixture.plan(spec, observed)
        #expect(
            plan.actions.contains {
                $0
                    == .revokeSecurityGroupRules(
                        groupId: Base.groupId, isEgress: false, ruleIds: ["sgr-1"])
            })
        #expect(
            plan.actions.contains {
                if case .authorizeSecurityGroupRule(_, false, let rule, _) = $0 { return rule.ipProtocol == "tcp" }
                return false
            })
    }
}

@Suite("Planner: vpc_id after the restore")
struct PlannerVpcGuardTests {
    @Test func aVpcIdOtherThanTheClustersBlocksEveryWrite() throws {
        let spec = PlannerSecurityGroupTests.spec()
        var observed = PlannerSecurityGroupTests.converged(spec)
        observed.cluster?.vpcId = "vpc-0aaaaaaaaaaaaaaaa"
        observed.securityGroup = nil
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty, "\(plan.actions)")
        #expect(plan.phase == .failed)
        #expect(plan.reason(.clusterRestored) == "VpcChanged")
        let message = try #require(plan.condition(.ready)?.message)
        #expect(
            message.contains(
                "vpc_id is \(PlannerSecurityGroupTests.vpc) but cluster ex-s3-import lives in "
                    + "vpc-0aaaaaaaaaaaaaaaa (its DB subnet group my-subnets)"), "\(message)")
        #expect(message.contains("set vpc_id back to vpc-0aaaaaaaaaaaaaaaa, or delete the spec"))
    }

    @Test func theSameVpcOrNoneReadIsNoChange() throws {
        let spec = PlannerSecurityGroupTests.spec()
        var observed = PlannerSecurityGroupTests.converged(spec)
        observed.cluster?.vpcId = PlannerSecurityGroupTests.vpc
        #expect(Fixture.plan(spec, observed).phase == .ready)
        observed.cluster?.vpcId = nil
        #expect(Fixture.plan(spec, observed).phase == .ready)
    }
}
