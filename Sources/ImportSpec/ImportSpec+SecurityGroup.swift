/// One entry of `security_group_ingress_rules` or `security_group_egress_rules`: an
/// `aws_vpc_security_group_ingress_rule` (or `_egress_rule`) of the terraform-aws-rds-aurora module, protocol tcp.
/// Exactly one peer is given; `referenced_security_group_id = "self"` means the group aurorad creates.
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

    /// Creates a rule entry.
    public init(
        cidrIpv4: String? = nil, cidrIpv6: String? = nil, prefixListId: String? = nil,
        referencedSecurityGroupId: String? = nil, description: String? = nil, fromPort: Int? = nil, toPort: Int? = nil
    ) {
        self.cidrIpv4 = cidrIpv4
        self.cidrIpv6 = cidrIpv6
        self.prefixListId = prefixListId
        self.referencedSecurityGroupId = referencedSecurityGroupId
        self.description = description
        self.fromPort = fromPort
        self.toPort = toPort
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

    /// The ports the module gives the rule: ingress `from = from_port ?? port`, `to = to_port ?? from_port ?? port`;
    /// egress `from = from_port ?? to_port ?? port`, `to = to_port ?? port` (main.tf of terraform-aws-rds-aurora).
    public func ports(clusterPort: Int, egress: Bool) -> (from: Int, to: Int) {
        egress
            ? (fromPort ?? toPort ?? clusterPort, toPort ?? clusterPort)
            : (fromPort ?? clusterPort, toPort ?? fromPort ?? clusterPort)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case description
        case cidrIpv4 = "cidr_ipv4"
        case cidrIpv6 = "cidr_ipv6"
        case prefixListId = "prefix_list_id"
        case referencedSecurityGroupId = "referenced_security_group_id"
        case fromPort = "from_port"
        case toPort = "to_port"
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
