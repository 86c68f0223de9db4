import Foundation

/// Reads the JSON documents credential sources print (IMDS, `credential_process`) without ever echoing values:
/// errors name keys, not contents, because the contents are secrets.
struct CredentialJSON {
    private let object: [String: Any]
    /// Who produced the document, for error messages ("credential_process of profile dev").
    private let origin: String

    /// Parses `data` as a JSON object; anything else is an error naming `origin`.
    init(_ data: Data, origin: String) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CredentialError(
                .retrievalFailed,
                "\(origin) returned \(data.isEmpty ? "nothing" : "output that is not a JSON object"); it must "
                    + "print a JSON object with AccessKeyId, SecretAccessKey and the other credential fields.")
        }
        self.object = object
        self.origin = origin
    }

    /// The value of `key` if it is a string, nil if absent; another type is an error.
    func string(_ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw CredentialError(.retrievalFailed, "\(origin) returned a \(key) that is not a string.")
        }
        return text
    }

    /// The non-empty string value of `key`, or an error saying it is missing.
    func requiredString(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else {
            throw CredentialError(.retrievalFailed, "\(origin) returned no \(key); the field is required.")
        }
        return value
    }

    /// The raw value of `key` (numbers, booleans), nil if absent.
    func value(_ key: String) -> Any? { object[key] }

    /// The ISO 8601 date in `key`, nil if absent; an unparseable date is an error.
    func date(_ key: String) throws -> Date? {
        guard let text = try string(key) else { return nil }
        guard let date = Self.parseDate(text) else {
            throw CredentialError(
                .retrievalFailed, "\(origin) returned \(key) \"\(text)\", which is not an ISO 8601 date and time.")
        }
        return date
    }

    /// Parses an ISO 8601 timestamp with or without fractional seconds (`2026-11-25T12:00:00Z`).
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
