import Foundation
import ImportSpec

/// Deterministic names, documents and tags of what aurorad creates for a spec; the same spec always yields the same.
public enum ManagedResources {
    /// The ownership tag saying a resource is managed by aurorad.
    public static let managedByTagKey = AuroradTags.keyPrefix + "managed-by"
    /// The value of `managedByTagKey`.
    public static let managedByTagValue = "aurorad"
    /// The ownership tag naming the spec a resource belongs to.
    public static let specTagKey = AuroradTags.keyPrefix + "spec"
    /// The name of the inline policy aurorad puts on a managed role.
    public static let inlinePolicyName = "aurorad-s3-import"
    /// The description given to a managed role.
    public static let roleDescription = "IAM role to allow RDS to import a MySQL backup from S3, managed by aurorad"
    /// The service principal RDS assumes roles as.
    public static let rdsServicePrincipal = "rds.amazonaws.com"
    /// The longest IAM role name IAM accepts.
    public static let maxRoleNameLength = 64

    /// The characters IAM allows in a role name.
    private static let roleNameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-")

    /// The managed role's name: `aurorad-<name>-s3-import`, shortened with a stable hash when over 64 characters.
    public static func roleName(forSpec name: String) -> String {
        let prefix = "aurorad-"
        let suffix = "-s3-import"
        let cleaned = String(name.map { roleNameCharacters.contains($0) ? $0 : "-" })
        let full = prefix + cleaned + suffix
        if full.count <= maxRoleNameLength && cleaned == name { return full }
        // Hash the original name so two specs that differ only past the cut (or in replaced characters) differ.
        let hash = String(format: "%08x", UInt32(truncatingIfNeeded: stableHash(name)))
        let keep = maxRoleNameLength - prefix.count - suffix.count - hash.count - 1
        return prefix + cleaned.prefix(keep) + "-" + hash + suffix
    }

    /// The ARN partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, `aws` elsewhere.
    public static func partition(forRegion region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        if region.hasPrefix("us-isob-") { return "aws-iso-b" }
        if region.hasPrefix("us-iso-") { return "aws-iso" }
        return "aws"
    }

    /// The partition named by an ARN (`arn:<partition>:…`), or `nil` when the text is not an ARN.
    public static func partition(fromARN arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "arn", !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }

    /// The account named by an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`), or `nil` when it names
    /// none (S3 bucket ARNs) or the text is not an ARN.
    public static func account(fromARN arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[4].isEmpty else { return nil }
        return String(parts[4])
    }

    /// The role name inside a role ARN (`arn:aws:iam::123456789012:role/path/name` → `name`).
    public static func roleName(fromARN arn: String) -> String? {
        guard let range = arn.range(of: ":role/") else { return nil }
        let path = arn[range.upperBound...]
        return path.split(separator: "/").last.map(String.init)
    }

    /// The bucket's ARN in a partition.
    public static func bucketARN(_ bucket: String, partition: String) -> String {
        "arn:\(partition):s3:::\(bucket)"
    }

    /// The trust policy of a managed role: `service` (by default `rds.amazonaws.com`) may call `sts:AssumeRole`.
    public static func trustPolicy(service: String = rdsServicePrincipal) -> PolicyDocument {
        PolicyDocument(statements: [
            PolicyStatement(principal: ["Service": [service]], actions: ["sts:AssumeRole"])
        ])
    }

    // MARK: The Enhanced Monitoring role (`create_monitoring_role`)

    /// The service principal Enhanced Monitoring assumes its role as (the module's `monitoring.rds` principal).
    public static let monitoringServicePrincipal = "monitoring.rds.amazonaws.com"
    /// The description of the monitoring role when the spec gives no `iam_role_description`.
    public static let monitoringRoleDescription =
        "IAM role to let RDS Enhanced Monitoring send metrics to CloudWatch Logs, managed by aurorad"

    /// The AWS managed policy the module attaches to the monitoring role, in a partition.
    public static func monitoringPolicyArn(partition: String) -> String {
        "arn:\(partition):iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    }

    /// The monitoring role's name: `ImportSpec.monitoringRoleBaseName`, followed with `iam_role_use_name_prefix` by
    /// `-` and 8 hex digits of a stable hash of the spec name (Terraform's suffix is random; aurorad must find the
    /// role again by name).
    public static func monitoringRoleName(for spec: ImportSpec) -> String {
        let base = spec.monitoringRoleBaseName
        guard spec.monitoringRole.iamRoleUseNamePrefix == true else { return base }
        return base + "-" + String(format: "%08x", UInt32(truncatingIfNeeded: stableHash(spec.name)))
    }

    /// The inline policy of a managed role, as in the seed (list and locate the bucket, read its objects), plus
    /// `kms:Decrypt` on `kmsKeyArn` when the backup is SSE-KMS encrypted with it: RDS needs that to read the objects
    /// (Aurora user guide, "Creating an IAM policy to access Amazon S3 resources").
    public static func inlinePolicy(bucket: String, partition: String, kmsKeyArn: String? = nil) -> PolicyDocument {
        let arn = bucketARN(bucket, partition: partition)
        let decrypt = kmsKeyArn.map { [PolicyStatement(actions: [kmsDecrypt], resources: [$0])] } ?? []
        return PolicyDocument(
            statements: [
                PolicyStatement(actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [arn]),
                PolicyStatement(actions: ["s3:GetObject"], resources: ["\(arn)/*"]),
            ] + decrypt)
    }

    /// The KMS key a managed role's inline policy lets RDS decrypt with, if any.
    public static func kmsKeyArn(in policy: PolicyDocument?) -> String? {
        policy?.statements.first { $0.actions == [kmsDecrypt] }?.resources.first
    }

    private static let kmsDecrypt = "kms:Decrypt"

    /// aurorad's ownership tags for a spec.
    public static func ownershipTags(forSpec name: String) -> [String: String] {
        [managedByTagKey: managedByTagValue, specTagKey: name]
    }

    /// The tags every resource aurorad creates for the spec carries: the spec's tags plus the ownership tags.
    public static func desiredTags(for spec: ImportSpec) -> [String: String] {
        (spec.tags ?? [:]).merging(ownershipTags(forSpec: spec.name)) { _, ours in ours }
    }

    /// Whether tags say the resource belongs to this spec (aurorad's ownership tags, both present and matching).
    public static func isOwned(tags: ResourceTags, bySpec name: String) -> Bool {
        tags[managedByTagKey] == managedByTagValue && tags[specTagKey] == name
    }

    /// The entries of `desired` that `observed` lacks or holds with another value: what a re-tag must write.
    public static func tagDrift(desired: [String: String], observed: ResourceTags) -> [String: String] {
        desired.filter { observed[$0.key] != $0.value }
    }

    /// The final snapshot taken when a spec is deleted: `<name>-final-<UTC yyyyMMddHHmmss>`.
    public static func finalSnapshotIdentifier(forSpec name: String, at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(
            format: "%04d%02d%02d%02d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0,
            c.second ?? 0)
        return "\(name)-final-\(stamp)"
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: stable across runs and platforms, unlike `Hasher`.
    public static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
