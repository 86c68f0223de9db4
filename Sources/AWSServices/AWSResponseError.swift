import AWSCore
import Foundation

/// A successful (2xx) AWS answer that aurorad could not read: malformed XML or a required element missing.
public struct AWSResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service that answered.
    public var service: AWSService
    /// The API action called.
    public var action: String
    /// What was wrong with the answer.
    public var reason: String

    public init(service: AWSService, action: String, reason: String) {
        self.service = service
        self.action = action
        self.reason = reason
    }

    public var description: String {
        "\(service.displayName) \(action) answered with a response aurorad cannot read: \(reason). If the endpoint is "
            + "a proxy or emulator, check that it speaks the real API."
    }
}

/// Reading required and typed values out of a result element, throwing `AWSResponseError` when one is missing.
struct ResultReader {
    let service: AWSService
    let action: String

    /// The trimmed text at `path` under `element`; throws when absent or empty.
    func required(_ element: AWSXMLElement, _ path: String) throws(AWSResponseError) -> String {
        guard let value = element.trimmedText(at: path) else {
            throw AWSResponseError(
                service: service, action: action, reason: "<\(element.name)> has no <\(path)>")
        }
        return value
    }

    /// The ISO 8601 timestamp at `path` under `element`; throws when absent or not a timestamp.
    func requiredDate(_ element: AWSXMLElement, _ path: String) throws(AWSResponseError) -> Date {
        let text = try required(element, path)
        guard let date = AWSTimestamp.parse(text) else {
            throw AWSResponseError(
                service: service, action: action, reason: "<\(path)> is not an ISO 8601 timestamp: \(text)")
        }
        return date
    }

    /// The integer at `path` under `element`, or nil when absent; throws when present but not an integer.
    func optionalInt(_ element: AWSXMLElement, _ path: String) throws(AWSResponseError) -> Int? {
        guard let text = element.trimmedText(at: path) else { return nil }
        guard let value = Int(text) else {
            throw AWSResponseError(service: service, action: action, reason: "<\(path)> is not an integer: \(text)")
        }
        return value
    }

    /// Tags from `<Key/><Value/>` elements (IAM `Tags/member`, RDS `TagList/Tag`), or from `<key/><value/>` ones
    /// with `key: "key", value: "value"` (EC2 `tagSet/item`); a missing value is empty.
    func tags(
        _ elements: [AWSXMLElement], key: String = "Key", value: String = "Value"
    ) throws(AWSResponseError) -> [AWSTag] {
        var tags: [AWSTag] = []
        for element in elements {
            tags.append(AWSTag(key: try required(element, key), value: element.text(at: value) ?? ""))
        }
        return tags
    }

    /// The tags of an EC2 resource or rule: its `tagSet/item` elements, with lower-case `<key/>` and `<value/>`.
    func ec2Tags(of element: AWSXMLElement) throws(AWSResponseError) -> [AWSTag] {
        try tags(element.elements(at: "tagSet/item"), key: "key", value: "value")
    }
}

/// ISO 8601 timestamps as AWS XML sends them (`2026-03-01T10:00:00Z`, `2026-03-01T10:00:00.123Z`). Through
/// `Date.ISO8601FormatStyle`, not `ISO8601DateFormatter`: the latter opens an ICU date formatter per call, whose locale
/// and time-zone data stayed paged in for the daemon's life after the first backup listing.
enum AWSTimestamp {
    /// The instant `text` names, or nil.
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return (try? Date.ISO8601FormatStyle().parse(trimmed))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(trimmed))
    }

    /// `date` as `2026-03-01T10:00:00Z`, the form the Query protocol sends timestamps in.
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
