/// A status as `list` reads it: the record with its conditions left out, and those conditions as the JSON array text
/// they are stored as (`[]` before the first status write), for a caller that passes them on without decoding.
public struct ListedStatus: Sendable, Equatable {
    /// The status, `conditions` empty.
    public var status: SpecStatus
    /// The conditions: a JSON array of `Condition` objects.
    public var conditionsJSON: String

    /// Pairs a status with its conditions' text.
    public init(status: SpecStatus, conditionsJSON: String) {
        self.status = status
        self.conditionsJSON = conditionsJSON
    }
}
