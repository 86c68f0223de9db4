import Foundation
import Testing
import TestSupport

/// The built daemon with `[metrics] listen` set, converging a spec against the emulator and scraped over HTTP.
@Suite(.sharedEmulator())
struct MetricsEndToEndTests {
    /// The outcomes `aurorad_aws_calls_total` may carry (`AWSCallOutcome`).
    static let outcomes: Set<String> = [
        "success", "throttled", "client_error", "server_error", "network", "credentials", "other",
    ]

    @Test func convergedDaemonExposesReconcileAWSCallAndStateMetrics() async throws {
        let emulator = try SharedEmulator.require()
        try await withTemporaryDirectory { directory in
            let port = try unusedLoopbackPort()
            let config = directory + "/aurorad.toml"
            try writeFile(config, "[metrics]\nlisten = \"127.0.0.1:\(port)\"\n")
            let daemon = try DaemonUnderTest(
                directory: directory, environment: emulator.environment, extraArguments: ["--config", config])
            defer { daemon.process.kill() }
            let name = "e2e-metrics"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            let ready = try await daemon.waitForPhase(name, "Ready")
            #expect(ready.phase == "Ready", "\(ready)\n\(daemon.logTail)")

            // The phase gauges follow the store on the monitor's tick (at most every 2 s): poll, bounded.
            var exposition = try PrometheusExposition(parsing: httpGet(port: port).body)
            for _ in 0..<40 where exposition.value("aurorad_specs", ["phase": "Ready"]) != 1 {
                try await Task.sleep(for: .milliseconds(250))
                exposition = try PrometheusExposition(parsing: httpGet(port: port).body)
            }
            #expect(exposition.value("aurorad_specs", ["phase": "Ready"]) == 1)
            #expect(exposition.value("aurorad_specs", ["phase": "Failed"]) == 0)
            #expect(exposition.families["aurorad_specs"]?.type == "gauge")

            #expect(exposition.families["aurorad_reconciles_total"]?.type == "counter")
            let reconciles = exposition.total("aurorad_reconciles_total")
            #expect(reconciles >= 2, "a converge takes several passes")
            #expect(exposition.value("aurorad_reconciles_total", ["result": "requeued"]) ?? 0 >= 1)
            #expect(exposition.families["aurorad_reconcile_duration_seconds"]?.type == "histogram")
            #expect(exposition.value("aurorad_reconcile_duration_seconds_count") ?? 0 >= 1)

            #expect(exposition.families["aurorad_aws_calls_total"]?.type == "counter")
            for family in exposition.families.values where family.name.hasPrefix("aurorad_") {
                #expect(family.help?.isEmpty == false, "\(family.name) has no # HELP")
            }
            let created = ["service": "rds", "action": "RestoreDBClusterFromS3", "outcome": "success"]
            #expect(exposition.value("aurorad_aws_calls_total", created) == 1)
            let role = ["service": "iam", "action": "CreateRole", "outcome": "success"]
            #expect(exposition.value("aurorad_aws_calls_total", role) == 1)
            #expect(exposition.total("aurorad_aws_calls_total", matching: ["action": "DescribeDBClusters"]) >= 2)
            // Bounded labels only: service, action and a known outcome; never the spec's name.
            for sample in exposition.families["aurorad_aws_calls_total"]?.samples ?? [] {
                #expect(Set(sample.labels.keys) == ["service", "action", "outcome"], "\(sample)")
                #expect(Self.outcomes.contains(sample.labels["outcome"] ?? ""), "\(sample)")
                #expect(!sample.labels.values.contains { $0.contains(name) }, "\(sample)")
            }

            #expect(exposition.families["aurorad_rate_limiter_wait_seconds"]?.type == "histogram")
            // Every attempt waits at the limiter before its call is counted, so a later scrape has at least as many
            // waits as this one has calls (one scrape is not a snapshot: families are read one after another).
            let later = try PrometheusExposition(parsing: httpGet(port: port).body)
            let waits = later.total("aurorad_rate_limiter_wait_seconds_count")
            #expect(waits >= exposition.total("aurorad_aws_calls_total"))
            // Waits are labelled with the service whose budget the attempt took a token from.
            let rdsWaits = later.value("aurorad_rate_limiter_wait_seconds_count", ["service": "rds"]) ?? 0
            #expect(rdsWaits >= exposition.total("aurorad_aws_calls_total", matching: ["service": "rds"]))
            let depths = ["queued", "in_flight", "scheduled"].compactMap {
                exposition.value("aurorad_queue_depth", ["state": $0])
            }
            #expect(depths.count == 3)
            #expect(depths.reduce(0, +) >= 1, "the Ready spec waits for its resync, or is being reconciled")
        }
    }

    @Test func daemonRefusesToStartWhenTheMetricsPortIsTaken() async throws {
        try withTemporaryDirectory { directory in
            let holder = try MetricsPortHolder()
            let config = directory + "/aurorad.toml"
            try writeFile(config, "[metrics]\nlisten = \(holder.port)\n")
            #expect {
                _ = try DaemonProcess(directory: directory, arguments: ["--config", config])
            } throws: { error in
                let text = "\(error)"
                return text.contains("127.0.0.1:\(holder.port)") && text.contains("[metrics] listen")
            }
        }
    }
}

/// A listening socket on a kernel-chosen 127.0.0.1 port, closed on deinit, so the port is taken for a test.
private final class MetricsPortHolder {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound else {
            close(fd)
            throw EndToEndError(description: "could not hold a loopback port: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
