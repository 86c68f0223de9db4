import AWSCore
import AWSServices
import Foundation
import Testing

/// EC2 answers in the shape of the EC2 API Reference's sample responses: fields directly under `<ActionResponse>`,
/// lists of `<item>`, lower-camel-case names, and errors as `<Response><Errors><Error>` with a `RequestID`.
@Suite("EC2 request encoding and response parsing")
struct EC2ParsingTests {
    static let namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

    static func response(_ action: String, _ fields: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <\(action)Response xmlns="\(namespace)"><requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
        \(fields)
        </\(action)Response>
        """
    }

    static func error(_ code: String, _ message: String, status: Int = 400) -> HTTPResponse {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors>\
            <RequestID>ea966190-f9aa-478e-9ede-EXAMPLE</RequestID></Response>
            """
        return HTTPResponse(status: status, body: Data(body.utf8))
    }

    static func groups(_ ids: [String], nextToken: String? = nil) -> String {
        let items = ids.map { id in
            """
            <item><ownerId>123456789012</ownerId><groupId>\(id)</groupId><groupName>aurorad-\(id)</groupName>
              <groupDescription>Control traffic for c1 </groupDescription><vpcId>vpc-1a2b3c4d</vpcId>
              <securityGroupArn>arn:aws:ec2:eu-west-1:123456789012:security-group/\(id)</securityGroupArn>
              <ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>3306</fromPort><toPort>3306</toPort>
                <groups/><ipRanges><item><cidrIp>10.0.0.0/16</cidrIp></item></ipRanges><ipv6Ranges/>
                <prefixListIds/></item></ipPermissions>
              <ipPermissionsEgress/>
              <tagSet><item><key>aurorad:spec</key><value>c1</value></item>
                <item><key>empty</key><value/></item></tagSet>
            </item>
            """
        }.joined()
        return response(
            "DescribeSecurityGroups",
            "<securityGroupInfo>\(items)</securityGroupInfo>"
                + (nextToken.map { "<nextToken>\($0)</nextToken>" } ?? ""))
    }

    static let rules = """
        <securityGroupRuleSet>
          <item><securityGroupRuleId>sgr-0a</securityGroupRuleId><groupId>sg-1</groupId>
            <groupOwnerId>123456789012</groupOwnerId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol>
            <fromPort>3306</fromPort><toPort>3306</toPort><cidrIpv4>10.0.0.0/16</cidrIpv4>
            <description>app subnet </description>
            <tagSet><item><key>aurorad:spec</key><value>c1</value></item></tagSet>
            <securityGroupRuleArn>arn:aws:ec2:eu-west-1:123456789012:security-group-rule/sgr-0a</securityGroupRuleArn>
          </item>
          <item><securityGroupRuleId>sgr-0b</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress>
            <ipProtocol>tcp</ipProtocol><fromPort>3306</fromPort><toPort>3306</toPort>
            <cidrIpv6>2001:db8::/56</cidrIpv6><tagSet/></item>
          <item><securityGroupRuleId>sgr-0c</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress>
            <ipProtocol>tcp</ipProtocol><fromPort>3306</fromPort><toPort>3306</toPort>
            <prefixListId>pl-63a5400a</prefixListId><tagSet/></item>
          <item><securityGroupRuleId>sgr-0d</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress>
            <ipProtocol>tcp</ipProtocol><fromPort>3306</fromPort><toPort>3306</toPort>
            <referencedGroupInfo><groupId>sg-2</groupId><userId>123456789012</userId></referencedGroupInfo>
            <description>bastion</description><tagSet/></item>
          <item><securityGroupRuleId>sgr-0e</securityGroupRuleId><groupId>sg-1</groupId><isEgress>true</isEgress>
            <ipProtocol>-1</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort><cidrIpv4>0.0.0.0/0</cidrIpv4>
            <tagSet/></item>
        </securityGroupRuleSet>
        """

    @Test("DescribeVpcs: id, state, primary and associated CIDR blocks, tags; InvalidVpcID.NotFound is nil")
    func describeVpc() throws {
        let vpcs = Self.response(
            "DescribeVpcs",
            """
            <vpcSet><item><vpcId>vpc-1a2b3c4d</vpcId><ownerId>123456789012</ownerId><state>available</state>
              <cidrBlock>10.0.0.0/16</cidrBlock>
              <cidrBlockAssociationSet>
                <item><cidrBlock>10.0.0.0/16</cidrBlock><associationId>vpc-cidr-assoc-1</associationId>
                  <cidrBlockState><state>associated</state></cidrBlockState></item>
                <item><cidrBlock>10.1.0.0/16</cidrBlock><associationId>vpc-cidr-assoc-2</associationId>
                  <cidrBlockState><state>associated</state></cidrBlockState></item>
                <item><cidrBlock>10.2.0.0/16</cidrBlock><associationId>vpc-cidr-assoc-3</associationId>
                  <cidrBlockState><state>disassociated</state></cidrBlockState></item>
              </cidrBlockAssociationSet>
              <ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>2001:db8:1234:1a00::/56</ipv6CidrBlock>
                <ipv6CidrBlockState><state>associated</state></ipv6CidrBlockState></item></ipv6CidrBlockAssociationSet>
              <dhcpOptionsId>dopt-1</dhcpOptionsId><instanceTenancy>default</instanceTenancy>
              <isDefault>false</isDefault>
              <tagSet><item><key>Name</key><value>prod</value></item></tagSet>
            </item></vpcSet>
            """)
        let transport = StubTransport([
            HTTPResponse(status: 200, body: Data(vpcs.utf8)),
            Self.error("InvalidVpcID.NotFound", "The vpc ID 'vpc-absent' does not exist"),
        ])
        let ec2 = EC2Client(client: try StubTransport.client(transport))
        let vpc = try #require(try ec2.describeVpc(id: "vpc-1a2b3c4d"))
        #expect(
            vpc
                == EC2Vpc(
                    id: "vpc-1a2b3c4d", state: "available", cidrBlock: "10.0.0.0/16",
                    cidrBlocks: ["10.0.0.0/16", "10.1.0.0/16"],
                    ipv6CidrBlocks: ["2001:db8:1234:1a00::/56"], tags: [AWSTag(key: "Name", value: "prod")]))
        #expect(transport.requests[0].host == "ec2.eu-west-1.amazonaws.com")
        #expect(transport.form(0) == ["Action": "DescribeVpcs", "Version": "2016-11-15", "VpcId.1": "vpc-1a2b3c4d"])
        #expect(try ec2.describeVpc(id: "vpc-absent") == nil)
    }

    @Test("AWS_ENDPOINT_URL_EC2 sends EC2 calls to its URL, signed for ec2 in the client's region")
    func endpointVariable() throws {
        let transport = StubTransport(bodies: [Self.response("DescribeVpcs", "<vpcSet/>")])
        let client = try StubTransport.client(transport, environment: ["AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:4566"])
        #expect(try EC2Client(client: client).describeVpc(id: "vpc-1") == nil)
        let request = try #require(transport.requests.first)
        #expect(request.host == "127.0.0.1" && request.port == 4566)
        #expect(request.header("Authorization")?.contains("/eu-west-1/ec2/aws4_request") == true)
    }

    @Test("CreateSecurityGroup returns the group id; InvalidGroup.Duplicate is a duplicate, not a not-found")
    func createSecurityGroup() throws {
        let created = Self.response(
            "CreateSecurityGroup",
            """
            <return>true</return><groupId>sg-0123456789abcdef0</groupId>
            <tagSet><item><key>aurorad:spec</key><value>c1</value></item></tagSet>
            """)
        let transport = StubTransport([
            HTTPResponse(status: 200, body: Data(created.utf8)),
            Self.error("InvalidGroup.Duplicate", "The security group 'c1' already exists for VPC 'vpc-1'"),
        ])
        let ec2 = EC2Client(client: try StubTransport.client(transport))
        let tags = [AWSTag(key: "aurorad:spec", value: "c1")]
        #expect(
            try ec2.createSecurityGroup(name: "c1", description: "d", vpcId: "vpc-1", tags: tags)
                == "sg-0123456789abcdef0")
        #expect(transport.form(0)["TagSpecification.1.ResourceType"] == "security-group")
        #expect(transport.form(0)["TagSpecification.1.Tag.1.Key"] == "aurorad:spec")
        #expect(transport.form(0)["GroupDescription"] == "d")
        let duplicate = try #require(throws: AWSError.self) {
            try ec2.createSecurityGroup(name: "c1", description: "d", vpcId: "vpc-1", tags: tags)
        }
        #expect(duplicate.isDuplicate && !duplicate.isNotFound && !duplicate.isRetryable)
        #expect(duplicate.service == "EC2" && duplicate.action == "CreateSecurityGroup")
        #expect(duplicate.requestId == "ea966190-f9aa-478e-9ede-EXAMPLE")
        #expect(duplicate.message == "The security group 'c1' already exists for VPC 'vpc-1'")
    }

    @Test("DescribeSecurityGroups: every field, group-id chunks of 100, NextToken followed within each chunk")
    func describeSecurityGroups() throws {
        let ids = (1...150).map { "sg-\($0)" }
        let transport = StubTransport(bodies: [
            Self.groups(["sg-1"], nextToken: "page2"), Self.groups(["sg-2"]), Self.groups(["sg-101"]),
        ])
        let groups = try EC2Client(client: StubTransport.client(transport)).describeSecurityGroups(ids: ids)
        #expect(groups.map(\.id) == ["sg-1", "sg-2", "sg-101"])
        #expect(
            groups[0]
                == EC2SecurityGroup(
                    id: "sg-1", name: "aurorad-sg-1", description: "Control traffic for c1 ", vpcId: "vpc-1a2b3c4d",
                    ownerId: "123456789012", arn: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1",
                    tags: [AWSTag(key: "aurorad:spec", value: "c1"), AWSTag(key: "empty", value: "")]))
        #expect(transport.requests.count == 3)
        let first = transport.form(0)
        #expect(first["Filter.1.Name"] == "group-id")
        #expect(first["Filter.1.Value.1"] == "sg-1" && first["Filter.1.Value.100"] == "sg-100")
        #expect(first["Filter.1.Value.101"] == nil && first["NextToken"] == nil)
        #expect(transport.form(1)["NextToken"] == "page2" && transport.form(1)["Filter.1.Value.100"] == "sg-100")
        #expect(transport.form(2)["Filter.1.Value.1"] == "sg-101" && transport.form(2)["Filter.1.Value.50"] == "sg-150")
        #expect(transport.form(2)["Filter.1.Value.51"] == nil && transport.form(2)["NextToken"] == nil)
    }

    @Test("A listing whose NextToken repeats stops with a PaginationError")
    func repeatedToken() throws {
        let transport = StubTransport(bodies: [
            Self.groups(["sg-1"], nextToken: "t"), Self.groups(["sg-1"], nextToken: "t"),
        ])
        let error = try #require(throws: PaginationError.self) {
            try EC2Client(client: StubTransport.client(transport))
                .describeSecurityGroups(filters: [AWSFilter(name: "vpc-id", values: ["vpc-1"])])
        }
        #expect(error.operation == "EC2 DescribeSecurityGroups" && error.repeatedToken)
    }

    @Test("DescribeSecurityGroupRules: one peer per rule, ports, untrimmed descriptions, tags, egress")
    func describeRules() throws {
        let transport = StubTransport(bodies: [Self.response("DescribeSecurityGroupRules", Self.rules)])
        let ec2 = EC2Client(client: try StubTransport.client(transport))
        let rules = try ec2.describeSecurityGroupRules(groupIds: ["sg-1"])
        #expect(rules.map(\.id) == ["sgr-0a", "sgr-0b", "sgr-0c", "sgr-0d", "sgr-0e"])
        #expect(
            rules[0]
                == EC2SecurityGroupRule(
                    id: "sgr-0a", groupId: "sg-1", isEgress: false,
                    rule: EC2Rule(
                        ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv4("10.0.0.0/16"),
                        description: "app subnet "),
                    tags: [AWSTag(key: "aurorad:spec", value: "c1")]))
        #expect(
            rules.map(\.rule.peer) == [
                .cidrIpv4("10.0.0.0/16"), .cidrIpv6("2001:db8::/56"), .prefixList("pl-63a5400a"),
                .securityGroup("sg-2"),
                .cidrIpv4("0.0.0.0/0"),
            ])
        #expect(rules[3].rule.description == "bastion" && rules[1].rule.description == nil)
        #expect(
            rules[4].isEgress
                && rules[4].rule
                    == EC2Rule(
                        ipProtocol: "-1", fromPort: -1, toPort: -1, peer: .cidrIpv4("0.0.0.0/0"))
        )
        #expect(
            transport.form(0) == [
                "Action": "DescribeSecurityGroupRules", "Version": "2016-11-15", "Filter.1.Name": "group-id",
                "Filter.1.Value.1": "sg-1",
            ])
    }

    @Test("A rule with no peer, a port that is not a number or no direction is an unreadable answer that says so")
    func unreadableRules() throws {
        let noPeer = Self.response(
            "DescribeSecurityGroupRules",
            """
            <securityGroupRuleSet><item><securityGroupRuleId>sgr-1</securityGroupRuleId><groupId>sg-1</groupId>
            <isEgress>false</isEgress><ipProtocol>tcp</ipProtocol></item></securityGroupRuleSet>
            """)
        let badPort = Self.response(
            "DescribeSecurityGroupRules",
            """
            <securityGroupRuleSet><item><securityGroupRuleId>sgr-1</securityGroupRuleId><groupId>sg-1</groupId>
            <isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>many</fromPort>
            <cidrIpv4>10.0.0.0/8</cidrIpv4></item></securityGroupRuleSet>
            """)
        let noDirection = Self.response(
            "DescribeSecurityGroupRules",
            """
            <securityGroupRuleSet><item><securityGroupRuleId>sgr-1</securityGroupRuleId><groupId>sg-1</groupId>
            <ipProtocol>tcp</ipProtocol><cidrIpv4>10.0.0.0/8</cidrIpv4></item></securityGroupRuleSet>
            """)
        let ec2 = EC2Client(client: try StubTransport.client(StubTransport(bodies: [noPeer, badPort, noDirection])))
        let missing = try #require(throws: AWSResponseError.self) {
            try ec2.describeSecurityGroupRules(groupIds: ["sg-1"])
        }
        #expect(missing.description.contains("rule sgr-1 has none of <cidrIpv4>"))
        let port = try #require(throws: AWSResponseError.self) {
            try ec2.describeSecurityGroupRules(groupIds: ["sg-1"])
        }
        #expect(port.reason == "<fromPort> is not an integer: many")
        let direction = try #require(throws: AWSResponseError.self) {
            try ec2.describeSecurityGroupRules(groupIds: ["sg-1"])
        }
        #expect(direction.reason == "rule sgr-1 has no <isEgress>")
    }

    @Test("AuthorizeSecurityGroupIngress returns the created rules; InvalidPermission.Duplicate is a duplicate")
    func authorize() throws {
        let created = Self.response("AuthorizeSecurityGroupIngress", "<return>true</return>" + Self.rules)
        let transport = StubTransport([
            HTTPResponse(status: 200, body: Data(created.utf8)),
            Self.error(
                "InvalidPermission.Duplicate",
                "the specified rule \"peer: 10.0.0.0/16, TCP, from port: 3306, "
                    + "to port: 3306, ALLOW\" already exists"),
        ])
        let ec2 = EC2Client(client: try StubTransport.client(transport))
        let rule = EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv4("10.0.0.0/16"))
        let rules = try ec2.authorizeSecurityGroupIngress(groupId: "sg-1", rules: [rule], tags: [])
        #expect(rules.count == 5 && rules[0].id == "sgr-0a")
        #expect(
            transport.form(0) == [
                "Action": "AuthorizeSecurityGroupIngress", "Version": "2016-11-15", "GroupId": "sg-1",
                "IpPermissions.1.IpProtocol": "tcp", "IpPermissions.1.FromPort": "3306",
                "IpPermissions.1.ToPort": "3306",
                "IpPermissions.1.IpRanges.1.CidrIp": "10.0.0.0/16",
            ])
        let duplicate = try #require(throws: AWSError.self) {
            try ec2.authorizeSecurityGroupIngress(groupId: "sg-1", rules: [rule], tags: [])
        }
        #expect(duplicate.code == "InvalidPermission.Duplicate" && duplicate.isDuplicate)
    }

    @Test(
        "EC2's error codes parse from <Response><Errors><Error> and classify",
        arguments: [
            ("UnauthorizedOperation", 403), ("InvalidGroup.NotFound", 400), ("InvalidPermission.NotFound", 400),
            ("InvalidSecurityGroupRuleId.NotFound", 400), ("DependencyViolation", 400), ("InvalidVpcID.NotFound", 400),
            ("InvalidGroup.Duplicate", 400), ("InvalidPermission.Duplicate", 400), ("RequestLimitExceeded", 503),
        ])
    func errorCodes(code: String, status: Int) throws {
        let error = AWSError.from(
            response: Self.error(code, "message for \(code)", status: status), service: "EC2",
            action: "DeleteSecurityGroup")
        #expect(error.code == code && error.status == status && error.message == "message for \(code)")
        #expect(error.requestId == "ea966190-f9aa-478e-9ede-EXAMPLE")
        #expect(error.isAccessDenied == (code == "UnauthorizedOperation"))
        #expect(error.isDependencyViolation == (code == "DependencyViolation"))
        #expect(error.isNotFound == code.hasSuffix(".NotFound"))
        #expect(error.isDuplicate == code.hasSuffix(".Duplicate"))
        #expect(error.isRetryable == (code == "RequestLimitExceeded"))
    }

    @Test("DeleteSecurityGroup: DependencyViolation while in use, InvalidGroup.NotFound once gone")
    func deleteSecurityGroup() throws {
        let transport = StubTransport([
            Self.error("DependencyViolation", "resource sg-1 has a dependent object"),
            Self.error("InvalidGroup.NotFound", "The security group 'sg-1' does not exist"),
            HTTPResponse(status: 200, body: Data(Self.response("DeleteSecurityGroup", "<return>true</return>").utf8)),
        ])
        let ec2 = EC2Client(client: try StubTransport.client(transport))
        let inUse = try #require(throws: AWSError.self) { try ec2.deleteSecurityGroup(id: "sg-1") }
        #expect(inUse.isDependencyViolation && !inUse.isRetryable, "the reconciler, not the call, waits it out")
        #expect(
            inUse.description == "EC2 DeleteSecurityGroup failed: DependencyViolation: resource sg-1 has a "
                + "dependent object (HTTP 400, request id ea966190-f9aa-478e-9ede-EXAMPLE).")
        let gone = try #require(throws: AWSError.self) { try ec2.deleteSecurityGroup(id: "sg-1") }
        #expect(gone.isNotFound)
        try ec2.deleteSecurityGroup(id: "sg-1")
        #expect(transport.requests.count == 3, "no retries of terminal errors")
        #expect(transport.form(2) == ["Action": "DeleteSecurityGroup", "Version": "2016-11-15", "GroupId": "sg-1"])
    }

    @Test("Revoke by rule id and CreateTags send flattened lists")
    func revokeAndTag() throws {
        let transport = StubTransport(bodies: [
            Self.response("RevokeSecurityGroupEgress", "<return>true</return>"),
            Self.response("CreateTags", "<return>true</return>"),
        ])
        let ec2 = EC2Client(client: try StubTransport.client(transport))
        try ec2.revokeSecurityGroupEgress(groupId: "sg-1", ruleIds: ["sgr-1", "sgr-2"])
        try ec2.createTags(resourceIds: ["sgr-1"], tags: [AWSTag(key: "aurorad:spec", value: "c1")])
        #expect(
            transport.form(0) == [
                "Action": "RevokeSecurityGroupEgress", "Version": "2016-11-15", "GroupId": "sg-1",
                "SecurityGroupRuleId.1": "sgr-1", "SecurityGroupRuleId.2": "sgr-2",
            ])
        #expect(
            transport.form(1) == [
                "Action": "CreateTags", "Version": "2016-11-15", "ResourceId.1": "sgr-1", "Tag.1.Key": "aurorad:spec",
                "Tag.1.Value": "c1",
            ])
    }
}
