import Foundation
import Testing
import TestSupport

/// The sd_notify protocol as the real binary speaks it to a datagram socket standing in for systemd, the SIGHUP
/// reload, and the log formats a journal or a log shipper reads.
@Suite struct SystemdNotifyTests {
    private static let exampleSpec = DaemonLifecycleTests.exampleSpec

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func readyStatusWatchdogReloadAndStopping() throws {
        try withTemporaryDirectory { try notifyScenario(directory: $0) }
    }

    /// READY with a status, watchdog pings, a status after a submit, two reloads (good, invalid), STOPPING.
    private func notifyScenario(directory: String) throws {
        let listener = try NotifyListener(path: directory + "/notify")
        defer { listener.close() }
        let config = directory + "/aurorad.toml"
        try write("[reconcile]\npoll_interval = 15\n", to: config)
        let daemon = try DaemonProcess(
            directory: directory, environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"],
            arguments: ["--config", config, "--log-format", "json"])
        defer { daemon.kill() }

        let ready = listener.waitFor(seconds: 10) { $0.hasPrefix("READY=1") }
        #expect(ready?.contains("STATUS=0 specs") == true, "\(listener.messages)")
        #expect(listener.waitFor(seconds: 5) { $0 == "WATCHDOG=1" } != nil)
        #expect(try daemon.ctl(["submit", Self.exampleSpec]).status == 0)
        #expect(listener.waitFor(seconds: 10) { $0.hasPrefix("STATUS=1 spec: 1 ") } != nil, "\(listener.messages)")

        try write(
            "[daemon]\nlog_level = \"debug\"\n[reconcile]\npoll_interval = 5\n[aws.rds]\nrequests_per_second = 6\n",
            to: config)
        listener.clear()
        daemon.child.send(SIGHUP)
        #expect(listener.waitFor(seconds: 10) { $0.hasPrefix("READY=1") } != nil)
        let afterReload = listener.messages
        let reloading = afterReload.firstIndex { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") } ?? Int.max
        let readyAgain = afterReload.firstIndex { $0.hasPrefix("READY=1") } ?? -1
        #expect(reloading < readyAgain, "\(afterReload)")
        #expect(daemon.child.stderr.contains("reconcile.poll_interval: 15.0 seconds → 5.0 seconds"))
        #expect(daemon.child.stderr.contains("daemon.log_level: info → debug"))
        #expect(daemon.child.stderr.contains("aws.rds.requests_per_second: 12.0 → 6.0"))

        try write("[reconcile]\npoll_interval = \"soon\"\n", to: config)
        listener.clear()
        daemon.child.send(SIGHUP)
        #expect(listener.waitFor(seconds: 10) { $0.hasPrefix("READY=1") } != nil)
        #expect(daemon.child.stderr.contains("configuration reload refused"))
        #expect(daemon.child.stderr.contains("reconcile.poll_interval: expected an integer"))
        #expect(try daemon.ctl(["list"]).status == 0)

        listener.clear()
        #expect(daemon.stop() == 0)
        #expect(listener.messages.contains { $0.hasPrefix("STOPPING=1") }, "\(listener.messages)")

        try Self.checkJSONLines(daemon.child.stderr)
    }

    /// `--log-format json`: every line one object with time, level and message.
    private static func checkJSONLines(_ log: String) throws {
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.count > 5)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let complete = object["time"] is String && object["level"] is String && object["message"] is String
            #expect(complete, "not a JSON log line: \(line)")
        }
        #expect(lines.contains { $0.contains(#""spec":"ex-s3-import""#) })
    }

    @Test func journalFormatUnderSystemdHasPriorityPrefixesAndNoTimestamps() throws {
        try withTemporaryDirectory { directory in
            let daemon = try DaemonProcess(directory: directory, environment: ["INVOCATION_ID": "0123456789abcdef"])
            #expect(try daemon.ctl(["submit", Self.exampleSpec]).status == 0)
            #expect(daemon.stop() == 0)
            let lines = daemon.child.stderr.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("<5>notice aurorad started ") }, "\(lines.prefix(5))")
            #expect(lines.contains { $0.hasPrefix("<6>info spec submitted ") && $0.contains("spec=ex-s3-import") })
            for line in lines {
                #expect(
                    line.range(
                        of: #"^<[2-7]>(trace|debug|info|notice|warning|error|critical) "#,
                        options: .regularExpression) != nil, "not a journal line: \(line)")
                #expect(line.range(of: #"^\d{4}-\d\d-\d\dT"#, options: .regularExpression) == nil)
            }
        }
    }

    /// MemoryDenyWriteExecute= in the unit: the kernel's PR_SET_MDWE (Linux 6.3+) refuses writable-executable
    /// mappings as systemd's seccomp filter does, is inherited by the exec'd daemon, and the daemon still runs.
    @Test func daemonRunsWithMemoryDenyWriteExecute() throws {
        try withTemporaryDirectory { directory in
            let listener = try NotifyListener(path: directory + "/notify")
            defer { listener.close() }
            let wrapper = """
                import ctypes, os, sys
                if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0:
                    sys.exit(77)
                os.execv(sys.argv[1], sys.argv[1:])
                """
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
            environment.merge(DaemonProcess.isolatedAWSEnvironment) { $1 }
            environment["NOTIFY_SOCKET"] = listener.path
            let child = try ChildProcess(
                executable: "/usr/bin/env",
                arguments: [
                    "python3", "-c", wrapper, BuiltProducts.aurorad, "run", "--database",
                    directory + "/state.db", "--socket", directory + "/aurorad.sock",
                ],
                environment: environment, logPrefix: directory + "/mdwe")
            defer { child.terminate() }
            if child.waitForExit(seconds: 1) == 77 {
                Issue.record("this kernel has no PR_SET_MDWE (Linux 6.3+); MemoryDenyWriteExecute= is untested")
                return
            }
            #expect(listener.waitFor(seconds: 15) { $0.hasPrefix("READY=1") } != nil, "\(child.stderr)")
            let submitted = try ChildProcess.run(
                BuiltProducts.aurorad, ["ctl", "--socket", directory + "/aurorad.sock", "submit", Self.exampleSpec])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            child.send(SIGTERM)
            #expect(child.waitForExit(seconds: 30) == 0, "\(child.stderr)")
        }
    }
}
