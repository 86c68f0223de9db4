import Foundation

extension ImportSpec {
    /// The spec as compact JSON with sorted keys and only the fields that are set: equal specs give equal bytes,
    /// which is how the store recognises an identical resubmission. `decode(from:)` reads it back unchanged.
    public func canonicalJSON() -> Data {
        Data(jsonValue.canonicalBytes())
    }

    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [:]
        func add(_ key: CodingKeys, _ value: JSONValue?) {
            members[key.rawValue] = value
        }
        add(.name, .string(name))
        add(.engine, .string(engine))
        add(.engineVersion, engineVersion.map(JSONValue.string))
        add(.masterUsername, .string(masterUsername))
        add(.manageMasterUserPassword, manageMasterUserPassword.map(JSONValue.bool))
        add(.masterPasswordFile, masterPasswordFile.map(JSONValue.string))
        add(.clusterInstanceClass, .string(clusterInstanceClass))
        add(.instances, .object(instances.mapValues(\.jsonValue)))
        add(.dbSubnetGroupName, dbSubnetGroupName.map(JSONValue.string))
        add(.vpcSecurityGroupIds, vpcSecurityGroupIds.map { .array($0.map(JSONValue.string)) })
        add(.roleAssociations, roleAssociations.map { .object($0.mapValues(\.jsonValue)) })
        add(.s3Import, s3Import.jsonValue)
        add(.skipFinalSnapshot, skipFinalSnapshot.map(JSONValue.bool))
        add(.storageEncrypted, storageEncrypted.map(JSONValue.bool))
        add(.kmsKeyId, kmsKeyId.map(JSONValue.string))
        add(.deletionProtection, deletionProtection.map(JSONValue.bool))
        add(.enabledCloudwatchLogsExports, enabledCloudwatchLogsExports.map { .array($0.map(JSONValue.string)) })
        add(.applyImmediately, applyImmediately.map(JSONValue.bool))
        add(.tags, tags.map { .object($0.mapValues(JSONValue.string)) })
        // The module's security group inputs.
        add(.port, port.map(JSONValue.integer))
        add(.vpcId, vpcId.map(JSONValue.string))
        add(.createSecurityGroup, createSecurityGroup.map(JSONValue.bool))
        add(.securityGroupName, securityGroupName.map(JSONValue.string))
        add(.securityGroupUseNamePrefix, securityGroupUseNamePrefix.map(JSONValue.bool))
        add(.securityGroupDescription, securityGroupDescription.map(JSONValue.string))
        add(.securityGroupTags, securityGroupTags.map { .object($0.mapValues(JSONValue.string)) })
        add(.securityGroupIngressRules, securityGroupIngressRules.map { .object($0.mapValues(\.jsonValue)) })
        add(.securityGroupEgressRules, securityGroupEgressRules.map { .object($0.mapValues(\.jsonValue)) })
        members.merge(clusterSettings.jsonMembers) { current, _ in current }
        members.merge(instanceDefaults.jsonMembers) { current, _ in current }
        members.merge(monitoringRole.jsonMembers) { current, _ in current }
        return .object(members)
    }

    /// Encodes the spec as its canonical members, so every encoder writes the fields `decode(from:)` reads.
    public func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }
}

extension ImportSpec.InstanceSpec {
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [:]
        members[CodingKeys.identifier.rawValue] = identifier.map(JSONValue.string)
        members[CodingKeys.instanceClass.rawValue] = instanceClass.map(JSONValue.string)
        members.merge(settings.jsonMembers) { current, _ in current }
        return .object(members)
    }

    /// Encodes the entry as its canonical members.
    public func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }
}

extension ImportSpec.RoleAssociation {
    var jsonValue: JSONValue {
        .object(roleArn.map { [CodingKeys.roleArn.rawValue: .string($0)] } ?? [:])
    }
}

extension ImportSpec.S3Import {
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            CodingKeys.sourceEngineVersion.rawValue: .string(sourceEngineVersion),
            CodingKeys.bucketName.rawValue: .string(bucketName),
        ]
        members[CodingKeys.bucketPrefix.rawValue] = bucketPrefix.map(JSONValue.string)
        members[CodingKeys.ingestionRole.rawValue] = ingestionRole.map(JSONValue.string)
        return .object(members)
    }
}

extension SecurityGroupRule {
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [:]
        members[CodingKeys.cidrIpv4.rawValue] = cidrIpv4.map(JSONValue.string)
        members[CodingKeys.cidrIpv6.rawValue] = cidrIpv6.map(JSONValue.string)
        members[CodingKeys.prefixListId.rawValue] = prefixListId.map(JSONValue.string)
        members[CodingKeys.referencedSecurityGroupId.rawValue] = referencedSecurityGroupId.map(JSONValue.string)
        members[CodingKeys.description.rawValue] = description.map(JSONValue.string)
        members[CodingKeys.fromPort.rawValue] = fromPort.map(JSONValue.integer)
        members[CodingKeys.toPort.rawValue] = toPort.map(JSONValue.integer)
        members[CodingKeys.ipProtocol.rawValue] = ipProtocol.map(JSONValue.string)
        return .object(members)
    }
}

extension JSONValue {
    /// The compact serialization with object keys sorted by their UTF-8 bytes: equal values give equal bytes.
    ///
    /// Written here rather than by `JSONEncoder` so the bytes (which the store compares) never depend on the
    /// platform's key order or escaping; numbers use Swift's shortest round-trip form.
    public func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        appendCanonical(to: &out)
        return out
    }

    private func appendCanonical(to out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.appendCanonical(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.appendCanonical(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let text):
            Self.appendString(text, to: &out)
        case .integer(let value):
            out.append(contentsOf: String(value).utf8)
        case .number(let value):
            out.append(contentsOf: value.description.utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        }
    }

    /// Escapes only what JSON requires (quote, backslash, control characters); everything else stays UTF-8.
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
