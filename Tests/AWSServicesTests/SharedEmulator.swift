import AWSCore
import AWSServices
import Foundation
import Logging
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One emulator for the whole test process (startup takes seconds): started by the first test that asks, under a
/// lock, and stopped at process exit. Tests isolate themselves by unique resource names.
enum SharedEmulator {
    private static let instance = Mutex<Result<EmulatorProcess, any Error>?>(nil)

    /// The running emulator, starting it on first use; a failed start is reported to every caller.
    static func get() throws -> EmulatorProcess {
        try instance.withLock { state in
            if state == nil {
                state = Result { try EmulatorProcess() }
                atexit { SharedEmulator.stop() }
            }
            return try state!.get()
        }
    }

    private static func stop() {
        if case .success(let emulator) = instance.withLock({ $0 }) { emulator.stop() }
    }

    /// The environment of a client talking to the emulator with `credentials` (admin by default), shared files
    /// pointed at paths that do not exist so the host's ~/.aws cannot interfere.
    static func environment(
        _ emulator: EmulatorProcess, credentials: EmulatorCredentials? = nil
    ) -> [String: String] {
        var environment = emulator.environment(credentials: credentials ?? emulator.adminCredentials)
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aurorad-test/credentials"
        environment["AWS_CONFIG_FILE"] = "/nonexistent/aurorad-test/config"
        return environment
    }

    /// A client for the emulator; `attempts` counts calls of the rate-limit hook (one per attempt).
    static func client(
        credentials: EmulatorCredentials? = nil, logs: CapturedLogs = CapturedLogs(), attempts: AttemptCounter? = nil,
        extraEnvironment: [String: String] = [:]
    ) throws -> AWSClient {
        let emulator = try get()
        var options = AWSClientOptions(sleeper: { _ in })
        if let attempts { options.beforeAttempt = { _ in attempts.increment() } }
        return try AWSClient(
            environment: environment(emulator, credentials: credentials).merging(extraEnvironment) { $1 },
            options: options, logger: logs.logger)
    }
}

/// A unique suffix for resource names, so tests sharing the emulator never collide.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Counts attempts through `AWSClientOptions.beforeAttempt`.
final class AttemptCounter: Sendable {
    private let count = Mutex(0)

    /// Records one attempt.
    func increment() { count.withLock { $0 += 1 } }

    /// The attempts so far.
    var value: Int { count.withLock { $0 } }
}
