import AWSCore
import AWSServices
import ImportSpec

/// The security group aurorad creates for a spec with `vpc_id`, as the terraform-aws-rds-aurora module builds it:
/// its name, description, tags and the EC2 rules its `security_group_ingress_rules` and `_egress_rules` stand for.
public enum ManagedSecurityGroup {
    /// The group's name. With `security_group_use_name_prefix` (the default) the module sets `name_prefix =
    /// "<name>-"` and AWS's provider appends a random unique id at create time; aurorad appends instead 8 hex digits
    /// of a stable hash of the spec name and VPC, so the name is the same after a crash or restart and a repeated
    /// CreateSecurityGroup answers `InvalidGroup.Duplicate` instead of creating a second group.
    public static func name(for spec: ImportSpec) -> String {
        let base = spec.securityGroupBaseName
        guard spec.effectiveSecurityGroupUseNamePrefix else { return base }
        let hash = UInt32(truncatingIfNeeded: ManagedResources.stableHash("\(spec.name)/\(spec.vpcId ?? "")"))
        let hex = String(hash, radix: 16)
        return "\(base)-\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }

    /// The group's tags, as the module merges them (`tags`, `security_group_tags`, `Name` = the group name without
    /// suffix), plus aurorad's ownership tags.
    public static func tags(for spec: ImportSpec) -> [String: String] {
        (spec.tags ?? [:]).merging(spec.securityGroupTags ?? [:]) { _, group in group }
            .merging(["Name": spec.securityGroupBaseName]) { _, name in name }
            .merging(ManagedResources.ownershipTags(forSpec: spec.name)) { _, ours in ours }
    }

    /// The tags of the rule under `key`: `tags`, `Name` = `<group name>-<key>` (the module's), and aurorad's
    /// ownership tags, by which aurorad tells its rules from rules added by hand.
    public static func ruleTags(for spec: ImportSpec, key: String) -> [String: String] {
        (spec.tags ?? [:]).merging(["Name": "\(spec.securityGroupBaseName)-\(key)"]) { _, name in name }
            .merging(ManagedResources.ownershipTags(forSpec: spec.name)) { _, ours in ours }
    }

    /// One rule the spec asks for.
    public struct DesiredRule: Equatable, Sendable {
        /// The key of the rule in its map.
        public var key: String
        /// Whether it is an outbound rule.
        public var isEgress: Bool
        /// What it allows (the protocol as EC2 reports it, the ports with the module's defaults, the peer, the
        /// description).
        public var rule: EC2Rule
    }

    /// The spec's rules, ingress then egress, each sorted by key; `self` as the peer means `groupId`.
    public static func desiredRules(for spec: ImportSpec, groupId: String) -> [DesiredRule] {
        let maps = [(false, spec.securityGroupIngressRules ?? [:]), (true, spec.securityGroupEgressRules ?? [:])]
        return maps.flatMap { egress, rules in
            rules.sorted { $0.key < $1.key }.compactMap { key, entry -> DesiredRule? in
                guard let peer = peer(of: entry, groupId: groupId), let ipProtocol = entry.effectiveProtocol else {
                    return nil
                }
                let ports = entry.ports(clusterPort: spec.effectivePort, egress: egress)
                return DesiredRule(
                    key: key, isEgress: egress,
                    rule: EC2Rule(
                        ipProtocol: ipProtocol, fromPort: ports.from, toPort: ports.to, peer: peer,
                        description: entry.description.flatMap { $0.isEmpty ? nil : $0 }))
            }
        }
    }

    /// The allow-all outbound rule EC2 adds to every new VPC security group (protocol `-1` to `0.0.0.0/0`). The
    /// Terraform provider's `aws_security_group` revokes it right after creating the group (its documentation: "By
    /// default, AWS creates an ALLOW ALL egress rule when creating a new Security Group inside of a VPC. When
    /// creating a new Security Group inside a VPC, Terraform will remove this default rule"), so the module's group
    /// has only the egress rules it lists; aurorad does the same before the restore.
    public static let defaultEgressRule = EC2Rule(
        ipProtocol: "-1", fromPort: -1, toPort: -1, peer: .cidrIpv4("0.0.0.0/0"))

    /// Whether `rule` is EC2's default egress rule, untouched (no tags, no description).
    static func isDefaultEgress(_ rule: EC2SecurityGroupRule) -> Bool {
        rule.isEgress && rule.tags.isEmpty && rule.rule.description == nil && rule.rule.ipProtocol == "-1"
            && rule.rule.peer == .cidrIpv4("0.0.0.0/0")
    }

    /// `rule` with its protocol as `SecurityGroupRule.canonicalProtocol` writes it, so that a rule EC2 reports as
    /// `58` compares equal to the spec's `icmpv6` (the Terraform provider compares protocols the same way); and with
    /// -1 for ports EC2 leaves out, as for a rule on every protocol.
    static func canonical(_ rule: EC2Rule) -> EC2Rule {
        var canonical = rule
        canonical.ipProtocol = SecurityGroupRule.canonicalProtocol(rule.ipProtocol) ?? rule.ipProtocol
        canonical.fromPort = rule.fromPort ?? -1
        canonical.toPort = rule.toPort ?? -1
        return canonical
    }

    /// Whether two rules allow the same traffic (EC2's identity of a rule: protocol, ports and peer), whatever their
    /// descriptions: EC2 refuses a second such rule with `InvalidPermission.Duplicate`.
    static func sameTraffic(_ a: EC2Rule, _ b: EC2Rule) -> Bool {
        a.ipProtocol == b.ipProtocol && a.fromPort == b.fromPort && a.toPort == b.toPort && a.peer == b.peer
    }

    /// One phrase for `ctl plan`: `tcp 3306 from 10.0.1.0/24 ("app")`, `icmp type 8 code 0 from …`.
    public static func describe(_ rule: EC2Rule, egress: Bool) -> String {
        let protocolName =
            rule.ipProtocol == "-1"
            ? "all traffic"
            : Int(rule.ipProtocol) != nil ? "protocol \(rule.ipProtocol)" : rule.ipProtocol
        let icmp = rule.ipProtocol == "icmp" || rule.ipProtocol == "icmpv6"
        let ports =
            switch (rule.fromPort, rule.toPort) {
            case (let type?, let code?) where icmp && type >= 0: " type \(type)" + (code >= 0 ? " code \(code)" : "")
            case (let from?, let to?) where from == to && from >= 0: " \(from)"
            case (let from?, let to?) where from >= 0: " \(from)-\(to)"
            default: ""
            }
        let peer =
            switch rule.peer {
            case .cidrIpv4(let cidr), .cidrIpv6(let cidr): cidr
            case .prefixList(let id), .securityGroup(let id): id
            }
        let note = rule.description.map { " (\"\($0)\")" } ?? ""
        return "\(protocolName)\(ports) \(egress ? "to" : "from") \(peer)\(note)"
    }

    private static func peer(of entry: SecurityGroupRule, groupId: String) -> EC2RulePeer? {
        if let cidr = entry.cidrIpv4 { return .cidrIpv4(cidr) }
        if let cidr = entry.cidrIpv6 { return .cidrIpv6(cidr) }
        if let list = entry.prefixListId { return .prefixList(list) }
        if let group = entry.referencedSecurityGroupId {
            return .securityGroup(group == SecurityGroupRule.selfReference ? groupId : group)
        }
        return nil
    }
}

extension Array where Element == AWSTag {
    /// The tags as a map; the last value wins for a repeated key.
    var asMap: [String: String] { Dictionary(map { ($0.key, $0.value) }) { _, last in last } }
}
