import Foundation

/// A helper server the tests run as a child process (a Python script, say) that prints the port it listens on as
/// its first line of output. The child's stdin is a pipe the server should watch: closing it (in `stop()`, or when
/// the test process dies) tells the server to exit.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process` and the pipes are set once in init and only used from the owning test.
    private let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    /// The TCP port on 127.0.0.1 the server announced.
    public let port: Int

    /// Starts `executable arguments…` and waits (at most `startupTimeout`) for the port line.
    public init(executable: String, arguments: [String], startupTimeout: Duration = .seconds(20)) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        try process.run()
        let reader = stdoutPipe.fileHandleForReading
        let line = LockedBox<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var bytes = Data()
            while let byte = try? reader.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                bytes.append(byte)
            }
            line.set(String(decoding: bytes, as: UTF8.self))
            done.signal()
        }
        let (seconds, attoseconds) = startupTimeout.components
        let milliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        let waited = done.wait(timeout: .now() + .milliseconds(milliseconds))
        guard waited == .success, let text = line.get(), let port = Int(text.trimmingCharacters(in: .whitespaces))
        else {
            process.terminate()
            process.waitUntilExit()
            throw CocoaError(
                .executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments) announced no port"])
        }
        self.port = port
    }

    /// Closes the server's stdin, terminates it and waits for it to exit.
    public func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A value shared between threads under a lock.
final class LockedBox<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched with `lock` held.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }

    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
