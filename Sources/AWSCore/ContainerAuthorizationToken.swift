import Foundation

/// Where the `Authorization` header for the container credentials endpoint comes from, as the AWS SDKs read it:
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` wins over `AWS_CONTAINER_AUTHORIZATION_TOKEN` (botocore
/// `ContainerProvider._build_headers`). The file is read on every fetch because EKS Pod Identity rotates the token in
/// it. Errors name the variable or file, never the token.
enum ContainerAuthorizationToken: Sendable {
    /// The variable naming a file that holds the token (EKS Pod Identity sets it).
    static let fileVariable = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
    /// The variable holding the token itself.
    static let valueVariable = "AWS_CONTAINER_AUTHORIZATION_TOKEN"

    /// No token: the request carries no `Authorization` header (ECS task roles).
    case none
    /// The token is read from this file at each fetch.
    case file(String)
    /// The token given in the environment.
    case value(String)

    /// The token source `environment` configures; a token value with a line break is a configuration error.
    static func fromEnvironment(_ environment: [String: String]) throws -> ContainerAuthorizationToken {
        if let path = EnvironmentCredentialProvider.value(of: fileVariable, in: environment) { return .file(path) }
        guard let token = EnvironmentCredentialProvider.value(of: valueVariable, in: environment) else { return .none }
        try checkHeaderSafe(token, origin: valueVariable, kind: .invalidConfiguration)
        return .value(token)
    }

    /// The current token, read from the file when there is one; nil when no token is configured.
    func current() throws -> String? {
        switch self {
        case .none:
            return nil
        case .value(let token):
            return token
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CredentialError(
                    .retrievalFailed,
                    "The container authorization token file \(path) (\(Self.fileVariable)) does not exist or cannot "
                        + "be read. Check the path and that the token is mounted for this process's user.")
            }
            let token = String(decoding: data, as: UTF8.self)
            guard !token.isEmpty else {
                throw CredentialError(
                    .retrievalFailed,
                    "The container authorization token file \(path) (\(Self.fileVariable)) is empty. Check that "
                        + "the agent that writes it (EKS Pod Identity) is running.")
            }
            try Self.checkHeaderSafe(
                token, origin: "The token in \(path) (\(Self.fileVariable))", kind: .retrievalFailed)
            return token
        }
    }

    /// Rejects a token with CR or LF, which would end the `Authorization` header early and inject the rest
    /// (botocore `_validate_auth_token`).
    private static func checkHeaderSafe(_ token: String, origin: String, kind: CredentialError.Kind) throws {
        guard token.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return }
        throw CredentialError(
            kind,
            "\(origin) contains a line break (CR or LF), which is not allowed in an HTTP header. Remove it, "
                + "including any trailing newline.")
    }
}
