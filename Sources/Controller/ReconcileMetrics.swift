import Metrics

/// Records finished reconciles through swift-metrics: a count by result and a duration histogram. Every result's
/// series exists from the start (at 0), so a rate over it is defined before the first failure.
public struct ReconcileMetrics: Sendable {
    /// Finished reconciles by `result` (`done`, `requeued`, `retryable_error`, `terminal_error`).
    public static let countName = "aurorad_reconciles_total"
    /// How long one reconcile took (observe, plan, act), as a histogram.
    public static let durationName = "aurorad_reconcile_duration_seconds"
    /// The histogram's upper bounds: a pass is one observation (tens of milliseconds) up to a create with IAM
    /// propagation waits and retries (a minute or more).
    public static let durationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    /// The `# HELP` text of each metric above.
    public static let descriptions = [
        countName: "Finished reconciles by result: done, requeued, retryable_error, terminal_error.",
        durationName: "Seconds one reconcile took: observe AWS, plan, act.",
    ]

    /// Every `result` label value.
    public static let results = ["done", "requeued", "retryable_error", "terminal_error"]

    private let counters: [String: Counter]
    private let duration: Timer

    /// Metrics recorded through `factory` (the no-op handler records nothing).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        var counters: [String: Counter] = [:]
        for result in Self.results {
            counters[result] = Counter(label: Self.countName, dimensions: [("result", result)], factory: factory)
        }
        self.counters = counters
        duration = Timer(label: Self.durationName, dimensions: [], factory: factory)
    }

    /// Records one reconcile that ended with `result` after `elapsed`.
    func finished(_ result: ReconcileResult, after elapsed: Duration) {
        counters[Self.label(result)]?.increment()
        duration.record(duration: elapsed)
    }

    /// The `result` label of `result`.
    static func label(_ result: ReconcileResult) -> String {
        switch result {
        case .done: "done"
        case .requeueAfter: "requeued"
        case .retryableError: "retryable_error"
        case .terminalError: "terminal_error"
        }
    }
}
