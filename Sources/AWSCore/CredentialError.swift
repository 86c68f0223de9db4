import Foundation

/// Why credentials could not be found or obtained. Descriptions are full sentences that say what to do, and never
/// contain a secret key, a session token or a web identity token.
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad reason, for callers that branch on it.
    public enum Kind: Sendable, Equatable {
        /// No source in the chain had credentials.
        case notFound
        /// A configured source is incomplete or contradicts itself (partial environment, bad profile, cycle).
        case invalidConfiguration
        /// A configured source failed to deliver credentials (process failed, IMDS refused, STS failed).
        case retrievalFailed
        /// The cached temporary credentials expired and could not be refreshed.
        case expired
    }

    /// The broad reason.
    public let kind: Kind
    /// The full sentence(s) shown to the operator.
    public let description: String

    /// Makes an error of `kind` with the operator-facing `description`.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
