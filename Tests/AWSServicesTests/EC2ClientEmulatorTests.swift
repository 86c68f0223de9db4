import AWSCore
import AWSServices
import Foundation
import Testing

/// The EC2 client against moto's EC2 (patched by `Tests/Emulator/ec2_security_groups.py` where moto deviates from
/// EC2). Every call answers at once, so there is no polling; each test uses uniquely named groups.
@Suite("EC2 client against the emulator")
struct EC2ClientEmulatorTests {
    /// The seeded demo VPC, found through the demo security group the emulator creates in it.
    func demoGroup(_ ec2: EC2Client) throws -> EC2SecurityGroup {
        let groups = try ec2.describeSecurityGroups(
            filters: [AWSFilter(name: "group-name", values: ["aurorad-demo-db"])])
        return try #require(groups.first, "the emulator seeds security group aurorad-demo-db (--seed-demo)")
    }

    @Test("DescribeVpcs: the demo VPC and its CIDR; an unknown VPC is nil")
    func describeVpc() throws {
        let ec2 = EC2Client(client: try SharedEmulator.client())
        let vpcId = try #require(try demoGroup(ec2).vpcId)
        let vpc = try #require(try ec2.describeVpc(id: vpcId))
        #expect(vpc.id == vpcId && vpc.state == "available")
        #expect(vpc.cidrBlock == "10.0.0.0/16" && vpc.cidrBlocks == ["10.0.0.0/16"])
        #expect(try ec2.describeVpc(id: "vpc-0123456789abcdef0") == nil)
    }

    @Test("Security group lifecycle: create tagged, describe, authorize, describe rules, re-tag, revoke, delete")
    func securityGroupLifecycle() throws {
        let ec2 = EC2Client(client: try SharedEmulator.client())
        let demo = try demoGroup(ec2)
        let vpcId = try #require(demo.vpcId)
        let name = uniqueName("aurorad-sg")
        let tags = [AWSTag(key: "aurorad:spec", value: name), AWSTag(key: "managed-by", value: "aurorad")]

        let groupId = try ec2.createSecurityGroup(
            name: name, description: "Control traffic to/from RDS Aurora \(name)", vpcId: vpcId, tags: tags)
        #expect(groupId.hasPrefix("sg-"))
        let duplicate = try #require(throws: AWSError.self) {
            try ec2.createSecurityGroup(name: name, description: "again", vpcId: vpcId, tags: tags)
        }
        #expect(duplicate.code == "InvalidGroup.Duplicate" && duplicate.isDuplicate)

        let byId = try ec2.describeSecurityGroups(ids: [groupId, "sg-0123456789abcdef0"])
        #expect(
            byId == [
                EC2SecurityGroup(
                    id: groupId, name: name, description: "Control traffic to/from RDS Aurora \(name)", vpcId: vpcId,
                    ownerId: byId.first?.ownerId, arn: byId.first?.arn, tags: tags)
            ])
        let byTag = try ec2.describeSecurityGroups(filters: [
            AWSFilter(name: "vpc-id", values: [vpcId]), AWSFilter(name: "tag:aurorad:spec", values: [name]),
        ])
        #expect(byTag.map(\.id) == [groupId])
        let byName = try ec2.describeSecurityGroups(filters: [
            AWSFilter(name: "vpc-id", values: [vpcId]), AWSFilter(name: "group-name", values: [name]),
        ])
        #expect(byName.map(\.id) == [groupId])

        // EC2 gives a new VPC group one egress rule allowing all traffic.
        let initial = try ec2.describeSecurityGroupRules(groupIds: [groupId])
        #expect(initial.map(\.isEgress) == [true])
        #expect(
            initial.first?.rule == EC2Rule(ipProtocol: "-1", fromPort: -1, toPort: -1, peer: .cidrIpv4("0.0.0.0/0")))

        let ingress = [
            EC2Rule(
                ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv4("10.0.0.0/16"), description: "app"),
            EC2Rule(
                ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv6("2001:db8::/56"), description: "v6"),
            // moto does not check that the prefix list exists; EC2 does.
            EC2Rule(
                ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .prefixList("pl-0123456789abcdef0"),
                description: "VPN"),
            EC2Rule(
                ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .securityGroup(demo.id), description: "demo"),
        ]
        let ruleTags = [AWSTag(key: "aurorad:spec", value: name)]
        let created = try ec2.authorizeSecurityGroupIngress(groupId: groupId, rules: ingress, tags: ruleTags)
        #expect(Set(created.map(\.rule)) == Set(ingress))
        #expect(created.allSatisfy { $0.id.hasPrefix("sgr-") && !$0.isEgress && $0.groupId == groupId })
        #expect(created.allSatisfy { $0.tags == ruleTags })
        let again = try #require(throws: AWSError.self) {
            try ec2.authorizeSecurityGroupIngress(groupId: groupId, rules: [ingress[0]], tags: ruleTags)
        }
        #expect(again.code == "InvalidPermission.Duplicate" && again.isDuplicate)

        let egress = EC2Rule(
            ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidrIpv4("10.1.0.0/16"), description: "out")
        let createdEgress = try ec2.authorizeSecurityGroupEgress(groupId: groupId, rules: [egress], tags: ruleTags)
        #expect(createdEgress.map(\.rule) == [egress] && createdEgress.allSatisfy(\.isEgress))

        let rules = try ec2.describeSecurityGroupRules(groupIds: [groupId])
        #expect(Set(rules.filter { !$0.isEgress }.map(\.rule)) == Set(ingress))
        #expect(Set(rules.map(\.id)) == Set((initial + created + createdEgress).map(\.id)))

        // Repairing tag drift: CreateTags puts the ownership tag on a rule that lacks it.
        let defaultEgress = try #require(initial.first)
        try ec2.createTags(resourceIds: [defaultEgress.id], tags: ruleTags)
        let retagged = try ec2.describeSecurityGroupRules(groupIds: [groupId]).first { $0.id == defaultEgress.id }
        #expect(retagged?.tags == ruleTags)

        try ec2.revokeSecurityGroupIngress(groupId: groupId, ruleIds: [created[0].id])
        try ec2.revokeSecurityGroupEgress(groupId: groupId, ruleIds: [defaultEgress.id])
        let remaining = try ec2.describeSecurityGroupRules(groupIds: [groupId])
        #expect(Set(remaining.map(\.id)) == Set((created.dropFirst() + createdEgress).map(\.id)))
        let revokedAgain = try #require(throws: AWSError.self) {
            try ec2.revokeSecurityGroupIngress(groupId: groupId, ruleIds: [created[0].id])
        }
        // moto answers InvalidPermission.NotFound; EC2 documents InvalidSecurityGroupRuleId.NotFound too.
        #expect(revokedAgain.isNotFound)

        try ec2.deleteSecurityGroup(id: groupId)
        #expect(try ec2.describeSecurityGroups(ids: [groupId]).isEmpty)
        #expect(try ec2.describeSecurityGroupRules(groupIds: [groupId]).isEmpty)
        let gone = try #require(throws: AWSError.self) { try ec2.deleteSecurityGroup(id: groupId) }
        #expect(gone.code == "InvalidGroup.NotFound" && gone.isNotFound)
    }

    @Test("Deleting a group another group's rule references is a DependencyViolation until the rule is revoked")
    func dependencyViolation() throws {
        let ec2 = EC2Client(client: try SharedEmulator.client())
        let vpcId = try #require(try demoGroup(ec2).vpcId)
        let referenced = try ec2.createSecurityGroup(
            name: uniqueName("aurorad-sg"), description: "referenced", vpcId: vpcId, tags: [])
        let referencing = try ec2.createSecurityGroup(
            name: uniqueName("aurorad-sg"), description: "referencing", vpcId: vpcId, tags: [])
        let rule = try ec2.authorizeSecurityGroupIngress(
            groupId: referencing,
            rules: [EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .securityGroup(referenced))],
            tags: [])
        let inUse = try #require(throws: AWSError.self) { try ec2.deleteSecurityGroup(id: referenced) }
        #expect(inUse.isDependencyViolation && !inUse.isRetryable)
        try ec2.revokeSecurityGroupIngress(groupId: referencing, ruleIds: rule.map(\.id))
        try ec2.deleteSecurityGroup(id: referenced)
        try ec2.deleteSecurityGroup(id: referencing)
    }

    @Test("A caller without EC2 permissions is denied: terminal, one attempt")
    func accessDenied() throws {
        let emulator = try SharedEmulator.get()
        let attempts = AttemptCounter()
        let client = try SharedEmulator.client(credentials: emulator.limitedCredentials, attempts: attempts)
        let error = try #require(throws: AWSError.self) {
            try EC2Client(client: client).describeSecurityGroups(filters: [])
        }
        // EC2 answers UnauthorizedOperation; moto answers AccessDenied (Tests/Emulator/README.md).
        #expect(error.isAccessDenied && error.status == 403 && !error.isRetryable)
        #expect(error.service == "EC2" && error.action == "DescribeSecurityGroups")
        #expect(attempts.value == 1)
    }
}
