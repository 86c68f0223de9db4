import CMalloc
import Controller
import Synchronization

/// glibc's allocator, kept small for a long-running daemon. The workers and libcurl's threads each allocate the
/// batched AWS responses (up to a few MB, parsed and dropped within one read); left alone, glibc gives busy threads
/// arenas of their own (up to 8 per core) and keeps what each freed, so RSS grows with the fleet while the live heap
/// does not. `limitArenas` caps the arenas at start; `trim` hands freed pages back to the kernel.
public enum Heap {
    /// The arena cap set at start when the environment does not choose one.
    public static let defaultArenaMax = 2

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

/// Trims the heap each time the controller's work drains: a sample of the queue with nothing queued or in flight
/// after one with work. A resync pass or a fleet converging frees its AWS responses in bursts; trimming once after
/// each burst returns those pages without trimming again and again while the daemon is idle or busy.
public final class DrainTrimmer: Sendable {
    private let trim: @Sendable () -> Void
    private let busy = Mutex(false)

    /// A trimmer calling `trim` (default: `Heap.trim()`) at each drain.
    public init(trim: @escaping @Sendable () -> Void = { Heap.trim() }) {
        self.trim = trim
    }

    /// Takes one sample of the work queue; trims when it is the first idle sample after a busy one.
    public func observe(_ metrics: QueueMetrics) {
        let working = metrics.queued + metrics.inFlight > 0
        let drained = busy.withLock { busy in
            defer { busy = working }
            return busy && !working
        }
        if drained { trim() }
    }

    /// `sample` wrapped so that every reading of it is also observed: hand it to whatever samples the queue.
    public func observing(_ sample: @escaping @Sendable () -> QueueMetrics) -> @Sendable () -> QueueMetrics {
        { [self] in
            let metrics = sample()
            observe(metrics)
            return metrics
        }
    }
}
