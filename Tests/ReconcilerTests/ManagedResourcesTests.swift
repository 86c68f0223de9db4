import Foundation
import ImportSpec
import Reconciler
import Testing

@Suite("Derived names, documents, tags and restore facts")
struct ManagedResourcesTests {
    @Test func shortNamesKeepTheReadableForm() {
        #expect(ManagedResources.roleName(forSpec: "ex-s3-import") == "aurorad-ex-s3-import-s3-import")
    }

    @Test func longNamesAreCutToSixtyFourWithAStableDistinctHash() {
        let base = String(repeating: "a", count: 60)
        let one = ManagedResources.roleName(forSpec: base + "-one")
        let two = ManagedResources.roleName(forSpec: base + "-two")
        #expect(one.count == 64)
        #expect(two.count == 64)
        #expect(one != two)
        #expect(one == ManagedResources.roleName(forSpec: base + "-one"))
        #expect(one.hasPrefix("aurorad-aaaa"))
        #expect(one.hasSuffix("-s3-import"))
        #expect(one.allSatisfy { $0.isLetter || $0.isNumber || "+=,.@_-".contains($0) })
    }

    @Test func exactlySixtyFourIsNotHashed() {
        let name = String(repeating: "b", count: 64 - "aurorad-".count - "-s3-import".count)
        #expect(ManagedResources.roleName(forSpec: name) == "aurorad-\(name)-s3-import")
    }

    @Test(arguments: [
        ("eu-west-1", "aws"), ("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"), ("us-iso-east-1", "aws-iso"), ("us-isob-east-1", "aws-iso-b"),
    ])
    func partitionFromRegion(region: String, partition: String) {
        #expect(ManagedResources.partition(forRegion: region) == partition)
    }

    @Test func partitionAndNameFromARNs() {
        #expect(ManagedResources.partition(fromARN: "arn:aws-cn:iam::123456789012:role/x") == "aws-cn")
        #expect(ManagedResources.partition(fromARN: "not-an-arn") == nil)
        #expect(ManagedResources.roleName(fromARN: "arn:aws:iam::123456789012:role/path/to/name") == "name")
        #expect(ManagedResources.roleName(fromARN: "arn:aws:iam::123456789012:user/name") == nil)
    }

    @Test func chinaRegionGivesChinaBucketARNsInTheInlinePolicy() {
        let spec = Fixture.spec()
        var observed = ObservedState(region: "cn-north-1", backup: .verified(serverVersion: "5.7.12"))
        observed.role = nil
        let plan = Planner.plan(desired: spec, generation: 1, observed: observed, deleting: false, now: Fixture.now)
        #expect(
            plan.steps.last
                == [
                    .putRolePolicy(
                        roleName: "aurorad-ex-s3-import-s3-import", policyName: "aurorad-s3-import",
                        policy: ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws-cn"))
                ])
        let policy = ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws-cn")
        #expect(policy.json.contains("arn:aws-cn:s3:::my-import-bucket/*"))
    }

    @Test func specTagsCannotOverrideOwnershipTags() {
        let spec = Fixture.spec(tags: ["aurorad:spec": "spoofed", "Team": "data"])
        #expect(
            ManagedResources.desiredTags(for: spec)
                == ["aurorad:spec": "ex-s3-import", "aurorad:managed-by": "aurorad", "Team": "data"])
    }

    @Test func tagDriftListsOnlyMissingOrChangedEntries() {
        let drift = ManagedResources.tagDrift(
            desired: ["a": "1", "b": "2", "c": "3"], observed: ["a": "1", "b": "x", "extra": "kept"])
        #expect(drift == ["b": "2", "c": "3"])
    }

    @Test(arguments: [
        (0.0, "n-final-19700101000000"), (1_700_000_000.0, "n-final-20231114221320"),
        (1_709_251_199.0, "n-final-20240229235959"),
    ])
    func finalSnapshotIdentifierIsUTC(seconds: Double, expected: String) {
        #expect(
            ManagedResources.finalSnapshotIdentifier(forSpec: "n", at: Date(timeIntervalSince1970: seconds))
                == expected)
    }

    @Test func stableHashIsFNV1a64() {
        #expect(ManagedResources.stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(ManagedResources.stableHash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(ManagedResources.stableHash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func restoreFactTagsAreTagSafe() {
        var spec = Fixture.spec(prefix: nil)
        #expect(
            RestoreFacts.tags(for: spec)
                == [
                    "aurorad:s3-bucket": "=my-import-bucket", "aurorad:s3-prefix": "none",
                    "aurorad:ingestion-role": "=managed", "aurorad:source-engine-version": "=5.7.12",
                ])
        spec.s3Import.bucketPrefix = "dumps (2024), final!"
        let hashed = RestoreFacts.tags(for: spec)["aurorad:s3-prefix"] ?? ""
        #expect(hashed.hasPrefix("fnv1a64:"))
        spec.s3Import.ingestionRole = "arn:aws:iam::123456789012:role/with,comma"
        #expect(RestoreFacts.tags(for: spec)["aurorad:ingestion-role"]?.hasPrefix("fnv1a64:") == true)
    }

    @Test func changedImmutableFieldsIgnoresFactsWithoutTags() {
        let spec = Fixture.spec()
        var cluster = Fixture.cluster(for: spec)
        cluster.tags.removeValue(forKey: "aurorad:s3-bucket")
        var changed = spec
        changed.s3Import.bucketName = "elsewhere"
        #expect(RestoreFacts.changedImmutableFields(spec: changed, cluster: cluster).isEmpty)
        changed.engine = "aurora-postgresql"
        #expect(RestoreFacts.changedImmutableFields(spec: changed, cluster: cluster) == ["engine"])
    }

    @Test(arguments: [("5.7.12", "5.7"), ("5.7.12-log", "5.7"), ("8.0.36-28", "8.0"), ("8", nil), ("x8.0", nil)])
    func majorMinor(version: String, expected: String?) {
        #expect(Planner.majorMinor(version) == expected)
    }

    @Test func featureNameIsNilForAuroraMySQL() {
        #expect(Planner.featureName(engine: "aurora-mysql", associationKey: "s3Import") == nil)
        #expect(Planner.featureName(engine: "aurora-postgresql", associationKey: "s3Import") == "s3Import")
    }

    @Test(arguments: [
        ("creating", StatusClass.pending), ("available", .available), ("migration-failed", .terminal),
        ("incompatible-network", .terminal), ("resetting-master-credentials", .pending), ("stopped", .unknown),
    ])
    func clusterStatusSets(status: String, expected: StatusClass) {
        #expect(ResourceStatus.classifyCluster(status) == expected)
    }

    @Test func ownTagsOnTheClusterAreWhatTheSpecValidatorBudgetsFor() {
        let spec = Fixture.spec()
        let own = ManagedResources.ownershipTags(forSpec: spec.name).merging(RestoreFacts.tags(for: spec)) { a, _ in a }
        #expect(own.count == AuroradTags.maxOwnTagsPerResource)
        #expect(own.keys.allSatisfy { $0.hasPrefix(AuroradTags.keyPrefix) })
    }
}
