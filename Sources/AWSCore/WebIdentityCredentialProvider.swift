import Foundation

/// Temporary credentials from STS `AssumeRoleWithWebIdentity` with a token read from a file (EKS IRSA and other
/// OIDC federation): `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`), or a profile's
/// `web_identity_token_file` + `role_arn`. The file is read on every fetch because its owner rotates the token.
public struct WebIdentityCredentialProvider: CredentialProvider {
    /// The file holding the OIDC token.
    public let tokenFile: String
    /// The role to assume.
    public let roleArn: String
    /// `RoleSessionName` sent to STS.
    public let sessionName: String
    /// `DurationSeconds` sent to STS; nil lets STS choose.
    public let durationSeconds: Int?
    /// Where the configuration came from: "web identity token file" or "web identity token file (profile x)".
    public let sourceDescription: String
    private let roleAssumer: any RoleAssumer

    /// Assumes `roleArn` with the token in `tokenFile` through `roleAssumer`.
    public init(
        tokenFile: String, roleArn: String, sessionName: String, durationSeconds: Int? = nil,
        roleAssumer: any RoleAssumer, sourceDescription: String = "web identity token file"
    ) {
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
        self.roleAssumer = roleAssumer
        self.sourceDescription = sourceDescription
    }

    /// The web identity settings in `environment`, nil when neither variable is set; one without the other is an error.
    static func fromEnvironment(
        _ environment: [String: String], roleAssumer: any RoleAssumer, now: Date
    ) throws -> WebIdentityCredentialProvider? {
        let tokenFile = EnvironmentCredentialProvider.value(of: "AWS_WEB_IDENTITY_TOKEN_FILE", in: environment)
        let roleArn = EnvironmentCredentialProvider.value(of: "AWS_ROLE_ARN", in: environment)
        switch (tokenFile, roleArn) {
        case (nil, nil):
            return nil
        case (let tokenFile?, let roleArn?):
            return WebIdentityCredentialProvider(
                tokenFile: tokenFile, roleArn: roleArn,
                sessionName: EnvironmentCredentialProvider.value(of: "AWS_ROLE_SESSION_NAME", in: environment)
                    ?? AssumeRoleCredentialProvider.defaultSessionName(now: now),
                roleAssumer: roleAssumer)
        default:
            let missing = tokenFile == nil ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN"
            throw CredentialError(
                .invalidConfiguration,
                "Web identity credentials need both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, but \(missing) is "
                    + "not set. Set it, or unset the other.")
        }
    }

    /// Reads the token file and calls STS AssumeRoleWithWebIdentity.
    public func credentials() throws -> AWSCredentials {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CredentialError(
                .retrievalFailed,
                "The web identity token file \(tokenFile) does not exist or cannot be read. Check the path and that "
                    + "the token is mounted for this process's user.")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw CredentialError(.retrievalFailed, "The web identity token file \(tokenFile) is empty.")
        }
        return try roleAssumer.assumeRoleWithWebIdentity(
            roleArn: roleArn, sessionName: sessionName, webIdentityToken: token, durationSeconds: durationSeconds)
    }
}
