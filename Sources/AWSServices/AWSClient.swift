import AWSCore
import Foundation
import Logging

/// The one AWS client a process needs: region, endpoints and credentials resolved once, and one signing-key cache,
/// retry policy (with its quota and clock skew) and transport shared by every call, from any thread.
///
/// The typed clients (`EC2Client`, `IAMClient`, `RDSClient`, `S3Client`, `STSClient`) are thin wrappers over `query`
/// and `rest`.
public final class AWSClient: Sendable {
    /// The region and the setting it came from.
    public let region: ResolvedRegion
    /// Where each service's calls go, and how they are signed.
    public let endpoints: [AWSService: ResolvedEndpoint]
    /// The credential source (cached, refreshed before expiry).
    public let credentialProvider: any CredentialProvider
    /// The retry policy shared by every call.
    public let retryPolicy: RetryPolicy
    let engine: AWSCallEngine

    /// Resolves region, endpoints and the credential chain from `environment` (pass
    /// `ProcessInfo.processInfo.environment` in the daemon) and `options`. Throws `EndpointError`,
    /// `RetryConfigurationError` or `CredentialError` when a setting is missing or invalid.
    public init(environment: [String: String], options: AWSClientOptions = AWSClientOptions(), logger: Logger) throws {
        let files = try SharedConfigFiles.load(environment: environment)
        let profile = SharedConfigFiles.selectedProfile(environment: environment).name
        region = try AWSEndpoints.resolveRegion(
            explicit: options.region, environment: environment, profileRegion: files.region(profile: profile))
        var endpoints: [AWSService: ResolvedEndpoint] = [:]
        for service in AWSService.allCases {
            endpoints[service] = try AWSEndpoints.resolveEndpoint(
                service: service, region: region.name, environment: environment,
                explicitURL: options.endpointURLs[service])
        }
        self.endpoints = endpoints

        var retry = try RetryConfiguration(environment: environment)
        if let maxAttempts = options.maxAttempts {
            retry = RetryConfiguration(mode: retry.mode, maxAttempts: maxAttempts)
        }
        retryPolicy =
            options.sleeper.map { RetryPolicy(configuration: retry, logger: logger, sleeper: $0) }
            ?? RetryPolicy(configuration: retry, logger: logger)
        let transport =
            options.transport ?? CurlTransport(configuration: CurlTransportConfiguration(caFile: options.caFile))
        engine = AWSCallEngine(
            transport: transport, retryPolicy: retryPolicy, keyCache: SigningKeyCache(), logger: logger,
            now: options.now, beforeAttempt: options.beforeAttempt, throttled: options.throttled,
            timeout: options.timeout, metrics: options.metrics)

        // The chain's STS calls sign with the source credentials they are handed, never with this client's
        // provider (which they are building), so they go through the engine directly.
        let assumer = STSRoleAssumer(engine: engine, endpoint: endpoints[.sts]!)
        let chained = try CredentialChain.resolve(
            environment: environment, explicit: options.credentials, roleAssumer: assumer, transport: transport,
            logger: logger, now: options.now)
        credentialProvider =
            chained as? RefreshingCredentialProvider
            ?? RefreshingCredentialProvider(wrapping: chained, now: options.now, logger: logger)
    }

    /// The endpoint of `service`.
    public func endpoint(_ service: AWSService) -> ResolvedEndpoint {
        // Every case is resolved in init.
        endpoints[service]!
    }

    /// Calls a Query-protocol action (IAM, RDS, STS, and EC2's variant) and returns its `<ActionResult>` element, or
    /// the response root when the action has no result (as every EC2 answer). Non-2xx answers throw `AWSError`; unreadable ones `AWSResponseError`.
    public func query(_ service: AWSService, action: String, params: QueryEncoding) throws -> AWSXMLElement {
        try engine.query(
            service, endpoint: endpoint(service), action: action, params: params,
            credentials: credentialProvider.credentials)
    }

    /// Calls `action` of `service` with parameters written by `build` into a body that already has `Action` and
    /// `Version`.
    public func query(
        _ service: AWSService, action: String, _ build: (inout QueryEncoding) -> Void = { _ in }
    ) throws -> AWSXMLElement {
        var params = QueryEncoding(action: action, version: service.apiVersion)
        build(&params)
        return try query(service, action: action, params: params)
    }

    /// A signed REST call (S3, path-style: `path` is `/bucket/key`, decoded) returning the 2xx response; other
    /// statuses throw `AWSError` named after `action`.
    public func rest(
        _ service: AWSService, action: String, method: String, path: String, query: [QueryItem] = [],
        headers: [HTTPHeader] = [], body: Data = Data()
    ) throws -> HTTPResponse {
        let endpoint = endpoint(service)
        let request = endpoint.request(method: method, path: path, query: query, headers: headers, body: body)
        return try engine.send(
            request, service: service, endpoint: endpoint, action: action, credentials: credentialProvider.credentials)
    }
}
