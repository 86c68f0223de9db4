import ImportSpec

/// The restore inputs RDS does not report back, recorded as cluster tags at restore time so a later spec change to a
/// field that cannot change after the restore is noticed from AWS alone (no local memory needed, level-triggered).
///
/// DescribeDBClusters shows the engine and master user name but nothing about the S3 source, so the restore call
/// carries these tags. A value is stored as `=<value>` when RDS's tag charset allows it, `none` when unset, and as a
/// stable hash otherwise; only equality matters.
public enum RestoreFacts {
    /// One recorded fact: its tag key, the spec field path it mirrors and how to read it from a spec.
    struct Fact: Sendable {
        let tagKey: String
        let field: String
        let value: @Sendable (ImportSpec) -> String?
    }

    /// Every recorded fact, in the order a condition message names them.
    static let facts: [Fact] = [
        Fact(tagKey: AuroradTags.keyPrefix + "s3-bucket", field: "s3_import.bucket_name") { $0.s3Import.bucketName },
        Fact(tagKey: AuroradTags.keyPrefix + "s3-prefix", field: "s3_import.bucket_prefix") {
            $0.s3Import.bucketPrefix
        },
        Fact(tagKey: AuroradTags.keyPrefix + "ingestion-role", field: "s3_import.ingestion_role") {
            $0.s3Import.ingestionRole ?? "managed"
        },
        Fact(tagKey: AuroradTags.keyPrefix + "source-engine-version", field: "s3_import.source_engine_version") {
            $0.s3Import.sourceEngineVersion
        },
    ]

    /// The tags the restore call adds for `spec`.
    public static func tags(for spec: ImportSpec) -> [String: String] {
        Dictionary(uniqueKeysWithValues: facts.map { ($0.tagKey, encode($0.value(spec))) })
    }

    /// The spec fields that cannot change after the restore and differ from the cluster: tag facts, engine and
    /// master user name. A fact whose tag is missing is not judged (the cluster predates the tag or lost it).
    public static func changedImmutableFields(spec: ImportSpec, cluster: ObservedCluster) -> [String] {
        var changed: [String] = []
        if cluster.engine != spec.engine { changed.append("engine") }
        if cluster.masterUsername != spec.masterUsername { changed.append("master_username") }
        for fact in facts {
            if let recorded = cluster.tags[fact.tagKey], recorded != encode(fact.value(spec)) {
                changed.append(fact.field)
            }
        }
        return changed
    }

    /// The tag value for a fact value: see the type's summary.
    static func encode(_ value: String?) -> String {
        guard let value else { return "none" }
        if value.count < 256 && value.unicodeScalars.allSatisfy(isTagSafe) { return "=" + value }
        return "fnv1a64:" + String(ManagedResources.stableHash(value), radix: 16)
    }

    /// RDS's tag value charset: `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$` (botocore's RDS `Tag.Value` documentation).
    private static func isTagSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .spaceSeparator, .lineSeparator, .paragraphSeparator, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return "_.:/=+-@".unicodeScalars.contains(scalar)
        }
    }
}
