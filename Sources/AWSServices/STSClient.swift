import AWSCore
import Foundation

/// The STS calls aurorad makes with its own credentials (botocore sts 2011-06-15).
public struct STSClient: Sendable {
    /// The shared client.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) {
        self.client = client
    }

    /// `GetCallerIdentity`: the account, ARN and user id of the current credentials.
    public func getCallerIdentity() throws -> CallerIdentity {
        try CallerIdentity(result: client.query(.sts, action: "GetCallerIdentity"))
    }

    /// `AssumeRole` with this client's credentials.
    public func assumeRole(
        roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil
    ) throws -> AssumedRole {
        let params = STSRequests.assumeRole(
            roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds)
        return try AssumedRole(result: client.query(.sts, action: "AssumeRole", params: params), action: "AssumeRole")
    }

    /// `AssumeRoleWithWebIdentity`, unsigned (the OIDC token is the authentication).
    public func assumeRoleWithWebIdentity(
        roleArn: String, sessionName: String, webIdentityToken: String, durationSeconds: Int? = nil
    ) throws -> AssumedRole {
        let params = STSRequests.assumeRoleWithWebIdentity(
            roleArn: roleArn, sessionName: sessionName, webIdentityToken: webIdentityToken,
            durationSeconds: durationSeconds)
        let result = try client.engine.query(
            .sts, endpoint: client.endpoint(.sts), action: "AssumeRoleWithWebIdentity", params: params,
            credentials: nil)
        return try AssumedRole(result: result, action: "AssumeRoleWithWebIdentity")
    }
}
