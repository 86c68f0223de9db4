import Foundation

/// The built `aurorad run` as a child process with its database and socket in `directory`, plus `ctl` calls to it.
public final class DaemonProcess: @unchecked Sendable {
    /// The daemon process.
    public let child: ChildProcess
    /// Its control socket.
    public let socketPath: String
    /// Its SQLite file.
    public let databasePath: String
    private let environment: [String: String]

    /// Starts the daemon and waits (bounded) until its socket accepts `ctl list`.
    public init(
        directory: String, environment: [String: String] = [:], arguments: [String] = [],
        startTimeout: Double = 30
    ) throws {
        socketPath = directory + "/aurorad.sock"
        databasePath = directory + "/state/aurorad.db"
        // Never the real AWS: a loopback endpoint nothing listens on and no instance metadata, unless overridden.
        // Nor the journal format of a test run started by systemd: tests read the text format unless they ask.
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("AWS_") && $0.key != "JOURNAL_STREAM" && $0.key != "INVOCATION_ID"
        }
        env.merge(Self.isolatedAWSEnvironment) { $1 }
        env.merge(environment) { $1 }
        self.environment = env
        child = try ChildProcess(
            executable: BuiltProducts.aurorad,
            arguments: ["run", "--database", databasePath, "--socket", socketPath] + arguments,
            environment: env, logPrefix: directory + "/daemon-\(UUID().uuidString.prefix(4))")
        let deadline = Date().addingTimeInterval(startTimeout)
        while Date() < deadline {
            guard child.isRunning else {
                throw DaemonProcessError(description: "aurorad run exited at start: \(child.stderr)")
            }
            if FileManager.default.fileExists(atPath: socketPath), (try? ctl(["list"]).status) == 0 { return }
            usleep(50_000)
        }
        child.terminate()
        throw DaemonProcessError(description: "aurorad run did not listen within \(startTimeout) s: \(child.stderr)")
    }

    /// AWS settings that keep a daemon off the network: region, dummy keys, a closed loopback port, no IMDS.
    public static let isolatedAWSEnvironment = [
        "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    ]

    /// Runs `aurorad ctl --socket <socket> <arguments>` to completion.
    public func ctl(_ arguments: [String], timeout: Double = 60) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try ChildProcess.run(
            BuiltProducts.aurorad, ["ctl", "--socket", socketPath] + arguments,
            environment: environment, timeout: timeout)
    }

    /// Runs `aurorad ctl --socket <socket> <arguments>` with stdin, stdout and stderr on a pseudo-terminal (python3's
    /// `pty`), types `answer` and Enter once the `[y/N]` prompt shows, and returns the exit status and everything
    /// the terminal showed. Bounded by `timeout` seconds.
    public func ctlOnTerminal(
        _ arguments: [String], answer: String, timeout: Double = 60
    ) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-c", Self.terminalDriver, answer, String(timeout), BuiltProducts.aurorad, "ctl", "--socket",
                socketPath,
            ] + arguments,
            environment: environment, timeout: timeout + 5)
        return (result.status, result.stdout + result.stderr)
    }

    /// `python3 -c` driver: runs argv[3:] on a new pty, answers argv[1] to the prompt, copies the output.
    private static let terminalDriver = """
        import os, pty, select, subprocess, sys, time
        answer, deadline, command = sys.argv[1], time.time() + float(sys.argv[2]), sys.argv[3:]
        master, slave = pty.openpty()
        child = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        output, sent = b"", False
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if not sent and b"[y/N]" in output:
                os.write(master, (answer + "\\n").encode())
                sent = True
        sys.stdout.write(output.decode(errors="replace"))
        try:
            sys.exit(child.wait(timeout=max(1, deadline - time.time())))
        except subprocess.TimeoutExpired:
            child.kill()
            sys.exit(124)
        """

    /// Runs `ctl <arguments> --json` and decodes the output.
    public func ctlJSON(_ arguments: [String]) throws -> Any {
        let result = try ctl(arguments + ["--json"])
        guard result.status == 0 else {
            throw DaemonProcessError(
                description: "aurorad ctl \(arguments) failed (\(result.status)): \(result.stderr)")
        }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// SIGTERM and the exit status (nil: it did not stop within `grace` seconds and was killed).
    @discardableResult
    public func stop(grace: Double = 30) -> Int32? {
        child.send(SIGTERM)
        if let status = child.waitForExit(seconds: grace) { return status }
        child.terminate(grace: 1)
        return nil
    }

    /// SIGKILL, as a crash would.
    public func kill() {
        child.send(SIGKILL)
        child.waitForExit(seconds: 10)
    }
}

/// A daemon that did not start or answer.
public struct DaemonProcessError: Error, CustomStringConvertible {
    /// What happened, with the daemon's stderr.
    public let description: String
}
