import AWSCore
import Controller
import Metrics
import MetricsTestKit
import Synchronization
import Testing

@testable import Daemon

/// The AWS request budget on a clock that moves only when a test says: a wait can only come from a bucket that ran
/// out, so each expectation names the bucket that binds.
@Suite struct ReloadableRateLimitTests {
    /// Every service generous (burst 100), so a test tightens only the bucket it is about.
    static func generous() -> AWSServiceRates {
        var rates = AWSServiceRates()
        for service in AWSService.allCases { rates[service] = RequestRate(perSecond: 10, burst: 100) }
        return rates
    }

    @Test func eachAttemptTakesFromItsOwnServiceBucket() {
        let clock = StepClock()
        var services = Self.generous()
        services.rds = RequestRate(perSecond: 10, burst: 2)
        let sleeper = RecordingSleeper()
        let limit = ReloadableRateLimit(
            total: RequestRate(perSecond: 10, burst: 100), services: services, clock: clock, sleeper: sleeper)
        #expect([limit.acquire(.rds), limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .zero, .milliseconds(100)])
        // RDS's bucket is empty; IAM's and EC2's are not.
        #expect(limit.acquire(.iam) == .zero)
        #expect(limit.acquire(.ec2) == .zero)
        #expect(limit.acquire(.rds) == .milliseconds(200))
    }

    @Test func theTotalBucketCapsEveryServiceTogether() {
        let clock = StepClock()
        let sleeper = RecordingSleeper()
        let limit = ReloadableRateLimit(
            total: RequestRate(perSecond: 10, burst: 2), services: Self.generous(), clock: clock,
            sleeper: sleeper)
        #expect(limit.acquire(.rds) == .zero)
        #expect(limit.acquire(.iam) == .zero)
        // Three services' own buckets are full, but the total has no token left.
        #expect(limit.acquire(.s3) == .milliseconds(100))
        #expect(limit.acquire(.sts) == .milliseconds(200))
    }

    @Test func aWaitForTheServiceAndThenTheTotalAddsUp() {
        let clock = StepClock()
        var services = Self.generous()
        services.iam = RequestRate(perSecond: 10, burst: 1)
        let sleeper = RecordingSleeper()
        let limit = ReloadableRateLimit(
            total: RequestRate(perSecond: 20, burst: 1), services: services, clock: clock, sleeper: sleeper)
        #expect(limit.acquire(.iam) == .zero)
        // IAM's next token is 100 ms off; the total's next one 50 ms, reserved once IAM's is: 150 ms in all.
        #expect(limit.acquire(.iam) == .milliseconds(150))
        #expect(sleeper.recorded == [.zero, .zero, .milliseconds(100), .milliseconds(50)])
    }

    @Test func reloadReplacesOnlyTheChangedBuckets() {
        let clock = StepClock()
        var services = Self.generous()
        services.rds = RequestRate(perSecond: 10, burst: 1)
        services.iam = RequestRate(perSecond: 10, burst: 1)
        let total = RequestRate(perSecond: 1_000, burst: 1_000)
        let limit = ReloadableRateLimit(
            total: total, services: services, clock: clock, sleeper: RecordingSleeper())
        #expect(limit.acquire(.rds) == .zero)
        #expect(limit.acquire(.iam) == .zero)
        services.rds = RequestRate(perSecond: 2, burst: 1)
        limit.reconfigure(total: total, services: services)
        // RDS has a new, full bucket at the new rate; IAM kept its empty one.
        #expect(limit.acquire(.rds) == .zero)
        #expect(limit.acquire(.rds) == .milliseconds(500))
        #expect(limit.acquire(.iam) == .milliseconds(100))
    }

    @Test func reloadChangesTheTotal() {
        let clock = StepClock()
        let limit = ReloadableRateLimit(
            total: RequestRate(perSecond: 10, burst: 1), services: Self.generous(), clock: clock,
            sleeper: RecordingSleeper())
        #expect(limit.acquire(.s3) == .zero)
        #expect(limit.acquire(.s3) == .milliseconds(100))
        limit.reconfigure(total: RequestRate(perSecond: 4, burst: 2), services: Self.generous())
        #expect([limit.acquire(.s3), limit.acquire(.s3), limit.acquire(.s3)] == [.zero, .zero, .milliseconds(250)])
    }

    @Test func aThrottleHalvesThatServiceWithoutBurstUntilTheCutEnds() {
        let clock = StepClock()
        let limit = ReloadableRateLimit(
            total: RequestRate(perSecond: 1_000, burst: 1_000), services: Self.generous(), clock: clock,
            sleeper: RecordingSleeper())
        limit.throttled(.rds)
        #expect([limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .milliseconds(200)])
        #expect([limit.acquire(.iam), limit.acquire(.iam)] == [.zero, .zero], "other services keep their rate")
        clock.advance(by: ThrottleCut.duration - .milliseconds(1))
        #expect([limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .milliseconds(200)], "still cut")
        clock.advance(by: .milliseconds(1))
        // The cut has ended: the configured bucket (burst 100) is back, full.
        #expect([limit.acquire(.rds), limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .zero, .zero])
    }

    @Test func throttlesInQuickSuccessionCutOnceThenLaterOnesCutDeeper() {
        let clock = StepClock()
        let limit = ReloadableRateLimit(
            total: RequestRate(perSecond: 1_000, burst: 1_000), services: Self.generous(), clock: clock,
            sleeper: RecordingSleeper())
        for _ in 1...5 { limit.throttled(.rds) }
        #expect([limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .milliseconds(200)], "5/s, not 10/32")
        clock.advance(by: ThrottleCut.spacing)
        limit.throttled(.rds)
        #expect([limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .milliseconds(400)], "2.5/s")
    }

    @Test func aCutNeverGoesBelowTheFloor() {
        #expect(ThrottleCut(from: 10, at: .zero).rate == 5)
        #expect(ThrottleCut(from: 0.15, at: .zero).rate == ThrottleCut.floor)
    }

    @Test func aReloadKeepsACutAndItsEndBringsTheNewRate() {
        let clock = StepClock()
        let total = RequestRate(perSecond: 1_000, burst: 1_000)
        var services = Self.generous()
        let limit = ReloadableRateLimit(total: total, services: services, clock: clock, sleeper: RecordingSleeper())
        limit.throttled(.rds)
        services.rds = RequestRate(perSecond: 4, burst: 2)
        limit.reconfigure(total: total, services: services)
        #expect([limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .milliseconds(200)], "still cut to 5/s")
        clock.advance(by: ThrottleCut.duration)
        #expect(
            [limit.acquire(.rds), limit.acquire(.rds), limit.acquire(.rds)] == [.zero, .zero, .milliseconds(250)])
    }

    @Test func waitsAreRecordedPerService() throws {
        let clock = StepClock()
        var services = Self.generous()
        services.rds = RequestRate(perSecond: 10, burst: 1)
        let metrics = TestMetrics()
        let limit = ReloadableRateLimit(
            total: RequestRate(perSecond: 100, burst: 100), services: services, metrics: metrics, clock: clock,
            sleeper: RecordingSleeper())
        limit.acquire(.rds)
        limit.acquire(.rds)
        limit.acquire(.iam)
        let rds = try metrics.expectTimer(ReloadableRateLimit.waitName, [("service", "rds")])
        #expect(rds.values == [0, 100_000_000])
        let iam = try metrics.expectTimer(ReloadableRateLimit.waitName, [("service", "iam")])
        #expect(iam.values == [0])
    }
}

/// A clock that moves only through `advance`: until then, tokens come back only through the waits handed out.
private final class StepClock: MonotonicClock {
    private let time = Mutex(Duration.zero)

    func now() -> Duration { time.withLock { $0 } }

    func advance(by duration: Duration) { time.withLock { $0 += duration } }
}

/// Records each requested sleep and returns at once.
private final class RecordingSleeper: Sleeper {
    private let sleeps = Mutex<[Duration]>([])

    func sleep(for duration: Duration) { sleeps.withLock { $0.append(duration) } }

    var recorded: [Duration] { sleeps.withLock { $0 } }
}
