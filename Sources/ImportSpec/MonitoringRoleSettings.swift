/// The module's Enhanced Monitoring role inputs (terraform-aws-rds-aurora `create_monitoring_role` and the
/// `iam_role_*` variables), flat at the spec's top level: the role aurorad creates, owns and names in every
/// instance's `MonitoringRoleArn` when an instance samples Enhanced Monitoring without a `monitoring_role_arn`.
///
/// Left out of the module's set: `iam_role_max_session_duration` (only sessions a principal asks for last longer;
/// Enhanced Monitoring's do not), `iam_role_managed_policy_arns` (v9 only, gone in v10) and
/// `iam_role_force_detach_policies` (aurorad always detaches what is attached to its own role before deleting it, as
/// v10 does).
public struct MonitoringRoleSettings: Encodable, Sendable, Equatable {
    /// `create_monitoring_role`: default true, as in the module.
    public var createMonitoringRole: Bool?
    /// `iam_role_name`: the role's name, or its prefix; default `<name>-monitor` (the module's v10 default).
    public var iamRoleName: String?
    /// `iam_role_use_name_prefix`: `iam_role_name` is a prefix, followed by a stable suffix aurorad derives.
    public var iamRoleUseNamePrefix: Bool?
    /// `iam_role_description`.
    public var iamRoleDescription: String?
    /// `iam_role_path`: the role's IAM path, set at the create (IAM cannot move a role to another path).
    public var iamRolePath: String?
    /// `iam_role_permissions_boundary`: the ARN of the managed policy that bounds the role's permissions.
    public var iamRolePermissionsBoundary: String?

    /// Creates monitoring role settings; every field defaults to "not set".
    public init(
        createMonitoringRole: Bool? = nil, iamRoleName: String? = nil, iamRoleUseNamePrefix: Bool? = nil,
        iamRoleDescription: String? = nil, iamRolePath: String? = nil, iamRolePermissionsBoundary: String? = nil
    ) {
        self.createMonitoringRole = createMonitoringRole
        self.iamRoleName = iamRoleName
        self.iamRoleUseNamePrefix = iamRoleUseNamePrefix
        self.iamRoleDescription = iamRoleDescription
        self.iamRolePath = iamRolePath
        self.iamRolePermissionsBoundary = iamRolePermissionsBoundary
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case createMonitoringRole = "create_monitoring_role"
        case iamRoleName = "iam_role_name"
        case iamRoleUseNamePrefix = "iam_role_use_name_prefix"
        case iamRoleDescription = "iam_role_description"
        case iamRolePath = "iam_role_path"
        case iamRolePermissionsBoundary = "iam_role_permissions_boundary"
    }

    /// The settings that are set, as top-level JSON members.
    var jsonMembers: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        members[CodingKeys.createMonitoringRole.rawValue] = createMonitoringRole.map(JSONValue.bool)
        members[CodingKeys.iamRoleName.rawValue] = iamRoleName.map(JSONValue.string)
        members[CodingKeys.iamRoleUseNamePrefix.rawValue] = iamRoleUseNamePrefix.map(JSONValue.bool)
        members[CodingKeys.iamRoleDescription.rawValue] = iamRoleDescription.map(JSONValue.string)
        members[CodingKeys.iamRolePath.rawValue] = iamRolePath.map(JSONValue.string)
        members[CodingKeys.iamRolePermissionsBoundary.rawValue] = iamRolePermissionsBoundary.map(JSONValue.string)
        return members
    }
}

extension ImportSpec {
    /// The keys of the instances that sample Enhanced Monitoring (`monitoring_interval` above 0) with no
    /// `monitoring_role_arn` of their own or as a default, sorted: the instances the managed role is for.
    public var instancesNeedingMonitoringRole: [String] {
        instances.keys.sorted().filter {
            let settings = instanceSettings(forKey: $0)
            return (settings.monitoringInterval ?? 0) > 0 && settings.monitoringRoleArn == nil
        }
    }

    /// Whether aurorad creates and owns the Enhanced Monitoring role: `create_monitoring_role` (default true) and an
    /// instance that needs it (the module's `create_monitoring_role && monitoring_interval > 0`).
    public var createsMonitoringRole: Bool {
        (monitoringRole.createMonitoringRole ?? true) && !instancesNeedingMonitoringRole.isEmpty
    }

    /// The module's `local.iam_role_name`: `iam_role_name` unless empty, else `<name>-monitor` (the v10 default);
    /// with `iam_role_use_name_prefix` the prefix of the role's name.
    public var monitoringRoleBaseName: String {
        monitoringRole.iamRoleName.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultMonitoringRoleName(specNamed: name)
    }

    /// The monitoring role's name without `iam_role_name`: `<name>-monitor`, the module's default.
    public static func defaultMonitoringRoleName(specNamed name: String) -> String { "\(name)-monitor" }

    /// `iam_role_path`, default `/`.
    public var monitoringRolePath: String { monitoringRole.iamRolePath ?? "/" }

    /// The suffix `iam_role_use_name_prefix` adds: `-` and 8 hex digits (see `ManagedResources.monitoringRoleName`).
    public static let monitoringRoleNameSuffixLength = 9
}
