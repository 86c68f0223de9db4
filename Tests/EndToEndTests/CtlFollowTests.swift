import Foundation
import Testing
import TestSupport

/// `ctl watch`, `ctl events` and `ctl list --phase` against the real daemon and the emulator: one spec converges
/// (watch exits 0), one fails fast on a missing bucket (watch exits 1).
@Suite(.sharedEmulator())
struct CtlFollowTests {
    @Test func watchEventsAndPhaseFilter() async throws {
        let emulator = try SharedEmulator.require()
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let good = "e2e-watch-ready"
            let bad = "e2e-watch-nobucket"
            try daemon.submit(try writeDemoSpec(name: good, directory: directory))
            try daemon.submit(
                try writeDemoSpec(name: bad, directory: directory) { spec in
                    var s3 = spec["s3_import"] as? [String: Any] ?? [:]
                    s3["bucket_name"] = "e2e-no-such-bucket"
                    spec["s3_import"] = s3
                })
            let process = daemon.process
            let ready = try await offPool { try process.ctl(["watch", good, "--interval", "1", "--timeout", "90"]) }
            #expect(ready.status == 0, "\(ready.stderr)")
            let readyLines = ready.stdout.split(separator: "\n")
            #expect(readyLines.contains { $0.contains("phase Ready (generation 1, observed 1)") }, "\(ready.stdout)")
            #expect(
                readyLines.contains { $0.contains("condition ClusterRestored") && $0.contains("→ True") },
                "\(ready.stdout)")

            let failed = try await offPool { try process.ctl(["watch", bad, "--interval", "1", "--timeout", "60"]) }
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("\(bad) is Failed: "), "\(failed.stderr)")
            #expect(failed.stdout.contains("phase Failed"), "\(failed.stdout)")
            let timedOut = try process.ctl(["watch", bad, "--timeout", "1", "--json"])
            #expect(timedOut.status == 1 && timedOut.stdout.contains(#""phase":"Failed""#))
            #expect(try process.ctl(["watch", "e2e-no-such-spec"]).status == 1)

            let events = try #require(try process.ctlJSON(["events", good, "--limit", "3"]) as? [[String: Any]])
            #expect(events.count == 3)
            #expect(events.allSatisfy { $0["time"] is String && $0["reason"] is String && $0["message"] is String })
            let table = try process.ctl(["events", good])
            #expect(table.status == 0 && table.stdout.hasPrefix("TIME "), "\(table.stdout)")
            #expect(try process.ctl(["events", "e2e-no-such-spec"]).status == 1)
            // Usage errors exit 64 (EX_USAGE, ArgumentParser's validation failure).
            #expect(try process.ctl(["events", good, "--limit", "0"]).status == 64)

            let failedOnly = try #require(try process.ctlJSON(["list", "--phase", "Failed"]) as? [[String: Any]])
            #expect(failedOnly.map { $0["name"] as? String } == [bad])
            let readyTable = try process.ctl(["list", "--phase", "Ready"])
            #expect(readyTable.stdout.contains(good) && !readyTable.stdout.contains(bad), "\(readyTable.stdout)")
            let bogus = try process.ctl(["list", "--phase", "Broken"])
            #expect(bogus.status == 64 && bogus.stderr.contains("--phase must be one of Pending"))
        }
    }
}
