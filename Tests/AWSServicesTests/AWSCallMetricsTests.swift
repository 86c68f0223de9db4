import AWSCore
import AWSServices
import Foundation
import MetricsTestKit
import Testing

/// The call, retry and throttle counters the engine records, read back from swift-metrics' test factory.
@Suite("AWS call metrics")
struct AWSCallMetricsTests {
    static let throttled = HTTPResponse(
        status: 400,
        body: Data(
            """
            <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
            <RequestId>r-1</RequestId></ErrorResponse>
            """.utf8))
    static let notFound = HTTPResponse(
        status: 404,
        body: Data(
            """
            <ErrorResponse><Error><Type>Sender</Type><Code>DBClusterNotFoundFault</Code><Message>none</Message></Error>
            <RequestId>r-2</RequestId></ErrorResponse>
            """.utf8))
    static let unavailable = HTTPResponse(status: 503, body: Data())
    static let described = HTTPResponse(status: 200, body: Data(RDSParsingTests.clusters(["db1"]).utf8))

    /// A client over `responses` whose metrics land in `metrics`, with `maxAttempts` attempts per call.
    static func rds(_ responses: [HTTPResponse], metrics: TestMetrics, maxAttempts: Int = 3) throws -> RDSClient {
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_REGION": "eu-west-1", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aurorad-test/credentials",
            "AWS_CONFIG_FILE": "/nonexistent/aurorad-test/config", "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let options = AWSClientOptions(
            maxAttempts: maxAttempts, transport: StubTransport(responses), sleeper: { _ in },
            metrics: AWSCallMetrics(factory: metrics))
        let client = try AWSClient(environment: environment, options: options, logger: CapturedLogs().logger)
        return RDSClient(client: client)
    }

    static func calls(_ metrics: TestMetrics, _ outcome: AWSCallOutcome) throws -> Int64 {
        try metrics.expectCounter(
            AWSCallMetrics.callsName,
            [("service", "rds"), ("action", "DescribeDBClusters"), ("outcome", outcome.rawValue)]
        ).totalValue
    }

    static let labels = [("service", "rds"), ("action", "DescribeDBClusters")]

    @Test("a call throttled once, then answered, counts one success, one retry and one throttle")
    func retriedAfterThrottling() throws {
        let metrics = TestMetrics()
        let rds = try Self.rds([Self.throttled, Self.described], metrics: metrics)
        _ = try rds.describeDBCluster(identifier: "db1")
        #expect(try Self.calls(metrics, .success) == 1)
        #expect(try metrics.expectCounter(AWSCallMetrics.retriesName, Self.labels).totalValue == 1)
        #expect(try metrics.expectCounter(AWSCallMetrics.throttlesName, Self.labels).totalValue == 1)
        #expect(throws: (any Error).self) { try Self.calls(metrics, .throttled) }
    }

    @Test("a call throttled on every attempt counts as throttled, with a throttle per attempt")
    func throttledThroughout() throws {
        let metrics = TestMetrics()
        let rds = try Self.rds([Self.throttled, Self.throttled], metrics: metrics, maxAttempts: 2)
        #expect(throws: AWSError.self) { try rds.describeDBCluster(identifier: "db1") }
        #expect(try Self.calls(metrics, .throttled) == 1)
        #expect(try metrics.expectCounter(AWSCallMetrics.throttlesName, Self.labels).totalValue == 2)
        #expect(try metrics.expectCounter(AWSCallMetrics.retriesName, Self.labels).totalValue == 1)
    }

    @Test("outcomes: a 5xx after retries is server_error, a 4xx client_error, no answer network")
    func outcomes() throws {
        let metrics = TestMetrics()
        let failing = try Self.rds([Self.unavailable, Self.unavailable], metrics: metrics, maxAttempts: 2)
        #expect(throws: AWSError.self) { try failing.describeDBCluster(identifier: "db1") }
        #expect(try Self.calls(metrics, .serverError) == 1)

        let rejecting = try Self.rds([Self.notFound], metrics: metrics)
        _ = try? rejecting.describeDBCluster(identifier: "db1")
        #expect(try Self.calls(metrics, .clientError) == 1)

        // The stub throws a transport error once it has no response left.
        let unreachable = try Self.rds([], metrics: metrics, maxAttempts: 1)
        #expect(throws: TransportError.self) { try unreachable.describeDBCluster(identifier: "db1") }
        #expect(try Self.calls(metrics, .network) == 1)
        #expect(throws: (any Error).self) { try metrics.expectCounter(AWSCallMetrics.throttlesName, Self.labels) }
    }

    @Test("outcome classification of errors that never reach the engine's transport")
    func classification() {
        let throttling = AWSError(service: "RDS", action: "X", code: "ThrottlingException", status: 400)
        #expect(AWSCallOutcome(error: throttling) == .throttled)
        let skew = AWSError(service: "RDS", action: "X", code: "RequestTimeTooSkewed", status: 403)
        #expect(AWSCallOutcome(error: skew) == .clientError)
        #expect(AWSCallOutcome(error: CredentialError(.notFound, "none found")) == .credentials)
        #expect(AWSCallOutcome(error: CancellationError()) == .other)
    }
}
