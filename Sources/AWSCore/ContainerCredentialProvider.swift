import Foundation

/// Credentials of an ECS task role or an EKS Pod Identity association, from the container credentials endpoint
/// configured by `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (see
/// `ContainerCredentialEndpoint`), with the token of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header.
///
/// Each fetch is a `GET` answered by `{AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?}`, or by an error
/// status with `{code, message}`. As botocore's `ContainerMetadataFetcher`: each attempt has a 2 s timeout, and a
/// failed attempt (no answer, an error status, an unreadable body) is retried after a 1 s pause, 3 attempts in all.
/// Every failure is a `CredentialError` that names the endpoint, never the token or the credentials.
public struct ContainerCredentialProvider: CredentialProvider {
    private let endpoint: ContainerCredentialEndpoint
    private let transport: any HTTPTransport
    private let timeout: Duration
    private let attempts: Int
    private let retryPause: Duration
    /// The ECS agent's link-local base that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is appended to.
    public static let defaultRelativeURIBase = "http://169.254.170.2"
    /// Error messages from the endpoint are cut to this many characters: they are for people, not for parsing.
    private static let messageLimit = 300

    private init(
        endpoint: ContainerCredentialEndpoint, transport: any HTTPTransport, timeout: Duration, attempts: Int,
        retryPause: Duration
    ) {
        self.endpoint = endpoint
        self.transport = transport
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.retryPause = retryPause
    }

    /// The provider `environment` configures, nil when neither URI variable is set; a disallowed full URI or a token
    /// with a line break throws. `relativeURIBase` replaces `http://169.254.170.2` (tests point it at a local
    /// server); `timeout` bounds each attempt, `attempts` (≥ 1) counts them and `retryPause` separates them.
    public static func fromEnvironment(
        _ environment: [String: String], transport: any HTTPTransport,
        relativeURIBase: String = defaultRelativeURIBase,
        timeout: Duration = .seconds(2), attempts: Int = 3, retryPause: Duration = .seconds(1)
    ) throws -> ContainerCredentialProvider? {
        guard
            let endpoint = try ContainerCredentialEndpoint.fromEnvironment(
                environment, relativeURIBase: relativeURIBase)
        else { return nil }
        return ContainerCredentialProvider(
            endpoint: endpoint, transport: transport, timeout: timeout, attempts: attempts, retryPause: retryPause)
    }

    /// "container credentials endpoint <URL>", without query or user information.
    public var sourceDescription: String { "container credentials endpoint \(endpoint.url.displayString)" }

    /// Reads the current token, then fetches the credentials with bounded retries.
    public func credentials() throws -> AWSCredentials {
        let token = try endpoint.authorization.current()
        var headers = [HTTPHeader("Accept", "application/json")]
        if let token { headers.append(HTTPHeader("Authorization", token)) }
        let request = endpoint.url.request(method: "GET", headers: headers)
        var lastFailure = ""
        for attempt in 1...attempts {
            if attempt > 1 { Thread.sleep(forTimeInterval: seconds(retryPause)) }
            do {
                return try fetch(request, token: token)
            } catch let error as CredentialError {
                lastFailure = error.description
            }
        }
        throw CredentialError(
            .retrievalFailed,
            "Could not get credentials from the container credentials endpoint \(endpoint.url.displayString) in "
                + "\(attempts) attempt\(attempts == 1 ? "" : "s"). \(lastFailure)")
    }

    /// One attempt: every failure becomes a `CredentialError` whose sentence says what to check.
    private func fetch(_ request: HTTPRequest, token: String?) throws -> AWSCredentials {
        let response: HTTPResponse
        do {
            response = try transport.send(request, timeout: timeout)
        } catch {
            throw CredentialError(
                .retrievalFailed,
                "The endpoint did not answer (\(error)). On ECS, give the task a task role; on EKS, check that the "
                    + "Pod Identity agent runs on the node; otherwise check the agent the URI points at.")
        }
        guard response.status == 200 else {
            throw CredentialError(.retrievalFailed, refusal(response, token: token))
        }
        // The caller's sentence names the endpoint; these name only the field.
        let json = try CredentialJSON(response.body, origin: "The endpoint")
        guard let expiration = try json.date("Expiration") else {
            throw CredentialError(.retrievalFailed, "The endpoint returned no Expiration; the field is required.")
        }
        return AWSCredentials(
            accessKeyId: try json.requiredString("AccessKeyId"),
            secretAccessKey: try json.requiredString("SecretAccessKey"),
            sessionToken: try json.requiredString("Token"),
            expiration: expiration)
    }

    /// The sentence for an error status: the endpoint's `code` and `message` (with any echo of the token removed)
    /// and what to check.
    private func refusal(_ response: HTTPResponse, token: String?) -> String {
        let json = try? CredentialJSON(response.body, origin: "")
        var detail = [(try? json?.string("code")) ?? nil, (try? json?.string("message")) ?? nil].compactMap { $0 }
            .joined(separator: ": ")
        if let token, !token.isEmpty { detail = detail.replacingOccurrences(of: token, with: "<redacted>") }
        detail = String(detail.prefix(Self.messageLimit))
        let answer = "The endpoint answered HTTP \(response.status)\(detail.isEmpty ? "" : " (\(detail))")"
        switch response.status {
        case 401, 403:
            return "\(answer): it refused the authorization token. Check that "
                + "\(ContainerAuthorizationToken.fileVariable) names the token file the agent mounts (EKS Pod "
                + "Identity), or that \(ContainerAuthorizationToken.valueVariable) holds a current token."
        case 404:
            return "\(answer): it has no credentials at this path. Check that the task has a task role (ECS) or the "
                + "service account has a Pod Identity association (EKS)."
        default:
            return "\(answer). Check the agent the URI points at, and its logs."
        }
    }
}
