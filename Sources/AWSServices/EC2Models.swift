import AWSCore

/// A VPC as `DescribeVpcs` returns it (botocore ec2 `Vpc`): enough to know it exists and what addresses it has.
public struct EC2Vpc: Sendable, Equatable {
    /// The VPC id (`vpc-…`).
    public var id: String
    /// `pending` or `available`.
    public var state: String
    /// The primary IPv4 CIDR block.
    public var cidrBlock: String
    /// Every IPv4 CIDR block associated with the VPC (the primary one and any secondary ones), in EC2's order.
    public var cidrBlocks: [String]
    /// The IPv6 CIDR blocks associated with the VPC.
    public var ipv6CidrBlocks: [String]
    /// The VPC's tags.
    public var tags: [AWSTag]

    public init(
        id: String, state: String, cidrBlock: String, cidrBlocks: [String], ipv6CidrBlocks: [String] = [],
        tags: [AWSTag] = []
    ) {
        self.id = id
        self.state = state
        self.cidrBlock = cidrBlock
        self.cidrBlocks = cidrBlocks
        self.ipv6CidrBlocks = ipv6CidrBlocks
        self.tags = tags
    }

    /// Reads an `<item>` of `vpcSet`; blocks being disassociated (or failed) are left out.
    init(element: AWSXMLElement) throws {
        let reader = ResultReader(service: .ec2, action: "DescribeVpcs")
        id = try reader.required(element, "vpcId")
        state = try reader.required(element, "state")
        cidrBlock = try reader.required(element, "cidrBlock")
        cidrBlocks = Self.associated(element.elements(at: "cidrBlockAssociationSet/item"), "cidrBlock")
        ipv6CidrBlocks = Self.associated(element.elements(at: "ipv6CidrBlockAssociationSet/item"), "ipv6CidrBlock")
        tags = try reader.ec2Tags(of: element)
    }

    /// The blocks at `field` of the association items whose `<field>State/state` is `associated`.
    private static func associated(_ items: [AWSXMLElement], _ field: String) -> [String] {
        items.filter { $0.trimmedText(at: "\(field)State/state") == "associated" }
            .compactMap { $0.trimmedText(at: field) }
    }
}

/// A security group as `DescribeSecurityGroups` returns it (botocore ec2 `SecurityGroup`), without its rules:
/// those are read with their ids from `DescribeSecurityGroupRules`.
public struct EC2SecurityGroup: Sendable, Equatable {
    /// The group id (`sg-…`).
    public var id: String
    /// The group name, unique in its VPC.
    public var name: String
    /// The group description (fixed at creation).
    public var description: String
    /// The VPC it belongs to.
    public var vpcId: String?
    /// The account that owns it.
    public var ownerId: String?
    /// The group ARN, when EC2 sends it.
    public var arn: String?
    /// The group's tags.
    public var tags: [AWSTag]

    public init(
        id: String, name: String, description: String, vpcId: String? = nil, ownerId: String? = nil,
        arn: String? = nil, tags: [AWSTag] = []
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.vpcId = vpcId
        self.ownerId = ownerId
        self.arn = arn
        self.tags = tags
    }

    /// Reads an `<item>` of `securityGroupInfo`.
    init(element: AWSXMLElement) throws {
        let reader = ResultReader(service: .ec2, action: "DescribeSecurityGroups")
        id = try reader.required(element, "groupId")
        name = try reader.required(element, "groupName")
        description = element.text(at: "groupDescription") ?? ""
        vpcId = element.trimmedText(at: "vpcId")
        ownerId = element.trimmedText(at: "ownerId")
        arn = element.trimmedText(at: "securityGroupArn")
        tags = try reader.ec2Tags(of: element)
    }
}
