import Foundation

/// A source of AWS credentials. Calls block (a source may run a process or make HTTP calls) and are thread-safe.
///
/// Printing, debug-printing or dumping a provider shows only its `sourceDescription`: the default descriptions and
/// mirror would expose stored keys, environments and commands.
public protocol CredentialProvider: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Current credentials from this source, or an error saying why there are none.
    func credentials() throws -> AWSCredentials
    /// Where the credentials come from, for `aurorad aws whoami` and logs (never contains a secret).
    var sourceDescription: String { get }
}

extension CredentialProvider {
    /// "credentials from <source>", never the stored values.
    public var description: String { "credentials from \(sourceDescription)" }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror with no children, so `dump` shows nothing stored.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Credentials given explicitly (daemon configuration or a test): always the same, never refreshed.
public struct StaticCredentialProvider: CredentialProvider {
    private let value: AWSCredentials
    /// Where the credentials were given, e.g. "explicit configuration".
    public let sourceDescription: String

    /// Serves `credentials`, describing their origin as `sourceDescription`.
    public init(_ credentials: AWSCredentials, sourceDescription: String = "explicit configuration") {
        self.value = credentials
        self.sourceDescription = sourceDescription
    }

    /// The credentials given at creation.
    public func credentials() throws -> AWSCredentials { value }
}
