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
    public init(directory: String, environment: [String: String] = [:], arguments: [String] = [],
                startTimeout: Double = 30) throws {
        socketPath = directory + "/aurorad.sock"
        databasePath = directory + "/state/aurorad.db"
        // Never the real AWS: a loopback endpoint nothing listens on and no instance metadata, unless overridden.
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
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
    public func ctl(_ arguments: [String], timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run(BuiltProducts.aurorad, ["ctl", "--socket", socketPath] + arguments,
                             environment: environment, timeout: timeout)
    }

    /// Runs `ctl <arguments> --json` and decodes the output.
    public func ctlJSON(_ arguments: [String]) throws -> Any {
        let result = try ctl(arguments + ["--json"])
        guard result.status == 0 else {
            throw DaemonProcessError(description: "aurorad ctl \(arguments) failed (\(result.status)): \(result.stderr)")
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
