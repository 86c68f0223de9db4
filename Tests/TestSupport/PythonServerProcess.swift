import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a Python test server could not be started.
public struct PythonServerProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public var reason: String

    public var description: String { "The Python test server could not be started: \(reason)." }
}

/// A Python script run as a local test server: it must print its TCP port on the first line of stdout, and should
/// exit when its stdin closes (so it cannot outlive the test process). Stopped by pid with SIGKILL.
public final class PythonServerProcess: @unchecked Sendable {
    /// The port the script printed.
    public let port: Int
    /// The server's process id.
    public let pid: Int32
    private let process: Process
    private let stdin: Pipe

    /// Starts `python3 script arguments…` and waits (at most `startupTimeout`) for the port line.
    public init(script: URL, arguments: [String] = [], startupTimeout: Duration = .seconds(20)) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", script.path] + arguments
        let stdout = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        self.process = process
        self.stdin = stdin
        pid = process.processIdentifier
        do {
            let line = try Self.readLine(stdout.fileHandleForReading.fileDescriptor, timeout: startupTimeout)
            guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0 else {
                throw PythonServerProcessError(reason: "the first output line was \"\(line)\", not a port")
            }
            self.port = port
        } catch {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            throw error
        }
    }

    /// Starts the server, runs `body` with it, and kills it afterwards, even when `body` throws.
    public static func run<T>(script: URL, arguments: [String] = [],
                              _ body: (PythonServerProcess) throws -> T) throws -> T {
        let server = try PythonServerProcess(script: script, arguments: arguments)
        defer { server.stop() }
        return try body(server)
    }

    /// Kills the server by pid and reaps it.
    public func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        try? stdin.fileHandleForWriting.close()
    }

    /// Reads up to the first newline from `fd`, waiting at most `timeout` in total.
    private static func readLine(_ fd: Int32, timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while !bytes.contains(UInt8(ascii: "\n")) {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw PythonServerProcessError(reason: "it printed no port in time") }
            var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let (seconds, attoseconds) = remaining.components
            let millis = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
            guard poll(&pollfd, 1, max(1, millis)) > 0 else { continue }
            let count = read(fd, &buffer, buffer.count)
            guard count > 0 else { throw PythonServerProcessError(reason: "it exited before printing its port") }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}
