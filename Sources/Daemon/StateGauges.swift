import Controller
import Metrics
import StatusModel

/// Gauges of the daemon's state that the service monitor samples on its tick: specs by phase (every phase, 0 when
/// none, so a phase emptied shows 0 rather than its last count) and the work queue's keys by state.
public struct StateGauges: Sendable {
    /// Specs by `phase`, read from the store.
    public static let specsName = "aurorad_specs"
    /// Work-queue keys by `state`: `queued` (waiting for a worker), `in_flight` (being reconciled), `scheduled`
    /// (a requeue or backoff timer pending).
    public static let queueName = "aurorad_queue_depth"

    /// The `# HELP` text of each metric above.
    public static let descriptions = [
        specsName: "Specs in each phase, as the store has them.",
        queueName: "Work-queue keys: queued (waiting for a worker), in_flight (reconciling), scheduled (timer set).",
    ]

    private let phases: [Phase: Gauge]
    private let queued: Gauge
    private let inFlight: Gauge
    private let scheduled: Gauge

    /// Gauges recorded through `factory` (the no-op handler records nothing).
    public init(factory: any MetricsFactory) {
        var phases: [Phase: Gauge] = [:]
        for phase in Phase.allCases {
            phases[phase] = Gauge(label: Self.specsName, dimensions: [("phase", phase.rawValue)], factory: factory)
        }
        self.phases = phases
        queued = Gauge(label: Self.queueName, dimensions: [("state", "queued")], factory: factory)
        inFlight = Gauge(label: Self.queueName, dimensions: [("state", "in_flight")], factory: factory)
        scheduled = Gauge(label: Self.queueName, dimensions: [("state", "scheduled")], factory: factory)
    }

    /// Sets the per-phase counts (a phase absent from `counts` has none).
    public func record(phases counts: [Phase: Int]) {
        for (phase, gauge) in phases { gauge.record(counts[phase] ?? 0) }
    }

    /// Sets the queue depth gauges.
    public func record(queue: QueueMetrics) {
        queued.record(queue.queued)
        inFlight.record(queue.inFlight)
        scheduled.record(queue.scheduled)
    }
}
