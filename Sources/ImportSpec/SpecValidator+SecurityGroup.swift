/// The checks of the module's security group inputs: `port`, `vpc_id`, the group's name, description and tags, and
/// each ingress and egress rule.
extension SpecValidator {
    /// The ports RDS accepts for an Aurora cluster (RestoreDBClusterFromS3 `Port`: 1150–65535).
    static let clusterPorts = 1150...65535
    /// The ports a tcp or udp rule may name.
    static let rulePorts = 0...65535
    /// The ICMP types and codes a rule may name; -1 is all of them.
    static let icmpNumbers = -1...255

    /// The security group fields the module ignores without a group; aurorad refuses them instead.
    private static let groupOnlyFields = [
        "security_group_name", "security_group_use_name_prefix", "security_group_description", "security_group_tags",
        "security_group_ingress_rules", "security_group_egress_rules",
    ]

    mutating func checkSecurityGroup() {
        if let port = spec.port, usable("port"), !Self.clusterPorts.contains(port) {
            report("port", "\(port) is not a port Aurora accepts; choose one from 1150 to 65535 (default 3306).")
        }
        if let vpc = spec.vpcId, usable("vpc_id"), !NamingRules.ec2ID(vpc, prefix: "vpc") {
            report(
                "vpc_id",
                "\(quote(vpc)) is not a VPC id; expected vpc- and 8 or 17 lowercase hex digits, e.g. "
                    + "vpc-0123456789abcdef0.")
        }
        guard spec.createsSecurityGroup else {
            if spec.createSecurityGroup == true, usable("create_security_group") {
                // The module would create the group in the default VPC; aurorad creates one only where it is told.
                report("create_security_group", "is true but no vpc_id is given; add the VPC the group belongs in.")
            }
            let given = Self.groupOnlyFields.filter(isGiven)
            let why = spec.vpcId == nil ? "no vpc_id is given" : "create_security_group is false"
            for field in given {
                report(
                    field,
                    "has no effect because \(why), so aurorad creates no security group; remove it or "
                        + (spec.vpcId == nil ? "add vpc_id." : "set create_security_group to true."))
            }
            return
        }
        checkGroupNaming()
        checkGroupTags()
        for (field, rules) in [
            ("security_group_ingress_rules", spec.securityGroupIngressRules),
            ("security_group_egress_rules", spec.securityGroupEgressRules),
        ] {
            guard let rules, usable(field) else { continue }
            for key in rules.keys.sorted() {
                guard let rule = rules[key] else { continue }
                checkRule(rule, key: key, at: FieldPath.member(field, key), egress: field.contains("egress"))
            }
        }
    }

    /// Whether the spec sets `field` (one of `groupOnlyFields`).
    private func isGiven(_ field: String) -> Bool {
        switch field {
        case "security_group_name": spec.securityGroupName != nil
        case "security_group_use_name_prefix": spec.securityGroupUseNamePrefix != nil
        case "security_group_description": spec.securityGroupDescription != nil
        case "security_group_tags": spec.securityGroupTags != nil
        case "security_group_ingress_rules": spec.securityGroupIngressRules != nil
        default: spec.securityGroupEgressRules != nil
        }
    }

    private mutating func checkGroupNaming() {
        if let name = spec.securityGroupName, usable("security_group_name") {
            var broken = NamingRules.ec2Text(name, allowed: NamingRules.ec2GroupTextCharacters)
            let room = NamingRules.ec2TextMaxLength - ImportSpec.securityGroupNameSuffixLength
            if spec.effectiveSecurityGroupUseNamePrefix && name.unicodeScalars.count > room {
                broken.append(
                    "as a prefix (security_group_use_name_prefix) it must leave room for aurorad's "
                        + "\(ImportSpec.securityGroupNameSuffixLength)-character suffix: at most \(room) characters")
            }
            if name.lowercased().hasPrefix("sg-") { broken.append("it must not start with sg-, as EC2 ids do") }
            report("security_group_name", name, isNot: "security group name", broken)
        }
        if let description = spec.securityGroupDescription, usable("security_group_description") {
            report(
                "security_group_description", description, isNot: "security group description",
                NamingRules.ec2Text(description, allowed: NamingRules.ec2GroupTextCharacters))
        }
    }

    /// The group carries `tags`, `security_group_tags`, `Name` and aurorad's two ownership tags: at most 50.
    private mutating func checkGroupTags() {
        guard let groupTags = spec.securityGroupTags, usable("security_group_tags") else { return }
        checkTagEntries(groupTags, at: "security_group_tags")
        let keys = Set(groupTags.keys).union(spec.tags.map { Array($0.keys) } ?? []).union(["Name"])
        let room = AuroradTags.maxTagsPerResource - 2
        if keys.count > room {
            report(
                "security_group_tags",
                "with tags and Name the security group would carry \(keys.count) tags, "
                    + "but EC2 allows \(AuroradTags.maxTagsPerResource) and aurorad adds 2 of its own; remove "
                    + "\(keys.count - room).")
        }
    }

    private mutating func checkRule(_ rule: SecurityGroupRule, key: String, at path: String, egress: Bool) {
        guard usable(path) else { return }
        if key.isEmpty || !NamingRules.tagTextAllowed(key) || key.unicodeScalars.count > 128 {
            report(
                path,
                "the rule key names the rule's Name tag (<group name>-<key>), so it must be 1 to 128 "
                    + "letters, digits, white space or _ . : / = + - @.")
        }
        let peers = rule.peers
        if peers.count != 1 {
            let given = peers.isEmpty ? "none is given" : "\(peers.map(\.field).joined(separator: ", ")) are given"
            report(
                path,
                "a rule needs exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id or "
                    + "referenced_security_group_id, but \(given); use one entry per peer.")
        }
        for (field, value) in peers where usable(FieldPath.member(path, field)) {
            let fieldPath = FieldPath.member(path, field)
            switch field {
            case SecurityGroupRule.CodingKeys.cidrIpv4.rawValue:
                report(fieldPath, value, isNot: "IPv4 CIDR block", NamingRules.cidrIPv4(value))
            case SecurityGroupRule.CodingKeys.cidrIpv6.rawValue:
                report(fieldPath, value, isNot: "IPv6 CIDR block", NamingRules.cidrIPv6(value))
            case SecurityGroupRule.CodingKeys.prefixListId.rawValue:
                if !NamingRules.ec2ID(value, prefix: "pl") {
                    report(
                        fieldPath,
                        "\(quote(value)) is not a prefix list id; expected pl- and 8 or 17 lowercase "
                            + "hex digits, e.g. pl-0123456789abcdef0.")
                }
            default:
                if value != SecurityGroupRule.selfReference && !NamingRules.securityGroupID(value) {
                    report(
                        fieldPath,
                        "\(quote(value)) is not a security group id; expected sg- and 8 or 17 "
                            + "lowercase hex digits, or self for the group aurorad creates.")
                }
            }
        }
        if let description = rule.description, usable(FieldPath.member(path, "description")) {
            report(
                FieldPath.member(path, "description"), description, isNot: "rule description",
                NamingRules.ec2Text(description, allowed: NamingRules.ec2RuleDescriptionCharacters))
        }
        checkRulePorts(rule, at: path, egress: egress)
    }

    /// `ip_protocol` and the ports it gives meaning to, as EC2 takes them (EC2 API reference, `IpPermission`): tcp
    /// and udp a port range, icmp and icmpv6 a type and code (-1: all; every type needs every code), any other
    /// protocol (`-1` among them) every port, so no port but -1.
    private mutating func checkRulePorts(_ rule: SecurityGroupRule, at path: String, egress: Bool) {
        let protocolPath = FieldPath.member(path, SecurityGroupRule.CodingKeys.ipProtocol.rawValue)
        guard usable(protocolPath) else { return }
        guard let ipProtocol = rule.effectiveProtocol else {
            report(
                protocolPath,
                "\(quote(rule.ipProtocol ?? "")) is not an IP protocol EC2 takes; use tcp, udp, "
                    + "icmp, icmpv6, -1 for every protocol, or a protocol number from 0 to 255.")
            return
        }
        let fields = [("from_port", rule.fromPort), ("to_port", rule.toPort)]
        switch ipProtocol {
        case "tcp", "udp":
            for (field, port) in fields {
                if let port, !Self.rulePorts.contains(port) {
                    report(FieldPath.member(path, field), "\(port) is not a port; choose one from 0 to 65535.")
                }
            }
            let ports = rule.ports(clusterPort: spec.effectivePort, egress: egress)
            if Self.rulePorts.contains(ports.from), Self.rulePorts.contains(ports.to), ports.from > ports.to {
                report(
                    path,
                    "from_port \(ports.from) is above to_port \(ports.to) (defaults included: the cluster "
                        + "port is \(spec.effectivePort)); give a range whose first port is not above its last.")
            }
        case "icmp", "icmpv6":
            for (field, port) in fields {
                if let port, !Self.icmpNumbers.contains(port) {
                    let what = field == "from_port" ? "type" : "code"
                    report(
                        FieldPath.member(path, field),
                        "\(port) is not an ICMP \(what); for \(ipProtocol) "
                            + "from_port is the type and to_port the code, each from 0 to 255, or -1 for all.")
                }
            }
            let ports = rule.ports(clusterPort: spec.effectivePort, egress: egress)
            if ports.from == -1 && ports.to != -1 {
                report(
                    path,
                    "from_port -1 allows every ICMP type, and EC2 then needs every code: set to_port to -1 "
                        + "or leave it out.")
            }
        default:
            let what = ipProtocol == "-1" ? "every protocol" : "protocol \(ipProtocol)"
            for (field, port) in fields where port != nil && port != -1 {
                report(
                    FieldPath.member(path, field),
                    "has no meaning with ip_protocol \(quote(rule.ipProtocol ?? ""))"
                        + ": a rule for \(what) covers every port; leave from_port and to_port out.")
            }
        }
    }
}
