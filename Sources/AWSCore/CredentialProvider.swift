import Foundation

/// A source of AWS credentials. Calls block (a source may run a process or make HTTP calls) and are thread-safe.
public protocol CredentialProvider: Sendable {
    /// Current credentials from this source, or an error saying why there are none.
    func credentials() throws -> AWSCredentials
    /// Where the credentials come from, for `aurorad aws whoami` and logs (never contains a secret).
    var sourceDescription: String { get }
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
