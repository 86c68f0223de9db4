import Controller
import Foundation
import Synchronization
import Testing
import TestSupport

/// The queue is idle: nothing waiting, in flight or scheduled.
private let idle = QueueMetrics(queued: 0, inFlight: 0, scheduled: 0)

@Suite struct ControllerTests {
    /// A controller over `reconciler`, stopped (after opening its gate) when `body` returns or throws.
    private func withController(
        _ reconciler: RecordingReconciler, workers: Int = 4,
        backoff: ExponentialBackoff = ExponentialBackoff(base: .milliseconds(1), max: .milliseconds(4)),
        clock: any TimerScheduler = SystemClock(), _ body: (Controller) throws -> Void
    ) rethrows {
        let controller = Controller(
            reconciler: reconciler, workers: workers, backoff: backoff, clock: clock, logger: quietLogger)
        defer {
            reconciler.gate.open()
            _ = controller.shutdown(timeout: .seconds(10))
        }
        try body(controller)
    }

    @Test func startReconcilesEveryStoredSpecOnce() {
        let reconciler = RecordingReconciler()
        withController(reconciler) { controller in
            controller.start(keys: ["a", "b", "c"])
            #expect(waitUntil { reconciler.calls.count == 3 && controller.metrics == idle })
            #expect(Set(reconciler.calls.map(\.key)) == ["a", "b", "c"])
        }
    }

    @Test func repeatedWakesOfAWaitingSpecCollapse() {
        let reconciler = RecordingReconciler(holds: { key, _ in key == "x" })
        withController(reconciler, workers: 1) { controller in
            controller.start(keys: ["x"])
            #expect(waitUntil { reconciler.activeTotal == 1 })
            for _ in 1...5 { controller.wake("a") }
            #expect(controller.metrics == QueueMetrics(queued: 1, inFlight: 1, scheduled: 0))
            reconciler.gate.open()
            #expect(waitUntil { reconciler.count("a") >= 1 && controller.metrics == idle })
            #expect(reconciler.count("a") == 1)
            #expect(reconciler.events == ["start x#1", "end x#1", "start a#1", "end a#1"])
        }
    }

    @Test func specWokenDuringItsReconcileRunsExactlyOnceMore() {
        let reconciler = RecordingReconciler(holds: { key, number in key == "a" && number == 1 })
        withController(reconciler) { controller in
            controller.start(keys: ["a"])
            #expect(waitUntil { reconciler.activeTotal == 1 })
            for _ in 1...3 { controller.wake("a") }
            // Free workers must not pick "a" while it is in flight.
            #expect(controller.metrics == QueueMetrics(queued: 0, inFlight: 1, scheduled: 0))
            reconciler.gate.open()
            #expect(waitUntil { reconciler.count("a") >= 2 && controller.metrics == idle })
            #expect(reconciler.events == ["start a#1", "end a#1", "start a#2", "end a#2"])
        }
    }

    @Test func neverTwoConcurrentReconcilesOfOneSpecUnderStress() {
        let keys = (0..<20).map { "spec-\($0)" }
        let reconciler = RecordingReconciler(
            work: { Thread.sleep(forTimeInterval: 0.000_2) },
            script: { _, number in
                if number % 5 == 0 { return .retryableError(FakeError()) }
                if number % 7 == 0 { return .requeueAfter(.milliseconds(2)) }
                return .done
            })
        withController(reconciler, workers: 8) { controller in
            controller.start(keys: [])
            let wakers = startThreads(4) { index in
                var random = SplitMix64(seed: UInt64(index + 1))
                for wake in 0..<125 {
                    controller.wake(keys.randomElement(using: &random)!)
                    if wake % 25 == 0 { Thread.sleep(forTimeInterval: 0.001) }
                }
            }
            #expect(finished(wakers))
            #expect(waitUntil(timeout: .seconds(30)) { controller.metrics == idle })
            let maxima = reconciler.maxActivePerKey
            #expect(Set(maxima.keys) == Set(keys))
            #expect(maxima.values.allSatisfy { $0 == 1 })
            #expect(reconciler.maxActiveTotal <= 8)
        }
    }

    @Test func differentSpecsRunInParallelUpToTheWorkerCount() {
        let reconciler = RecordingReconciler(holds: { _, _ in true })
        withController(reconciler, workers: 3) { controller in
            controller.start(keys: ["a", "b", "c", "d", "e"])
            #expect(waitUntil { controller.metrics == QueueMetrics(queued: 2, inFlight: 3, scheduled: 0) })
            #expect(reconciler.activeTotal == 3)
            #expect(reconciler.calls.map(\.key).sorted() == ["a", "b", "c"])
            reconciler.gate.open()
            #expect(waitUntil { reconciler.calls.count == 5 && controller.metrics == idle })
            #expect(reconciler.maxActiveTotal == 3)
        }
    }

    @Test func backoffDoublesCapsAndResetsOnSuccess() {
        let clock = ManualClock()
        let reconciler = RecordingReconciler(script: { _, number in
            number == 7 ? .done : .retryableError(FakeError())
        })
        let backoff = ExponentialBackoff(base: .seconds(1), max: .seconds(8))
        withController(reconciler, backoff: backoff, clock: clock) { controller in
            controller.start(keys: ["a"])
            var delays: [Duration] = []
            for number in 1...6 {
                #expect(waitUntil { reconciler.count("a") == number && controller.metrics.inFlight == 0 })
                #expect(controller.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 1))
                #expect(controller.failureCount(for: "a") == number)
                let pending = clock.pendingDelays
                delays += pending
                clock.advance(by: pending.first ?? .zero)
            }
            #expect(delays == [1, 2, 4, 8, 8, 8].map { Duration.seconds($0) })
            #expect(waitUntil { reconciler.count("a") == 7 && controller.metrics == idle })
            #expect(controller.failureCount(for: "a") == 0)
            controller.wake("a")
            #expect(waitUntil { reconciler.count("a") == 8 && controller.metrics.scheduled == 1 })
            #expect(clock.pendingDelays == [.seconds(1)])
            #expect(controller.failureCount(for: "a") == 1)
        }
    }

    @Test func requeueAfterRunsTheSpecAgainNoEarlierThanAsked() {
        let reconciler = RecordingReconciler(script: { _, number in
            number == 1 ? .requeueAfter(.milliseconds(50)) : .done
        })
        withController(reconciler) { controller in
            controller.start(keys: ["a"])
            #expect(waitUntil { reconciler.count("a") == 2 && controller.metrics == idle })
            let calls = reconciler.calls
            #expect(calls.count == 2)
            if calls.count == 2 { #expect(calls[1].started - calls[0].started >= .milliseconds(50)) }
        }
    }

    @Test func wakeOverridesALaterScheduledRequeue() {
        let clock = ManualClock()
        let reconciler = RecordingReconciler(script: { _, number in
            number == 1 ? .requeueAfter(.seconds(3600)) : .done
        })
        withController(reconciler, clock: clock) { controller in
            controller.start(keys: ["a"])
            #expect(waitUntil { controller.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 1) })
            controller.wake("a")
            #expect(waitUntil { reconciler.count("a") == 2 && controller.metrics == idle })
            #expect(clock.pendingDelays.isEmpty)
            clock.advance(by: .seconds(7200))
            #expect(controller.metrics == idle)
            #expect(reconciler.count("a") == 2)
        }
    }

    @Test func terminalErrorIsNotRetriedUntilWoken() {
        let clock = ManualClock()
        let reconciler = RecordingReconciler(script: { _, number in number == 1 ? .terminalError(FakeError()) : .done })
        withController(reconciler, clock: clock) { controller in
            controller.start(keys: ["a"])
            #expect(waitUntil { reconciler.count("a") == 1 && controller.metrics == idle })
            #expect(clock.pendingDelays.isEmpty)
            #expect(controller.failureCount(for: "a") == 0)
            clock.advance(by: .seconds(3600))
            #expect(reconciler.count("a") == 1)
            controller.wake("a")
            #expect(waitUntil { reconciler.count("a") == 2 && controller.metrics == idle })
        }
    }

    @Test func shutdownWaitsForInFlightReconciles() {
        let reconciler = RecordingReconciler(holds: { _, _ in true })
        let controller = Controller(reconciler: reconciler, workers: 2, logger: quietLogger)
        controller.start(keys: ["a"])
        #expect(waitUntil { reconciler.activeTotal == 1 })
        let stopper = startThreads(1) { _ in
            reconciler.note("shutdown called")
            let finished = controller.shutdown(timeout: .seconds(10))
            reconciler.note("shutdown returned \(finished)")
        }
        #expect(waitUntil { reconciler.events.contains("shutdown called") })
        // Not an assertion: gives the shutdown a moment to be waiting when the reconcile ends.
        Thread.sleep(forTimeInterval: 0.05)
        reconciler.gate.open()
        #expect(finished(stopper))
        #expect(reconciler.events == ["start a#1", "shutdown called", "end a#1", "shutdown returned true"])
        controller.wake("b")
        #expect(controller.metrics == idle)
    }

    @Test func shutdownReportsAReconcileThatOutlastsTheTimeoutAndStartsNothingNew() {
        let reconciler = RecordingReconciler(holds: { key, _ in key == "a" })
        let controller = Controller(reconciler: reconciler, workers: 1, logger: quietLogger)
        controller.start(keys: ["a", "b"])
        #expect(waitUntil { reconciler.activeTotal == 1 })
        #expect(controller.shutdown(timeout: .milliseconds(100)) == false)
        reconciler.gate.open()
        #expect(controller.shutdown(timeout: .seconds(10)))
        #expect(reconciler.events == ["start a#1", "end a#1"])
    }
}
