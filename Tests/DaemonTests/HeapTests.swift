import Controller
import Daemon
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct HeapTests {
    @Test func theEnvironmentsArenaCapWins() {
        #expect(Heap.limitArenas(environment: ["MALLOC_ARENA_MAX": "4"]) == nil)
    }

    #if canImport(Glibc)
        @Test func arenasAreCappedWhenTheEnvironmentSaysNothing() {
            #expect(Heap.limitArenas(environment: [:]) == Heap.defaultArenaMax)
        }

        /// Blocks of 64 KiB (past the tcache, under the mmap threshold) freed in front of one still held cannot go
        /// back to the kernel by `free` alone (they do not border the arena's top); `malloc_trim` releases them.
        @Test func trimReleasesFreedPagesBelowALiveBlock() throws {
            let size = 64 << 10
            var blocks: [UnsafeMutableRawPointer] = []
            for _ in 0..<65 {
                let block = try #require(malloc(size))
                memset(block, 1, size)
                blocks.append(block)
            }
            let held = blocks.removeLast()
            defer { free(held) }
            for block in blocks { free(block) }
            #expect(Heap.trim())
        }
    #endif
}

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    func now() -> ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(by step: Duration) { instant.withLock { $0 += step } }
}

@Suite struct DrainTrimmerTests {
    private static let idle = QueueMetrics(queued: 0, inFlight: 0, scheduled: 4)

    @Test func trimsWhenIdleAfterReconcilesFinished() {
        let trims = Mutex(0)
        let trimmer = DrainTrimmer(spacing: .zero, trim: { trims.withLock { $0 += 1 } })
        trimmer.observe(Self.idle, finished: 0)
        #expect(trims.withLock { $0 } == 0)
        trimmer.observe(QueueMetrics(queued: 3, inFlight: 1, scheduled: 0), finished: 5)
        trimmer.observe(QueueMetrics(queued: 0, inFlight: 2, scheduled: 1), finished: 9)
        #expect(trims.withLock { $0 } == 0)
        trimmer.observe(Self.idle, finished: 12)
        #expect(trims.withLock { $0 } == 1)
        trimmer.observe(Self.idle, finished: 12)
        #expect(trims.withLock { $0 } == 1)
        // A burst that began and ended between two samples still counts.
        trimmer.observe(Self.idle, finished: 1_012)
        #expect(trims.withLock { $0 } == 2)
    }

    @Test func drainsCloserThanTheSpacingAreNotTrimmed() {
        let trims = Mutex(0)
        let clock = ManualClock()
        let trimmer = DrainTrimmer(spacing: .seconds(60), now: clock.now, trim: { trims.withLock { $0 += 1 } })
        trimmer.observe(Self.idle, finished: 1)
        #expect(trims.withLock { $0 } == 1)
        clock.advance(by: .seconds(59))
        trimmer.observe(Self.idle, finished: 2)
        #expect(trims.withLock { $0 } == 1)
        clock.advance(by: .seconds(1))
        trimmer.observe(Self.idle, finished: 3)
        #expect(trims.withLock { $0 } == 2)
    }

    @Test func observingPassesTheSampleThroughAndWatchesIt() {
        let trims = Mutex(0)
        let busy = QueueMetrics(queued: 0, inFlight: 1, scheduled: 0)
        let queue = Mutex(busy)
        let finished = Mutex(UInt64(0))
        let trimmer = DrainTrimmer(trim: { trims.withLock { $0 += 1 } })
        let sample = trimmer.observing(finished: { finished.withLock { $0 } }) { queue.withLock { $0 } }
        #expect(sample() == busy)
        #expect(trims.withLock { $0 } == 0)
        queue.withLock { $0 = Self.idle }
        finished.withLock { $0 = 1 }
        #expect(sample() == Self.idle)
        #expect(trims.withLock { $0 } == 1)
    }
}
