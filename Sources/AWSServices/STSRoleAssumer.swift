import AWSCore
import Foundation

/// The credential chain's STS path: `AssumeRole` signed with the source credentials it is handed, and the unsigned
/// `AssumeRoleWithWebIdentity`. `AWSClient` builds one over its own transport and retry policy.
public struct STSRoleAssumer: RoleAssumer {
    let engine: AWSCallEngine
    let endpoint: ResolvedEndpoint

    /// STS `AssumeRole` signed with `sourceCredentials`.
    public func assumeRole(
        roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
        using sourceCredentials: AWSCredentials
    ) throws -> AWSCredentials {
        let params = STSRequests.assumeRole(
            roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds)
        let result = try engine.query(
            .sts, endpoint: endpoint, action: "AssumeRole", params: params, credentials: { sourceCredentials })
        return try AssumedRole(result: result, action: "AssumeRole").credentials
    }

    /// STS `AssumeRoleWithWebIdentity`, unsigned (the token is the authentication).
    public func assumeRoleWithWebIdentity(
        roleArn: String, sessionName: String, webIdentityToken: String, durationSeconds: Int?
    ) throws -> AWSCredentials {
        let params = STSRequests.assumeRoleWithWebIdentity(
            roleArn: roleArn, sessionName: sessionName, webIdentityToken: webIdentityToken,
            durationSeconds: durationSeconds)
        let result = try engine.query(
            .sts, endpoint: endpoint, action: "AssumeRoleWithWebIdentity", params: params, credentials: nil)
        return try AssumedRole(result: result, action: "AssumeRoleWithWebIdentity").credentials
    }
}
