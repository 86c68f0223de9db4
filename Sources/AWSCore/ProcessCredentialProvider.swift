import Foundation
import Glibc

/// Credentials printed by a profile's `credential_process` command, run with `/bin/sh -c`.
///
/// The output is the SDKs' documented JSON: `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
/// "Expiration"?}`. The command runs in its own process group, which is killed when it outlives `timeout`, so a
/// hung helper (and anything it spawned) cannot block a worker. Its standard error is never shown or logged, since
/// helpers often print tokens there; errors say how to see it.
public struct ProcessCredentialProvider: CredentialProvider {
    private let command: String
    private let profile: String
    private let timeout: Duration
    /// Output beyond this many bytes is a failure: credential JSON is a few hundred bytes.
    private static let outputLimit = 64 * 1024

    /// Runs `command` (from profile `profile`) for each fetch, killing it after `timeout` (the Go SDK's default
    /// is one minute).
    public init(command: String, profile: String, timeout: Duration = .seconds(60)) {
        self.command = command
        self.profile = profile
        self.timeout = timeout
    }

    /// "credential_process (profile x)".
    public var sourceDescription: String { "credential_process (profile \(profile))" }

    /// Runs the command and parses its output.
    public func credentials() throws -> AWSCredentials {
        let origin = "The credential_process of profile \(profile)"
        let result = try ChildProcess.run(["/bin/sh", "-c", command], timeout: timeout, outputLimit: Self.outputLimit)
        switch result.outcome {
        case .timedOut:
            throw CredentialError(
                .retrievalFailed,
                "\(origin) did not finish within \(timeout) and was killed. Make the command finish quickly or "
                    + "fix what it waits on.")
        case .outputTooLarge:
            throw CredentialError(
                .retrievalFailed,
                "\(origin) printed more than \(Self.outputLimit) bytes, which is not credential JSON.")
        case .exited(let status) where status != 0:
            throw CredentialError(
                .retrievalFailed,
                "\(origin) exited with status \(status). Its standard error (\(result.stderr.count) bytes) is not "
                    + "shown because it may contain secrets; run the command by hand to see it.")
        case .signaled(let signal):
            throw CredentialError(.retrievalFailed, "\(origin) was killed by signal \(signal).")
        case .exited:
            break
        }
        let json = try CredentialJSON(result.stdout, origin: origin)
        guard let version = json.value("Version") as? NSNumber, version.intValue == 1,
            version.doubleValue == 1
        else {
            throw CredentialError(
                .retrievalFailed, "\(origin) returned no \"Version\": 1; version 1 is the only supported format.")
        }
        return AWSCredentials(
            accessKeyId: try json.requiredString("AccessKeyId"),
            secretAccessKey: try json.requiredString("SecretAccessKey"),
            sessionToken: try json.string("SessionToken").flatMap { $0.isEmpty ? nil : $0 },
            expiration: try json.date("Expiration"))
    }
}

/// Runs a child process with stdin from /dev/null, capturing bounded stdout and stderr, under a deadline.
enum ChildProcess {
    /// How the child ended.
    enum Outcome: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        case outputTooLarge
    }

    /// What the child printed and how it ended.
    struct Result {
        var outcome: Outcome
        var stdout: Data
        var stderr: Data
    }

    /// Spawns `arguments` (argv[0] is an absolute path) in a new process group; kills the group on timeout.
    static func run(_ arguments: [String], timeout: Duration, outputLimit: Int) throws -> Result {
        let deadline = ContinuousClock.now + timeout
        let outPipe = try makePipe()
        let errPipe: [Int32]
        do { errPipe = try makePipe() } catch {
            close(outPipe[0]); close(outPipe[1])
            throw error
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        guard spawned == 0 else { throw spawnError(spawned) }

        var stdout = Data()
        var stderr = Data()
        var open: [Int32] = [outPipe[0], errPipe[0]]
        var exitStatus: Int32?
        var stopped: Outcome?
        // Read until both pipes close, or until the child has exited and its pipes stay quiet (a grandchild, or
        // another thread's child, may hold a copy of a write end and keep it open).
        while !open.isEmpty {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { stopped = .timedOut; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), min(remaining.milliseconds + 1, 50))
            for entry in fds where entry.revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 {
                    open.removeAll { $0 == entry.fd }
                } else if entry.fd == outPipe[0] {
                    stdout.append(contentsOf: buffer[..<count])
                } else {
                    stderr.append(contentsOf: buffer[..<count])
                }
            }
            if stdout.count + stderr.count > outputLimit { stopped = .outputTooLarge; break }
            if exitStatus == nil { exitStatus = reap(pid) }
            if exitStatus != nil && ready == 0 { break }
        }
        if stopped == nil {
            while exitStatus == nil {
                exitStatus = reap(pid)
                if exitStatus == nil {
                    guard ContinuousClock.now < deadline else { stopped = .timedOut; break }
                    usleep(5_000)
                }
            }
            if let exitStatus { return Result(outcome: outcome(exitStatus), stdout: stdout, stderr: stderr) }
        }
        // Kill the whole group only while the child is unreaped: its pid (the group id) cannot be reused until then.
        if exitStatus == nil {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        return Result(outcome: stopped ?? .timedOut, stdout: stdout, stderr: stderr)
    }

    /// The child's wait status if it has exited (and is now reaped), else nil.
    private static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let waited = waitpid(pid, &status, WNOHANG)
        if waited == pid { return status }
        if waited < 0 && errno != EINTR { return -1 << 8 }  // not our child any more: report exit status 255
        return nil
    }

    /// A pipe whose ends are closed in spawned children (the spawn's dup2 gives the child its own copies).
    private static func makePipe() throws -> [Int32] {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw spawnError(errno) }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return ends
    }

    private static func outcome(_ status: Int32) -> Outcome {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    private static func spawnError(_ code: Int32) -> CredentialError {
        CredentialError(
            .retrievalFailed,
            "Could not start /bin/sh to run a credential_process: \(String(cString: strerror(code))).")
    }
}

extension Duration {
    /// The duration in whole milliseconds, saturating at Int32.max.
    fileprivate var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
