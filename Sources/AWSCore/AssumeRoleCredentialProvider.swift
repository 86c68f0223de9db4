import Foundation

/// The STS calls the credential chain needs. The real implementation is the STS client in `AWSServices`; the chain
/// takes it injected because `AWSCore` cannot depend on that module.
public protocol RoleAssumer: Sendable {
    /// STS `AssumeRole`, signed with `sourceCredentials`; returns the role's temporary credentials.
    func assumeRole(
        roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
        using sourceCredentials: AWSCredentials
    ) throws -> AWSCredentials

    /// STS `AssumeRoleWithWebIdentity` (an unsigned call authorised by the token); returns temporary credentials.
    func assumeRoleWithWebIdentity(
        roleArn: String, sessionName: String, webIdentityToken: String, durationSeconds: Int?
    ) throws -> AWSCredentials
}

/// Temporary credentials of a role, assumed with credentials from another provider (profile `role_arn` with
/// `source_profile` or `credential_source`). Wrap it in `RefreshingCredentialProvider` to cache them.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    /// The role to assume.
    public let roleArn: String
    /// `RoleSessionName` sent to STS.
    public let sessionName: String
    /// `ExternalId` sent to STS, when the role's trust policy requires one.
    public let externalId: String?
    /// `DurationSeconds` sent to STS; nil lets STS choose (one hour).
    public let durationSeconds: Int?
    private let source: any CredentialProvider
    private let roleAssumer: any RoleAssumer

    /// Assumes `roleArn` with the credentials of `source` through `roleAssumer`.
    public init(
        roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil,
        source: any CredentialProvider, roleAssumer: any RoleAssumer
    ) {
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
        self.source = source
        self.roleAssumer = roleAssumer
    }

    /// "assume role arn:… via <source>".
    public var sourceDescription: String { "assume role \(roleArn) via \(source.sourceDescription)" }

    /// Gets the source's credentials, then calls STS AssumeRole with them.
    public func credentials() throws -> AWSCredentials {
        let sourceCredentials = try source.credentials()
        return try roleAssumer.assumeRole(
            roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds,
            using: sourceCredentials)
    }

    /// A `RoleSessionName` for when none is configured: `aurorad-<unix seconds>` fits STS's `[\w+=,.@-]{2,64}`.
    static func defaultSessionName(now: Date) -> String {
        "aurorad-\(Int(now.timeIntervalSince1970))"
    }
}
