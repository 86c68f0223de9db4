import Foundation

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    private let environment: [String: String]

    /// Reads the variables from `environment` (pass `ProcessInfo.processInfo.environment` in the daemon).
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// "environment".
    public var sourceDescription: String { "environment" }

    /// Whether any of the three variables is set (non-empty): then the environment is the chosen source, and an
    /// incomplete set is an error rather than a reason to look further.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
            .contains { value(of: $0, in: environment) != nil }
    }

    /// The credentials in the environment; an incomplete set throws an error naming the missing variables.
    public func credentials() throws -> AWSCredentials {
        let accessKey = Self.value(of: "AWS_ACCESS_KEY_ID", in: environment)
        let secretKey = Self.value(of: "AWS_SECRET_ACCESS_KEY", in: environment)
        guard let accessKey, let secretKey else {
            let missing = [("AWS_ACCESS_KEY_ID", accessKey), ("AWS_SECRET_ACCESS_KEY", secretKey)]
                .filter { $0.1 == nil }.map(\.0)
            throw CredentialError(
                .invalidConfiguration,
                "The environment has only part of a set of AWS credentials: \(missing.joined(separator: " and ")) "
                    + "\(missing.count == 1 ? "is" : "are") not set. Set both AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or unset all three.")
        }
        return AWSCredentials(
            accessKeyId: accessKey, secretAccessKey: secretKey,
            sessionToken: Self.value(of: "AWS_SESSION_TOKEN", in: environment))
    }

    /// The variable's value, treating an empty string as unset (as the SDKs do).
    static func value(of name: String, in environment: [String: String]) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}
