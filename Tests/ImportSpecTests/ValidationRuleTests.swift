import ImportSpec
import Testing

/// One edit to the valid fixture spec and what validation must say about it.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let label: String
    let edit: @Sendable (inout ImportSpec) -> Void
    /// The single path the problem must name, or nil when the edited spec must stay valid.
    let path: String?
    /// Text the problem's message must contain.
    let fragment: String

    /// A value that must pass.
    static func good(_ label: String, _ edit: @escaping @Sendable (inout ImportSpec) -> Void) -> RuleCase {
        RuleCase(label: label, edit: edit, path: nil, fragment: "")
    }

    /// A value that must fail with exactly one problem at `path` whose message contains `fragment`.
    static func bad(
        _ label: String, _ path: String, _ fragment: String, _ edit: @escaping @Sendable (inout ImportSpec) -> Void
    ) -> RuleCase {
        RuleCase(label: label, edit: edit, path: path, fragment: fragment)
    }

    var testDescription: String { label }

    /// Applies the case to the valid fixture spec and checks the outcome: no problem for a good case; exactly one
    /// problem, at `path`, on one line, whose message contains `fragment`, for a bad one.
    func check() throws {
        var spec = Fixtures.validSpec
        edit(&spec)
        let problems = spec.validate()
        guard let path else {
            #expect(problems == [], "\(problems)")
            return
        }
        #expect(problems.map(\.path) == [path], "\(problems)")
        let problem = try #require(problems.first)
        #expect(problem.message.contains(fragment), "\(problem)")
        #expect(!problem.message.contains("\n"), "a problem must stay on one line: \(problem)")
    }
}

private let letters63 = "a" + String(repeating: "b", count: 62)
private let arn = "arn:aws:iam::123456789012:role/"

let goodValues: [RuleCase] = [
    .good("one-letter name") { $0.name = "a" },
    .good("63-character name with instance identifier overrides") {
        $0.name = letters63
        $0.instances = ["1": .init(identifier: "writer"), "2": .init(identifier: "reader")]
    },
    .good("61-character name whose derived identifiers are 63 long") { $0.name = String(letters63.dropLast(2)) },
    .good("name with digits") { $0.name = "ex1-b2" },
    .good("instance key that is a word") { $0.instances = ["writer": .init()] },
    .good("overridden instance identifier") { $0.instances["2"]?.identifier = "custom-reader" },
    .good("instance identifier override that makes an odd key fine") {
        $0.instances["a_b"] = .init(identifier: "ex-s3-import-ab")
    },
    .good("3-character bucket") { $0.s3Import.bucketName = "abc" },
    .good("bucket with dots") { $0.s3Import.bucketName = "my.import.bucket" },
    .good("bucket starting with a digit") { $0.s3Import.bucketName = "1bucket" },
    .good("63-character bucket") { $0.s3Import.bucketName = String(repeating: "b", count: 63) },
    .good("bucket with three numeric labels") { $0.s3Import.bucketName = "192.168.5" },
    .good("aws-cn role ARN") { $0.s3Import.ingestionRole = "arn:aws-cn:iam::123456789012:role/existing" },
    .good("aws-us-gov role ARN") { $0.s3Import.ingestionRole = "arn:aws-us-gov:iam::123456789012:role/x" },
    .good("role ARN with a path") { $0.s3Import.ingestionRole = arn + "service-role/team/rds-s3" },
    .good("role name with every allowed symbol") { $0.s3Import.ingestionRole = arn + "a+b=c,d.e@f_g-h" },
    .good("64-character role name") { $0.s3Import.ingestionRole = arn + String(repeating: "r", count: 64) },
    .good("no ingestion role (managed)") { $0.s3Import.ingestionRole = nil },
    .good("association with its own role") { $0.roleAssociations = ["s3Import": .init(roleArn: arn + "other")] },
    .good("no engine version") { $0.engineVersion = nil },
    .good("legacy 5.7.12 engine version") { $0.engineVersion = "5.7.12" },
    .good("old two-digit Aurora 2 version") { $0.engineVersion = "5.7.mysql_aurora.2.07.2" },
    .good("Aurora 3 with an 8.0 source") {
        $0.engineVersion = "8.0.mysql_aurora.3.04.0"
        $0.s3Import.sourceEngineVersion = "8.0.36"
    },
    .good("5.7.40 source") { $0.s3Import.sourceEngineVersion = "5.7.40" },
    .good("8.0 source with no engine version") {
        $0.engineVersion = nil
        $0.s3Import.sourceEngineVersion = "8.0.28"
    },
    .good("admin master user") { $0.masterUsername = "admin" },
    .good("one-letter master user") { $0.masterUsername = "a" },
    .good("16-character master user") { $0.masterUsername = "abcdefghij123456" },
    .good("serverless instance class") { $0.clusterInstanceClass = "db.serverless" },
    .good("large instance class") { $0.clusterInstanceClass = "db.x2g.16xlarge" },
    .good("every log type") {
        $0.enabledCloudwatchLogsExports = ["audit", "error", "general", "slowquery", "iam-db-auth-error", "instance"]
    },
    .good("no log exports") { $0.enabledCloudwatchLogsExports = [] },
    .good("44 tags: 50 less aurorad's own 6") { spec in
        spec.tags = Dictionary(uniqueKeysWithValues: (1...44).map { ("k\($0)", "v") })
    },
    .good("128-character tag key and 256-character value") {
        $0.tags = [String(repeating: "k", count: 128): String(repeating: "v", count: 256)]
    },
    .good("tag key aws without colon, symbols and accents") {
        $0.tags = ["aws": "x", "team:owner/@x=+-_.": "a b", "Équipe": "café", "empty": ""]
    },
    .good("managed password, no file") {
        $0.manageMasterUserPassword = true
        $0.masterPasswordFile = nil
    },
    .good("password file with manage unset") {
        $0.manageMasterUserPassword = nil
        $0.masterPasswordFile = "/etc/aurorad/ex.password"
    },
    .good("password file with manage false") {
        $0.manageMasterUserPassword = false
        $0.masterPasswordFile = "/etc/aurorad/ex.password"
    },
    .good("8-hex security group") { $0.vpcSecurityGroupIds = ["sg-1234abcd"] },
    .good("two security groups") { $0.vpcSecurityGroupIds = ["sg-1234abcd", "sg-0123456789abcdef0"] },
    .good("KMS alias") { $0.kmsKeyId = "alias/aurora" },
    .good("empty bucket prefix") { $0.s3Import.bucketPrefix = "" },
    .good("nested bucket prefix") { $0.s3Import.bucketPrefix = "backups/2024-01-01/full/" },
    .good("subnet group with spaces and dots") { $0.dbSubnetGroupName = "my subnets.v2_a" },
]

let badValues: [RuleCase] = [
    .bad("empty name", "name", "must not be empty") { $0.name = "" },
    .bad("name starting with a digit", "name", "must start with a letter") { $0.name = "1abc" },
    .bad("name with --", "name", "two consecutive hyphens") { $0.name = "a--b" },
    .bad("name ending in -", "name", "must not end with a hyphen") { $0.name = "abc-" },
    .bad("64-character name", "name", "at most 63 characters long (it has 64)") { $0.name = letters63 + "c" },
    .bad("name with underscore", "name", "only ASCII letters, digits and hyphens") { $0.name = "ab_c" },
    .bad("name with non-ASCII letter", "name", "only ASCII letters") { $0.name = "bär" },
    .bad("derived identifier too long", "instances.1234", "derived instance identifier") {
        $0.name = String(repeating: "n", count: 60)
        $0.instances = ["1234": .init()]
    },
    .bad("derived identifier with underscore", "instances.a_b", "only ASCII letters") {
        $0.instances["a_b"] = .init()
    },
    .bad("derived identifier with --", "instances.-x", "two consecutive hyphens") { $0.instances["-x"] = .init() },
    .bad("empty instance key", "instances[\"\"]", "must not end with a hyphen") { $0.instances[""] = .init() },
    .bad("bad identifier override", "instances.2.identifier", "must start with a letter") {
        $0.instances["2"]?.identifier = "9reader"
    },
    .bad("duplicate identifier", "instances.2.identifier", "already used by instances.1") {
        $0.instances["2"]?.identifier = "ex-s3-import-1"
    },
    .bad("duplicate identifier in capitals", "instances.2.identifier", "must be lower case") {
        $0.instances["2"]?.identifier = "EX-S3-IMPORT-1"
    },
    .bad("2-character bucket", "s3_import.bucket_name", "3 to 63 characters") { $0.s3Import.bucketName = "ab" },
    .bad("64-character bucket", "s3_import.bucket_name", "3 to 63 characters") {
        $0.s3Import.bucketName = String(repeating: "b", count: 64)
    },
    .bad("uppercase bucket", "s3_import.bucket_name", "only lowercase letters") { $0.s3Import.bucketName = "My-Bkt" },
    .bad("bucket with underscore", "s3_import.bucket_name", "only lowercase") { $0.s3Import.bucketName = "a_b_c" },
    .bad("bucket starting with -", "s3_import.bucket_name", "begin and end") { $0.s3Import.bucketName = "-abc" },
    .bad("bucket ending with .", "s3_import.bucket_name", "begin and end") { $0.s3Import.bucketName = "abc." },
    .bad("bucket with ..", "s3_import.bucket_name", "two adjacent dots") { $0.s3Import.bucketName = "a..bc" },
    .bad("IP-shaped bucket", "s3_import.bucket_name", "IP address") { $0.s3Import.bucketName = "192.168.5.4" },
    .bad("xn-- bucket", "s3_import.bucket_name", "prefix xn--") { $0.s3Import.bucketName = "xn--abc" },
    .bad("sthree- bucket", "s3_import.bucket_name", "prefix sthree-") { $0.s3Import.bucketName = "sthree-abc" },
    .bad("amzn-s3-demo- bucket", "s3_import.bucket_name", "prefix amzn-s3-demo-") {
        $0.s3Import.bucketName = "amzn-s3-demo-bucket"
    },
    .bad("-s3alias bucket", "s3_import.bucket_name", "suffix -s3alias") { $0.s3Import.bucketName = "abc-s3alias" },
    .bad("--ol-s3 bucket", "s3_import.bucket_name", "suffix --ol-s3") { $0.s3Import.bucketName = "abc--ol-s3" },
    .bad(".mrap bucket", "s3_import.bucket_name", "suffix .mrap") { $0.s3Import.bucketName = "abc.mrap" },
    .bad("--x-s3 bucket", "s3_import.bucket_name", "suffix --x-s3") { $0.s3Import.bucketName = "abc--x-s3" },
    .bad("--table-s3 bucket", "s3_import.bucket_name", "suffix --table-s3") {
        $0.s3Import.bucketName = "abc--table-s3"
    },
    .bad("11-digit account", "s3_import.ingestion_role", "account must be 12 digits") {
        $0.s3Import.ingestionRole = "arn:aws:iam::12345678901:role/x"
    },
    .bad("unknown partition", "s3_import.ingestion_role", "partition must be aws, aws-cn or aws-us-gov") {
        $0.s3Import.ingestionRole = "arn:aws-eu:iam::123456789012:role/x"
    },
    .bad("S3 ARN", "s3_import.ingestion_role", "service must be iam") {
        $0.s3Import.ingestionRole = "arn:aws:s3:::123456789012:role/x"
    },
    .bad("user ARN", "s3_import.ingestion_role", "resource must be role/") {
        $0.s3Import.ingestionRole = "arn:aws:iam::123456789012:user/x"
    },
    .bad("role ARN without a name", "s3_import.ingestion_role", "role name must be 1 to 64") {
        $0.s3Import.ingestionRole = arn
    },
    .bad("65-character role name", "s3_import.ingestion_role", "role name must be 1 to 64") {
        $0.s3Import.ingestionRole = arn + String(repeating: "r", count: 65)
    },
    .bad("role name with a space", "s3_import.ingestion_role", "role name") {
        $0.s3Import.ingestionRole = arn + "my role"
    },
    .bad("role path with an empty segment", "s3_import.ingestion_role", "role path") {
        $0.s3Import.ingestionRole = arn + "a//b"
    },
    .bad("role ARN with a region", "s3_import.ingestion_role", "empty region") {
        $0.s3Import.ingestionRole = "arn:aws:iam:us-east-1:123456789012:role/x"
    },
    .bad("role name instead of ARN", "s3_import.ingestion_role", "must have the form arn:aws:iam::") {
        $0.s3Import.ingestionRole = "existing"
    },
    .bad("bad association role", "role_associations.s3Import.role_arn", "account must be 12 digits") {
        $0.roleAssociations = ["s3Import": .init(roleArn: "arn:aws:iam::1234:role/x")]
    },
    .bad("empty association key", "role_associations[\"\"]", "association key is empty") {
        $0.roleAssociations = ["": .init()]
    },
    .bad("aurora-postgresql", "engine", "MySQL-only") { $0.engine = "aurora-postgresql" },
    .bad("mysql engine", "engine", "the only allowed engine is \"aurora-mysql\"") { $0.engine = "mysql" },
    .bad("empty engine", "engine", "only allowed engine") { $0.engine = "" },
    .bad("engine version without patch", "engine_version", "not an Aurora MySQL version") {
        $0.engineVersion = "5.7"
    },
    .bad("Aurora 3 with a 5.7 prefix", "engine_version", "not an Aurora MySQL version") {
        $0.engineVersion = "5.7.mysql_aurora.3.01.0"
    },
    .bad("Aurora 1 (5.6)", "engine_version", "not an Aurora MySQL version") { $0.engineVersion = "5.6.10a" },
    .bad("legacy 8.0 form", "engine_version", "not an Aurora MySQL version") {
        $0.engineVersion = "8.0.36"
        $0.s3Import.sourceEngineVersion = "8.0.36"
    },
    .bad("Aurora 8.0 with a 5.7 source", "engine_version", "must match the Aurora major version") {
        $0.engineVersion = "8.0.mysql_aurora.3.04.0"
    },
    .bad("Aurora 5.7 with an 8.0 source", "engine_version", "pick a 8.0.mysql_aurora.3.x.y") {
        $0.s3Import.sourceEngineVersion = "8.0.36"
    },
    .bad("legacy 5.7 with an 8.0 source", "engine_version", "must match") {
        $0.engineVersion = "5.7.12"
        $0.s3Import.sourceEngineVersion = "8.0.36"
    },
    .bad("MySQL 5.6 source", "s3_import.source_engine_version", "5.7.x or 8.0.x") {
        $0.s3Import.sourceEngineVersion = "5.6.40"
    },
    .bad("MySQL 8.4 source", "s3_import.source_engine_version", "5.7.x or 8.0.x") {
        $0.engineVersion = nil
        $0.s3Import.sourceEngineVersion = "8.4.0"
    },
    .bad("source without patch", "s3_import.source_engine_version", "not a supported source version") {
        $0.s3Import.sourceEngineVersion = "5.7"
    },
    .bad("prefixed source version", "s3_import.source_engine_version", "not a supported") {
        $0.s3Import.sourceEngineVersion = "mysql-5.7.40"
    },
    .bad("master user starting with a digit", "master_username", "must start with a letter") {
        $0.masterUsername = "1root"
    },
    .bad("master user with underscore", "master_username", "only ASCII letters and digits") {
        $0.masterUsername = "root_user"
    },
    .bad("17-character master user", "master_username", "at most 16") { $0.masterUsername = "abcdefghij1234567" },
    .bad("empty master user", "master_username", "must not be empty") { $0.masterUsername = "" },
    .bad("rdsadmin master user", "master_username", "reserved") { $0.masterUsername = "RDSAdmin" },
    .bad("instance class without db.", "cluster_instance_class", "must start with db.") {
        $0.clusterInstanceClass = "r8g.large"
    },
    .bad("bare db.", "cluster_instance_class", "must start with db.") { $0.clusterInstanceClass = "db." },
    .bad("uppercase instance class", "cluster_instance_class", "lowercase") {
        $0.clusterInstanceClass = "db.R8G.large"
    },
    .bad("bad instance class override", "instances.2.instance_class", "must start with db.") {
        $0.instances["2"]?.instanceClass = "m5.large"
    },
    .bad("PostgreSQL log type", "enabled_cloudwatch_logs_exports[1]", "not an Aurora MySQL log type") {
        $0.enabledCloudwatchLogsExports = ["audit", "postgresql"]
    },
    .bad("duplicate log type", "enabled_cloudwatch_logs_exports[2]", "more than once") {
        $0.enabledCloudwatchLogsExports = ["audit", "error", "audit"]
    },
    .bad("45 tags: with aurorad's own 6 over 50", "tags", "at most 44 fit; remove 1") { spec in
        spec.tags = Dictionary(uniqueKeysWithValues: (1...45).map { ("k\($0)", "v") })
    },
    .bad("129-character tag key", "tags." + String(repeating: "k", count: 129), "1 to 128") {
        $0.tags = [String(repeating: "k", count: 129): "v"]
    },
    .bad("257-character tag value", "tags.Environment", "at most 256") {
        $0.tags = ["Environment": String(repeating: "v", count: 257)]
    },
    .bad("aws: tag", "tags[\"aws:owner\"]", "must not start with aws:") { $0.tags = ["aws:owner": "me"] },
    .bad("AWS: tag in capitals", "tags[\"AWS:Owner\"]", "must not start with aws:") { $0.tags = ["AWS:Owner": "me"] },
    .bad("rds: tag", "tags[\"rds:x\"]", "reserved for AWS") { $0.tags = ["rds:x": "me"] },
    .bad("aurorad: tag", "tags[\"aurorad:spec\"]", "aurorad reserves") { $0.tags = ["aurorad:spec": "other"] },
    .bad("Aurorad: tag in capitals", "tags[\"Aurorad:x\"]", "must not start with aurorad:") {
        $0.tags = ["Aurorad:x": "me"]
    },
    .bad("capital in the name", "name", "must be lower case, as RDS stores it (use \"prod-import\")") {
        $0.name = "Prod-Import"
    },
    .bad("capital in an instance identifier", "instances.1.identifier", "must be lower case") {
        $0.instances = ["1": ImportSpec.InstanceSpec(identifier: "Reader-1")]
    },
    .bad("capital in an instance key", "instances.A", "(use \"ex-s3-import-a\")") {
        $0.instances = ["A": ImportSpec.InstanceSpec()]
    },
    .bad("empty tag key", "tags[\"\"]", "1 to 128") { $0.tags = ["": "v"] },
    .bad("tag key with #", "tags[\"a#b\"]", "the key may contain only") { $0.tags = ["a#b": "v"] },
    .bad("tag value with a newline", "tags.Environment", "the value may contain only") {
        $0.tags = ["Environment": "dev\nprod"]
    },
    .bad("managed password and a file", "master_password_file", "conflicts with manage_master_user_password") {
        $0.masterPasswordFile = "/etc/aurorad/ex.password"
    },
    .bad("unmanaged password without a file", "manage_master_user_password", "no master_password_file") {
        $0.manageMasterUserPassword = false
    },
    .bad("relative password file", "master_password_file", "not an absolute path") {
        $0.manageMasterUserPassword = nil
        $0.masterPasswordFile = "ex.password"
    },
    .bad("no instances", "instances", "at least one instance") { $0.instances = [:] },
    .bad("short security group", "vpc_security_group_ids[0]", "not a security group id") {
        $0.vpcSecurityGroupIds = ["sg-123"]
    },
    .bad("uppercase security group", "vpc_security_group_ids[0]", "lowercase hex") {
        $0.vpcSecurityGroupIds = ["sg-0123456789ABCDEF0"]
    },
    .bad("security group without sg-", "vpc_security_group_ids[0]", "expected sg-") {
        $0.vpcSecurityGroupIds = ["0123456789abcdef0"]
    },
    .bad("duplicate security group", "vpc_security_group_ids[1]", "more than once") {
        $0.vpcSecurityGroupIds = ["sg-1234abcd", "sg-1234abcd"]
    },
    .bad("empty KMS key", "kms_key_id", "is empty") { $0.kmsKeyId = "" },
    .bad("blank KMS key", "kms_key_id", "is empty") { $0.kmsKeyId = "  " },
    .bad("bucket prefix with a leading /", "s3_import.bucket_prefix", "drop the leading slash") {
        $0.s3Import.bucketPrefix = "/backup/"
    },
    .bad("empty subnet group", "db_subnet_group_name", "1 to 255") { $0.dbSubnetGroupName = "" },
    .bad("subnet group with /", "db_subnet_group_name", "only ASCII letters") { $0.dbSubnetGroupName = "a/b" },
]

@Suite("Validation rules")
struct ValidationRuleTests {
    @Test("the fixture spec and the minimal spec are valid")
    func fixturesAreValid() {
        #expect(Fixtures.validSpec.validate() == [])
        #expect(Fixtures.minimalSpec.validate() == [])
    }

    @Test("good values pass", arguments: goodValues)
    func goodValue(_ rule: RuleCase) throws { try rule.check() }

    @Test("bad values are reported at their path", arguments: badValues)
    func badValue(_ rule: RuleCase) throws { try rule.check() }

    @Test("an invalid name does not also flag every derived instance identifier")
    func invalidNameIsReportedOnce() {
        var spec = Fixtures.validSpec
        spec.name = "1bad"
        #expect(spec.validate().map(\.path) == ["name"])
    }

    @Test("a derived identifier colliding with an override is reported once, on the later key")
    func derivedCollision() {
        var spec = Fixtures.validSpec
        spec.instances = ["1": .init(identifier: "ex-s3-import-2"), "2": .init()]
        let problems = spec.validate()
        #expect(problems.map(\.path) == ["instances.2"])
        #expect(problems.first?.message.contains("already used by instances.1") == true)
    }

    @Test("values are quoted on one line with control characters escaped")
    func quotedValuesStayOnOneLine() throws {
        var spec = Fixtures.validSpec
        spec.s3Import.bucketName = "bad\nname\u{2028}" + String(repeating: "x", count: 200)
        let problem = try #require(spec.validate().first)
        #expect(problem.message.hasPrefix("\"bad\\nname\\u{2028}xxx"))
        #expect(problem.message.contains("…"))
        #expect(!problem.message.contains("\n"))
        #expect(problem.message.count < 400)
    }

    @Test("problems come sorted by path")
    func sortedByPath() {
        var spec = Fixtures.validSpec
        spec.tags = ["aws:x": "y"]
        spec.name = "-x"
        spec.engine = "mysql"
        let paths = spec.validate().map(\.path)
        #expect(paths == ["engine", "name", "tags[\"aws:x\"]"])
    }
}
