import AWSCore

/// Where a security group rule lets traffic come from (ingress) or go to (egress): exactly one of the four peers an
/// `aws_vpc_security_group_ingress_rule` takes (`cidr_ipv4`, `cidr_ipv6`, `prefix_list_id`,
/// `referenced_security_group_id`).
public enum EC2RulePeer: Sendable, Hashable {
    /// An IPv4 CIDR block (`IpRanges.N.CidrIp`; read back as `CidrIpv4`).
    case cidrIpv4(String)
    /// An IPv6 CIDR block (`Ipv6Ranges.N.CidrIpv6`; read back as `CidrIpv6`).
    case cidrIpv6(String)
    /// A managed prefix list (`PrefixListIds.N.PrefixListId`; read back as `PrefixListId`).
    case prefixList(String)
    /// Another security group (`UserIdGroupPairs.N.GroupId`; read back as `ReferencedGroupInfo.GroupId`).
    case securityGroup(String)
}

/// What one security group rule allows, without its id: the part aurorad compares between desired and observed.
public struct EC2Rule: Sendable, Hashable {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, or `-1` for every protocol.
    public var ipProtocol: String
    /// The first port (for ICMP the type); EC2 answers `-1` for rules on every port.
    public var fromPort: Int?
    /// The last port (for ICMP the code).
    public var toPort: Int?
    /// The other end of the traffic.
    public var peer: EC2RulePeer
    /// The rule's description, if it has one.
    public var description: String?

    public init(ipProtocol: String, fromPort: Int?, toPort: Int?, peer: EC2RulePeer, description: String? = nil) {
        self.ipProtocol = ipProtocol
        self.fromPort = fromPort
        self.toPort = toPort
        self.peer = peer
        self.description = description
    }

    /// Writes this rule as one `IpPermission` (botocore ec2 `IpPermission`, in model order) whose single range or
    /// group carries the description, so that EC2 creates exactly one rule for it.
    func encode(into fields: inout QueryEncoding.FieldWriter) {
        fields.add("IpProtocol", ipProtocol)
        fields.add("FromPort", fromPort)
        fields.add("ToPort", toPort)
        // The member names are the capitalized `locationName`s: UserIdGroupPairs is sent as `Groups`.
        let (list, field, value) =
            switch peer {
            case .securityGroup(let id): ("Groups", "GroupId", id)
            case .cidrIpv4(let cidr): ("IpRanges", "CidrIp", cidr)
            case .cidrIpv6(let cidr): ("Ipv6Ranges", "CidrIpv6", cidr)
            case .prefixList(let id): ("PrefixListIds", "PrefixListId", id)
            }
        fields.addFlattenedStructureList(list, [value]) { value, range in
            range.add("Description", description)
            range.add(field, value)
        }
    }
}

/// An existing security group rule (botocore ec2 `SecurityGroupRule`), as `DescribeSecurityGroupRules` and the
/// `AuthorizeSecurityGroup*` calls return it.
public struct EC2SecurityGroupRule: Sendable, Equatable {
    /// The rule id (`sgr-…`), by which it is revoked.
    public var id: String
    /// The security group the rule belongs to.
    public var groupId: String
    /// Whether it is an outbound rule.
    public var isEgress: Bool
    /// What it allows.
    public var rule: EC2Rule
    /// The rule's own tags (rules are tagged separately from their group).
    public var tags: [AWSTag]

    public init(id: String, groupId: String, isEgress: Bool, rule: EC2Rule, tags: [AWSTag] = []) {
        self.id = id
        self.groupId = groupId
        self.isEgress = isEgress
        self.rule = rule
        self.tags = tags
    }

    /// Reads an `<item>` of `securityGroupRuleSet`.
    init(element: AWSXMLElement, action: String) throws {
        let reader = ResultReader(service: .ec2, action: action)
        id = try reader.required(element, "securityGroupRuleId")
        groupId = try reader.required(element, "groupId")
        // Required: revoking a rule goes through the call of its direction.
        guard let isEgress = element.bool(at: "isEgress") else {
            throw AWSResponseError(service: .ec2, action: action, reason: "rule \(id) has no <isEgress>")
        }
        self.isEgress = isEgress
        let peer: EC2RulePeer
        if let cidr = element.trimmedText(at: "cidrIpv4") {
            peer = .cidrIpv4(cidr)
        } else if let cidr = element.trimmedText(at: "cidrIpv6") {
            peer = .cidrIpv6(cidr)
        } else if let prefixList = element.trimmedText(at: "prefixListId") {
            peer = .prefixList(prefixList)
        } else if let group = element.trimmedText(at: "referencedGroupInfo/groupId") {
            peer = .securityGroup(group)
        } else {
            throw AWSResponseError(
                service: .ec2, action: action,
                reason: "rule \(id) has none of <cidrIpv4>, <cidrIpv6>, <prefixListId>, <referencedGroupInfo>")
        }
        rule = EC2Rule(
            ipProtocol: try reader.required(element, "ipProtocol"),
            fromPort: try reader.optionalInt(element, "fromPort"), toPort: try reader.optionalInt(element, "toPort"),
            peer: peer,
            // Untrimmed: a description is compared with the spec's as written.
            description: element.text(at: "description").flatMap { $0.isEmpty ? nil : $0 })
        tags = try reader.ec2Tags(of: element)
    }
}
