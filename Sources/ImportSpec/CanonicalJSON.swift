import Foundation

extension ImportSpec {
    /// The spec as compact JSON with sorted keys and only the fields that are set: equal specs give equal bytes,
    /// which is how the store recognises an identical resubmission. `decode(from:)` reads it back unchanged.
    public func canonicalJSON() -> Data {
        Data(jsonValue.canonicalBytes())
    }

    var jsonValue: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        func add(_ key: CodingKeys, _ value: JSONValue?) {
            if let value { members.append((key.rawValue, value)) }
        }
        add(.name, .string(name))
        add(.engine, .string(engine))
        add(.engineVersion, engineVersion.map(JSONValue.string))
        add(.masterUsername, .string(masterUsername))
        add(.manageMasterUserPassword, manageMasterUserPassword.map(JSONValue.bool))
        add(.masterPasswordFile, masterPasswordFile.map(JSONValue.string))
        add(.clusterInstanceClass, .string(clusterInstanceClass))
        add(.instances, .object(instances.map { ($0.key, $0.value.jsonValue) }))
        add(.dbSubnetGroupName, dbSubnetGroupName.map(JSONValue.string))
        add(.vpcSecurityGroupIds, vpcSecurityGroupIds.map { .array($0.map(JSONValue.string)) })
        add(.roleAssociations, roleAssociations.map { .object($0.map { ($0.key, $0.value.jsonValue) }) })
        add(.s3Import, s3Import.jsonValue)
        add(.skipFinalSnapshot, skipFinalSnapshot.map(JSONValue.bool))
        add(.storageEncrypted, storageEncrypted.map(JSONValue.bool))
        add(.kmsKeyId, kmsKeyId.map(JSONValue.string))
        add(.deletionProtection, deletionProtection.map(JSONValue.bool))
        add(.enabledCloudwatchLogsExports, enabledCloudwatchLogsExports.map { .array($0.map(JSONValue.string)) })
        add(.tags, tags.map { .object($0.map { ($0.key, .string($0.value)) }) })
        return .object(members)
    }
}

extension ImportSpec.InstanceSpec {
    var jsonValue: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let identifier { members.append((CodingKeys.identifier.rawValue, .string(identifier))) }
        if let instanceClass { members.append((CodingKeys.instanceClass.rawValue, .string(instanceClass))) }
        return .object(members)
    }
}

extension ImportSpec.RoleAssociation {
    var jsonValue: JSONValue {
        .object(roleArn.map { [(CodingKeys.roleArn.rawValue, .string($0))] } ?? [])
    }
}

extension ImportSpec.S3Import {
    var jsonValue: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            (CodingKeys.sourceEngineVersion.rawValue, .string(sourceEngineVersion)),
            (CodingKeys.bucketName.rawValue, .string(bucketName)),
        ]
        if let bucketPrefix { members.append((CodingKeys.bucketPrefix.rawValue, .string(bucketPrefix))) }
        if let ingestionRole { members.append((CodingKeys.ingestionRole.rawValue, .string(ingestionRole))) }
        return .object(members)
    }
}
