import Controller
import MetricsTestKit
import Testing

/// The reconcile counters and duration histogram the workers record, read back from swift-metrics' test factory.
@Suite("Reconcile metrics")
struct ReconcileMetricsTests {
    @Test("each finished reconcile counts once under its result, with its duration on the controller's clock")
    func countsAndDurations() throws {
        let clock = ManualClock()
        let results: [String: ReconcileResult] = [
            "a": .done, "b": .requeueAfter(.seconds(3600)), "c": .retryableError(TestFailure()),
            "d": .terminalError(TestFailure()),
        ]
        // One worker, so each reconcile's duration is exactly the 250 ms its own work moves the clock.
        let reconciler = RecordingReconciler(work: { clock.advance(by: .milliseconds(250)) }) { key, _ in
            results[key] ?? .done
        }
        let metrics = TestMetrics()
        let controller = Controller(
            reconciler: reconciler, workers: 1,
            backoff: ExponentialBackoff(base: .seconds(3600), max: .seconds(3600)), clock: clock,
            reconcileMetrics: ReconcileMetrics(factory: metrics), logger: quietLogger)
        defer { _ = controller.shutdown(timeout: .seconds(10)) }
        controller.start(keys: ["a", "b", "c", "d"])
        #expect(waitUntil { controller.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 2) })

        for (result, expected) in [("done", 1), ("requeued", 1), ("retryable_error", 1), ("terminal_error", 1)] {
            let counter = try metrics.expectCounter(ReconcileMetrics.countName, [("result", result)])
            #expect(counter.totalValue == Int64(expected), "\(result)")
        }
        let durations = try metrics.expectTimer(ReconcileMetrics.durationName).values
        #expect(durations == Array(repeating: Int64(250_000_000), count: 4))
    }

    @Test("every result's series exists before the first reconcile")
    func seriesExistAtZero() throws {
        let metrics = TestMetrics()
        _ = ReconcileMetrics(factory: metrics)
        for result in ReconcileMetrics.results {
            #expect(try metrics.expectCounter(ReconcileMetrics.countName, [("result", result)]).totalValue == 0)
        }
    }
}

private struct TestFailure: Error {}
