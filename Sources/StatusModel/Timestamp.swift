import Foundation

/// A point in time with whole-second precision, encoded in JSON as an ISO-8601 UTC string (`2024-05-01T12:00:00Z`).
///
/// Status and events are read by people and by scripts: seconds are precise enough, and a value that went through
/// the database or the socket compares equal to the one that was stored, whatever encoder strategy the caller uses.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let secondsSince1970: Int64

    /// Creates a timestamp from whole seconds since the Unix epoch.
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// Creates a timestamp from `date`, dropping the fraction of a second.
    public init(_ date: Date) {
        self.secondsSince1970 = Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// Parses an ISO-8601 UTC string such as `2024-05-01T12:00:00Z`; nil when it is not one.
    public init?(iso8601 text: String) {
        if let seconds = ISO8601Text.parse(text) {
            self.init(secondsSince1970: seconds)
            return
        }
        guard let date = try? Date.ISO8601FormatStyle().parse(text) else { return nil }
        self.init(date)
    }

    /// The current time, to the second.
    public static func now() -> Timestamp {
        Timestamp(Date())
    }

    /// The same instant as a `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: TimeInterval(secondsSince1970))
    }

    /// The ISO-8601 UTC form, e.g. `2024-05-01T12:00:00Z`.
    public var description: String {
        ISO8601Text.format(secondsSince1970) ?? date.formatted(Date.ISO8601FormatStyle())
    }

    /// Orders timestamps by time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    /// Decodes an ISO-8601 UTC string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let timestamp = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an ISO-8601 UTC time such as 2024-05-01T12:00:00Z.")
        }
        self = timestamp
    }

    /// Encodes the ISO-8601 UTC string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
