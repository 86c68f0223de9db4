/// Whether an event is routine or something the operator should look at.
public enum EventType: String, Codable, Sendable, CaseIterable {
    /// Routine progress: an action taken, a step finished.
    case normal = "Normal"
    /// An error or anything unexpected.
    case warning = "Warning"
}

/// One entry of a spec's bounded event log: an action aurorad took or an error it met.
public struct SpecEvent: Codable, Sendable, Equatable {
    /// When it happened.
    public var time: Timestamp
    /// Normal or Warning.
    public var type: EventType
    /// A CamelCase word, e.g. `CreatedRole` or `RestoreFailed`.
    public var reason: String
    /// A sentence saying what happened.
    public var message: String

    /// Creates an event.
    public init(time: Timestamp, type: EventType, reason: String, message: String) {
        self.time = time
        self.type = type
        self.reason = reason
        self.message = message
    }

    /// The JSON member names of the status contract; `StatusJSON` writes the same ones.
    public enum CodingKeys: String, CodingKey {
        case time, type, reason, message
    }
}
