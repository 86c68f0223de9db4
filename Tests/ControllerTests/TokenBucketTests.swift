import Controller
import Synchronization
import Testing

@Suite struct TokenBucketTests {
    @Test func burstThenOneTokenPerInterval() {
        let clock = ManualClock()
        let bucket = TokenBucket(ratePerSecond: 10, burst: 3, clock: clock, sleeper: RecordingSleeper())
        #expect(bucket.availableTokens == 3)
        #expect((1...4).map { _ in bucket.tryAcquire() } == [true, true, true, false])
        clock.advance(by: .milliseconds(99))
        #expect(!bucket.tryAcquire())
        clock.advance(by: .milliseconds(1))
        #expect(bucket.tryAcquire())
        #expect(!bucket.tryAcquire())
    }

    @Test func refillStopsAtTheBurst() {
        let clock = ManualClock()
        let bucket = TokenBucket(ratePerSecond: 10, burst: 3, clock: clock, sleeper: RecordingSleeper())
        #expect((1...3).allSatisfy { _ in bucket.tryAcquire() })
        clock.advance(by: .seconds(60))
        #expect(bucket.availableTokens == 3)
        #expect((1...4).map { _ in bucket.tryAcquire() } == [true, true, true, false])
    }

    @Test func acquireSleepsUntilItsReservedToken() {
        let sleeper = RecordingSleeper()
        let bucket = TokenBucket(ratePerSecond: 10, burst: 2, clock: ManualClock(), sleeper: sleeper)
        for _ in 1...4 { bucket.acquire() }
        #expect(sleeper.recorded == [.zero, .zero, .milliseconds(100), .milliseconds(200)])
        // Reserved tokens are spent: nothing is left to take without waiting.
        #expect(!bucket.tryAcquire())
    }

    @Test func acquireReturnsTheWaitItSlept() {
        let sleeper = RecordingSleeper()
        let bucket = TokenBucket(ratePerSecond: 10, burst: 2, clock: ManualClock(), sleeper: sleeper)
        let waits = (1...4).map { _ in bucket.acquire() }
        #expect(waits == [.zero, .zero, .milliseconds(100), .milliseconds(200)])
        #expect(waits == sleeper.recorded)
    }

    @Test func acquireWithTimeoutTakesNothingWhenTheTokenIsTooFarOff() {
        let clock = ManualClock()
        let sleeper = RecordingSleeper()
        let bucket = TokenBucket(ratePerSecond: 10, burst: 1, clock: clock, sleeper: sleeper)
        #expect(bucket.acquire(timeout: .zero))
        #expect(!bucket.acquire(timeout: .milliseconds(50)))
        #expect(bucket.acquire(timeout: .milliseconds(100)))
        #expect(sleeper.recorded == [.zero, .milliseconds(100)])
        clock.advance(by: .milliseconds(100))
        #expect(!bucket.tryAcquire())
        clock.advance(by: .milliseconds(100))
        #expect(bucket.tryAcquire())
    }

    @Test func concurrentTryAcquireGrantsExactlyTheBurst() {
        let bucket = TokenBucket(ratePerSecond: 5, burst: 100, clock: ManualClock(), sleeper: RecordingSleeper())
        let granted = Mutex(0)
        let threads = startThreads(8) { _ in
            for _ in 0..<50 where bucket.tryAcquire() { granted.withLock { $0 += 1 } }
        }
        #expect(finished(threads))
        #expect(granted.withLock { $0 } == 100)
    }

    @Test func concurrentAcquireReservesEverySlotOnce() {
        // With time frozen, the k-th token beyond the burst is due k intervals from now, whatever the interleaving:
        // a lost or doubled update would show up as a repeated or missing wait.
        let sleeper = RecordingSleeper()
        let bucket = TokenBucket(ratePerSecond: 1000, burst: 20, clock: ManualClock(), sleeper: sleeper)
        let threads = startThreads(8) { _ in
            for _ in 0..<25 { bucket.acquire() }
        }
        #expect(finished(threads))
        let expected = Array(repeating: Duration.zero, count: 20) + (1...180).map { Duration.milliseconds($0) }
        #expect(sleeper.recorded.sorted() == expected)
    }
}
