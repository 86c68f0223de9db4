import CMalloc
import Controller
import Synchronization

/// glibc's allocator, kept small for a long-running daemon. The workers and libcurl's threads each allocate the
/// batched AWS responses (up to a few MB, parsed and dropped within one read); left alone, glibc gives busy threads
/// arenas of their own (up to 8 per core) and keeps what each freed, so RSS grows with the fleet while the live heap
/// does not. `limitArenas` caps the arenas at start; `trim` hands freed pages back to the kernel.
public enum Heap {
    /// The arena cap set at start when the environment does not choose one. One arena: a second one took the
    /// resync passes' reads of whichever worker made them and kept their long-lived blocks among freed ones (at 1,000
    /// Ready specs it held 9.3 MB for 4.7 MB in use; RSS grew 11.0 MiB with one arena against 13.2–14.0 with two).
    /// One arena made `ctl list` contend with the workers while the list was built from decoded values; since it is
    /// written from the rows and streamed, `ctl list --json` of 10,000 specs takes the same with one or two (149–180 ms).
    public static let defaultArenaMax = 1

    /// Caps glibc's arenas at `defaultArenaMax` unless `environment` sets `MALLOC_ARENA_MAX` (glibc has read it at
    /// start, and the operator's choice wins). Call it before the daemon starts its threads. Returns the cap set, or
    /// nil when none was (the environment's kept, or a C library without arenas).
    @discardableResult
    public static func limitArenas(environment: [String: String]) -> Int? {
        guard environment["MALLOC_ARENA_MAX"] == nil else { return nil }
        return cmalloc_set_arena_max(Int32(defaultArenaMax)) == 1 ? defaultArenaMax : nil
    }

    /// Hands the free pages of every arena back to the kernel (`malloc_trim(0)`); true when some were released.
    @discardableResult
    public static func trim() -> Bool {
        cmalloc_trim() == 1
    }
}

/// Trims the heap when the controller's work has drained: at a sample of the queue with nothing queued or in flight,
/// when reconciles have finished since the last trim, at most once per `spacing`. A resync pass or a fleet converging
/// frees its AWS responses in bursts; trimming after the burst returns those pages (counting finished reconciles, not
/// busy samples, so a pass shorter than the sampling interval is not missed). The spacing keeps a daemon whose specs
/// fail fast and back off from walking a large heap every tick: a trim holds the arena's lock, and the pages it
/// returns fault back in on the next allocations (`ctl list` of 10,000 specs ran about 30 ms slower).
public final class DrainTrimmer: Sendable {
    /// The shortest time between two trims. Short enough that a pass coming in waves (the resyncs, then the specs
    /// their reads woke) is trimmed after its last wave: at 60 s, a 1,000-spec pass whose second wave came 25 s after
    /// its first kept 15 MiB of freed pages until the next pass.
    public static let defaultSpacing = Duration.seconds(10)

    private struct State {
        var finishedAtTrim: UInt64 = 0
        var lastTrim: ContinuousClock.Instant?
    }

    private let spacing: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let trim: @Sendable () -> Void
    private let state = Mutex(State())

    /// A trimmer calling `trim` (default: `Heap.trim()`) when work has drained and `spacing` has passed since its last
    /// trim, reading the time from `now`.
    public init(
        spacing: Duration = defaultSpacing,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        trim: @escaping @Sendable () -> Void = { Heap.trim() }
    ) {
        self.spacing = spacing
        self.now = now
        self.trim = trim
    }

    /// Takes one sample: the work queue and the count of reconciles finished so far. Trims when the queue is idle,
    /// the count moved since the last trim, and that trim is at least `spacing` old.
    public func observe(_ metrics: QueueMetrics, finished: UInt64) {
        guard metrics.queued + metrics.inFlight == 0 else { return }
        let time = now()
        let due = state.withLock { state in
            guard finished != state.finishedAtTrim else { return false }
            if let last = state.lastTrim, time - last < spacing { return false }
            state.finishedAtTrim = finished
            state.lastTrim = time
            return true
        }
        if due { trim() }
    }

    /// `sample` wrapped so that every reading of it is also observed with the count `finished` gives: hand it to
    /// whatever samples the queue.
    public func observing(
        finished: @escaping @Sendable () -> UInt64, _ sample: @escaping @Sendable () -> QueueMetrics
    ) -> @Sendable () -> QueueMetrics {
        { [self] in
            let metrics = sample()
            observe(metrics, finished: finished())
            return metrics
        }
    }
}
