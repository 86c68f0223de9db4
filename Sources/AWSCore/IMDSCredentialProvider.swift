import Foundation
import Synchronization

/// Credentials of the EC2 instance's IAM role, from the instance metadata service with the IMDSv2 session flow.
///
/// Flow (as botocore's `IMDSFetcher`): `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds: 21600`
/// gives a token; `GET /latest/meta-data/iam/security-credentials/` with `X-aws-ec2-metadata-token` gives the role
/// name; `GET …/security-credentials/<role>` gives `{Code, AccessKeyId, SecretAccessKey, Token, Expiration}`. The
/// token is cached until shortly before its TTL ends, and re-fetched when IMDS answers 401. There is no IMDSv1
/// fallback: an instance that refuses the token request is reported, not queried without a token.
///
/// Each request has a short timeout (1 s by default, botocore's) and up to `attempts` tries; until IMDS has answered
/// once, a connection failure is not retried, so a host that is not on EC2 falls through after a single timeout.
public final class IMDSCredentialProvider: CredentialProvider {
    /// The link-local address of the instance metadata service.
    public static let defaultEndpoint = "http://169.254.169.254"
    /// The token lifetime asked for, in seconds: six hours, the maximum and the SDKs' value.
    static let tokenTTLSeconds = 21600

    private let scheme: String
    private let host: String
    private let port: Int?
    private let basePath: String
    private let endpoint: String
    private let transport: any HTTPTransport
    private let timeout: Duration
    private let attempts: Int
    private let now: @Sendable () -> Date
    private let state = Mutex(TokenState())

    private struct TokenState {
        var token: String?
        var validUntil = Date.distantPast
        var reached = false
    }

    /// Talks to IMDS at `endpoint` through `transport`; `timeout` bounds each request and `attempts` (≥ 1) counts
    /// tries per request. Throws when `endpoint` is not an http(s) URL.
    public init(
        endpoint: String = IMDSCredentialProvider.defaultEndpoint, transport: any HTTPTransport,
        timeout: Duration = .seconds(1), attempts: Int = 2, now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        guard let url = HTTPEndpointURL(endpoint) else {
            throw CredentialError(
                .invalidConfiguration,
                "The EC2 metadata endpoint \"\(endpoint)\" is not an http:// or https:// URL. Fix "
                    + "AWS_EC2_METADATA_SERVICE_ENDPOINT or unset it to use \(Self.defaultEndpoint).")
        }
        self.scheme = url.scheme
        self.host = url.host
        self.port = url.port
        self.basePath = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        self.endpoint = endpoint
        self.transport = transport
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.now = now
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` is `true` (any case), which turns IMDS off as in the SDKs.
    public static func isDisabled(environment: [String: String]) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT` when set, else the link-local default.
    public static func endpoint(environment: [String: String]) -> String {
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultEndpoint
    }

    /// "EC2 instance metadata (IMDSv2)", with the endpoint when it is not the default.
    public var sourceDescription: String {
        endpoint == Self.defaultEndpoint
            ? "EC2 instance metadata (IMDSv2)" : "EC2 instance metadata (IMDSv2) at \(endpoint)"
    }

    /// Fetches the role name, then that role's current credentials.
    public func credentials() throws -> AWSCredentials {
        let listing = try authorizedGet("/latest/meta-data/iam/security-credentials/", what: "the IAM role name")
        guard
            let role = String(decoding: listing, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty })
        else {
            throw CredentialError(
                .retrievalFailed,
                "EC2 instance metadata lists no IAM role. Attach an instance profile with a role to this instance.")
        }
        let body = try authorizedGet(
            "/latest/meta-data/iam/security-credentials/\(role)", what: "the credentials of role \(role)")
        let json = try CredentialJSON(body, origin: "EC2 instance metadata for role \(role)")
        let code = try json.string("Code")
        guard code == nil || code == "Success" else {
            throw CredentialError(
                .retrievalFailed,
                "EC2 instance metadata reported code \(code ?? "") for the credentials of role \(role). Check the "
                    + "role's trust policy allows ec2.amazonaws.com and the instance profile is attached.")
        }
        return AWSCredentials(
            accessKeyId: try json.requiredString("AccessKeyId"),
            secretAccessKey: try json.requiredString("SecretAccessKey"),
            sessionToken: try json.requiredString("Token"),
            expiration: try json.date("Expiration"))
    }

    /// A GET with the session token; a 401 (token expired or revoked) gets one new token and one more try.
    private func authorizedGet(_ path: String, what: String) throws -> Data {
        var response = try send(metadataRequest("GET", path, headers: [HTTPHeader(tokenHeader, try token())]))
        if response.status == 401 {
            state.withLock { $0.token = nil }
            response = try send(metadataRequest("GET", path, headers: [HTTPHeader(tokenHeader, try token())]))
        }
        switch response.status {
        case 200:
            return response.body
        case 404:
            throw CredentialError(
                .retrievalFailed,
                "EC2 instance metadata has no \(what) (HTTP 404): the instance has no IAM instance profile. Attach "
                    + "one, or configure other credentials.")
        default:
            throw CredentialError(
                .retrievalFailed, "EC2 instance metadata answered HTTP \(response.status) when asked for \(what).")
        }
    }

    private let tokenHeader = "X-aws-ec2-metadata-token"

    /// The cached session token, or a new one from `PUT /latest/api/token`.
    private func token() throws -> String {
        let instant = now()
        if let cached = state.withLock({ $0.validUntil > instant ? $0.token : nil }) { return cached }
        let response = try send(
            metadataRequest(
                "PUT", "/latest/api/token",
                headers: [HTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenTTLSeconds))]))
        switch response.status {
        case 200:
            let token = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw CredentialError(.retrievalFailed, "EC2 instance metadata returned an empty IMDSv2 token.")
            }
            // Renew a minute before the TTL ends so a request never carries a token that expires in flight.
            let validUntil = instant.addingTimeInterval(TimeInterval(Self.tokenTTLSeconds - 60))
            state.withLock {
                $0.token = token
                $0.validUntil = validUntil
            }
            return token
        case 403:
            throw CredentialError(
                .retrievalFailed,
                "EC2 instance metadata refused the IMDSv2 token request (HTTP 403): the metadata service is disabled "
                    + "for this instance, or the request came through a proxy or too many network hops (raise the "
                    + "instance's metadata hop limit to 2 when running in a container).")
        case 404, 405:
            throw CredentialError(
                .retrievalFailed,
                "EC2 instance metadata does not support IMDSv2 tokens (HTTP \(response.status)); aurorad does not "
                    + "use IMDSv1. Enable IMDSv2 on the instance.")
        default:
            throw CredentialError(
                .retrievalFailed, "EC2 instance metadata answered HTTP \(response.status) to the IMDSv2 token request.")
        }
    }

    private func metadataRequest(_ method: String, _ path: String, headers: [HTTPHeader]) -> HTTPRequest {
        HTTPRequest(method: method, scheme: scheme, host: host, port: port, path: basePath + path, headers: headers)
    }

    /// Sends with bounded attempts: 5xx and connection failures are retried, except a connection failure before
    /// IMDS ever answered (not on EC2: fall through fast).
    private func send(_ request: HTTPRequest) throws -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try transport.send(request, timeout: timeout)
                state.withLock { $0.reached = true }
                if response.status >= 500 && attempt < attempts { continue }
                return response
            } catch {
                let reached = state.withLock { $0.reached }
                if !reached || attempt >= attempts {
                    throw CredentialError(
                        .retrievalFailed,
                        "EC2 instance metadata at \(endpoint) did not answer (\(error)). This host is not an EC2 "
                            + "instance, or its metadata service is unreachable.")
                }
            }
        }
    }
}
