import Dispatch
import Foundation
import Testing
import TestSupport

/// The built `aurorad run` against an emulator (poll 1 s, resync 10 s), restartable on the same database, with
/// `ctl` calls and bounded waits on a spec's status.
final class DaemonUnderTest {
    let directory: String
    let environment: [String: String]
    /// Flags added to `arguments` (e.g. `--config PATH`), on every start.
    let extraArguments: [String]
    private(set) var process: DaemonProcess

    /// The flags every end-to-end daemon runs with.
    static let arguments = ["--poll-interval", "1", "--resync-interval", "10", "--log-level", "debug"]
    /// Longest wait for a spec to reach a state.
    static let statusTimeout = 90.0

    /// Starts a daemon with its state in `directory`, talking to AWS as `environment` says, with `extraArguments`
    /// after the usual flags.
    init(directory: String, environment: [String: String], extraArguments: [String] = []) throws {
        self.directory = directory
        self.environment = environment
        self.extraArguments = extraArguments
        process = try DaemonProcess(
            directory: directory, environment: environment, arguments: Self.arguments + extraArguments)
    }

    /// Starts the daemon again on the same database and socket (after `stop()` or `kill()`).
    func restart() throws {
        adopt(try starter()())
    }

    /// Starts a daemon as `restart()` does, from any thread; hand the process to `adopt(_:)`.
    func starter() -> @Sendable () throws -> DaemonProcess {
        let (directory, environment, arguments) = (directory, environment, Self.arguments + extraArguments)
        return { try DaemonProcess(directory: directory, environment: environment, arguments: arguments) }
    }

    /// Takes `process`, started by a `starter()`, as the running daemon.
    func adopt(_ process: DaemonProcess) {
        self.process = process
    }

    /// The end of the daemon's log without the control requests the tests make, for failure messages.
    var logTail: String {
        let lines = process.child.stderr.split(separator: "\n").filter { !$0.contains("control request") }
        return lines.suffix(40).joined(separator: "\n")
    }

    /// How many lines of the running daemon's log contain `text`.
    func logCount(of text: String) -> Int {
        process.child.stderr.split(separator: "\n").count { $0.contains(text) }
    }

    /// `ctl submit FILE`; returns its output line (`NAME generation N (created|updated|unchanged)`).
    @discardableResult
    func submit(_ path: String) throws -> String {
        let result = try process.ctl(["submit", path])
        guard result.status == 0 else {
            throw EndToEndError(description: "ctl submit \(path) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// `ctl status NAME --json`.
    func status(_ name: String) throws -> SpecStatusView {
        let json = try process.ctlJSON(["status", name])
        guard let object = json as? [String: Any] else {
            throw EndToEndError(description: "ctl status \(name) --json printed no object: \(json)")
        }
        return SpecStatusView(object)
    }

    /// The names `ctl list --json` shows.
    func listedNames() throws -> [String] {
        try listedStatuses().compactMap(\.name)
    }

    /// Every spec's status as `ctl list --json` shows it: one call for all specs.
    func listedStatuses() throws -> [SpecStatusView] {
        (try process.ctlJSON(["list"]) as? [[String: Any]] ?? []).map(SpecStatusView.init)
    }

    /// The database as SQLite itself reads it, with python3's `sqlite3` module (no daemon code involved): the rows
    /// of `PRAGMA integrity_check` (`["ok"]` when sound) and the names in the `specs` table, sorted. It reads a copy
    /// of the database and its WAL, so a crashed daemon's files stay as the crash left them for the next start.
    /// Call it only while no daemon runs.
    func readDatabase() throws -> (integrity: [String], specNames: [String]) {
        try Self.readDatabase(at: process.databasePath)
    }

    /// `readDatabase()` of the SQLite file at `path`, from any thread.
    static func readDatabase(at path: String) throws -> (integrity: [String], specNames: [String]) {
        let script = """
            import json, os, shutil, sqlite3, sys, tempfile
            with tempfile.TemporaryDirectory() as scratch:
                copy = os.path.join(scratch, "copy.db")
                for suffix in ("", "-wal"):
                    if os.path.exists(sys.argv[1] + suffix):
                        shutil.copyfile(sys.argv[1] + suffix, copy + suffix)
                connection = sqlite3.connect(copy)
                integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
                names = [row[0] for row in connection.execute("SELECT name FROM specs ORDER BY name")]
                connection.close()
            print(json.dumps({"integrity": integrity, "names": names}))
            """
        let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, path], timeout: 60)
        guard result.status == 0,
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let integrity = object["integrity"] as? [String], let names = object["names"] as? [String]
        else {
            throw EndToEndError(description: "Reading \(path) with python3 failed (\(result.status)): \(result.stderr)")
        }
        return (integrity, names)
    }

    /// Polls `ctl status NAME --json` every half second until `done` holds, at most `statusTimeout` seconds, and
    /// returns the last status seen (the caller checks it, so a timeout fails with the full status).
    func waitForStatus(
        _ name: String, timeout: Double = statusTimeout, until done: (SpecStatusView) -> Bool
    ) async throws -> SpecStatusView {
        var last = try status(name)
        let deadline = Date().addingTimeInterval(timeout)
        for _ in 0..<Int(timeout * 2) + 1 where !done(last) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            last = try status(name)
        }
        return last
    }

    /// Waits (bounded) until the spec's phase is `phase`.
    func waitForPhase(_ name: String, _ phase: String, timeout: Double = statusTimeout) async throws -> SpecStatusView {
        try await waitForStatus(name, timeout: timeout) { $0.phase == phase }
    }
}

/// One spec's `ctl status --json` object, with the fields the tests read.
struct SpecStatusView: CustomStringConvertible {
    let raw: [String: Any]

    init(_ raw: [String: Any]) {
        self.raw = raw
    }

    var name: String? { raw["name"] as? String }
    var phase: String? { raw["phase"] as? String }
    var message: String? { raw["message"] as? String }
    var generation: Int? { raw["generation"] as? Int }
    var observedGeneration: Int? { raw["observedGeneration"] as? Int }
    var clusterStatus: String? { (raw["cluster"] as? [String: Any])?["status"] as? String }
    var roleARN: String? { (raw["role"] as? [String: Any])?["arn"] as? String }
    /// The messages of the newest events, newest first.
    var eventMessages: [String] { (raw["events"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String } }
    /// The reasons of the newest events, newest first.
    var eventReasons: [String] { (raw["events"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String } }

    /// The status of condition `type` (`True`, `False`, `Unknown`).
    func condition(_ type: String) -> String? {
        (raw["conditions"] as? [[String: Any]] ?? []).first { $0["type"] as? String == type }?["status"] as? String
    }

    /// The message of condition `type`.
    func conditionMessage(_ type: String) -> String? {
        (raw["conditions"] as? [[String: Any]] ?? []).first { $0["type"] as? String == type }?["message"] as? String
    }

    var description: String {
        guard let data = try? JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys]) else {
            return "\(raw)"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `config/demo-spec.json` (the emulator's seeded bucket and subnet group) named `name`, changed by `edit`, written
/// into `directory`; returns the file's path.
func writeDemoSpec(
    name: String, directory: String, edit: (inout [String: Any]) -> Void = { _ in }
) throws -> String {
    let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/demo-spec.json")
    var spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: demo)) as? [String: Any])
    spec["name"] = name
    edit(&spec)
    return try writeSpec(spec, directory: directory)
}

/// Writes `spec` as `<directory>/<its name>.json` (pretty, keys sorted) and returns the file's path.
func writeSpec(_ spec: [String: Any], directory: String) throws -> String {
    let path = "\(directory)/\(spec["name"] as? String ?? "spec").json"
    try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys])
        .write(to: URL(fileURLWithPath: path))
    return path
}

/// Runs blocking `work` on a Dispatch thread and awaits its result, so the few cooperative threads the tests share
/// (as many as cores) stay free for the tests that are waiting on a clock.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// SIGKILLs `daemon` as soon as `condition` holds (polled every `interval` seconds, at most `timeout` seconds) and
/// returns whether it held. The watch runs on its own thread: a busy test pool cannot delay the kill past the moment
/// it targets.
func crash(
    _ daemon: DaemonProcess, interval: Double = 0.1, when condition: @escaping @Sendable () throws -> Bool,
    timeout: Double = 60
) async throws -> Bool {
    try await offPool { try blockingCrash(daemon, interval: interval, timeout: timeout, when: condition) }
}

/// `crash(_:interval:when:timeout:)` on the calling thread, which it blocks: for a caller already off the test pool.
@discardableResult
func blockingCrash(
    _ daemon: DaemonProcess, interval: Double, timeout: Double, when condition: () throws -> Bool
) throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    for _ in 0..<Int(timeout / interval) + 1 {
        if try condition() {
            daemon.kill()
            return true
        }
        if Date() >= deadline { break }
        usleep(UInt32(interval * 1_000_000))
    }
    daemon.kill()
    return false
}

/// Polls `condition` every `interval` seconds until it holds, at most `timeout` seconds; returns whether it held.
func eventually(timeout: Double = 90, interval: Double = 0.5, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    for _ in 0..<Int(timeout / interval) + 1 {
        if try condition() { return true }
        if Date() >= deadline { return false }
        try await Task.sleep(for: .seconds(interval))
    }
    return try condition()
}

/// A failure of the end-to-end machinery itself (a ctl call, a helper script), with what happened.
struct EndToEndError: Error, CustomStringConvertible {
    let description: String
}
