import AWSServices

/// The security group aurorad owns for a spec, as DescribeSecurityGroups and DescribeSecurityGroupRules show it.
public struct ObservedSecurityGroup: Equatable, Sendable {
    /// The group id (`sg-…`).
    public var id: String
    /// The group name.
    public var name: String
    /// The VPC it is in.
    public var vpcId: String?
    /// The group's tags.
    public var tags: ResourceTags
    /// Every rule of the group, inbound and outbound, with its id and tags.
    public var rules: [EC2SecurityGroupRule]

    /// Creates an observed group.
    public init(
        id: String, name: String, vpcId: String?, tags: [String: String], rules: [EC2SecurityGroupRule] = []
    ) {
        self.id = id
        self.name = name
        self.vpcId = vpcId
        self.tags = ResourceTags(tags)
        self.rules = rules
    }
}
