import Foundation
import Logging
import Synchronization
import Testing

@testable import AWSCore

/// Records the delays a policy asks for instead of sleeping.
final class RecordingSleeper: Sendable {
    private let delays = Mutex<[Duration]>([])

    var recorded: [Duration] { delays.withLock { $0 } }

    func sleep(_ delay: Duration) {
        delays.withLock { $0.append(delay) }
    }
}

/// A policy with a recording sleeper and a fixed random value.
func makePolicy(
    _ configuration: RetryConfiguration = RetryConfiguration(), quota: RetryQuota = RetryQuota(),
    random: Double = 0.5
) -> (RetryPolicy, RecordingSleeper) {
    let sleeper = RecordingSleeper()
    let policy = RetryPolicy(
        configuration: configuration, quota: quota, logger: Logger(label: "test.retry"),
        sleeper: { sleeper.sleep($0) }, random: { random })
    return (policy, sleeper)
}

/// Sends `request` and turns a non-2xx answer into an `AWSError`, as a service client would.
func call(_ transport: CurlTransport, _ request: HTTPRequest, timeout: Duration? = nil) throws -> HTTPResponse {
    let response = try transport.send(request, timeout: timeout)
    guard (200..<300).contains(response.status) else {
        throw AWSError.from(response: response, service: "IAM", action: "GetRole")
    }
    return response
}

@Suite("RetryPolicy against the faulty server")
struct RetryPolicyServerTests {
    @Test("503, 503, then success takes 3 attempts and two bounded backoffs")
    func serviceUnavailableThenSuccess() throws {
        try FaultyHTTPServer.with { server in
            let (policy, sleeper) = makePolicy()
            let transport = CurlTransport()
            var attempts = 0
            let request = server.request(
                "/fail-then-ok",
                [
                    QueryItem("key", "a"), QueryItem("failures", "2"),
                    QueryItem("status", "503"),
                ])
            let response = try policy.execute { attempt in
                attempts = attempt
                return try call(transport, request)
            }
            #expect(response.status == 200)
            #expect(attempts == 3)
            #expect(sleeper.recorded == [.milliseconds(500), .seconds(1)])  // 0.5 × 2^0 s, 0.5 × 2^1 s
            #expect(policy.quota.availableCapacity == 495)  // two retries took 10, the success returned 5
        }
    }

    @Test("a Throttling 400 is retried and the call succeeds")
    func throttlingThenSuccess() throws {
        try FaultyHTTPServer.with { server in
            let (policy, sleeper) = makePolicy()
            let transport = CurlTransport()
            var seen: [AWSErrorKind] = []
            let request = server.request(
                "/fail-then-ok",
                [
                    QueryItem("key", "t"), QueryItem("failures", "1"),
                    QueryItem("status", "400"), QueryItem("code", "Throttling"),
                ])
            let response = try policy.execute { _ in
                do { return try call(transport, request) } catch let error as AWSError {
                    seen.append(error.kind)
                    throw error
                }
            }
            #expect(String(decoding: response.body, as: UTF8.self) == "<ok attempt=\"2\"/>")
            #expect(seen == [.throttling])
            #expect(sleeper.recorded.count == 1)
        }
    }

    @Test("resets are retried up to the attempt limit, then the transport error is thrown")
    func resetEveryTime() throws {
        try FaultyHTTPServer.with { server in
            let (policy, sleeper) = makePolicy()
            var attempts = 0
            let error = #expect(throws: TransportError.self) {
                try policy.execute { attempt in
                    attempts = attempt
                    return try call(CurlTransport(), server.request("/reset"))
                }
            }
            #expect(error?.kind == .connectionReset)
            #expect(attempts == 3)
            #expect(sleeper.recorded.count == 2)
            #expect(policy.quota.availableCapacity == 490)
        }
    }

    @Test("a stall past the timeout is retried at the timeout cost and ends as timedOut")
    func stallEveryTime() throws {
        try FaultyHTTPServer.with { server in
            let (policy, _) = makePolicy(RetryConfiguration(maxAttempts: 2))
            let transport = CurlTransport()
            let error = #expect(throws: TransportError.self) {
                try policy.execute { _ in
                    try call(
                        transport, server.request("/stall", [QueryItem("seconds", "10")]),
                        timeout: .milliseconds(200))
                }
            }
            #expect(error?.kind == .timedOut)
            #expect(policy.quota.availableCapacity == 490)
        }
    }

    @Test("a truncated body is retried as transient")
    func truncatedEveryTime() throws {
        try FaultyHTTPServer.with { server in
            let (policy, _) = makePolicy(RetryConfiguration(maxAttempts: 2))
            var attempts = 0
            #expect(throws: TransportError.self) {
                try policy.execute { attempt in
                    attempts = attempt
                    return try call(CurlTransport(), server.request("/truncated"))
                }
            }
            #expect(attempts == 2)
        }
    }

    @Test("a clock-skew error records the server's offset and is re-signed once")
    func clockSkewThenSuccess() throws {
        try FaultyHTTPServer.with { server in
            let (policy, sleeper) = makePolicy()
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let serverDate = formatter.string(from: Date().addingTimeInterval(3600))
            let request = server.request(
                "/fail-then-ok",
                [
                    QueryItem("key", "skew"), QueryItem("failures", "1"), QueryItem("status", "403"),
                    QueryItem("code", "RequestTimeTooSkewed"), QueryItem("date", serverDate),
                ])
            var signedAt: [Date] = []
            _ = try policy.execute { _ in
                signedAt.append(policy.clockSkew.corrected(Date()))
                return try call(CurlTransport(), request)
            }
            #expect(signedAt.count == 2)
            #expect(abs(policy.clockSkew.currentOffset - 3600) < 60)
            #expect(sleeper.recorded.isEmpty)
            #expect(policy.quota.availableCapacity == 500)
        }
    }
}

@Suite("RetryPolicy")
struct RetryPolicyTests {
    let throttled = AWSError(service: "RDS", action: "DescribeDBClusters", code: "Throttling", status: 400)

    @Test("terminal errors are not retried")
    func terminal() {
        let (policy, sleeper) = makePolicy()
        var attempts = 0
        #expect(throws: AWSError.self) {
            try policy.execute { attempt -> Int in
                attempts = attempt
                throw AWSError(service: "IAM", action: "GetRole", code: "AccessDenied", status: 403)
            }
        }
        #expect(attempts == 1)
        #expect(sleeper.recorded.isEmpty)
        #expect(policy.quota.availableCapacity == 500)
    }

    @Test("backoff is full jitter under min(2^(n-1) s, 20 s)")
    func backoffBounds() throws {
        let (high, highSleeper) = makePolicy(RetryConfiguration(maxAttempts: 10), random: 0.999_999)
        #expect(throws: AWSError.self) { try high.execute { _ -> Int in throw throttled } }
        let ceilings: [Double] = [1, 2, 4, 8, 16, 20, 20, 20, 20]
        #expect(highSleeper.recorded.count == 9)
        for (delay, ceiling) in zip(highSleeper.recorded, ceilings) {
            #expect(delay < .seconds(ceiling))
            #expect(delay > .seconds(ceiling * 0.99))
        }
        let (low, lowSleeper) = makePolicy(RetryConfiguration(maxAttempts: 4), random: 0)
        #expect(throws: AWSError.self) { try low.execute { _ -> Int in throw throttled } }
        #expect(lowSleeper.recorded == [.zero, .zero, .zero])
    }

    @Test("an exhausted quota stops retrying and throws the last error")
    func quotaExhaustion() throws {
        let quota = RetryQuota(capacity: 12)
        let (policy, _) = makePolicy(RetryConfiguration(maxAttempts: 10), quota: quota)
        var attempts = 0
        #expect(throws: AWSError.self) {
            try policy.execute { attempt -> Int in
                attempts = attempt
                throw throttled
            }
        }
        #expect(attempts == 3)  // 12 tokens pay two retries of 5; the third retry finds 2 left
        #expect(quota.availableCapacity == 2)
        #expect(try policy.execute { _ in 7 } == 7)
        #expect(quota.availableCapacity == 3)  // a success without retries refunds 1
    }

    @Test("legacy mode retries without a quota")
    func legacyMode() {
        let quota = RetryQuota(capacity: 0)
        let (policy, sleeper) = makePolicy(RetryConfiguration(mode: .legacy), quota: quota)
        #expect(throws: AWSError.self) { try policy.execute { _ -> Int in throw throttled } }
        #expect(sleeper.recorded.count == 4)
    }

    @Test("clock skew is retried only once per call")
    func clockSkewOnce() {
        let (policy, _) = makePolicy(RetryConfiguration(maxAttempts: 5))
        var attempts = 0
        #expect(throws: AWSError.self) {
            try policy.execute { attempt -> Int in
                attempts = attempt
                throw AWSError(
                    service: "S3", action: "GetObject", code: "RequestTimeTooSkewed", status: 403,
                    clockOffset: -1200)
            }
        }
        #expect(attempts == 2)
        #expect(policy.clockSkew.currentOffset == -1200)
    }

    @Test("the quota is consistent under concurrent use")
    func quotaConcurrency() {
        let quota = RetryQuota(capacity: 500)
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            if quota.acquire(5) { quota.release(5) }
            _ = quota.acquire(1)
        }
        #expect(quota.availableCapacity == 300)
    }

    @Test("configuration comes from AWS_MAX_ATTEMPTS and AWS_RETRY_MODE")
    func environment() throws {
        #expect(try RetryConfiguration(environment: [:]) == RetryConfiguration(mode: .standard, maxAttempts: 3))
        #expect(try RetryConfiguration(environment: ["AWS_RETRY_MODE": "legacy"]).maxAttempts == 5)
        let configured = try RetryConfiguration(environment: ["AWS_RETRY_MODE": "Adaptive", "AWS_MAX_ATTEMPTS": "7"])
        #expect(configured.mode == .adaptive)
        #expect(configured.maxAttempts == 7)
        #expect(configured.usesRetryQuota)
        for bad in [["AWS_MAX_ATTEMPTS": "0"], ["AWS_MAX_ATTEMPTS": "three"], ["AWS_RETRY_MODE": "fast"]] {
            let error = #expect(throws: RetryConfigurationError.self) { try RetryConfiguration(environment: bad) }
            #expect(error?.description.contains(bad.keys.first ?? "") == true)
        }
    }
}
