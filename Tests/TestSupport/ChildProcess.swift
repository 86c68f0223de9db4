import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process for integration tests: its output goes to files, and every wait on it is bounded.
public final class ChildProcess: @unchecked Sendable {
    /// The running process.
    public let process: Process
    /// Where its standard output goes.
    public let stdoutPath: String
    /// Where its standard error goes.
    public let stderrPath: String

    /// The write end of its stdin when started with `stdinPipe`: closing it tells a well-behaved server to exit.
    private let stdinPipe: Pipe?
    private let stdinLock = NSLock()
    private var stdinClosed = false
    /// Serializes starting children: Foundation's `Process.run()` on Linux crashed (a bad pointer in its memcpy) when
    /// a background thread of the crash-loop test and the test pool started processes at the same moment.
    private static let spawnLock = NSLock()

    /// Starts `executable` with `arguments` and `environment` (nil: inherit), writing output next to `logPrefix`.
    ///
    /// Its stdin is `/dev/null`, or with `stdinPipe` a pipe kept open until `closeStdin()` or `terminate`, so a
    /// server that exits when its stdin closes cannot outlive the test process.
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil,
        logPrefix: String, stdinPipe: Bool = false
    ) throws {
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        stdoutPath = logPrefix + ".stdout"
        stderrPath = logPrefix + ".stderr"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = FileHandle(forWritingAtPath: stdoutPath)
        let errors = FileHandle(forWritingAtPath: stderrPath)
        process.standardOutput = output
        process.standardError = errors
        self.stdinPipe = stdinPipe ? Pipe() : nil
        process.standardInput = self.stdinPipe ?? FileHandle.nullDevice
        try process.run()
        // The child has its own copies: the test process keeps no descriptor per child it ever started (a long run
        // had over 1,300 open, and Foundation's Process.run crashed copying them while spawning).
        try? output?.close()
        try? errors?.close()
        try? self.stdinPipe?.fileHandleForReading.close()
    }

    /// Its process id.
    public var pid: pid_t { process.processIdentifier }

    /// Whether it still runs.
    public var isRunning: Bool { process.isRunning }

    /// Its standard error so far.
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Its standard output so far.
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    /// Sends `signal`.
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits up to `seconds` for the process to exit; returns its exit status, or nil if it still runs.
    @discardableResult
    public func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        for _ in 0..<Int(seconds * 50) + 1 where process.isRunning && Date() < deadline {
            usleep(20_000)
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Waits up to `seconds` for a complete stdout line that `match` accepts and returns what it made of it; nil
    /// if none came in time or the process exited first. For servers that announce their port on stdout.
    public func firstOutputLine<T>(within seconds: Double, _ match: (Substring) -> T?) -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        for _ in 0..<Int(seconds * 50) + 1 {
            let exited = !process.isRunning
            // Only newline-terminated lines: a line still being written is not matched half-way.
            let complete = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if let found = complete.lazy.compactMap(match).first { return found }
            if exited || Date() >= deadline { return nil }
            usleep(20_000)
        }
        return nil
    }

    /// Closes the pipe to its stdin (when started with `stdinPipe`); safe to call twice.
    public func closeStdin() {
        let first = stdinLock.withLock {
            defer { stdinClosed = true }
            return !stdinClosed
        }
        if first { try? stdinPipe?.fileHandleForWriting.close() }
    }

    /// Closes its stdin, then SIGTERM, then SIGKILL after `grace` seconds; returns the exit status (nil if it could
    /// not be reaped).
    @discardableResult
    public func terminate(grace: Double = 10) -> Int32? {
        closeStdin()
        guard process.isRunning else { return process.terminationStatus }
        send(SIGTERM)
        if let status = waitForExit(seconds: grace) { return status }
        send(SIGKILL)
        return waitForExit(seconds: 5)
    }

    /// Deletes its stdout and stderr files.
    public func removeOutputFiles() {
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Runs `executable` to completion (bounded by `timeout` seconds, then killed) and returns status and output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Double = 60
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let prefix = "/tmp/aurorad-run-" + UUID().uuidString.prefix(8).lowercased()
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment,
            logPrefix: prefix)
        defer { child.removeOutputFiles() }
        let status = child.waitForExit(seconds: timeout) ?? child.terminate(grace: 1) ?? -1
        return (status, child.stdout, child.stderr)
    }
}

/// Locates binaries the package builds, for tests that run them from the outside.
public enum BuiltProducts {
    /// The `aurorad` executable next to the running test bundle (`swift build --build-tests` builds both), or
    /// `$AURORAD_BINARY`.
    public static var aurorad: String {
        if let path = ProcessInfo.processInfo.environment["AURORAD_BINARY"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test runner may be inside the .xctest bundle directory on some platforms.
        for _ in 0..<4
        where !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("aurorad").path) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("aurorad").path
    }
}
