import Testing
import TestSupport

/// A suite trait that starts one emulator for all tests of a suite (they use distinct spec names) and stops it
/// when the last one finishes, also when a test fails. Tests reach it through `SharedEmulator.current`.
struct SharedEmulator: SuiteTrait, TestScoping {
    /// The emulator of the suite being run.
    @TaskLocal static var current: EmulatorProcess?

    let options: EmulatorOptions

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let options = options
        let emulator = try await offPool { try EmulatorProcess(options: options) }
        defer { emulator.stop() }
        try await Self.$current.withValue(emulator) { try await function() }
    }

    /// The emulator of the running suite; fails the test when the suite has no `.sharedEmulator` trait.
    static func require() throws -> EmulatorProcess {
        try #require(current, "the suite needs the .sharedEmulator(…) trait")
    }
}

extension Trait where Self == SharedEmulator {
    /// One emulator for the whole suite, with the given RDS and IAM delays (seconds).
    static func sharedEmulator(
        restoreSeconds: Double = 1, instanceSeconds: Double = 1, associationSeconds: Double = 1,
        iamPropagationSeconds: Double = 0
    ) -> Self {
        var options = EmulatorOptions()
        options.restoreSeconds = restoreSeconds
        options.instanceSeconds = instanceSeconds
        options.associationSeconds = associationSeconds
        options.iamPropagationSeconds = iamPropagationSeconds
        return SharedEmulator(options: options)
    }
}
