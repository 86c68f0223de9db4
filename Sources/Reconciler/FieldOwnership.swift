import ImportSpec

/// Which settings aurorad keeps matching the spec after the restore, like a server-side-apply manager that owns only
/// the fields it set: a setting the spec leaves out is never changed after the restore, so what an operator sets in
/// the console (deletion protection, log exports, security groups) stays. `ctl status` and `ctl plan` show both lists.
public enum FieldOwnership {
    /// The optional cluster settings aurorad manages only when the spec sets them, each with whether a spec sets it.
    static let optionalClusterSettings: [(field: String, isSet: @Sendable (ImportSpec) -> Bool)] = [
        ("deletion_protection", { $0.deletionProtection != nil }),
        ("enabled_cloudwatch_logs_exports", { $0.enabledCloudwatchLogsExports != nil }),
        // The managed group is attached together with the listed ones, so a spec with one manages the whole set.
        ("vpc_security_group_ids", { !($0.vpcSecurityGroupIds ?? []).isEmpty || $0.createsSecurityGroup }),
    ]

    /// The spec fields aurorad keeps AWS matching after the restore, sorted: the instances (which exist and their
    /// class), the role associations, the spec's and aurorad's tags (other tags are left alone), the managed role's
    /// trust and inline policy when the spec gives no `ingestion_role`, the Enhanced Monitoring role aurorad creates
    /// (`create_monitoring_role`), and each optional setting the spec sets.
    public static func managed(by spec: ImportSpec) -> [String] {
        var fields = ["instances", "role_associations", "tags"]
        if spec.s3Import.ingestionRole == nil { fields.append("s3_import (the managed ingestion role)") }
        if spec.createsSecurityGroup { fields.append("vpc_id (the managed security group and its rules)") }
        if spec.createsMonitoringRole {
            fields.append("create_monitoring_role (the managed Enhanced Monitoring role, every instance's role)")
        }
        fields += optionalClusterSettings.filter { $0.isSet(spec) }.map(\.field)
        fields += spec.clusterSettings.setFieldNames.filter { $0 != ClusterSettings.restoreOnlyField }
        fields += instanceSettingsSet(by: spec).subtracting([InstanceSettings.createOnlyField])
        return fields.sorted()
    }

    /// The optional settings the spec leaves out, sorted: aurorad sends nothing for them at the restore (RDS's
    /// default applies) and never changes them afterwards. The restore-only `engine_lifecycle_support` and the
    /// create-only `availability_zone` are never changed afterwards either, set or not.
    public static func unmanaged(by spec: ImportSpec) -> [String] {
        let set = Set(spec.clusterSettings.setFieldNames).union(instanceSettingsSet(by: spec))
            .subtracting([ClusterSettings.restoreOnlyField, InstanceSettings.createOnlyField])
        let optional = ClusterSettings.fieldNames + InstanceSettings.fieldNames
        return (optionalClusterSettings.filter { !$0.isSet(spec) }.map(\.field) + optional.filter { !set.contains($0) })
            .sorted()
    }

    /// The per-instance settings the spec sets, as a cluster-level default or for any instance.
    private static func instanceSettingsSet(by spec: ImportSpec) -> Set<String> {
        spec.instances.values.reduce(into: Set(spec.instanceDefaults.setFieldNames)) {
            $0.formUnion($1.settings.setFieldNames)
        }
    }
}
