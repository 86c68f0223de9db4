import Foundation

/// A set of AWS credentials. Its descriptions never show the secret key or the session token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id (`AKIA…` or `ASIA…`); not a secret, shown in descriptions.
    public var accessKeyId: String
    /// The secret access key: used only to derive signing keys, never printed.
    public var secretAccessKey: String
    /// The session token of temporary credentials: sent as `X-Amz-Security-Token`, never printed.
    public var sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-lived keys.
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        var text = "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(expiration.formatted(Date.ISO8601FormatStyle()))" }
        return text + ")"
    }

    public var debugDescription: String { description }
}
