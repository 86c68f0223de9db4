import Foundation
@testable import ImportSpec
import Testing

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("the minimal spec's canonical form: sorted keys, no whitespace, only the fields present")
    func minimalBytes() {
        let expected =
            #"{"cluster_instance_class":"db.r8g.large","engine":"aurora-mysql","instances":{"1":{}},"#
            + #""master_username":"root","name":"db1","#
            + #""s3_import":{"bucket_name":"backups","source_engine_version":"8.0.36"}}"#
        #expect(String(decoding: Fixtures.minimalSpec.canonicalJSON(), as: UTF8.self) == expected)
    }

    @Test("key order and whitespace do not change the canonical bytes")
    func formattingIndependence() throws {
        let example = try Fixtures.exampleSpecData()
        let reordered = #"""
            {"auto_minor_version_upgrade":true,"publicly_accessible":false,"ca_cert_identifier":"rds-ca-rsa2048-g1",
            "engine_lifecycle_support":"open-source-rds-extended-support-disabled","storage_type":"aurora",
            "copy_tags_to_snapshot":true,"preferred_maintenance_window":"sun:05:00-sun:06:00",
            "preferred_backup_window":"02:00-03:00","backup_retention_period":7,
            "tags":{"Environment":"dev"},"enabled_cloudwatch_logs_exports":["audit","error","general","slowquery"],
            "deletion_protection":false,
            "kms_key_id":"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "storage_encrypted":true,"skip_final_snapshot":true,"s3_import":{"ingestion_role":
            "arn:aws:iam::123456789012:role/existing","bucket_prefix":"backup/","bucket_name":"my-import-bucket",
            "source_engine_version":"5.7.12"},"role_associations":{"s3Import":{}},
            "vpc_security_group_ids":["sg-0123456789abcdef0"],"db_subnet_group_name":"my-subnets",
            "instances":{"2":{"promotion_tier":1,"availability_zone":"eu-west-1b","instance_class":"db.r8g.xlarge"},
            "1":{}},"cluster_instance_class":"db.r8g.large",
            "manage_master_user_password":true,"master_username":"root","engine_version":"5.7.mysql_aurora.2.11.2",
            "engine":"aurora-mysql","name":"ex-s3-import"}
            """#
        let first = try ImportSpec.decode(from: example).canonicalJSON()
        let second = try ImportSpec.decode(from: Data(reordered.utf8)).canonicalJSON()
        #expect(first == second)
        #expect(first == Fixtures.validSpec.canonicalJSON())
        #expect(!String(decoding: first, as: UTF8.self).contains("\n"))
    }

    @Test("canonical JSON round-trips through decode", arguments: [Fixtures.validSpec, Fixtures.minimalSpec])
    func roundTrip(spec: ImportSpec) throws {
        let canonical = spec.canonicalJSON()
        let decoded = try ImportSpec.decode(from: canonical)
        #expect(decoded == spec)
        #expect(decoded.canonicalJSON() == canonical)
    }

    @Test("a changed field changes the bytes; explicit defaults are kept distinct from absent fields")
    func changesShow() {
        var changed = Fixtures.minimalSpec
        changed.s3Import.bucketPrefix = "backup/"
        #expect(changed.canonicalJSON() != Fixtures.minimalSpec.canonicalJSON())
        var explicit = Fixtures.minimalSpec
        explicit.storageEncrypted = true
        #expect(explicit.canonicalJSON() != Fixtures.minimalSpec.canonicalJSON())
    }

    @Test("canonical JSON is valid JSON to Foundation and escapes what JSON requires")
    func escaping() throws {
        var spec = Fixtures.minimalSpec
        spec.name = "q\"b\\n\n\t\r\u{1}é😀"
        let canonical = spec.canonicalJSON()
        let object = try #require(JSONSerialization.jsonObject(with: canonical) as? [String: Any])
        #expect(object["name"] as? String == spec.name)
        #expect(String(decoding: canonical, as: UTF8.self).contains(#""name":"q\"b\\n\n\t\r\u0001é😀""#))
        #expect(try JSONParser.parse(Array(canonical)).canonicalBytes() == Array(canonical))
    }

    @Test("JSONEncoder output decodes strictly to the same spec")
    func encoderCompatibility() throws {
        let encoded = try JSONEncoder().encode(Fixtures.validSpec)
        #expect(try ImportSpec.decode(from: encoded) == Fixtures.validSpec)
    }
}

@Suite("Helpers")
struct HelperTests {
    @Test(
        "edit distance counts a swap of neighbours as one edit",
        arguments: [
            ("bucket_nmae", "bucket_name", 1), ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3),
            ("same", "same", 0), ("ab", "ba", 1), ("tag", "tags", 1),
        ])
    func editDistance(lhs: String, rhs: String, distance: Int) {
        #expect(KeySuggestion.editDistance(Array(lhs.unicodeScalars), Array(rhs.unicodeScalars)) == distance)
    }

    @Test("suggestions only for plausible typos, case-insensitive")
    func suggestions() {
        let known = ["bucket_name", "bucket_prefix", "ingestion_role", "source_engine_version"]
        #expect(KeySuggestion.closest(to: "BucketName", among: known) == "bucket_name")
        #expect(KeySuggestion.closest(to: "ingestionrole", among: known) == "ingestion_role")
        #expect(KeySuggestion.closest(to: "region", among: known) == nil)
        #expect(KeySuggestion.closest(to: "", among: known) == nil)
    }

    @Test(
        "field paths quote keys that are not plain",
        arguments: [
            ("", "name", "name"), ("tags", "Environment", "tags.Environment"), ("tags", "a.b", #"tags["a.b"]"#),
            ("tags", "", #"tags[""]"#), ("tags", "x\"y", #"tags["x\"y"]"#), ("instances", "-1", "instances.-1"),
        ])
    func fieldPaths(parent: String, key: String, path: String) {
        #expect(FieldPath.member(parent, key) == path)
    }

    @Test(
        "engine versions map to their MySQL major",
        arguments: [
            ("5.7.mysql_aurora.2.11.2", MySQLMajor.v57), ("8.0.mysql_aurora.3.04.0", .v80), ("5.7.12", .v57),
            ("8.0.mysql_aurora.2.11.2", nil), ("5.7.mysql_aurora.2.11", nil), ("5.7.mysql_aurora.2.11.x", nil),
            ("8.0.36", nil), ("", nil),
        ] as [(String, MySQLMajor?)])
    func auroraVersions(version: String, major: MySQLMajor?) {
        #expect(MySQLMajor.ofAuroraEngineVersion(version) == major)
    }
}
