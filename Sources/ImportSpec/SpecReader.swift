/// Turns a parsed JSON tree into an `ImportSpec`, collecting every type, unknown-key and missing-field problem.
///
/// A field that is missing or of the wrong type gets a placeholder value and its path goes into `unusable`, so
/// validation can still check everything else without reporting follow-on noise about the placeholder.
struct SpecReader {
    private(set) var problems: [SpecProblem] = []
    private(set) var unusable: Set<String> = []
    /// Problems found beyond `SpecError.reportLimit`, counted but not built.
    private(set) var unreported = 0

    /// Reads the whole spec; the result is meaningful only together with `problems` and `unusable`.
    mutating func readSpec(_ root: JSONValue) -> ImportSpec {
        typealias Key = ImportSpec.CodingKeys
        let fields = object(root, at: "", known: ImportSpec.topLevelKeys) ?? [:]
        func string(_ key: Key) -> String? { self.string(fields, key.rawValue, in: "") }
        func required(_ key: Key) -> String { requiredString(fields, key.rawValue, in: "") }
        func bool(_ key: Key) -> Bool? { self.bool(fields, key.rawValue, in: "") }

        return ImportSpec(
            name: required(.name),
            engine: required(.engine),
            engineVersion: string(.engineVersion),
            masterUsername: required(.masterUsername),
            manageMasterUserPassword: bool(.manageMasterUserPassword),
            masterPasswordFile: string(.masterPasswordFile),
            clusterInstanceClass: required(.clusterInstanceClass),
            instances: readInstances(fields),
            dbSubnetGroupName: string(.dbSubnetGroupName),
            vpcSecurityGroupIds: stringArray(fields, Key.vpcSecurityGroupIds.rawValue),
            roleAssociations: readRoleAssociations(fields),
            s3Import: readS3Import(fields),
            skipFinalSnapshot: bool(.skipFinalSnapshot),
            storageEncrypted: bool(.storageEncrypted),
            kmsKeyId: string(.kmsKeyId),
            deletionProtection: bool(.deletionProtection),
            enabledCloudwatchLogsExports: stringArray(fields, Key.enabledCloudwatchLogsExports.rawValue),
            applyImmediately: bool(.applyImmediately),
            tags: stringMap(fields, Key.tags.rawValue),
            // The module's security group inputs.
            port: integer(fields, Key.port.rawValue, in: ""),
            vpcId: string(.vpcId),
            createSecurityGroup: bool(.createSecurityGroup),
            securityGroupName: string(.securityGroupName),
            securityGroupUseNamePrefix: bool(.securityGroupUseNamePrefix),
            securityGroupDescription: string(.securityGroupDescription),
            securityGroupTags: stringMap(fields, Key.securityGroupTags.rawValue),
            securityGroupIngressRules: readSecurityGroupRules(fields, Key.securityGroupIngressRules.rawValue),
            securityGroupEgressRules: readSecurityGroupRules(fields, Key.securityGroupEgressRules.rawValue),
            clusterSettings: readClusterSettings(fields),
            instanceDefaults: readInstanceSettings(fields, in: ""),
            monitoringRole: readMonitoringRole(fields))
    }

    private mutating func readMonitoringRole(_ fields: [String: JSONValue]) -> MonitoringRoleSettings {
        typealias Key = MonitoringRoleSettings.CodingKeys
        return MonitoringRoleSettings(
            createMonitoringRole: bool(fields, Key.createMonitoringRole.rawValue, in: ""),
            iamRoleName: string(fields, Key.iamRoleName.rawValue, in: ""),
            iamRoleUseNamePrefix: bool(fields, Key.iamRoleUseNamePrefix.rawValue, in: ""),
            iamRoleDescription: string(fields, Key.iamRoleDescription.rawValue, in: ""),
            iamRolePath: string(fields, Key.iamRolePath.rawValue, in: ""),
            iamRolePermissionsBoundary: string(fields, Key.iamRolePermissionsBoundary.rawValue, in: ""))
    }

    private mutating func readClusterSettings(_ fields: [String: JSONValue]) -> ClusterSettings {
        typealias Key = ClusterSettings.CodingKeys
        return ClusterSettings(
            dbClusterParameterGroupName: string(fields, Key.dbClusterParameterGroupName.rawValue, in: ""),
            backupRetentionPeriod: integer(fields, Key.backupRetentionPeriod.rawValue, in: ""),
            preferredBackupWindow: string(fields, Key.preferredBackupWindow.rawValue, in: ""),
            preferredMaintenanceWindow: string(fields, Key.preferredMaintenanceWindow.rawValue, in: ""),
            iamDatabaseAuthenticationEnabled: bool(fields, Key.iamDatabaseAuthenticationEnabled.rawValue, in: ""),
            copyTagsToSnapshot: bool(fields, Key.copyTagsToSnapshot.rawValue, in: ""),
            storageType: string(fields, Key.storageType.rawValue, in: ""),
            networkType: string(fields, Key.networkType.rawValue, in: ""),
            engineLifecycleSupport: string(fields, Key.engineLifecycleSupport.rawValue, in: ""))
    }

    /// The per-instance settings of an instance entry at `path`, or the defaults at the top level (`path` empty).
    private mutating func readInstanceSettings(_ fields: [String: JSONValue], in path: String) -> InstanceSettings {
        typealias Key = InstanceSettings.CodingKeys
        return InstanceSettings(
            dbParameterGroupName: string(fields, Key.dbParameterGroupName.rawValue, in: path),
            caCertIdentifier: string(fields, Key.caCertIdentifier.rawValue, in: path),
            publiclyAccessible: bool(fields, Key.publiclyAccessible.rawValue, in: path),
            availabilityZone: string(fields, Key.availabilityZone.rawValue, in: path),
            promotionTier: integer(fields, Key.promotionTier.rawValue, in: path),
            autoMinorVersionUpgrade: bool(fields, Key.autoMinorVersionUpgrade.rawValue, in: path),
            performanceInsightsEnabled: bool(fields, Key.performanceInsightsEnabled.rawValue, in: path),
            performanceInsightsRetentionPeriod:
                integer(fields, Key.performanceInsightsRetentionPeriod.rawValue, in: path),
            performanceInsightsKmsKeyId: string(fields, Key.performanceInsightsKmsKeyId.rawValue, in: path),
            monitoringInterval: integer(fields, Key.monitoringInterval.rawValue, in: path),
            monitoringRoleArn: string(fields, Key.monitoringRoleArn.rawValue, in: path))
    }

    /// A map of security group rules (`security_group_ingress_rules`, `security_group_egress_rules`).
    private mutating func readSecurityGroupRules(_ fields: [String: JSONValue], _ path: String)
        -> [String: SecurityGroupRule]?
    {
        typealias Key = SecurityGroupRule.CodingKeys
        guard let entries = member(fields, path, in: "", required: false, expecting: "an object"),
            let map = object(entries, at: path, known: nil)
        else { return nil }
        var rules: [String: SecurityGroupRule] = [:]
        for (key, value) in Self.sorted(map) {
            let entryPath = FieldPath.member(path, key)
            let entry = object(value, at: entryPath, known: Key.allCases.map(\.rawValue)) ?? [:]
            rules[key] = SecurityGroupRule(
                cidrIpv4: string(entry, Key.cidrIpv4.rawValue, in: entryPath),
                cidrIpv6: string(entry, Key.cidrIpv6.rawValue, in: entryPath),
                prefixListId: string(entry, Key.prefixListId.rawValue, in: entryPath),
                referencedSecurityGroupId: string(entry, Key.referencedSecurityGroupId.rawValue, in: entryPath),
                description: string(entry, Key.description.rawValue, in: entryPath),
                fromPort: integer(entry, Key.fromPort.rawValue, in: entryPath),
                toPort: integer(entry, Key.toPort.rawValue, in: entryPath),
                ipProtocol: string(entry, Key.ipProtocol.rawValue, in: entryPath))
        }
        return rules
    }

    private mutating func readInstances(_ fields: [String: JSONValue]) -> [String: ImportSpec.InstanceSpec] {
        typealias Key = ImportSpec.InstanceSpec.CodingKeys
        let path = ImportSpec.CodingKeys.instances.rawValue
        guard let entries = member(fields, path, in: "", required: true, expecting: "an object") else { return [:] }
        guard let map = object(entries, at: path, known: nil) else { return [:] }
        var instances: [String: ImportSpec.InstanceSpec] = [:]
        for (key, value) in Self.sorted(map) {
            let entryPath = FieldPath.member(path, key)
            let entry = object(value, at: entryPath, known: ImportSpec.InstanceSpec.entryKeys) ?? [:]
            instances[key] = ImportSpec.InstanceSpec(
                identifier: string(entry, Key.identifier.rawValue, in: entryPath),
                instanceClass: string(entry, Key.instanceClass.rawValue, in: entryPath),
                settings: readInstanceSettings(entry, in: entryPath))
        }
        return instances
    }

    private mutating func readRoleAssociations(_ fields: [String: JSONValue]) -> [String: ImportSpec.RoleAssociation]? {
        typealias Key = ImportSpec.RoleAssociation.CodingKeys
        let path = ImportSpec.CodingKeys.roleAssociations.rawValue
        guard let entries = member(fields, path, in: "", required: false, expecting: "an object"),
            let map = object(entries, at: path, known: nil)
        else { return nil }
        var associations: [String: ImportSpec.RoleAssociation] = [:]
        for (key, value) in Self.sorted(map) {
            let entryPath = FieldPath.member(path, key)
            let entry = object(value, at: entryPath, known: Key.allCases.map(\.rawValue)) ?? [:]
            associations[key] = ImportSpec.RoleAssociation(roleArn: string(entry, Key.roleArn.rawValue, in: entryPath))
        }
        return associations
    }

    private mutating func readS3Import(_ fields: [String: JSONValue]) -> ImportSpec.S3Import {
        typealias Key = ImportSpec.S3Import.CodingKeys
        let path = ImportSpec.CodingKeys.s3Import.rawValue
        let block = member(fields, path, in: "", required: true, expecting: "an object")
            .flatMap { object($0, at: path, known: Key.allCases.map(\.rawValue)) }
        guard let block else {
            unusable.insert(path)
            return ImportSpec.S3Import(sourceEngineVersion: "", bucketName: "")
        }
        return ImportSpec.S3Import(
            sourceEngineVersion: requiredString(block, Key.sourceEngineVersion.rawValue, in: path),
            bucketName: requiredString(block, Key.bucketName.rawValue, in: path),
            bucketPrefix: string(block, Key.bucketPrefix.rawValue, in: path),
            ingestionRole: string(block, Key.ingestionRole.rawValue, in: path))
    }

    // MARK: - Typed access

    /// The members of an object, reporting unknown keys (when `known` is given) and a non-object value.
    private mutating func object(_ value: JSONValue, at path: String, known: [String]?) -> [String: JSONValue]? {
        guard case .object(let members) = value else {
            report(path, "expected an object, found \(value.kindDescription).")
            return nil
        }
        var result: [String: JSONValue] = [:]
        for (key, member) in Self.sorted(members) {
            if let known, !known.contains(key) {
                report(FieldPath.member(path, key), Self.unknownFieldMessage(key, known: known))
            } else {
                result[key] = member
            }
        }
        return result
    }

    /// The members in key order: every walk over an object goes in this order, so which problems fit under the
    /// report limit depends on the document alone, never on hashing (which differs between runs and even between
    /// two equal dictionaries in one run).
    private static func sorted(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        members.sorted { $0.key < $1.key }
    }

    static func unknownFieldMessage(_ key: String, known: [String]) -> String {
        if let suggestion = KeySuggestion.closest(to: key, among: known) {
            return "unknown field; did you mean \(suggestion)?"
        }
        return "unknown field; the fields allowed here are \(known.sorted().joined(separator: ", "))."
    }

    /// The value under `key`, or nil when absent or `null` (reporting it when required).
    private mutating func member(
        _ fields: [String: JSONValue], _ key: String, in parent: String, required: Bool, expecting type: String
    ) -> JSONValue? {
        switch fields[key] {
        case nil:
            if required { report(FieldPath.member(parent, key), "required field is missing; add it.") }
            return nil
        case .null?:
            if required { report(FieldPath.member(parent, key), "expected \(type), found null.") }
            return nil
        case let value?:
            return value
        }
    }

    private mutating func string(_ fields: [String: JSONValue], _ key: String, in parent: String) -> String? {
        guard let value = member(fields, key, in: parent, required: false, expecting: "a string") else { return nil }
        guard case .string(let text) = value else {
            report(FieldPath.member(parent, key), "expected a string, found \(value.kindDescription).")
            return nil
        }
        return text
    }

    private mutating func requiredString(_ fields: [String: JSONValue], _ key: String, in parent: String) -> String {
        let path = FieldPath.member(parent, key)
        guard let value = member(fields, key, in: parent, required: true, expecting: "a string") else {
            unusable.insert(path)
            return ""
        }
        guard case .string(let text) = value else {
            report(path, "expected a string, found \(value.kindDescription).")
            return ""
        }
        return text
    }

    private mutating func bool(_ fields: [String: JSONValue], _ key: String, in parent: String) -> Bool? {
        guard let value = member(fields, key, in: parent, required: false, expecting: "a boolean") else { return nil }
        guard case .bool(let flag) = value else {
            report(FieldPath.member(parent, key), "expected a boolean (true or false), found \(value.kindDescription).")
            return nil
        }
        return flag
    }

    private mutating func integer(_ fields: [String: JSONValue], _ key: String, in parent: String) -> Int? {
        guard let value = member(fields, key, in: parent, required: false, expecting: "a whole number") else {
            return nil
        }
        guard case .integer(let number) = value else {
            report(FieldPath.member(parent, key), "expected a whole number, found \(value.kindDescription).")
            return nil
        }
        return number
    }

    private mutating func stringArray(_ fields: [String: JSONValue], _ key: String) -> [String]? {
        let path = FieldPath.member("", key)
        guard let value = member(fields, key, in: "", required: false, expecting: "an array") else { return nil }
        guard case .array(let elements) = value else {
            report(path, "expected an array of strings, found \(value.kindDescription).")
            return nil
        }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                report(FieldPath.element(path, index), "expected a string, found \(element.kindDescription).")
                strings.append("")  // keeps later elements at their own index; the report marks this one unusable
                continue
            }
            strings.append(text)
        }
        return strings
    }

    private mutating func stringMap(_ fields: [String: JSONValue], _ key: String) -> [String: String]? {
        let path = FieldPath.member("", key)
        guard let value = member(fields, key, in: "", required: false, expecting: "an object"),
            let map = object(value, at: path, known: nil)
        else { return nil }
        var strings: [String: String] = [:]
        for (entryKey, entry) in Self.sorted(map) {
            guard case .string(let text) = entry else {
                report(FieldPath.member(path, entryKey), "expected a string, found \(entry.kindDescription).")
                continue
            }
            strings[entryKey] = text
        }
        return strings
    }

    /// Records a problem (built only while under the report limit) and marks its path unusable for validation.
    private mutating func report(_ path: String, _ message: @autoclosure () -> String) {
        let location = path.isEmpty ? FieldPath.document : path
        unusable.insert(location)
        if problems.count < SpecError.reportLimit {
            problems.append(SpecProblem(path: location, message: message()))
        } else {
            unreported += 1
        }
    }
}
