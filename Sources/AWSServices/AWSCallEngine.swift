import AWSCore
import Foundation
import Logging

/// Sends one AWS call with retries: rate-limit hooks, fresh signature per attempt with the skew-corrected clock,
/// transport, error mapping, per-attempt debug logs and call metrics. It holds no credential provider, so the
/// credential chain's own STS path (`STSRoleAssumer`) can use it with the source credentials it is given.
struct AWSCallEngine: Sendable {
    let transport: any HTTPTransport
    let retryPolicy: RetryPolicy
    let keyCache: SigningKeyCache
    let logger: Logger
    let now: @Sendable () -> Date
    let beforeAttempt: (@Sendable (AWSService) -> Void)?
    let throttled: (@Sendable (AWSService) -> Void)?
    let timeout: Duration?
    let metrics: AWSCallMetrics

    /// Sends `unsigned` to `service`; `credentials` is called on each attempt (nil: send unsigned). Returns a 2xx
    /// response; any other status is thrown as `AWSError`.
    func send(
        _ unsigned: HTTPRequest, service: AWSService, endpoint: ResolvedEndpoint, action: String,
        credentials: (() throws -> AWSCredentials)?
    ) throws -> HTTPResponse {
        let signer = service.signer(region: endpoint.signingRegion, cache: keyCache)
        do {
            let response = try attempts(
                unsigned, signer: signer, service: service, action: action, credentials: credentials)
            metrics.call(service, action, .success)
            return response
        } catch {
            metrics.call(service, action, AWSCallOutcome(error: error))
            throw error
        }
    }

    /// The attempts of one call under the retry policy; each attempt takes a rate-limit token and signs afresh.
    private func attempts(
        _ unsigned: HTTPRequest, signer: SigV4Signer, service: AWSService, action: String,
        credentials: (() throws -> AWSCredentials)?
    ) throws -> HTTPResponse {
        try retryPolicy.execute { attempt in
            if attempt > 1 { metrics.retry(service, action) }
            beforeAttempt?(service)
            var request = unsigned
            if let credentials {
                signer.sign(&request, credentials: try credentials(), date: retryPolicy.clockSkew.corrected(now()))
            }
            var metadata: Logger.Metadata = [
                "aws.service": "\(service.rawValue)", "aws.action": "\(action)", "attempt": "\(attempt)",
            ]
            let response: HTTPResponse
            do {
                response = try transport.send(request, timeout: timeout)
            } catch {
                metadata["error"] = "\(error)"
                logger.debug("AWS call got no response", metadata: metadata)
                throw error
            }
            // Only status and request id are logged: bodies may hold secrets (MasterUserPassword, credentials).
            metadata["status"] = "\(response.status)"
            metadata["aws.request_id"] =
                "\(response.header("x-amzn-RequestId") ?? response.header("x-amz-request-id") ?? "")"
            guard (200..<300).contains(response.status) else {
                let error = AWSError.from(
                    response: response, service: service.displayName, action: action, receivedAt: now())
                metadata["aws.error_code"] = "\(error.code)"
                if error.kind == .throttling {
                    metrics.throttled(service, action)
                    throttled?(service)
                }
                logger.debug("AWS call failed", metadata: metadata)
                throw error
            }
            logger.debug("AWS call succeeded", metadata: metadata)
            return response
        }
    }

    /// An AWS Query call: form-encoded POST to `/`, answered by `<ActionResponse><ActionResult>`; returns the result
    /// element (or the response root for actions that answer without one, such as `DeleteRole`).
    func query(
        _ service: AWSService, endpoint: ResolvedEndpoint, action: String, params: QueryEncoding,
        credentials: (() throws -> AWSCredentials)?
    ) throws -> AWSXMLElement {
        let request = endpoint.request(
            method: "POST", path: "/", headers: [HTTPHeader("Content-Type", QueryEncoding.contentType)],
            body: params.body)
        let response = try send(request, service: service, endpoint: endpoint, action: action, credentials: credentials)
        let root: AWSXMLElement
        do {
            root = try AWSXMLParser.parse(response.body)
        } catch {
            throw AWSResponseError(
                service: service, action: action, reason: "the body is not well-formed XML (\(error))")
        }
        guard root.name == "\(action)Response" else {
            throw AWSResponseError(
                service: service, action: action, reason: "the root element is <\(root.name)>, not <\(action)Response>")
        }
        return root.child("\(action)Result") ?? root
    }
}

extension AWSService {
    /// The service name as shown to people and in `AWSError.service`: `EC2`, `IAM`, `RDS`, `S3`, `STS`.
    public var displayName: String { rawValue.uppercased() }
}
