import Foundation

/// Why a Python test server could not be started.
public struct PythonServerProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public var reason: String

    public var description: String { "The Python test server could not be started: \(reason)." }
}

/// A Python script run as a local test server: it must print its TCP port alone on a line of stdout (the first such
/// line counts), and should exit when its stdin closes (so it cannot outlive the test process). `stop()` closes its
/// stdin and terminates it.
public final class PythonServerProcess: @unchecked Sendable {
    // @unchecked: `child` is set once in init; ChildProcess is itself usable from any thread.
    /// The port the script printed.
    public let port: Int
    /// The server's process id.
    public let pid: Int32
    private let child: ChildProcess

    /// Starts `python3 script arguments…` and waits (at most `startupTimeout`) for the port line.
    public init(script: URL, arguments: [String] = [], startupTimeout: Duration = .seconds(20)) throws {
        let prefix = "/tmp/aurorad-py-" + UUID().uuidString.prefix(8).lowercased()
        child = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", "-u", script.path] + arguments, logPrefix: prefix,
            stdinPipe: true)
        pid = child.pid
        let (seconds, attoseconds) = startupTimeout.components
        let timeout = Double(seconds) + Double(attoseconds) / 1e18
        guard let port = child.firstOutputLine(within: timeout, { Int($0.trimmingCharacters(in: .whitespaces)) }),
            port > 0
        else {
            let running = child.isRunning
            child.terminate(grace: 5)
            let reason =
                "\(script.lastPathComponent) printed no port line within \(timeout) s "
                + "(\(running ? "still running" : "exited")); stdout: \(child.stdout.prefix(200)) "
                + "stderr: \(child.stderr.suffix(2000))"
            child.removeOutputFiles()
            throw PythonServerProcessError(reason: reason)
        }
        self.port = port
    }

    deinit { stop() }

    /// Starts the server, runs `body` with it, and stops it afterwards, even when `body` throws.
    public static func run<T>(
        script: URL, arguments: [String] = [],
        _ body: (PythonServerProcess) throws -> T
    ) throws -> T {
        let server = try PythonServerProcess(script: script, arguments: arguments)
        defer { server.stop() }
        return try body(server)
    }

    /// Closes the server's stdin, terminates it (bounded) and removes its output files; safe to call twice.
    public func stop() {
        child.terminate(grace: 5)
        child.removeOutputFiles()
    }
}
