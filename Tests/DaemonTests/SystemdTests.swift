import Controller
import Daemon
import Foundation
import Logging
import Metrics
import MetricsEndpoint
import MetricsTestKit
import Store
import Synchronization
import Testing
import TestSupport

/// A monotonic clock the test moves by hand.
private final class StepClock: MonotonicClock {
    private let time = Mutex(Duration.zero)
    func now() -> Duration { time.withLock { $0 } }
    func advance(by step: Duration) { time.withLock { $0 += step } }
}

private let quiet = Logger(label: "SystemdTests", factory: { _ in SwiftLogNoOpLogHandler() })

@Suite struct SystemdTests {
    @Test func watchdogSettingsFollowSdWatchdogEnabled() {
        let socket = ["NOTIFY_SOCKET": "/run/x"]
        #expect(SystemdNotifier(environment: socket).watchdogInterval == nil)
        #expect(
            SystemdNotifier(environment: socket.merging(["WATCHDOG_USEC": "3000000"]) { $1 }, pid: 7)
                .watchdogInterval == .seconds(3))
        #expect(
            SystemdNotifier(
                environment: socket.merging(["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "7"]) { $1 },
                pid: 7
            ).watchdogInterval == .seconds(3))
        #expect(
            SystemdNotifier(
                environment: socket.merging(["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "8"]) { $1 },
                pid: 7
            ).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: socket.merging(["WATCHDOG_USEC": "0"]) { $1 }).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "3000000"]).watchdogInterval == nil)
        #expect(ServiceMonitor.tickInterval(watchdog: .seconds(60)) == .seconds(2))
        #expect(ServiceMonitor.tickInterval(watchdog: .milliseconds(400)) == .milliseconds(200))
        #expect(ServiceMonitor.tickInterval(watchdog: nil) == .seconds(2))
    }

    @Test func phaseSummaryCountsInLifecycleOrder() {
        #expect(
            PhaseSummary.line([.ready: 2, .failed: 1, .converging: 1]) == "4 specs: 1 Converging, 2 Ready, 1 Failed")
        #expect(PhaseSummary.line([.pending: 1, .failed: 0]) == "1 spec: 1 Pending")
        #expect(PhaseSummary.line([:]).hasPrefix("0 specs"))
    }

    @Test func pingsStopWhileTheHeartbeatIsStaleAndStatusFollowsTheStore() throws {
        try withTemporaryDirectory { directory in
            let listener = try NotifyListener(path: directory + "/notify")
            defer { listener.close() }
            let store = try SQLiteStore(path: directory + "/state.db")
            try store.put(name: "one", specJSON: Data("{}".utf8))
            let clock = StepClock()
            let heartbeat = Heartbeat(clock: clock)
            let notifier = SystemdNotifier(
                environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "200000"])
            let monitor = ServiceMonitor(
                notifier: notifier, heartbeat: heartbeat, store: store,
                queueDepth: { QueueMetrics(queued: 0, inFlight: 0, scheduled: 0) },
                gauges: StateGauges(factory: NOOPMetricsHandler.instance), logger: quiet)
            monitor.start()
            defer { monitor.stop() }

            #expect(listener.waitFor(seconds: 5) { $0 == "STATUS=1 spec: 1 Pending" } != nil)
            #expect(listener.waitFor(seconds: 5) { $0 == "WATCHDOG=1" } != nil)

            clock.advance(by: .milliseconds(300))
            Thread.sleep(forTimeInterval: 0.25)
            listener.clear()
            Thread.sleep(forTimeInterval: 0.5)
            #expect(!listener.messages.contains("WATCHDOG=1"), "pinged while the controller made no progress")

            heartbeat.reconcileFinished()
            #expect(listener.waitFor(seconds: 5) { $0 == "WATCHDOG=1" } != nil)
        }
    }

    @Test func reloadChangesSayWhatChangedAndWhatNeedsARestart() {
        let old = DaemonConfig()
        var new = old
        new.logLevel = "debug"
        new.pollInterval = .seconds(5)
        new.awsRate.perSecond = 2
        new.awsServiceRates.rds.perSecond = 6
        new.workers = 8
        new.metricsListen = LoopbackAddress(port: 9464)
        let changes = ConfigChanges(from: old, to: new)
        #expect(
            changes.applied == [
                "daemon.log_level: info → debug", "reconcile.poll_interval: 15.0 seconds → 5.0 seconds",
                "aws.requests_per_second: 40.0 → 2.0", "aws.rds.requests_per_second: 12.0 → 6.0",
            ])
        #expect(changes.needRestart == ["daemon.workers: 4 → 8", "metrics.listen: off → 127.0.0.1:9464"])
        let adopted = ConfigChanges.adoptable(from: new, keeping: old)
        #expect(adopted.workers == 4 && adopted.logLevel == "debug" && adopted.pollInterval == .seconds(5))
        #expect(adopted.metricsListen == nil)
        #expect(adopted.awsRate.perSecond == 2 && adopted.awsServiceRates.rds == RequestRate(perSecond: 6, burst: 300))
    }

    @Test func monitorSamplesQueueDepthAndSpecsByPhaseIntoGauges() throws {
        try withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/state.db")
            try store.put(name: "one", specJSON: Data("{}".utf8))
            try store.put(name: "two", specJSON: Data("{}".utf8))
            let metrics = TestMetrics()
            let monitor = ServiceMonitor(
                notifier: SystemdNotifier(environment: [:]), heartbeat: Heartbeat(clock: StepClock()), store: store,
                queueDepth: { QueueMetrics(queued: 3, inFlight: 2, scheduled: 1) },
                gauges: StateGauges(factory: metrics),
                logger: quiet)
            monitor.start()
            defer { monitor.stop() }

            func gauge(_ label: String, _ dimensions: [(String, String)]) -> Double? {
                (try? metrics.expectGauge(label, dimensions))?.lastValue
            }
            let deadline = Date().addingTimeInterval(10)
            while gauge(StateGauges.specsName, [("phase", "Pending")]) != 2, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            #expect(gauge(StateGauges.specsName, [("phase", "Pending")]) == 2)
            #expect(gauge(StateGauges.specsName, [("phase", "Ready")]) == 0, "every phase has a series, 0 when empty")
            #expect(gauge(StateGauges.queueName, [("state", "queued")]) == 3)
            #expect(gauge(StateGauges.queueName, [("state", "in_flight")]) == 2)
            #expect(gauge(StateGauges.queueName, [("state", "scheduled")]) == 1)
        }
    }
}
