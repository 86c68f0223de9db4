/// The tag budget aurorad shares with the operator: its own tags' key prefix and how many of them it puts on one
/// resource, so a spec whose tags would not fit is refused at submit instead of failing a create call later.
public enum AuroradTags {
    /// The key prefix of every tag aurorad sets; user tags may not use it.
    public static let keyPrefix = "aurorad:"
    /// RDS and IAM allow at most 50 tags per resource (RDS User Guide "Tagging Amazon RDS resources"; IAM User
    /// Guide "IAM and AWS STS quotas").
    public static let maxTagsPerResource = 50
    /// The most tags aurorad itself puts on one resource: the cluster carries two ownership tags and four restore
    /// facts (`ManagedResources`, `RestoreFacts` in the Reconciler; a test there keeps this number true).
    public static let maxOwnTagsPerResource = 6
    /// How many user tags fit beside aurorad's own.
    public static var maxUserTags: Int { maxTagsPerResource - maxOwnTagsPerResource }
}
