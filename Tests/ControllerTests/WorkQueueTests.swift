import Controller
import Foundation
import Synchronization
import Testing

@Suite struct WorkQueueTests {
    @Test func repeatedAddsWhileWaitingCollapseAndKeepOrder() {
        let queue = WorkQueue(clock: ManualClock())
        for key in ["a", "b", "a", "c", "b", "a"] { queue.add(key) }
        #expect(queue.metrics == QueueMetrics(queued: 3, inFlight: 0, scheduled: 0))
        #expect([queue.get(), queue.get(), queue.get()] == ["a", "b", "c"])
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 3, scheduled: 0))
    }

    @Test func keyAddedDuringProcessingIsHeldBackThenReadiedOnce() {
        let queue = WorkQueue(clock: ManualClock())
        queue.add("a")
        #expect(queue.get() == "a")
        queue.add("a")
        queue.add("a")
        queue.add("b")
        // "a" is in flight, so only "b" may be handed out: never two workers on one key.
        #expect(queue.metrics == QueueMetrics(queued: 1, inFlight: 1, scheduled: 0))
        #expect(queue.get() == "b")
        queue.done("a")
        #expect(queue.metrics == QueueMetrics(queued: 1, inFlight: 1, scheduled: 0))
        #expect(queue.get() == "a")
        queue.done("a")
        queue.done("b")
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 0))
    }

    @Test func earliestDueTimeWinsWithOneTimerPerKey() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.addAfter("a", delay: .seconds(10))
        queue.addAfter("a", delay: .seconds(1))
        queue.addAfter("a", delay: .seconds(5))
        #expect(clock.pendingDelays == [.seconds(1)])
        clock.advance(by: .milliseconds(999))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 1))
        clock.advance(by: .milliseconds(1))
        #expect(queue.metrics == QueueMetrics(queued: 1, inFlight: 0, scheduled: 0))
        #expect(queue.get() == "a")
        queue.done("a")
        clock.advance(by: .seconds(60))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 0))
    }

    @Test func manyDelayedKeysShareOneTimerAndComeDueInOrder() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        let delays = [7, 3, 9, 1, 5, 3, 8, 2, 6, 4]
        for (index, delay) in delays.enumerated() { queue.addAfter("k\(index)", delay: .seconds(delay)) }
        #expect(clock.pendingDelays == [.seconds(1)])
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 10))
        var order: [String] = []
        for _ in 0..<9 {
            clock.advance(by: .seconds(1))
            #expect(clock.pendingDelays.count <= 1)
            while queue.metrics.queued > 0, let key = queue.get() { order.append(key) }
        }
        // Both keys due at 3 s come in the same turn, in either order.
        #expect(order.count == 10)
        #expect(order.map { delays[Int($0.dropFirst())!] } == delays.sorted())
        #expect(clock.pendingDelays.isEmpty)
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 10, scheduled: 0))
    }

    @Test func aCancelledOrMovedDueTimeDoesNotAddItsKeyAgain() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.addAfter("a", delay: .seconds(5))
        queue.addAfter("b", delay: .seconds(8))
        queue.add("a")
        #expect(queue.get() == "a")
        queue.done("a")
        queue.addAfter("b", delay: .seconds(2))
        clock.advance(by: .seconds(2))
        #expect(queue.get() == "b")
        queue.done("b")
        // "a" was due at 5 s and "b" at 8 s before those adds: neither comes back.
        clock.advance(by: .seconds(10))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 0))
        #expect(clock.pendingDelays.isEmpty)
        queue.addAfter("a", delay: .seconds(3))
        clock.advance(by: .seconds(3))
        #expect(queue.metrics == QueueMetrics(queued: 1, inFlight: 0, scheduled: 0))
    }

    @Test func aKeyRescheduledOftenComesDueOnceAtItsEarliestTime() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        // Each add cancels the delayed one before it, leaving its due time stale: more than the rebuild threshold.
        for turn in 0..<500 {
            queue.addAfter("a", delay: .seconds(1_000 - turn))
            queue.addAfter("b", delay: .seconds(2_000))
            queue.add("a")
            #expect(queue.get() == "a")
            queue.done("a")
        }
        queue.addAfter("a", delay: .seconds(600))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 2))
        clock.advance(by: .seconds(599))
        #expect(queue.metrics.queued == 0)
        clock.advance(by: .seconds(1))
        #expect(queue.get() == "a")
        queue.done("a")
        clock.advance(by: .seconds(1_399))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 1))
        clock.advance(by: .seconds(1))
        #expect(queue.metrics == QueueMetrics(queued: 1, inFlight: 0, scheduled: 0))
        clock.advance(by: .seconds(3_000))
        #expect(queue.metrics == QueueMetrics(queued: 1, inFlight: 0, scheduled: 0))
    }

    @Test func immediateAddOverridesALaterScheduledAdd() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.addAfter("a", delay: .seconds(10))
        queue.add("a")
        #expect(clock.pendingDelays.isEmpty)
        #expect(queue.get() == "a")
        queue.done("a")
        clock.advance(by: .seconds(20))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 0))
    }

    @Test func delayedAddOfAWaitingKeyIsNotScheduled() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.add("a")
        queue.addAfter("a", delay: .seconds(1))
        #expect(clock.pendingDelays.isEmpty)
        #expect(queue.metrics == QueueMetrics(queued: 1, inFlight: 0, scheduled: 0))
    }

    @Test func delayedAddOfAnInFlightKeyReadiesItAfterDone() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.add("a")
        #expect(queue.get() == "a")
        queue.addAfter("a", delay: .seconds(1))
        clock.advance(by: .seconds(1))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 1, scheduled: 0))
        queue.done("a")
        #expect(queue.get() == "a")
    }

    @Test func shutdownWakesBlockedWorkersAndRefusesNewKeys() {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        let results = RecordingReconciler()
        let started = Mutex(0)
        let workers = startThreads(3) { _ in
            started.withLock { $0 += 1 }
            results.note("got \(queue.get() ?? "nil")")
        }
        // Give the threads a moment to block in get; the assertions hold whether or not they got there first.
        _ = waitUntil { started.withLock { $0 } == 3 }
        Thread.sleep(forTimeInterval: 0.05)
        queue.addAfter("a", delay: .seconds(1))
        queue.shutdown()
        #expect(finished(workers))
        #expect(results.events == ["got nil", "got nil", "got nil"])
        #expect(clock.pendingDelays.isEmpty)
        queue.add("b")
        clock.advance(by: .seconds(2))
        #expect(queue.metrics == QueueMetrics(queued: 0, inFlight: 0, scheduled: 0))
        #expect(queue.get() == nil)
    }
}
