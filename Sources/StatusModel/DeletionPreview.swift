/// What `aurorad ctl delete` shows before asking: the deletion's steps and what it leaves in place. The
/// reconciler computes it and `ctl` renders it; this one Codable type is the wire format between them.
public struct DeletionPreview: Codable, Equatable, Sendable {
    /// Action descriptions of every projected step group of the deletion, in order; removing the spec is implied.
    public var steps: [[String]]
    /// What the deletion leaves in place because aurorad does not own it, one phrase each.
    public var leftInPlace: [String]
    /// Whether the projection ends with the spec removed; false: it waits (`message` says for what).
    public var completes: Bool
    /// A sentence about the end of the projection.
    public var message: String

    /// Creates a deletion preview.
    public init(steps: [[String]], leftInPlace: [String], completes: Bool, message: String) {
        self.steps = steps
        self.leftInPlace = leftInPlace
        self.completes = completes
        self.message = message
    }
}
