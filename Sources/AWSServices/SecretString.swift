/// A secret value (a database master password) that prints, debug-prints and dumps as `<redacted>`, so it cannot
/// reach a log line, an error or a status by accident. Only the request encoder reads it.
public struct SecretString: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    let revealed: String

    /// Wraps `value` (read from the password file at call time).
    public init(_ value: String) {
        revealed = value
    }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// A mirror with no children, so `dump` shows nothing.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
