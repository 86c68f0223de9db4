import AWSCore
import Foundation

/// STS `GetCallerIdentity`: who the credentials belong to.
public struct CallerIdentity: Sendable, Equatable, Codable {
    /// The 12-digit account id.
    public var account: String
    /// The caller's ARN (user, assumed role, …).
    public var arn: String
    /// The caller's unique id (`AIDA…`, or `AROA…:session`).
    public var userId: String

    public init(account: String, arn: String, userId: String) {
        self.account = account
        self.arn = arn
        self.userId = userId
    }

    /// Reads `<GetCallerIdentityResult>`.
    init(result: AWSXMLElement) throws {
        let reader = ResultReader(service: .sts, action: "GetCallerIdentity")
        account = try reader.required(result, "Account")
        arn = try reader.required(result, "Arn")
        userId = try reader.required(result, "UserId")
    }
}

/// The answer of STS `AssumeRole` or `AssumeRoleWithWebIdentity`: temporary credentials and the assumed role.
public struct AssumedRole: Sendable, Equatable, CustomStringConvertible {
    /// The temporary credentials (print redacted).
    public var credentials: AWSCredentials
    /// The assumed-role ARN (`arn:aws:sts::123456789012:assumed-role/name/session`).
    public var assumedRoleArn: String
    /// The assumed-role id (`AROA…:session`).
    public var assumedRoleId: String

    public init(credentials: AWSCredentials, assumedRoleArn: String, assumedRoleId: String) {
        self.credentials = credentials
        self.assumedRoleArn = assumedRoleArn
        self.assumedRoleId = assumedRoleId
    }

    public var description: String { "AssumedRole(\(assumedRoleArn), \(credentials))" }

    /// Reads `<AssumeRoleResult>` / `<AssumeRoleWithWebIdentityResult>`.
    init(result: AWSXMLElement, action: String) throws {
        let reader = ResultReader(service: .sts, action: action)
        credentials = AWSCredentials(
            accessKeyId: try reader.required(result, "Credentials/AccessKeyId"),
            secretAccessKey: try reader.required(result, "Credentials/SecretAccessKey"),
            sessionToken: try reader.required(result, "Credentials/SessionToken"),
            expiration: try reader.requiredDate(result, "Credentials/Expiration"))
        assumedRoleArn = try reader.required(result, "AssumedRoleUser/Arn")
        assumedRoleId = try reader.required(result, "AssumedRoleUser/AssumedRoleId")
    }
}

/// The request bodies of the STS calls, shared by `STSClient` and `STSRoleAssumer` (botocore sts 2011-06-15).
enum STSRequests {
    /// `AssumeRole` with the members the SDKs' profile providers send.
    static func assumeRole(roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?)
        -> QueryEncoding
    {
        var params = QueryEncoding(action: "AssumeRole", version: AWSService.sts.apiVersion)
        params.add("RoleArn", roleArn)
        params.add("RoleSessionName", sessionName)
        params.add("DurationSeconds", durationSeconds)
        params.add("ExternalId", externalId)
        return params
    }

    /// `AssumeRoleWithWebIdentity`; the token is a secret, so this body is never logged (no body is).
    static func assumeRoleWithWebIdentity(
        roleArn: String, sessionName: String, webIdentityToken: String, durationSeconds: Int?
    ) -> QueryEncoding {
        var params = QueryEncoding(action: "AssumeRoleWithWebIdentity", version: AWSService.sts.apiVersion)
        params.add("RoleArn", roleArn)
        params.add("RoleSessionName", sessionName)
        params.add("WebIdentityToken", webIdentityToken)
        params.add("DurationSeconds", durationSeconds)
        return params
    }
}
