extension ImportSpec {
    /// Every rule the spec breaks, sorted by field path; empty when the spec can be submitted.
    public func validate() -> [SpecProblem] {
        var validator = SpecValidator(spec: self, unusable: [])
        validator.run()
        return validator.problems
    }
}

/// Checks a spec field by field, skipping fields the reader already found unusable (missing or mistyped).
struct SpecValidator {
    /// The only engine S3 import can restore into.
    static let engine = "aurora-mysql"
    /// Aurora MySQL's CloudWatch log types (RestoreDBClusterFromS3 `EnableCloudwatchLogsExports`).
    static let logExports = ["audit", "error", "general", "slowquery", "iam-db-auth-error", "instance"]

    let spec: ImportSpec
    let unusable: Set<String>
    private(set) var problems: [SpecProblem] = []

    init(spec: ImportSpec, unusable: Set<String>) {
        self.spec = spec
        self.unusable = unusable
    }

    /// Runs every check and sorts the problems by path (then message) so reports are stable.
    mutating func run() {
        checkName()
        checkEngine()
        checkMasterCredentials()
        checkInstances()
        checkNetwork()
        checkS3Import()
        checkRoleAssociations()
        checkEncryption()
        checkLogExports()
        checkTags()
        checkSecurityGroup()
        checkClusterSettings()
        checkInstanceSettings()
        checkMonitoringRole()
        problems = problems.sorted { ($0.path, $0.message) < ($1.path, $1.message) }
    }

    /// Whether neither `path` nor any field containing it was found unusable (a lookup per ancestor, so a document
    /// with thousands of mistyped entries stays linear).
    func usable(_ path: String) -> Bool {
        guard !unusable.isEmpty else { return true }
        var ancestor = ""
        for character in path {
            if character == "." || character == "[", unusable.contains(ancestor) { return false }
            ancestor.append(character)
        }
        return !unusable.contains(path)
    }

    mutating func report(_ path: String, _ message: String) {
        problems.append(SpecProblem(path: path, message: message))
    }

    /// Reports `value` as not a valid `what` at `path` when a rule check found broken rules.
    mutating func report(_ path: String, _ value: String, isNot what: String, _ broken: [String]) {
        guard !broken.isEmpty else { return }
        report(path, "\(quote(value)) is not a valid \(what): \(broken.joined(separator: "; ")).")
    }

    private mutating func checkName() {
        guard usable("name") else { return }
        report("name", spec.name, isNot: "cluster identifier", NamingRules.identifier(spec.name))
    }

    private mutating func checkEngine() {
        if usable("engine"), spec.engine != Self.engine {
            if spec.engine == "aurora-postgresql" {
                report("engine", "S3 import restores a MySQL backup and is MySQL-only; use \"\(Self.engine)\".")
            } else {
                report(
                    "engine",
                    "\(quote(spec.engine)) is not supported; the only allowed engine is "
                        + "\"\(Self.engine)\".")
            }
        }
        let source =
            usable("s3_import.source_engine_version")
            ? MySQLMajor.ofSourceVersion(spec.s3Import.sourceEngineVersion) : nil
        guard let version = spec.engineVersion, usable("engine_version") else { return }
        guard let major = MySQLMajor.ofAuroraEngineVersion(version) else {
            report(
                "engine_version",
                "\(quote(version)) is not an Aurora MySQL version; expected "
                    + "5.7.mysql_aurora.2.x.y or 8.0.mysql_aurora.3.x.y (e.g. 5.7.mysql_aurora.2.11.2), or leave it out "
                    + "for the RDS default.")
            return
        }
        if let source, source != major {
            report(
                "engine_version",
                "\(quote(version)) is Aurora MySQL \(major.rawValue) but "
                    + "s3_import.source_engine_version is MySQL \(source.rawValue); the backup's major version must "
                    + "match the Aurora major version, so pick a \(source.rawValue).mysql_aurora.\(source.auroraMajor).x.y "
                    + "version.")
        }
    }

    private mutating func checkMasterCredentials() {
        if usable("master_username") {
            report(
                "master_username", spec.masterUsername, isNot: "master user name",
                NamingRules.masterUsername(spec.masterUsername))
        }
        guard usable("manage_master_user_password"), usable("master_password_file") else { return }
        if let file = spec.masterPasswordFile {
            if spec.manageMasterUserPassword == true {
                report(
                    "master_password_file",
                    "conflicts with manage_master_user_password: true (RDS cannot both "
                        + "manage the password and take it from a file); remove one of them.")
            }
            if !file.hasPrefix("/") {
                report(
                    "master_password_file",
                    "\(quote(file)) is not an absolute path; the daemon reads the file from "
                        + "its own working directory, so give the full path.")
            }
        } else if spec.manageMasterUserPassword == false {
            report(
                "manage_master_user_password",
                "is false but no master_password_file is given, so the master "
                    + "password could not be set; add master_password_file or let RDS manage the password.")
        }
    }

    private mutating func checkInstances() {
        if usable("cluster_instance_class") {
            report(
                "cluster_instance_class", spec.clusterInstanceClass, isNot: "instance class",
                NamingRules.instanceClass(spec.clusterInstanceClass))
        }
        guard usable("instances") else { return }
        if spec.instances.isEmpty {
            report(
                "instances",
                "must hold at least one instance, e.g. {\"1\": {}}; a cluster without instances "
                    + "cannot be reached.")
            return
        }
        let nameIsValid = usable("name") && NamingRules.identifier(spec.name).isEmpty
        var owners: [String: String] = [:]
        for key in spec.instances.keys.sorted() {
            let path = FieldPath.member("instances", key)
            guard usable(path), let instance = spec.instances[key] else { continue }
            if let instanceClass = instance.instanceClass {
                report(
                    FieldPath.member(path, "instance_class"), instanceClass, isNot: "instance class",
                    NamingRules.instanceClass(instanceClass))
            }
            let identifier: String
            let identifierPath: String
            if let override = instance.identifier {
                identifier = override
                identifierPath = FieldPath.member(path, "identifier")
                let broken = NamingRules.identifier(override)
                report(identifierPath, override, isNot: "instance identifier", broken)
                if !broken.isEmpty { continue }
            } else {
                guard nameIsValid else { continue }
                identifier = spec.instanceIdentifier(forKey: key)
                identifierPath = path
                let broken = NamingRules.identifier(identifier)
                if !broken.isEmpty {
                    report(
                        path,
                        "the derived instance identifier \(quote(identifier)) (name-key) is not valid: "
                            + "\(broken.joined(separator: "; ")); use another key or set identifier.")
                    continue
                }
            }
            // RDS identifiers are case-insensitive (stored in lowercase).
            if let owner = owners[identifier.lowercased()] {
                report(
                    identifierPath,
                    "the instance identifier \(quote(identifier)) is already used by \(owner); "
                        + "instance identifiers must be unique.")
            } else {
                owners[identifier.lowercased()] = path
            }
        }
    }

    private mutating func checkNetwork() {
        if let group = spec.dbSubnetGroupName, usable("db_subnet_group_name") {
            report("db_subnet_group_name", group, isNot: "DB subnet group name", NamingRules.subnetGroupName(group))
        }
        guard let groups = spec.vpcSecurityGroupIds, usable("vpc_security_group_ids") else { return }
        var seen = Set<String>()
        for (index, group) in groups.enumerated() {
            let path = FieldPath.element("vpc_security_group_ids", index)
            guard usable(path) else { continue }
            if !NamingRules.securityGroupID(group) {
                report(
                    path,
                    "\(quote(group)) is not a security group id; expected sg- and 8 or 17 lowercase hex "
                        + "digits, e.g. sg-0123456789abcdef0.")
            } else if !seen.insert(group).inserted {
                report(path, "\(quote(group)) is listed more than once; remove the duplicate.")
            }
        }
    }

    private mutating func checkS3Import() {
        let s3 = spec.s3Import
        let versionPath = "s3_import.source_engine_version"
        if usable(versionPath), MySQLMajor.ofSourceVersion(s3.sourceEngineVersion) == nil {
            report(
                versionPath,
                "\(quote(s3.sourceEngineVersion)) is not a supported source version; S3 import "
                    + "accepts backups of MySQL 5.7.x or 8.0.x (e.g. 5.7.40 or 8.0.36).")
        }
        if usable("s3_import.bucket_name") {
            report(
                "s3_import.bucket_name", s3.bucketName, isNot: "S3 bucket name",
                NamingRules.bucketName(s3.bucketName))
        }
        if let prefix = s3.bucketPrefix, usable("s3_import.bucket_prefix"), prefix.hasPrefix("/") {
            report(
                "s3_import.bucket_prefix",
                "\(quote(prefix)) starts with \"/\", but S3 keys do not; "
                    + "drop the leading slash (e.g. backup/).")
        }
        if let role = s3.ingestionRole, usable("s3_import.ingestion_role") {
            report("s3_import.ingestion_role", role, isNot: "IAM role ARN", NamingRules.roleARN(role))
        }
    }

    private mutating func checkRoleAssociations() {
        guard let associations = spec.roleAssociations, usable("role_associations") else { return }
        for key in associations.keys.sorted() {
            let path = FieldPath.member("role_associations", key)
            if key.isEmpty {
                report(path, "the association key is empty; name it after its feature, e.g. s3Import.")
            }
            if let arn = associations[key]?.roleArn, usable(FieldPath.member(path, "role_arn")) {
                report(FieldPath.member(path, "role_arn"), arn, isNot: "IAM role ARN", NamingRules.roleARN(arn))
            }
        }
    }

    private mutating func checkEncryption() {
        if let key = spec.kmsKeyId, usable("kms_key_id"), key.trimmingWhitespace().isEmpty {
            report(
                "kms_key_id",
                "is empty; give a KMS key id, ARN or alias, or leave the field out for the default "
                    + "RDS key.")
        }
    }

    private mutating func checkLogExports() {
        guard let exports = spec.enabledCloudwatchLogsExports, usable("enabled_cloudwatch_logs_exports") else { return }
        var seen = Set<String>()
        for (index, export) in exports.enumerated() {
            let path = FieldPath.element("enabled_cloudwatch_logs_exports", index)
            guard usable(path) else { continue }
            if !Self.logExports.contains(export) {
                report(
                    path,
                    "\(quote(export)) is not an Aurora MySQL log type; choose from "
                        + "\(Self.logExports.joined(separator: ", ")).")
            } else if !seen.insert(export).inserted {
                report(path, "\(quote(export)) is listed more than once; remove the duplicate.")
            }
        }
    }

    private mutating func checkTags() {
        guard let tags = spec.tags, usable("tags") else { return }
        if tags.count > AuroradTags.maxUserTags {
            report(
                "tags",
                "has \(tags.count) tags, but RDS and IAM allow \(AuroradTags.maxTagsPerResource) per "
                    + "resource and aurorad adds up to \(AuroradTags.maxOwnTagsPerResource) of its own, so at most "
                    + "\(AuroradTags.maxUserTags) fit; remove \(tags.count - AuroradTags.maxUserTags).")
        }
        checkTagEntries(tags, at: "tags")
    }

    /// Checks each tag of the map at `path` (`tags`, `security_group_tags`) against the RDS and EC2 tag rules.
    mutating func checkTagEntries(_ tags: [String: String], at parent: String) {
        for key in tags.keys.sorted() {
            let path = FieldPath.member(parent, key)
            guard usable(path), let value = tags[key] else { continue }
            var broken: [String] = []
            let keyLength = key.unicodeScalars.count
            if keyLength < 1 || keyLength > 128 {
                broken.append("the key must be 1 to 128 characters long (it has \(keyLength))")
            }
            let lowered = key.lowercased()
            if lowered.hasPrefix("aws:") || lowered.hasPrefix("rds:") {
                broken.append("the key must not start with aws: or rds:, which are reserved for AWS")
            }
            if lowered.hasPrefix(AuroradTags.keyPrefix) {
                broken.append(
                    "the key must not start with \(AuroradTags.keyPrefix), which aurorad reserves for its "
                        + "ownership and restore tags")
            }
            if !NamingRules.tagTextAllowed(key) {
                broken.append("the key may contain only letters, digits, white space and _ . : / = + - @")
            }
            if value.unicodeScalars.count > 256 {
                broken.append("the value must be at most 256 characters long (it has \(value.unicodeScalars.count))")
            }
            if !NamingRules.tagTextAllowed(value) {
                broken.append("the value may contain only letters, digits, white space and _ . : / = + - @")
            }
            if !broken.isEmpty { report(path, "invalid tag: \(broken.joined(separator: "; ")).") }
        }
    }
}

extension String {
    /// The string without leading and trailing white space, without pulling in Foundation.
    fileprivate func trimmingWhitespace() -> Substring {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[start...end])
    }
}
