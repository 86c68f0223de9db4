import Foundation

/// An IAM access key the emulator created at start (its bootstrap users).
public struct EmulatorCredentials: Sendable, Equatable, Decodable {
    /// The access key id, e.g. `AKIA…`.
    public let accessKeyId: String
    /// The secret access key; only for signing, never for logs.
    public let secretAccessKey: String

    /// Credentials of an access key a test created in the emulator itself.
    public init(accessKeyId: String, secretAccessKey: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }

    enum CodingKeys: String, CodingKey {
        case accessKeyId = "AccessKeyId"
        case secretAccessKey = "SecretAccessKey"
    }
}

/// How long the emulator's asynchronous RDS work takes, and whether to create the demo world.
public struct EmulatorOptions: Sendable {
    /// Seconds a restored cluster stays `creating`.
    public var restoreSeconds: Double = 1
    /// Seconds a new instance stays `creating`.
    public var instanceSeconds: Double = 1
    /// Seconds a role association stays `PENDING`.
    public var associationSeconds: Double = 1
    /// A role younger than this cannot be assumed by RDS yet (0: no delay).
    public var iamPropagationSeconds: Double = 0
    /// Create bucket `aurorad-demo-backups` (prepared backup under `backup/`) and subnet group `aurorad-demo-subnets`.
    public var seedDemo: Bool = true
    /// Longest wait for the emulator's `READY` line.
    public var startTimeout: Double = 60

    /// Options with the short delays tests want.
    public init() {}
}

/// A failure to start or talk to the emulator, with what to check.
public struct EmulatorError: Error, CustomStringConvertible {
    /// What went wrong, as a sentence.
    public let description: String
}

/// The Python AWS emulator (`Tests/Emulator/aurora_emulator.py`) as a child process on a free 127.0.0.1 port.
///
/// It is stopped by pid (SIGTERM, then SIGKILL after a bounded wait) in `stop()` or `deinit`, and its state
/// directory (credentials files, log) is removed then.
public final class EmulatorProcess: @unchecked Sendable {
    /// `http://127.0.0.1:<port>`.
    public let endpoint: String
    /// The TCP port it listens on.
    public let port: Int
    /// The key of `aurorad-admin`, allowed every action.
    public let adminCredentials: EmulatorCredentials
    /// The key of `aurorad-limited`, allowed only IAM reads (no S3, no RDS).
    public let limitedCredentials: EmulatorCredentials
    /// The emulator's stderr (request log, tracebacks), for diagnosing a failed test.
    public let logPath: String

    private let child: ChildProcess
    private let stateDirectory: String
    private let lock = NSLock()
    private var stopped = false

    /// Start the emulator and wait (bounded) until it listens.
    public init(options: EmulatorOptions = EmulatorOptions(), filePath: String = #filePath) throws {
        let repoRoot = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = repoRoot.appendingPathComponent("Tests/Emulator/aurora_emulator.py").path
        // Short and under /tmp: paths in it end up in test output, and sockets may live next to it.
        stateDirectory = "/tmp/aurora-emu-" + UUID().uuidString.prefix(8).lowercased()
        do {
            try FileManager.default.createDirectory(
                atPath: stateDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EmulatorError(
                description: "Could not create the emulator's state directory \(stateDirectory): \(error).")
        }
        let logPrefix = stateDirectory + "/emulator"
        logPath = logPrefix + ".stderr"

        var arguments = [
            "python3", script, "--port", "0", "--state-dir", stateDirectory,
            "--restore-seconds", String(options.restoreSeconds),
            "--instance-seconds", String(options.instanceSeconds),
            "--association-seconds", String(options.associationSeconds),
            "--iam-propagation-seconds", String(options.iamPropagationSeconds),
        ]
        if options.seedDemo { arguments.append("--seed-demo") }

        do {
            child = try ChildProcess(executable: "/usr/bin/env", arguments: arguments, logPrefix: logPrefix)
        } catch {
            try? FileManager.default.removeItem(atPath: stateDirectory)
            throw EmulatorError(description: "Could not run python3 \(script): \(error). Is python3 on PATH?")
        }

        do {
            let timeout = options.startTimeout
            let ready = "READY port="
            let port = child.firstOutputLine(within: timeout) { line in
                line.hasPrefix(ready) ? Int(line.dropFirst(ready.count)) : nil
            }
            guard let port else {
                throw EmulatorError(
                    description: "The emulator did not print READY within \(timeout) s (running: \(child.isRunning)).")
            }
            self.port = port
            endpoint = "http://127.0.0.1:\(port)"
            adminCredentials = try Self.readCredentials(stateDirectory + "/admin-credentials.json")
            limitedCredentials = try Self.readCredentials(stateDirectory + "/limited-credentials.json")
        } catch {
            child.terminate()
            let log = child.stderr
            try? FileManager.default.removeItem(atPath: stateDirectory)
            throw EmulatorError(description: "\(error) Emulator log: \(log.suffix(2000))")
        }
    }

    deinit {
        stop()
    }

    /// Environment for a child process (the daemon) that should talk to this emulator as `aurorad-admin`.
    public var environment: [String: String] {
        environment(credentials: adminCredentials)
    }

    /// Environment for a child process that should talk to this emulator with the given key.
    public func environment(credentials: EmulatorCredentials) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": credentials.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": credentials.secretAccessKey,
            "AWS_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    /// Stop the emulator (SIGTERM, SIGKILL after 10 s) and remove its state directory; safe to call twice.
    public func stop() {
        lock.lock()
        let alreadyStopped = stopped
        stopped = true
        lock.unlock()
        if alreadyStopped { return }
        child.terminate()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }

    private static func readCredentials(_ path: String) throws -> EmulatorCredentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmulatorError(description: "The emulator did not write its credentials file \(path).")
        }
        return try JSONDecoder().decode(EmulatorCredentials.self, from: data)
    }
}
