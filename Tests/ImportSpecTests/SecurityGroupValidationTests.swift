import Foundation
import ImportSpec
import Testing

private let vpc = "vpc-0123456789abcdef0"

/// A spec with `vpc_id` and one ingress rule, edited by `edit`.
@Sendable private func withGroup(_ edit: @escaping @Sendable (inout ImportSpec) -> Void)
    -> @Sendable (inout ImportSpec)
    -> Void
{
    { spec in
        spec.vpcId = vpc
        spec.securityGroupIngressRules = ["app": SecurityGroupRule(cidrIpv4: "10.0.1.0/24")]
        edit(&spec)
    }
}

/// Edits the ingress rule `app` of a spec with a group.
@Sendable private func rule(_ edit: @escaping @Sendable (inout SecurityGroupRule) -> Void)
    -> @Sendable (
        inout ImportSpec
    ) -> Void
{
    withGroup { spec in edit(&spec.securityGroupIngressRules!["app"]!) }
}

let goodSecurityGroupValues: [RuleCase] = [
    .good(
        "vpc_id with three CIDR rules as in the seed",
        withGroup { spec in
            spec.securityGroupIngressRules = [
                "private-az1": .init(cidrIpv4: "10.0.1.0/24"), "private-az2": .init(cidrIpv4: "10.0.2.0/24"),
                "private-az3": .init(cidrIpv4: "10.0.3.0/24"),
            ]
        }),
    .good(
        "udp by name, upper case",
        rule {
            $0.ipProtocol = "UDP"
            $0.fromPort = 53
        }),
    .good("udp by number", rule { $0.ipProtocol = "17" }),
    .good(
        "icmp echo request: type 8, code 0",
        rule {
            $0.ipProtocol = "icmp"
            $0.fromPort = 8
            $0.toPort = 0
        }),
    .good("icmpv6, every type and code by default", rule { $0 = .init(cidrIpv6: "::/0", ipProtocol: "icmpv6") }),
    .good("every protocol, no ports", rule { $0.ipProtocol = "-1" }),
    .good(
        "every protocol, ports -1",
        rule {
            $0.ipProtocol = "-1"
            $0.fromPort = -1
            $0.toPort = -1
        }),
    .good("ESP by number", rule { $0.ipProtocol = "50" }),
    .good("8-digit vpc id") { $0.vpcId = "vpc-0123abcd" },
    .good("port 1150") { $0.port = 1150 },
    .good("IPv6 rule in canonical form", rule { $0 = .init(cidrIpv6: "2001:db8::/32") }),
    .good("IPv6 ::/0", rule { $0 = .init(cidrIpv6: "::/0") }),
    .good("prefix list rule", rule { $0 = .init(prefixListId: "pl-0123abcd") }),
    .good("referenced group", rule { $0 = .init(referencedSecurityGroupId: "sg-0123abcd") }),
    .good("self reference", rule { $0 = .init(referencedSecurityGroupId: "self") }),
    .good(
        "port range with description",
        rule {
            $0.fromPort = 3306
            $0.toPort = 3307
            $0.description = "App servers (az1) [tcp]"
        }),
    .good(
        "egress to_port only",
        withGroup {
            $0.securityGroupEgressRules = ["out": .init(cidrIpv4: "0.0.0.0/0", toPort: 443)]
        }),
    .good(
        "name without prefix",
        withGroup {
            $0.securityGroupName = "db access"
            $0.securityGroupUseNamePrefix = false
        }),
    .good("empty name means the spec name", withGroup { $0.securityGroupName = "" }),
    .good("group tags", withGroup { $0.securityGroupTags = ["Team": "data"] }),
    .good(
        "no group wanted: vpc_id with create_security_group false",
        withGroup {
            $0.createSecurityGroup = false
            $0.securityGroupIngressRules = nil
        }),
]

let badSecurityGroupValues: [RuleCase] = [
    .bad(
        "protocol by an unknown name", "security_group_ingress_rules.app.ip_protocol", "not an IP protocol",
        rule { $0.ipProtocol = "sctp" }),
    .bad(
        "protocol number 256", "security_group_ingress_rules.app.ip_protocol", "0 to 255",
        rule { $0.ipProtocol = "256" }),
    .bad(
        "every protocol with a port", "security_group_ingress_rules.app.from_port", "covers every port",
        rule {
            $0.ipProtocol = "-1"
            $0.fromPort = 3306
        }),
    .bad(
        "ESP with a port", "security_group_ingress_rules.app.to_port", "protocol 50 covers every port",
        rule {
            $0.ipProtocol = "50"
            $0.toPort = 10
        }),
    .bad(
        "ICMP type 300", "security_group_ingress_rules.app.from_port", "not an ICMP type",
        rule {
            $0.ipProtocol = "icmp"
            $0.fromPort = 300
        }),
    .bad(
        "every ICMP type but one code", "security_group_ingress_rules.app", "needs every code",
        rule {
            $0.ipProtocol = "icmp"
            $0.toPort = 4
        }),
    .bad(
        "udp port 70000", "security_group_ingress_rules.app.to_port", "not a port",
        rule {
            $0.ipProtocol = "udp"
            $0.fromPort = 53
            $0.toPort = 70000
        }),
    .bad("port below 1150", "port", "1150 to 65535") { $0.port = 80 },
    .bad("vpc id without prefix", "vpc_id", "not a VPC id") { $0.vpcId = "0123456789abcdef0" },
    .bad("vpc id with capitals", "vpc_id", "not a VPC id") { $0.vpcId = "vpc-0123ABCD" },
    .bad("create_security_group true without vpc_id", "create_security_group", "add the VPC") {
        $0.createSecurityGroup = true
    },
    .bad("rules without vpc_id", "security_group_ingress_rules", "add vpc_id") {
        $0.securityGroupIngressRules = ["app": .init(cidrIpv4: "10.0.1.0/24")]
    },
    .bad(
        "name with create_security_group false", "security_group_name", "create_security_group to true",
        withGroup {
            $0.createSecurityGroup = false
            $0.securityGroupIngressRules = nil
            $0.securityGroupName = "x"
        }),
    .bad(
        "CIDR with host bits", "security_group_ingress_rules.app.cidr_ipv4", "10.0.0.0/16",
        rule { $0.cidrIpv4 = "10.0.1.5/16" }),
    .bad(
        "CIDR without length", "security_group_ingress_rules.app.cidr_ipv4", "prefix length",
        rule { $0.cidrIpv4 = "10.0.1.0" }),
    .bad(
        "CIDR octet over 255", "security_group_ingress_rules.app.cidr_ipv4", "IPv4 address",
        rule { $0.cidrIpv4 = "10.0.256.0/24" }),
    .bad(
        "IPv6 not canonical", "security_group_ingress_rules.app.cidr_ipv6", "2001:db8::/32",
        rule { $0 = .init(cidrIpv6: "2001:0DB8:0:0::/32") }),
    .bad(
        "IPv6 garbage", "security_group_ingress_rules.app.cidr_ipv6", "IPv6 address",
        rule { $0 = .init(cidrIpv6: "2001:db8:::1/64") }),
    .bad(
        "prefix list id", "security_group_ingress_rules.app.prefix_list_id", "pl-",
        rule { $0 = .init(prefixListId: "pl-xyz") }),
    .bad(
        "referenced group id", "security_group_ingress_rules.app.referenced_security_group_id", "sg-",
        rule { $0 = .init(referencedSecurityGroupId: "group-1") }),
    .bad(
        "two peers", "security_group_ingress_rules.app", "exactly one",
        rule { $0.cidrIpv6 = "::/0" }),
    .bad("no peer", "security_group_ingress_rules.app", "none is given", rule { $0 = .init(fromPort: 3306) }),
    .bad("port over 65535", "security_group_ingress_rules.app.to_port", "0 to 65535", rule { $0.toPort = 70000 }),
    .bad(
        "from above to", "security_group_ingress_rules.app", "above to_port",
        rule {
            $0.fromPort = 5000
            $0.toPort = 4000
        }),
    .bad(
        "from above the default to (egress)", "security_group_egress_rules.out", "above to_port",
        withGroup {
            $0.securityGroupEgressRules = ["out": .init(cidrIpv4: "0.0.0.0/0", fromPort: 5000)]
        }),
    .bad(
        "description with a newline", "security_group_ingress_rules.app.description", "only ASCII letters",
        rule { $0.description = "a\nb" }),
    .bad(
        "rule description with &", "security_group_ingress_rules.app.description", "only ASCII letters",
        rule { $0.description = "a & b" }),
    .bad(
        "description over 255", "security_group_ingress_rules.app.description", "at most 255",
        rule { $0.description = String(repeating: "d", count: 256) }),
    .bad(
        "rule key with a comma", "security_group_ingress_rules[\"a,b\"]", "rule key",
        withGroup {
            $0.securityGroupIngressRules = ["a,b": .init(cidrIpv4: "10.0.1.0/24")]
        }),
    .bad("group name starting with sg-", "security_group_name", "sg-", withGroup { $0.securityGroupName = "sg-db" }),
    .bad(
        "prefix leaving no room for the suffix", "security_group_name", "suffix",
        withGroup {
            $0.securityGroupName = String(repeating: "n", count: 250)
        }),
    .bad(
        "group description with a tab", "security_group_description", "only ASCII letters",
        withGroup {
            $0.securityGroupDescription = "a\tb"
        }),
    .bad(
        "group tag under aurorad:", "security_group_tags[\"aurorad:x\"]", "aurorad:",
        withGroup {
            $0.securityGroupTags = ["aurorad:x": "y"]
        }),
]

@Suite("Validation of the security group inputs")
struct SecurityGroupValidationTests {
    @Test("good values pass", arguments: goodSecurityGroupValues)
    func goodValue(_ rule: RuleCase) throws { try rule.check() }

    @Test("bad values are reported at their path", arguments: badSecurityGroupValues)
    func badValue(_ rule: RuleCase) throws { try rule.check() }

    @Test("the module's defaults: port 3306, group name prefix, description, rule ports")
    func moduleDefaults() {
        var spec = Fixtures.validSpec
        spec.vpcId = vpc
        #expect(spec.effectivePort == 3306)
        #expect(spec.createsSecurityGroup)
        #expect(spec.effectiveSecurityGroupUseNamePrefix)
        #expect(spec.effectiveSecurityGroupDescription == "Control traffic to/from RDS Aurora \(spec.name)")
        let ingress = SecurityGroupRule(cidrIpv4: "10.0.0.0/8", fromPort: 3300)
        #expect(ingress.ports(clusterPort: 3306, egress: false) == (3300, 3300))
        let egress = SecurityGroupRule(cidrIpv4: "10.0.0.0/8", toPort: 443)
        #expect(egress.ports(clusterPort: 3306, egress: true) == (443, 443))
        #expect(SecurityGroupRule(cidrIpv4: "10.0.0.0/8").ports(clusterPort: 4000, egress: false) == (4000, 4000))
    }

    @Test("protocols read as EC2 reports them, and the ports each one gives meaning to")
    func protocols() {
        let canonical = [
            "tcp": "tcp", "TCP": "tcp", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6",
            "-1": "-1", "50": "50", "050": "50", "0": "0", "255": "255",
        ]
        for (given, expected) in canonical {
            #expect(SecurityGroupRule.canonicalProtocol(given) == expected, "\(given)")
        }
        for refused in ["", "all", "sctp", "256", "-2", "٦", "+6", "1e1"] {
            #expect(SecurityGroupRule.canonicalProtocol(refused) == nil, "\(refused)")
        }
        #expect(SecurityGroupRule(cidrIpv4: "10.0.0.0/8").effectiveProtocol == "tcp")
        let udp = SecurityGroupRule(cidrIpv4: "10.0.0.0/8", fromPort: 53, ipProtocol: "udp")
        #expect(udp.ports(clusterPort: 3306, egress: false) == (53, 53))
        let icmp = SecurityGroupRule(cidrIpv4: "10.0.0.0/8", fromPort: 8, ipProtocol: "icmp")
        #expect(icmp.ports(clusterPort: 3306, egress: false) == (8, -1))
        let all = SecurityGroupRule(cidrIpv4: "10.0.0.0/8", ipProtocol: "-1")
        #expect(all.ports(clusterPort: 3306, egress: true) == (-1, -1))
    }

    @Test("the fields read from JSON, survive the canonical form and reject unknown rule keys")
    func decoding() throws {
        let json = """
            {"name": "ex", "engine": "aurora-mysql", "master_username": "root",
             "cluster_instance_class": "db.r6g.large",
             "instances": {"1": {}}, "s3_import": {"source_engine_version": "8.0.36", "bucket_name": "bkt"},
             "port": 3307, "vpc_id": "\(vpc)", "security_group_use_name_prefix": false,
             "security_group_tags": {"Team": "data"},
             "security_group_ingress_rules": {
                 "app": {"cidr_ipv4": "10.0.1.0/24", "description": "app", "from_port": 3307},
                 "dns": {"cidr_ipv4": "10.0.2.0/24", "from_port": 53, "ip_protocol": "udp"}},
             "security_group_egress_rules": {"out": {"prefix_list_id": "pl-0123abcd", "to_port": 443}}}
            """
        let spec = try ImportSpec.decode(from: Data(json.utf8))
        #expect(spec.port == 3307)
        #expect(spec.securityGroupIngressRules?["app"]?.fromPort == 3307)
        #expect(spec.securityGroupIngressRules?["dns"]?.ipProtocol == "udp")
        #expect(try ImportSpec.decode(from: JSONEncoder().encode(spec)) == spec)
        #expect(spec.securityGroupEgressRules?["out"]?.prefixListId == "pl-0123abcd")
        #expect(try ImportSpec.decode(from: spec.canonicalJSON()) == spec)
        let typo = json.replacingOccurrences(of: "\"cidr_ipv4\"", with: "\"cidr_ip\"")
        #expect(throws: SpecError.self) { try ImportSpec.decode(from: Data(typo.utf8)) }
    }
}
