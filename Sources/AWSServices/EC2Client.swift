import AWSCore

/// The EC2 calls for the security group aurorad owns (botocore ec2 2016-11-15, protocol `ec2`).
///
/// EC2 lists are flattened (`GroupId.N`, `Filter.N.Value.M`, `TagSpecification.N.Tag.M.Key`: the capitalized
/// `locationName`, no `.member.`), answers carry their fields directly under `<ActionResponse>` in `<item>` lists
/// with a `requestId`, and errors come as `<Response><Errors><Error>`. Batched describes use id filters in chunks of
/// at most 100 values, as the RDS client does, and follow `NextToken` to the end.
public struct EC2Client: Sendable {
    /// The shared client.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) {
        self.client = client
    }

    /// `DescribeVpcs` of one VPC, or nil when it does not exist (`InvalidVpcID.NotFound`).
    public func describeVpc(id: String) throws -> EC2Vpc? {
        try nilIfNotFound {
            let response = try client.query(.ec2, action: "DescribeVpcs") { $0.addFlattenedList("VpcId", [id]) }
            return try response.elements(at: "vpcSet/item").map(EC2Vpc.init(element:)).first
        }
    }

    /// `CreateSecurityGroup` in `vpcId`, tagged in the same call (`TagSpecification` of resource type
    /// `security-group`) so that a crash right after it leaves nothing untagged; returns the group id.
    public func createSecurityGroup(name: String, description: String, vpcId: String, tags: [AWSTag]) throws -> String {
        let response = try client.query(.ec2, action: "CreateSecurityGroup") {
            $0.add("GroupDescription", description)
            $0.add("GroupName", name)
            $0.add("VpcId", vpcId)
            $0.addTagSpecification(resourceType: "security-group", tags: tags)
        }
        return try ResultReader(service: .ec2, action: "CreateSecurityGroup").required(response, "groupId")
    }

    /// `DescribeSecurityGroups` with the `group-id` filter: the groups that exist among `ids` (a missing id is
    /// absent, where `GroupId.N` would fail the whole call with `InvalidGroup.NotFound`), chunked by 100.
    public func describeSecurityGroups(ids: [String], maxResults: Int? = nil) throws -> [EC2SecurityGroup] {
        // One chunking rule for both clients: at most `RDSClient.maxFilterValues` (100) values in a filter.
        try RDSClient.chunks(ids).flatMap { chunk in
            try describeSecurityGroups(filters: [AWSFilter(name: "group-id", values: chunk)], maxResults: maxResults)
        }
    }

    /// `DescribeSecurityGroups` with `filters` (`vpc-id`, `group-name`, `tag:aurorad:spec`, …; the values of one
    /// filter are alternatives, the filters all apply), every page.
    public func describeSecurityGroups(filters: [AWSFilter], maxResults: Int? = nil) throws -> [EC2SecurityGroup] {
        try paginate("DescribeSecurityGroups") {
            $0.add("MaxResults", maxResults)
            $0.addFlattenedFilters(filters)
        } items: { response in
            try response.elements(at: "securityGroupInfo/item").map(EC2SecurityGroup.init(element:))
        }
    }

    /// `DescribeSecurityGroupRules` with the `group-id` filter: every rule, inbound and outbound, of the groups
    /// `groupIds`, chunked by 100, every page.
    public func describeSecurityGroupRules(groupIds: [String], maxResults: Int? = nil) throws
        -> [EC2SecurityGroupRule]
    {
        try RDSClient.chunks(groupIds).flatMap { chunk in
            try paginate("DescribeSecurityGroupRules") {
                $0.addFlattenedFilters([AWSFilter(name: "group-id", values: chunk)])
                $0.add("MaxResults", maxResults)
            } items: { response in
                try rules(in: response, action: "DescribeSecurityGroupRules")
            }
        }
    }

    /// `AuthorizeSecurityGroupIngress`: one inbound rule per element of `rules`, each tagged with `tags`
    /// (`TagSpecification` of resource type `security-group-rule`); returns the rules created, with their ids.
    public func authorizeSecurityGroupIngress(groupId: String, rules: [EC2Rule], tags: [AWSTag]) throws
        -> [EC2SecurityGroupRule]
    {
        try authorize("AuthorizeSecurityGroupIngress", groupId: groupId, rules: rules, tags: tags)
    }

    /// `AuthorizeSecurityGroupEgress`: one outbound rule per element of `rules`, tagged as for ingress.
    public func authorizeSecurityGroupEgress(groupId: String, rules: [EC2Rule], tags: [AWSTag]) throws
        -> [EC2SecurityGroupRule]
    {
        try authorize("AuthorizeSecurityGroupEgress", groupId: groupId, rules: rules, tags: tags)
    }

    /// `RevokeSecurityGroupIngress` of the inbound rules `ruleIds` (`SecurityGroupRuleId.N`) of group `groupId`.
    public func revokeSecurityGroupIngress(groupId: String, ruleIds: [String]) throws {
        try revoke("RevokeSecurityGroupIngress", groupId: groupId, ruleIds: ruleIds)
    }

    /// `RevokeSecurityGroupEgress` of the outbound rules `ruleIds` of group `groupId`.
    public func revokeSecurityGroupEgress(groupId: String, ruleIds: [String]) throws {
        try revoke("RevokeSecurityGroupEgress", groupId: groupId, ruleIds: ruleIds)
    }

    /// `DeleteSecurityGroup` by id. While something still uses the group (the network interfaces of a cluster
    /// being deleted linger for minutes) EC2 answers `DependencyViolation` (`AWSError.isDependencyViolation`): try
    /// again later.
    public func deleteSecurityGroup(id: String) throws {
        _ = try client.query(.ec2, action: "DeleteSecurityGroup") { $0.add("GroupId", id) }
    }

    /// `CreateTags` on `resourceIds` (`sg-…`, `sgr-…`): adds `tags`, overwriting the values of existing keys.
    public func createTags(resourceIds: [String], tags: [AWSTag]) throws {
        _ = try client.query(.ec2, action: "CreateTags") {
            $0.addFlattenedList("ResourceId", resourceIds)
            $0.addFlattenedTags(tags)
        }
    }

    private func authorize(_ action: String, groupId: String, rules: [EC2Rule], tags: [AWSTag]) throws
        -> [EC2SecurityGroupRule]
    {
        let response = try client.query(.ec2, action: action) {
            $0.add("GroupId", groupId)
            $0.addFlattenedStructureList("IpPermissions", rules) { rule, fields in rule.encode(into: &fields) }
            $0.addTagSpecification(resourceType: "security-group-rule", tags: tags)
        }
        return try self.rules(in: response, action: action)
    }

    private func revoke(_ action: String, groupId: String, ruleIds: [String]) throws {
        _ = try client.query(.ec2, action: action) {
            $0.add("GroupId", groupId)
            $0.addFlattenedList("SecurityGroupRuleId", ruleIds)
        }
    }

    private func rules(in response: AWSXMLElement, action: String) throws -> [EC2SecurityGroupRule] {
        try response.elements(at: "securityGroupRuleSet/item").map {
            try EC2SecurityGroupRule(element: $0, action: action)
        }
    }

    /// Every page of an EC2 listing: `build` writes the call's members, then `NextToken` follows.
    private func paginate<Item>(
        _ action: String, _ build: (inout QueryEncoding) -> Void, items: (AWSXMLElement) throws -> [Item]
    ) throws -> [Item] {
        try Pagination.collect("EC2 \(action)") { token in
            let response = try client.query(.ec2, action: action) {
                build(&$0)
                $0.add("NextToken", token)
            }
            return (try items(response), Pagination.ec2NextToken(response))
        }.flatMap { $0 }
    }
}

extension QueryEncoding {
    /// Adds one `TagSpecification` (`TagSpecification.1.ResourceType`, `TagSpecification.1.Tag.N.Key`); with no
    /// tags it adds nothing, as EC2 rejects an empty one (`InvalidParameterValue`: "Tag specification must have at
    /// least one tag").
    fileprivate mutating func addTagSpecification(resourceType: String, tags: [AWSTag]) {
        guard !tags.isEmpty else { return }
        addFlattenedStructureList("TagSpecification", [tags]) { tags, fields in
            fields.add("ResourceType", resourceType)
            fields.addFlattenedTags("Tag", tags)
        }
    }
}
