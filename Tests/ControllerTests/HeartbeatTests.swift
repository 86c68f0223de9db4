import Controller
import Foundation
import Testing

/// The progress signal the systemd watchdog reads: fresh while workers take, finish or wait for keys; stale when
/// every worker is stuck in one reconcile.
@Suite struct HeartbeatTests {
    private func controller(_ reconciler: RecordingReconciler, workers: Int) -> Controller {
        Controller(
            reconciler: reconciler, workers: workers, idleBeatInterval: .milliseconds(20), logger: quietLogger)
    }

    @Test func idleWorkersKeepTheHeartbeatFresh() {
        let reconciler = RecordingReconciler()
        let controller = controller(reconciler, workers: 2)
        defer { _ = controller.shutdown(timeout: .seconds(10)) }
        controller.start(keys: ["a"])
        #expect(waitUntil { controller.heartbeat.finishedReconciles == 1 })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(controller.heartbeat.age < .milliseconds(200))
    }

    @Test func everyWorkerStuckStopsTheHeartbeatAndReleasingResumesIt() {
        let reconciler = RecordingReconciler(holds: { _, _ in true })
        let controller = controller(reconciler, workers: 2)
        defer {
            reconciler.gate.open()
            _ = controller.shutdown(timeout: .seconds(10))
        }
        controller.start(keys: ["a", "b"])
        #expect(waitUntil { reconciler.activeTotal == 2 })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(controller.heartbeat.age >= .milliseconds(250))
        #expect(controller.heartbeat.finishedReconciles == 0)

        reconciler.gate.open()
        #expect(waitUntil { controller.heartbeat.finishedReconciles == 2 })
        #expect(controller.heartbeat.age < .milliseconds(200))
    }

    @Test func oneStuckWorkerBesideAnIdleOneIsProgress() {
        let reconciler = RecordingReconciler(holds: { key, _ in key == "stuck" })
        let controller = controller(reconciler, workers: 2)
        defer {
            reconciler.gate.open()
            _ = controller.shutdown(timeout: .seconds(10))
        }
        controller.start(keys: ["stuck"])
        #expect(waitUntil { reconciler.activeTotal == 1 })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(controller.heartbeat.age < .milliseconds(200))
    }
}
