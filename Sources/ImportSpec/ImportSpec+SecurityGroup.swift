/// One entry of `security_group_ingress_rules` or `security_group_egress_rules`: an
/// `aws_vpc_security_group_ingress_rule` (or `_egress_rule`) of the terraform-aws-rds-aurora module (`ip_protocol`
/// default tcp). Exactly one peer is given; `referenced_security_group_id = "self"` means the group aurorad creates.
public struct SecurityGroupRule: Encodable, Sendable, Equatable {
    /// An IPv4 CIDR block, as its network address (`10.0.1.0/24`).
    public var cidrIpv4: String?
    /// An IPv6 CIDR block, in its canonical form (`2001:db8::/32`).
    public var cidrIpv6: String?
    /// A managed prefix list (`pl-…`).
    public var prefixListId: String?
    /// Another security group (`sg-…`), or `self`.
    public var referencedSecurityGroupId: String?
    /// The rule's description.
    public var description: String?
    /// The first port; default: the cluster port (ingress), `to_port` then the cluster port (egress).
    public var fromPort: Int?
    /// The last port; default: `from_port` then the cluster port (ingress), the cluster port (egress).
    public var toPort: Int?
    /// `tcp` (the module's default), `udp`, `icmp`, `icmpv6`, `-1` for every protocol, or a protocol number.
    public var ipProtocol: String?

    /// Creates a rule entry.
    public init(
        cidrIpv4: String? = nil, cidrIpv6: String? = nil, prefixListId: String? = nil,
        referencedSecurityGroupId: String? = nil, description: String? = nil, fromPort: Int? = nil, toPort: Int? = nil,
        ipProtocol: String? = nil
    ) {
        self.cidrIpv4 = cidrIpv4
        self.cidrIpv6 = cidrIpv6
        self.prefixListId = prefixListId
        self.referencedSecurityGroupId = referencedSecurityGroupId
        self.description = description
        self.fromPort = fromPort
        self.toPort = toPort
        self.ipProtocol = ipProtocol
    }

    /// The value `referenced_security_group_id` takes for the group aurorad creates itself.
    public static let selfReference = "self"

    /// The peers given, as `(field, value)`: exactly one in a valid rule.
    public var peers: [(field: String, value: String)] {
        [
            (CodingKeys.cidrIpv4.rawValue, cidrIpv4), (CodingKeys.cidrIpv6.rawValue, cidrIpv6),
            (CodingKeys.prefixListId.rawValue, prefixListId),
            (CodingKeys.referencedSecurityGroupId.rawValue, referencedSecurityGroupId),
        ].compactMap { field, value in value.map { (field, $0) } }
    }

    /// The ports the rule allows. tcp and udp: the module's, ingress `from = from_port ?? port`,
    /// `to = to_port ?? from_port ?? port`; egress `from = from_port ?? to_port ?? port`, `to = to_port ?? port`
    /// (main.tf of terraform-aws-rds-aurora). icmp and icmpv6: the ICMP type and code, -1 (all) when left out. Every
    /// other protocol (`-1` among them) covers all ports: -1 and -1, as EC2 reports such a rule.
    public func ports(clusterPort: Int, egress: Bool) -> (from: Int, to: Int) {
        switch effectiveProtocol {
        case "tcp", "udp":
            egress
                ? (fromPort ?? toPort ?? clusterPort, toPort ?? clusterPort)
                : (fromPort ?? clusterPort, toPort ?? fromPort ?? clusterPort)
        case "icmp", "icmpv6":
            (fromPort ?? -1, toPort ?? -1)
        default:
            (-1, -1)
        }
    }

    /// `ip_protocol` as EC2 reports it (see `canonicalProtocol`), tcp when left out; nil when it is no protocol.
    public var effectiveProtocol: String? { Self.canonicalProtocol(ipProtocol ?? "tcp") }

    /// A protocol as EC2 reports a rule's (DescribeSecurityGroupRules `IpProtocol`): the names `tcp`, `udp`, `icmp`,
    /// `icmpv6` in lower case, `-1` for all, any other protocol as its number. The IANA numbers of the named ones
    /// become their names (6, 17, 1, 58), as the Terraform provider compares them (`protocolForValue`) and EC2 answers
    /// for 6, 17 and 1; nil for a name EC2 does not take or a number outside 0–255.
    public static func canonicalProtocol(_ text: String) -> String? {
        let names = ["tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58]
        let lowered = text.lowercased()
        if lowered == "-1" || names[lowered] != nil { return lowered }
        guard !lowered.isEmpty, lowered.allSatisfy(\.isASCII), lowered.allSatisfy(\.isNumber), lowered.count <= 3,
            let number = Int(lowered), (0...255).contains(number)
        else { return nil }
        return names.first { $0.value == number }?.key ?? String(number)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case description
        case cidrIpv4 = "cidr_ipv4"
        case cidrIpv6 = "cidr_ipv6"
        case prefixListId = "prefix_list_id"
        case referencedSecurityGroupId = "referenced_security_group_id"
        case fromPort = "from_port"
        case toPort = "to_port"
        case ipProtocol = "ip_protocol"
    }
}

extension ImportSpec {
    /// Aurora MySQL's default port (the module's `local.port` for MySQL engines; RestoreDBClusterFromS3 `Port`).
    public static let defaultPort = 3306

    /// `port`, or Aurora MySQL's default 3306.
    public var effectivePort: Int { port ?? Self.defaultPort }

    /// Whether aurorad creates and owns a security group: `create_security_group` (default true) with a `vpc_id`.
    public var createsSecurityGroup: Bool { vpcId != nil && (createSecurityGroup ?? true) }

    /// The module's `local.security_group_name`: `security_group_name` unless empty, else `name`. With
    /// `security_group_use_name_prefix` it is the prefix of the group's name, else the name itself.
    public var securityGroupBaseName: String {
        securityGroupName.flatMap { $0.isEmpty ? nil : $0 } ?? name
    }

    /// `security_group_use_name_prefix`, default true as in the module.
    public var effectiveSecurityGroupUseNamePrefix: Bool { securityGroupUseNamePrefix ?? true }

    /// `security_group_description` unless empty, else the module's "Control traffic to/from RDS Aurora <name>".
    public var effectiveSecurityGroupDescription: String {
        securityGroupDescription.flatMap { $0.isEmpty ? nil : $0 }
            ?? "Control traffic to/from RDS Aurora \(securityGroupBaseName)"
    }

    /// The length of the stable suffix aurorad appends to a name prefix (`-` and 8 hex digits, see
    /// `ManagedResources.securityGroupName`).
    public static let securityGroupNameSuffixLength = 9
}
