/// `Decodable` conformances that refuse unknown keys, so a spec embedded in a larger message (and decoded with
/// `JSONDecoder`) is as strict about typos as `ImportSpec.decode(from:)`; they stop at the first problem, though,
/// and do not validate.
extension ImportSpec {
    /// Decodes the spec's fields, failing on the first unknown or mistyped one.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(known: Self.topLevelKeys)
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try fields.decode(String.self, forKey: .name),
            engine: try fields.decode(String.self, forKey: .engine),
            engineVersion: try fields.decodeIfPresent(String.self, forKey: .engineVersion),
            masterUsername: try fields.decode(String.self, forKey: .masterUsername),
            manageMasterUserPassword: try fields.decodeIfPresent(Bool.self, forKey: .manageMasterUserPassword),
            masterPasswordFile: try fields.decodeIfPresent(String.self, forKey: .masterPasswordFile),
            clusterInstanceClass: try fields.decode(String.self, forKey: .clusterInstanceClass),
            instances: try fields.decode([String: InstanceSpec].self, forKey: .instances),
            dbSubnetGroupName: try fields.decodeIfPresent(String.self, forKey: .dbSubnetGroupName),
            vpcSecurityGroupIds: try fields.decodeIfPresent([String].self, forKey: .vpcSecurityGroupIds),
            roleAssociations: try fields.decodeIfPresent([String: RoleAssociation].self, forKey: .roleAssociations),
            s3Import: try fields.decode(S3Import.self, forKey: .s3Import),
            skipFinalSnapshot: try fields.decodeIfPresent(Bool.self, forKey: .skipFinalSnapshot),
            storageEncrypted: try fields.decodeIfPresent(Bool.self, forKey: .storageEncrypted),
            kmsKeyId: try fields.decodeIfPresent(String.self, forKey: .kmsKeyId),
            deletionProtection: try fields.decodeIfPresent(Bool.self, forKey: .deletionProtection),
            enabledCloudwatchLogsExports:
                try fields.decodeIfPresent([String].self, forKey: .enabledCloudwatchLogsExports),
            applyImmediately: try fields.decodeIfPresent(Bool.self, forKey: .applyImmediately),
            tags: try fields.decodeIfPresent([String: String].self, forKey: .tags),
            // The module's security group inputs.
            port: try fields.decodeIfPresent(Int.self, forKey: .port),
            vpcId: try fields.decodeIfPresent(String.self, forKey: .vpcId),
            createSecurityGroup: try fields.decodeIfPresent(Bool.self, forKey: .createSecurityGroup),
            securityGroupName: try fields.decodeIfPresent(String.self, forKey: .securityGroupName),
            securityGroupUseNamePrefix: try fields.decodeIfPresent(Bool.self, forKey: .securityGroupUseNamePrefix),
            securityGroupDescription: try fields.decodeIfPresent(String.self, forKey: .securityGroupDescription),
            securityGroupTags: try fields.decodeIfPresent([String: String].self, forKey: .securityGroupTags),
            securityGroupIngressRules:
                try fields.decodeIfPresent([String: SecurityGroupRule].self, forKey: .securityGroupIngressRules),
            securityGroupEgressRules:
                try fields.decodeIfPresent([String: SecurityGroupRule].self, forKey: .securityGroupEgressRules),
            clusterSettings: try ClusterSettings(from: decoder),
            instanceDefaults: try InstanceSettings(from: decoder),
            monitoringRole: try MonitoringRoleSettings(from: decoder))
    }
}

extension SecurityGroupRule {
    /// Decodes a security group rule entry, failing on an unknown key.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(knownBy: CodingKeys.self)
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            cidrIpv4: try fields.decodeIfPresent(String.self, forKey: .cidrIpv4),
            cidrIpv6: try fields.decodeIfPresent(String.self, forKey: .cidrIpv6),
            prefixListId: try fields.decodeIfPresent(String.self, forKey: .prefixListId),
            referencedSecurityGroupId: try fields.decodeIfPresent(String.self, forKey: .referencedSecurityGroupId),
            description: try fields.decodeIfPresent(String.self, forKey: .description),
            fromPort: try fields.decodeIfPresent(Int.self, forKey: .fromPort),
            toPort: try fields.decodeIfPresent(Int.self, forKey: .toPort),
            ipProtocol: try fields.decodeIfPresent(String.self, forKey: .ipProtocol))
    }
}

extension ImportSpec.InstanceSpec {
    /// Decodes an instance entry, failing on an unknown key.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(known: Self.entryKeys)
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            identifier: try fields.decodeIfPresent(String.self, forKey: .identifier),
            instanceClass: try fields.decodeIfPresent(String.self, forKey: .instanceClass),
            settings: try InstanceSettings(from: decoder))
    }
}

extension ImportSpec.RoleAssociation {
    /// Decodes a role association entry, failing on an unknown key.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(knownBy: CodingKeys.self)
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        self.init(roleArn: try fields.decodeIfPresent(String.self, forKey: .roleArn))
    }
}

extension ImportSpec.S3Import {
    /// Decodes the `s3_import` block, failing on an unknown key.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(knownBy: CodingKeys.self)
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sourceEngineVersion: try fields.decode(String.self, forKey: .sourceEngineVersion),
            bucketName: try fields.decode(String.self, forKey: .bucketName),
            bucketPrefix: try fields.decodeIfPresent(String.self, forKey: .bucketPrefix),
            ingestionRole: try fields.decodeIfPresent(String.self, forKey: .ingestionRole))
    }
}

/// Any string key, for listing every key an object holds.
private struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}

extension Decoder {
    /// Throws `DecodingError.dataCorrupted` naming the first key of this object that `Key` does not list.
    fileprivate func rejectUnknownKeys<Key: CodingKey & CaseIterable>(knownBy _: Key.Type) throws {
        try rejectUnknownKeys(known: Key.allCases.map(\.stringValue))
    }

    /// Throws `DecodingError.dataCorrupted` naming the first key of this object that `known` does not list.
    fileprivate func rejectUnknownKeys(known: [String]) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        where !known.contains(key.stringValue) {
            let message = SpecReader.unknownFieldMessage(key.stringValue, known: known)
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath + [key], debugDescription: "\(key.stringValue): \(message)"))
        }
    }
}
