/// The checks of the module's common inputs (`ClusterSettings`, `InstanceSettings`); the allowed values are the RDS
/// API reference's for RestoreDBClusterFromS3, CreateDBInstance and ModifyDBCluster.
extension SpecValidator {
    /// `StorageType` values of an Aurora (not Multi-AZ) cluster: Standard and I/O-Optimized.
    static let storageTypes = ["aurora", "aurora-iopt1"]
    /// `NetworkType` values.
    static let networkTypes = ["IPV4", "DUAL"]
    /// `EngineLifecycleSupport` values.
    static let lifecycleSupports = ["open-source-rds-extended-support", "open-source-rds-extended-support-disabled"]
    /// `MonitoringInterval` values, in seconds.
    static let monitoringIntervals = [0, 1, 5, 10, 15, 30, 60]

    mutating func checkClusterSettings() {
        let settings = spec.clusterSettings
        typealias Key = ClusterSettings.CodingKeys
        if let group = settings.dbClusterParameterGroupName, usable(Key.dbClusterParameterGroupName.rawValue) {
            report(
                Key.dbClusterParameterGroupName.rawValue, group, isNot: "DB cluster parameter group name",
                Self.parameterGroupName(group))
        }
        if let days = settings.backupRetentionPeriod, usable(Key.backupRetentionPeriod.rawValue),
            !(1...35).contains(days)
        {
            report(
                Key.backupRetentionPeriod.rawValue,
                "is \(days), but Aurora keeps automated backups for 1 to 35 "
                    + "days; choose a number in that range.")
        }
        let backup = checkWindow(settings.preferredBackupWindow, key: Key.preferredBackupWindow.rawValue, weekly: false)
        let maintenance = checkWindow(
            settings.preferredMaintenanceWindow, key: Key.preferredMaintenanceWindow.rawValue, weekly: true)
        if let backup, let maintenance, backup.overlaps(maintenance) {
            report(
                Key.preferredBackupWindow.rawValue,
                "\(quote(settings.preferredBackupWindow ?? "")) overlaps "
                    + "preferred_maintenance_window \(quote(settings.preferredMaintenanceWindow ?? "")); RDS refuses "
                    + "overlapping windows, so move one of them.")
        }
        checkChoice(settings.storageType, key: Key.storageType.rawValue, among: Self.storageTypes)
        checkChoice(settings.networkType, key: Key.networkType.rawValue, among: Self.networkTypes)
        checkChoice(
            settings.engineLifecycleSupport, key: Key.engineLifecycleSupport.rawValue,
            among: Self.lifecycleSupports)
    }

    /// Checks the cluster-level defaults and each instance's own settings (the monitoring role each instance ends
    /// up with is `checkMonitoringRole`'s).
    mutating func checkInstanceSettings() {
        checkInstanceSettings(spec.instanceDefaults, at: "")
        guard usable("instances") else { return }
        for key in spec.instances.keys.sorted() {
            let path = FieldPath.member("instances", key)
            guard usable(path), let entry = spec.instances[key] else { continue }
            checkInstanceSettings(entry.settings, at: path)
        }
    }

    private mutating func checkInstanceSettings(_ settings: InstanceSettings, at path: String) {
        typealias Key = InstanceSettings.CodingKeys
        func field(_ key: Key) -> String? {
            let fieldPath = FieldPath.member(path, key.rawValue)
            return usable(fieldPath) ? fieldPath : nil
        }
        if let group = settings.dbParameterGroupName, let at = field(.dbParameterGroupName) {
            report(at, group, isNot: "DB parameter group name", Self.parameterGroupName(group))
        }
        if let ca = settings.caCertIdentifier, let at = field(.caCertIdentifier),
            ca.isEmpty || ca.contains(where: { $0.isWhitespace })
        {
            report(
                at,
                "\(quote(ca)) is not a CA certificate identifier; use one RDS lists (aws rds "
                    + "describe-certificates), e.g. rds-ca-rsa2048-g1.")
        }
        if let zone = settings.availabilityZone, let at = field(.availabilityZone), !Self.isAvailabilityZone(zone) {
            report(
                at,
                "\(quote(zone)) is not an availability zone name; expected a region and a letter, e.g. "
                    + "eu-west-1a.")
        }
        if let tier = settings.promotionTier, let at = field(.promotionTier), !(0...15).contains(tier) {
            report(at, "is \(tier), but promotion tiers go from 0 (promoted first) to 15; choose one in that range.")
        }
        if let days = settings.performanceInsightsRetentionPeriod, let at = field(.performanceInsightsRetentionPeriod),
            !(days == 7 || days == 731 || (days > 0 && days % 31 == 0 && days <= 731))
        {
            report(
                at,
                "is \(days), but Performance Insights keeps data for 7 days (free), a multiple of 31 days up "
                    + "to 713, or 731 days; choose one of those.")
        }
        if let key = settings.performanceInsightsKmsKeyId, let at = field(.performanceInsightsKmsKeyId),
            !Self.isKMSKey(key)
        {
            report(
                at,
                "\(quote(key)) is not a KMS key; give its ARN (arn:aws:kms:<region>:<account>:key/<id>), id "
                    + "or alias.")
        }
        if let interval = settings.monitoringInterval, let at = field(.monitoringInterval),
            !Self.monitoringIntervals.contains(interval)
        {
            report(
                at,
                "is \(interval), but Enhanced Monitoring samples every "
                    + "\(Self.monitoringIntervals.dropFirst().map(String.init).joined(separator: ", ")) seconds, or 0 "
                    + "for off; choose one of those.")
        }
        if let role = settings.monitoringRoleArn, let at = field(.monitoringRoleArn) {
            report(at, role, isNot: "IAM role ARN", NamingRules.roleARN(role))
        }
    }

    /// Parses a window field, reporting a malformed or too short one; the window when it is usable.
    private mutating func checkWindow(_ text: String?, key: String, weekly: Bool) -> TimeWindow? {
        guard let text, usable(key) else { return nil }
        let format =
            weekly
            ? "ddd:hh24:mi-ddd:hh24:mi (UTC), e.g. sun:05:00-sun:06:00"
            : "hh24:mi-hh24:mi (UTC), e.g. 03:00-04:00"
        guard let window = weekly ? TimeWindow.weekly(text) : TimeWindow.daily(text) else {
            report(key, "\(quote(text)) is not a window; expected \(format).")
            return nil
        }
        guard window.length >= TimeWindow.minimumMinutes else {
            report(
                key,
                "\(quote(text)) lasts \(window.length) minutes, but RDS needs at least "
                    + "\(TimeWindow.minimumMinutes); widen it.")
            return nil
        }
        return window
    }

    private mutating func checkChoice(_ value: String?, key: String, among allowed: [String]) {
        guard let value, usable(key), !allowed.contains(value) else { return }
        report(key, "\(quote(value)) is not allowed; choose one of \(allowed.joined(separator: ", ")).")
    }

    /// Broken rules of a DB (cluster) parameter group name: 1–255 letters, digits and hyphens, starting with a
    /// letter, with no `--` and no trailing hyphen (RDS User Guide, "Working with parameter groups").
    static func parameterGroupName(_ name: String) -> [String] {
        var broken: [String] = []
        if name.isEmpty || name.count > 255 { broken.append("it must be 1 to 255 characters long") }
        if let first = name.unicodeScalars.first, !(first.isASCII && first.properties.isAlphabetic) {
            broken.append("it must start with a letter")
        }
        if !name.unicodeScalars.allSatisfy({
            $0.isASCII
                && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                    || $0 == "-" || $0 == ".")
        }) {
            broken.append("it may contain only letters, digits, hyphens and periods")
        }
        if name.hasSuffix("-") || name.contains("--") { broken.append("it must not end with - or contain --") }
        return broken
    }

    /// Whether `zone` looks like `eu-west-1a` (or a local zone such as `us-west-2-lax-1a`).
    static func isAvailabilityZone(_ zone: String) -> Bool {
        let parts = zone.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, let letter = last.last, letter.isLetter, letter.isLowercase,
            last.dropLast().allSatisfy(\.isNumber), !last.dropLast().isEmpty
        else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } }
    }

    /// Whether `key` names a KMS key: a key or alias ARN in the `kms` service, an `alias/…`, or a bare key id.
    static func isKMSKey(_ key: String) -> Bool {
        if key.hasPrefix("arn:") {
            let parts = key.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            return parts.count == 6 && parts[2] == "kms" && (parts[5].hasPrefix("key/") || parts[5].hasPrefix("alias/"))
        }
        return !key.isEmpty && !key.contains(where: { $0.isWhitespace })
    }
}
