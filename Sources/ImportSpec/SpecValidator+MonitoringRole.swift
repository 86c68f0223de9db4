/// The checks of the Enhanced Monitoring role inputs (`create_monitoring_role`, `iam_role_*`) against each other,
/// the instances' `monitoring_interval`/`monitoring_role_arn`, and IAM's rules for role names, paths and descriptions
/// (IAM API reference, CreateRole: `RoleName`, `Path`, `Description`).
extension SpecValidator {
    /// The longest IAM role name.
    static let roleNameMaxLength = 64
    /// The longest IAM path.
    static let rolePathMaxLength = 512
    /// The longest IAM role description.
    static let roleDescriptionMaxLength = 1000

    /// The role fields that mean nothing without a role to create; aurorad refuses them rather than ignore them.
    private static let roleOnlyFields: [MonitoringRoleSettings.CodingKeys] = [
        .iamRoleName, .iamRoleUseNamePrefix, .iamRoleDescription, .iamRolePath, .iamRolePermissionsBoundary,
    ]

    /// Refuses an instance sampling Enhanced Monitoring with no role to name, a role both given and to be created,
    /// and role fields without a role; then checks the role's name, path and description.
    mutating func checkMonitoringRole() {
        typealias Key = MonitoringRoleSettings.CodingKeys
        let settings = spec.monitoringRole
        let create = Key.createMonitoringRole.rawValue
        guard usable(create), usable("instances") else { return }
        if settings.createMonitoringRole == false {
            for key in spec.instancesNeedingMonitoringRole {
                let path = FieldPath.member("instances", key)
                let setAt = spec.instances[key]?.settings.monitoringInterval != nil ? path : ""
                let interval = spec.instanceSettings(forKey: key).monitoringInterval ?? 0
                report(
                    FieldPath.member(setAt, "monitoring_interval"),
                    "is \(interval) for instance \(key) but no "
                        + "monitoring_role_arn is given and create_monitoring_role is false; Enhanced Monitoring needs a "
                        + "role trusted by monitoring.rds.amazonaws.com with the AmazonRDSEnhancedMonitoringRole policy: "
                        + "set monitoring_role_arn, remove create_monitoring_role (aurorad then creates the role), or set "
                        + "monitoring_interval to 0.")
            }
        }
        if settings.createMonitoringRole == true {
            let given =
                ([("", spec.instanceDefaults)]
                + spec.instances.sorted { $0.key < $1.key }.map {
                    (FieldPath.member("instances", $0.key), $0.value.settings)
                }).filter { $0.1.monitoringRoleArn != nil }.map { FieldPath.member($0.0, "monitoring_role_arn") }
            if !given.isEmpty {
                report(
                    create,
                    "is true but \(given.joined(separator: ", ")) also names a role; aurorad either "
                        + "creates the monitoring role or uses the one given, not both: remove monitoring_role_arn to let "
                        + "aurorad create it, or set create_monitoring_role to false to use yours.")
            }
        }
        guard spec.createsMonitoringRole else {
            let why =
                settings.createMonitoringRole == false
                ? "create_monitoring_role is false"
                : "no instance samples Enhanced Monitoring (monitoring_interval above 0) without a monitoring_role_arn"
            for key in Self.roleOnlyFields where isGiven(key) && usable(key.rawValue) {
                report(key.rawValue, "has no effect because \(why), so aurorad creates no monitoring role; remove it.")
            }
            return
        }
        checkRoleName()
        if let path = settings.iamRolePath, usable(Key.iamRolePath.rawValue) {
            let printable = path.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
            if !(path.hasPrefix("/") && path.hasSuffix("/")) || !printable || path.utf8.count > Self.rolePathMaxLength
                || path.contains("//")
            {
                report(
                    Key.iamRolePath.rawValue,
                    "\(quote(path)) is not an IAM path: it must start and end with /, "
                        + "have no empty segment, and hold at most \(Self.rolePathMaxLength) printable ASCII characters, "
                        + "e.g. / or /rds/.")
            }
        }
        if let boundary = settings.iamRolePermissionsBoundary, usable(Key.iamRolePermissionsBoundary.rawValue),
            !Self.isPolicyARN(boundary)
        {
            report(
                Key.iamRolePermissionsBoundary.rawValue,
                "\(quote(boundary)) is not a managed policy ARN; expected "
                    + "arn:aws:iam::<12-digit account, or aws>:policy/<optional path/><name>.")
        }
        if let description = settings.iamRoleDescription, usable(Key.iamRoleDescription.rawValue) {
            let allowed = description.unicodeScalars.allSatisfy {
                [0x09, 0x0A, 0x0D].contains($0.value) || (0x20...0x7E).contains($0.value)
                    || (0xA1...0xFF).contains($0.value)
            }
            if !allowed || description.unicodeScalars.count > Self.roleDescriptionMaxLength {
                report(
                    Key.iamRoleDescription.rawValue,
                    "\(quote(description)) is not an IAM role description: at "
                        + "most \(Self.roleDescriptionMaxLength) characters of printable Latin-1 text, tabs and newlines."
                )
            }
        }
    }

    /// The role's name (`iam_role_name`, else `<name>-monitor`) against IAM's rules, with room for the suffix when
    /// it is a prefix.
    private mutating func checkRoleName() {
        typealias Key = MonitoringRoleSettings.CodingKeys
        guard usable(Key.iamRoleName.rawValue), usable(Key.iamRoleUseNamePrefix.rawValue), usable("name") else {
            return
        }
        let base = spec.monitoringRoleBaseName
        let prefixed = spec.monitoringRole.iamRoleUseNamePrefix == true
        let room = Self.roleNameMaxLength - (prefixed ? ImportSpec.monitoringRoleNameSuffixLength : 0)
        let allowed = base.unicodeScalars.allSatisfy {
            NamingRules.isASCIILetterOrDigit($0) || "+=,.@_-".unicodeScalars.contains($0)
        }
        guard !allowed || base.unicodeScalars.count > room else { return }
        let given = spec.monitoringRole.iamRoleName.flatMap { $0.isEmpty ? nil : $0 } != nil
        let what = given ? "" : " (the default, <name>-monitor)"
        report(
            Key.iamRoleName.rawValue,
            "\(quote(base))\(what) is not a valid IAM role name: it must be 1 to \(room) "
                + "of the characters A-Z a-z 0-9 + = , . @ _ -"
                + (prefixed
                    ? ", leaving room for aurorad's \(ImportSpec.monitoringRoleNameSuffixLength)-character "
                        + "suffix (iam_role_use_name_prefix)" : "")
                + (given ? "." : "; set iam_role_name to a shorter name."))
    }

    /// Whether `arn` names an IAM managed policy: `arn:<partition>:iam::<account or aws>:policy/<path/><name>`.
    static func isPolicyARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ["aws", "aws-cn", "aws-us-gov"].contains(parts[1]),
            parts[2] == "iam", parts[3].isEmpty, parts[5].hasPrefix("policy/"), parts[5].count > "policy/".count,
            parts[4] == "aws" || (parts[4].utf8.count == 12 && parts[4].utf8.allSatisfy { (0x30...0x39).contains($0) })
        else { return false }
        return parts[5].unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) } && !parts[5].hasSuffix("/")
    }

    /// Whether the spec sets `field`.
    private func isGiven(_ field: MonitoringRoleSettings.CodingKeys) -> Bool {
        let settings = spec.monitoringRole
        return switch field {
        case .createMonitoringRole: settings.createMonitoringRole != nil
        case .iamRoleName: settings.iamRoleName != nil
        case .iamRoleUseNamePrefix: settings.iamRoleUseNamePrefix != nil
        case .iamRoleDescription: settings.iamRoleDescription != nil
        case .iamRolePath: settings.iamRolePath != nil
        case .iamRolePermissionsBoundary: settings.iamRolePermissionsBoundary != nil
        }
    }
}
