import Foundation
import ImportSpec
import Testing

/// A JSON text and the one problem decoding it must report.
struct DecodeCase: Sendable, CustomTestStringConvertible {
    let label: String
    let json: String
    let path: String
    let fragment: String

    init(_ label: String, _ json: String, _ path: String, _ fragment: String) {
        self.label = label
        self.json = json
        self.path = path
        self.fragment = fragment
    }

    var testDescription: String { label }
}

/// The minimal spec's JSON text with `members` spliced in at the top level (later keys must not repeat).
private func minimal(adding members: String) -> String {
    String(Fixtures.minimalJSON.dropLast()) + ", " + members + "}"
}

private func minimal(s3Import: String, adding members: String = "") -> String {
    let base = """
        {"name": "db1", "engine": "aurora-mysql", "master_username": "root",
         "cluster_instance_class": "db.r8g.large", "instances": {"1": {}}, "s3_import": \(s3Import)
        """
    return base + (members.isEmpty ? "}" : ", \(members)}")
}

let unknownKeyCases: [DecodeCase] = [
    .init(
        "top-level typo", minimal(adding: #""enigne_version": "x""#), "enigne_version",
        "unknown field; did you mean engine_version?"),
    .init(
        "top-level camelCase", minimal(adding: #""skipFinalSnapshot": true"#), "skipFinalSnapshot",
        "did you mean skip_final_snapshot?"),
    .init(
        "top-level with nothing close", minimal(adding: #""colour": "blue""#), "colour",
        "the fields allowed here are apply_immediately, auto_minor_version_upgrade, backup_retention_period"),
    .init(
        "nested in s3_import",
        minimal(
            s3Import: #"""
                {"source_engine_version": "8.0.36", "bucket_name": "backups", "bucket_nmae": "x"}
                """#), "s3_import.bucket_nmae", "unknown field; did you mean bucket_name?"),
    .init(
        "nested in an instance",
        Fixtures.minimalJSON.replacingOccurrences(
            of: #""instances": {"1": {}}"#, with: #""instances": {"1": {"instance_clas": "db.r8g.large"}}"#),
        "instances.1.instance_clas", "did you mean instance_class?"),
    .init(
        "nested in a role association", minimal(adding: #""role_associations": {"s3Import": {"rolearn": "x"}}"#),
        "role_associations.s3Import.rolearn", "did you mean role_arn?"),
    .init(
        "an S3 field in a role association",
        minimal(adding: #""role_associations": {"s3Import": {"bucket_nmae": "x"}}"#),
        "role_associations.s3Import.bucket_nmae", "unknown field"),
    .init("short key with a suggestion", minimal(adding: #""tag": {}"#), "tag", "did you mean tags?"),
    .init("odd characters in the key", minimal(adding: #""a.b c": 1"#), "[\"a.b c\"]", "unknown field"),
]

let typeCases: [DecodeCase] = [
    .init(
        "number for a string", minimal(adding: #""engine_version": 5.7"#), "engine_version",
        "expected a string, found a number."),
    .init(
        "string for a boolean", minimal(adding: #""storage_encrypted": "yes""#), "storage_encrypted",
        "expected a boolean (true or false), found a string."),
    .init(
        "array for instances",
        Fixtures.minimalJSON.replacingOccurrences(
            of: #""instances": {"1": {}}"#, with: #""instances": ["1"]"#), "instances",
        "expected an object, found an array."),
    .init(
        "string for an instance",
        Fixtures.minimalJSON.replacingOccurrences(
            of: #""instances": {"1": {}}"#, with: #""instances": {"1": "db.r8g.large"}"#), "instances.1",
        "expected an object, found a string."),
    .init(
        "string for a string list", minimal(adding: #""vpc_security_group_ids": "sg-1234abcd""#),
        "vpc_security_group_ids", "expected an array of strings, found a string."),
    .init(
        "number in a string list", minimal(adding: #""enabled_cloudwatch_logs_exports": ["audit", 3]"#),
        "enabled_cloudwatch_logs_exports[1]", "expected a string, found a number."),
    .init(
        "boolean tag value", minimal(adding: #""tags": {"Environment": true}"#), "tags.Environment",
        "expected a string, found a boolean."),
    .init(
        "string for s3_import", minimal(s3Import: #""s3://backups""#), "s3_import",
        "expected an object, found a string."),
    .init(
        "null for a required string",
        Fixtures.minimalJSON.replacingOccurrences(
            of: #""name": "db1""#, with: #""name": null"#), "name", "expected a string, found null."),
    .init(
        "object for a nested string",
        minimal(
            s3Import: #"""
                {"source_engine_version": "8.0.36", "bucket_name": {"name": "backups"}}
                """#), "s3_import.bucket_name", "expected a string, found an object."),
    .init(
        "number for a role ARN", minimal(adding: #""role_associations": {"s3Import": {"role_arn": 1}}"#),
        "role_associations.s3Import.role_arn", "expected a string, found a number."),
    .init("array for tags", minimal(adding: #""tags": ["a"]"#), "tags", "expected an object, found an array."),
]

let missingFieldCases: [DecodeCase] =
    ["name", "engine", "master_username", "cluster_instance_class"].map { key in
        let json = Fixtures.minimalJSON.replacingOccurrences(of: "\"\(key)\":", with: "\"\(key)_x\":")
        return DecodeCase("missing \(key)", json, key, "required field is missing")
    } + [
        .init(
            "missing instances",
            #"""
            {"name": "db1", "engine": "aurora-mysql", "master_username": "root", "cluster_instance_class": "db.t4g.medium",
             "s3_import": {"source_engine_version": "8.0.36", "bucket_name": "backups"}}
            """#, "instances", "required field is missing; add it."),
        .init(
            "missing s3_import",
            #"""
            {"name": "db1", "engine": "aurora-mysql", "master_username": "root", "cluster_instance_class": "db.t4g.medium",
             "instances": {"1": {}}}
            """#, "s3_import", "required field is missing"),
        .init(
            "missing bucket_name", minimal(s3Import: #"{"source_engine_version": "8.0.36"}"#),
            "s3_import.bucket_name", "required field is missing"),
        .init(
            "missing source_engine_version", minimal(s3Import: #"{"bucket_name": "backups"}"#),
            "s3_import.source_engine_version", "required field is missing"),
    ]

let documentCases: [DecodeCase] = [
    .init("empty document", "", "(document)", "invalid JSON at line 1, column 1: unexpected end of input"),
    .init("array", "[]", "(document)", "must be a JSON object, found an array."),
    .init("string", #""spec""#, "(document)", "found a string."),
    .init("number", "42", "(document)", "found a number."),
    .init("null", "null", "(document)", "found null."),
    .init("boolean", "true", "(document)", "found a boolean."),
    .init("unclosed object", "{", "(document)", "line 1, column 2"),
    .init("missing value", "{\n  \"name\": x\n}", "(document)", "line 2, column 11: unexpected character"),
    .init("trailing comma", #"{"name": "a",}"#, "(document)", "expected a string key"),
    .init("single quotes", "{'name': 'a'}", "(document)", "expected a string key"),
    .init("comment", "{} // spec", "(document)", "unexpected content after the end"),
    .init("two documents", "{}{}", "(document)", "unexpected content after the end"),
    .init("duplicate key", #"{"name": "a",\#n "name": "b"}"#, "(document)", "line 2, column 2: duplicate key \"name\""),
    .init("raw newline in a string", "{\"name\": \"a\nb\"}", "(document)", "control character"),
    .init("NUL byte", "{\"name\u{0}\": 1}", "(document)", "control character"),
    .init("bad escape", #"{"name": "\x"}"#, "(document)", "invalid escape sequence"),
    .init("short unicode escape", #"{"name": "\u12"}"#, "(document)", "four hex digits"),
    .init("lone high surrogate", #"{"name": "\ud800"}"#, "(document)", "unpaired UTF-16 surrogate"),
    .init("lone low surrogate", #"{"name": "\udc00x"}"#, "(document)", "unpaired UTF-16 surrogate"),
    .init("leading zero", #"{"a": 01}"#, "(document)", "expected ',' or '}'"),
    .init("bare minus", #"{"a": -}"#, "(document)", "invalid number"),
    .init("fraction without digits", #"{"a": 1.}"#, "(document)", "after '.'"),
    .init("exponent without digits", #"{"a": 1e+}"#, "(document)", "exponent"),
    .init("number beyond a double", "{\"a\":\n  -1e999}", "(document)", "line 2, column 3: number out of range"),
    .init("misspelled literal", #"{"a": tru}"#, "(document)", "expected true"),
    .init("deep nesting", String(repeating: "[", count: 100_000), "(document)", "nesting deeper than 64 levels"),
    .init("unterminated string", #"{"name": "abc"#, "(document)", "unterminated string"),
]

@Suite("Strict decoding")
struct DecodingTests {
    @Test("config/example-spec.json decodes and validates clean")
    func exampleSpec() throws {
        let spec = try ImportSpec.decode(from: Fixtures.exampleSpecData())
        #expect(spec == Fixtures.validSpec)
        #expect(spec.validate() == [])
        #expect(spec.instanceIdentifier(forKey: "1") == "ex-s3-import-1")
        #expect(spec.instanceClass(forKey: "2") == "db.r8g.xlarge")
        #expect(spec.effectiveStorageEncrypted)
    }

    /// The seed's `module "aurora"` block carried over (README, "From the module block"): it validates as is, the
    /// MySQL-style `engine_version` included (RDS, not the validator, answers that one), and keeps the seed's fields.
    @Test("config/seed-example.json decodes and validates clean")
    func seedExample() throws {
        let spec = try ImportSpec.decode(from: Fixtures.exampleSpecData("seed-example.json"))
        #expect(spec.validate() == [])
        #expect(spec.name == "ex-s3-import" && spec.engine == "aurora-mysql" && spec.engineVersion == "5.7.12")
        #expect(spec.masterUsername == "root" && spec.effectiveManageMasterUserPassword)
        #expect(spec.clusterInstanceClass == "db.r8g.large" && Array(spec.instances.keys) == ["1"])
        #expect(spec.createsSecurityGroup && spec.effectivePort == 3306)
        let cidrs = (spec.securityGroupIngressRules ?? [:]).mapValues { $0.cidrIpv4 ?? "" }
        #expect(cidrs == ["private-az1": "10.0.3.0/24", "private-az2": "10.0.4.0/24", "private-az3": "10.0.5.0/24"])
        let role = try #require(spec.s3Import.ingestionRole)
        #expect(spec.roleAssociations == ["s3Import": .init(roleArn: role)])
        #expect(spec.s3Import.sourceEngineVersion == "5.7.12" && spec.s3Import.bucketPrefix == nil)
        #expect(spec.effectiveSkipFinalSnapshot && spec.effectiveStorageEncrypted)
        #expect(spec.enabledCloudwatchLogsExports == ["audit", "error", "general", "slowquery"])
        #expect(spec.tags == ["Environment": "dev", "Terraform": "true"])
        let readme = String(decoding: try Fixtures.exampleSpecData("../README.md"), as: UTF8.self)
        let file = String(decoding: try Fixtures.exampleSpecData("seed-example.json"), as: UTF8.self)
        #expect(readme.contains("```json\n" + file + "```"), "README's From the module block shows the file as it is")
    }

    @Test("the minimal spec decodes, with defaults for what it leaves out")
    func minimalSpec() throws {
        let spec = try ImportSpec.decode(from: Data(Fixtures.minimalJSON.utf8))
        #expect(spec == Fixtures.minimalSpec)
        #expect(spec.effectiveStorageEncrypted)
        #expect(spec.effectiveManageMasterUserPassword)
        #expect(!spec.effectiveSkipFinalSnapshot)
    }

    @Test("unknown keys are named with their full path", arguments: unknownKeyCases)
    func unknownKey(_ testCase: DecodeCase) { expectSingleProblem(testCase) }

    @Test("wrong JSON types name the field and the expected type", arguments: typeCases)
    func wrongType(_ testCase: DecodeCase) { expectSingleProblem(testCase) }

    @Test("missing required fields are named", arguments: missingFieldCases)
    func missingField(_ testCase: DecodeCase) {
        let problems = Fixtures.problems(decoding: testCase.json)
        let problem = problems.first { $0.path == testCase.path }
        #expect(problem?.message.contains(testCase.fragment) == true, "\(problems)")
    }

    @Test("documents that are not a JSON object are refused with one document problem", arguments: documentCases)
    func documentProblem(_ testCase: DecodeCase) { expectSingleProblem(testCase) }

    @Test("null for an optional field means absent")
    func nullOptional() throws {
        let json = minimal(adding: #""engine_version": null, "tags": null, "storage_encrypted": null"#)
        let spec = try ImportSpec.decode(from: Data(json.utf8))
        #expect(spec == Fixtures.minimalSpec)
    }

    @Test("a spec with many problems reports every one of them, each at its path")
    func allProblemsAtOnce() {
        let json = #"""
            {
              "name": "1bad--",
              "engine": "aurora-postgresql",
              "master_username": 7,
              "cluster_instance_class": "r8g.large",
              "instances": {},
              "s3_import": {"bucket_nmae": "x", "source_engine_version": "5.6.1"},
              "vpc_security_group_ids": ["sg-1", false],
              "tags": {"aws:x": "y"},
              "colour": "blue"
            }
            """#
        let problems = Fixtures.problems(decoding: json)
        #expect(
            problems.map(\.path) == [
                "cluster_instance_class", "colour", "engine", "instances", "master_username", "name",
                "s3_import.bucket_name", "s3_import.bucket_nmae", "s3_import.source_engine_version", "tags[\"aws:x\"]",
                "vpc_security_group_ids[0]", "vpc_security_group_ids[1]",
            ])
        let description = SpecError(problems: problems).description
        #expect(description.split(separator: "\n").count == problems.count)
        #expect(description.contains("s3_import.bucket_nmae: unknown field; did you mean bucket_name?"))
        #expect(description.contains("master_username: expected a string, found a number."))
    }

    @Test("a missing or mistyped field causes no follow-on validation noise")
    func noFollowOnNoise() {
        let noName = Fixtures.minimalJSON.replacingOccurrences(of: #""name": "db1""#, with: #""name": 1"#)
        #expect(Fixtures.problems(decoding: noName).map(\.path) == ["name"])
        let noSource = minimal(s3Import: #"{"bucket_name": "backups"}"#, adding: #""engine_version": "5.7.12""#)
        #expect(Fixtures.problems(decoding: noSource).map(\.path) == ["s3_import.source_engine_version"])
        let badSource = minimal(s3Import: #"{"bucket_name": "backups", "source_engine_version": 8}"#)
        #expect(Fixtures.problems(decoding: badSource).map(\.path) == ["s3_import.source_engine_version"])
    }

    @Test("documents over 1 MiB are refused before parsing; exactly 1 MiB is accepted")
    func sizeLimit() throws {
        let spec = Data(Fixtures.minimalJSON.utf8)
        let padding = ImportSpec.maxDocumentSize - spec.count
        let atLimit = spec + Data(repeating: UInt8(ascii: " "), count: padding)
        #expect(try ImportSpec.decode(from: atLimit) == Fixtures.minimalSpec)
        let problems = Fixtures.problems(decoding: atLimit + Data(" ".utf8))
        #expect(problems.map(\.path) == ["(document)"])
        #expect(problems.first?.message.contains("1048577 bytes, over the limit of 1048576 bytes (1 MiB)") == true)
    }

    @Test(
        "invalid UTF-8 is refused with the offset of the first bad byte",
        arguments: [
            ([0xFF], 0), (Array(#"{"name": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), 10),
            ([0x7B, 0xE2, 0x82], 1), ([0xC0, 0xAF], 0), ([0xED, 0xA0, 0x80], 0),
        ] as [([UInt8], Int)])
    func invalidUTF8(bytes: [UInt8], offset: Int) {
        let problems = Fixtures.problems(decoding: Data(bytes))
        #expect(problems.map(\.path) == ["(document)"])
        #expect(
            problems.first?.message.contains("not valid UTF-8 (first bad byte at offset \(offset))") == true,
            "\(problems)")
    }

    @Test("a UTF-8 byte-order mark is ignored; escapes and non-ASCII text decode exactly")
    func byteOrderMarkAndEscapes() throws {
        let json = minimal(adding: #""kms_key_id": "alias/\ud83d\ude00\u00e9\/", "tags": {"Équipe": "café"}"#)
        let spec = try ImportSpec.decode(from: Data([0xEF, 0xBB, 0xBF]) + Data(json.utf8))
        #expect(spec.kmsKeyId == "alias/😀é/")
        #expect(spec.tags == ["Équipe": "café"])
    }

    @Test("every truncation of the example spec is refused, never a crash")
    func truncations() throws {
        let data = try Fixtures.exampleSpecData()
        let text = try #require(String(data: data, encoding: .utf8))
        let complete = Data(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        for length in 0..<complete.count {
            let problems = Fixtures.problems(decoding: complete.prefix(length))
            #expect(problems.map(\.path) == ["(document)"], "truncated at \(length)")
        }
    }

    @Test("a document full of unknown keys lists the first 100 problems and counts the rest")
    func readerReportLimit() {
        let key = String(repeating: "k", count: 50)
        let members = (0..<15_000).map { "\"\(key)\($0)\": 1" }.joined(separator: ",")
        let json = minimal(adding: members)
        #expect(json.utf8.count < ImportSpec.maxDocumentSize)
        let problems = Fixtures.problems(decoding: json)
        #expect(problems.count == SpecError.reportLimit + 1)
        #expect(
            problems.last
                == SpecProblem(
                    path: "(document)",
                    message: "14900 more problems are not listed; fix the ones above and submit again."))
    }

    @Test("validation problems beyond the limit are counted too")
    func validatorReportLimit() {
        let tags = (0..<200).map { "\"aws:k\($0)\": \"v\"" }.joined(separator: ",")
        let problems = Fixtures.problems(decoding: minimal(adding: "\"tags\": {\(tags)}"))
        #expect(problems.count == SpecError.reportLimit + 1)
        #expect(problems.first?.path == "tags")
        #expect(problems.last?.message.hasPrefix("101 more problems") == true)
    }

    @Test("thousands of mistyped entries next to well-typed ones are handled in bulk")
    func mixedBulk() {
        let tags = (0..<20_000).map { "\"t\($0)\": \($0.isMultiple(of: 2) ? "\"v\"" : "1")" }.joined(separator: ",")
        let problems = Fixtures.problems(decoding: minimal(adding: "\"tags\": {\(tags)}"))
        #expect(problems.count == SpecError.reportLimit + 1)
        let tooMany = SpecProblem(
            path: "tags",
            message: "has 10000 tags, but RDS and IAM allow 50 per resource and aurorad adds up to 6 of its own, so "
                + "at most 44 fit; remove 9956.")
        #expect(problems.contains(tooMany))
        #expect(problems.last?.message.hasPrefix("9901 more problems") == true)
    }

    /// Found by the spec fuzzer (Fuzz/corpus/spec/many-problems.json): instance and tag entries were read in hash
    /// order, so which problems fit under the limit changed between runs, and even between two decodes in one run.
    @Test("over the limit, the problems listed are the first in key order, whatever the hashing")
    func reportLimitIsDeterministic() {
        let instances = (0..<150).map { "\"\($0)\": \($0)" }.joined(separator: ",")
        let json = Fixtures.minimalJSON.replacingOccurrences(
            of: #""instances": {"1": {}}"#, with: "\"instances\": {\(instances)}")
        let problems = Fixtures.problems(decoding: json)
        let firstKeys = (0..<150).map(String.init).sorted().prefix(SpecError.reportLimit)
        #expect(problems.dropLast().map(\.path) == firstKeys.map { "instances.\($0)" })
        #expect(problems.last?.message.hasPrefix("50 more problems") == true)
        for _ in 0..<5 { #expect(Fixtures.problems(decoding: json) == problems) }
    }

    @Test("SpecError describes one problem per line as path: message")
    func errorDescription() {
        let error = SpecError(problems: [
            SpecProblem(path: "name", message: "bad."), SpecProblem(path: "s3_import.bucket_name", message: "worse."),
        ])
        #expect(error.description == "name: bad.\ns3_import.bucket_name: worse.")
    }

    private func expectSingleProblem(_ testCase: DecodeCase) {
        let problems = Fixtures.problems(decoding: testCase.json)
        #expect(problems.map(\.path) == [testCase.path], "\(problems)")
        #expect(problems.first?.message.contains(testCase.fragment) == true, "\(problems)")
    }
}
