import Foundation
import Testing
import TestSupport

/// A new role cannot be assumed by RDS for 8 s here (the emulator answers the restore with AWS's
/// S3_SNAPSHOT_INGESTION error): the daemon retries the restore no faster than its backoff and converges, also across
/// a `kill -9`.
@Suite(.sharedEmulator(iamPropagationSeconds: 8))
struct IAMPropagationTests {
    @Test func propagationDelayStillConverges() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-propagation"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))

            var sawPropagationError = false
            let ready = try await daemon.waitForStatus(name) { status in
                sawPropagationError =
                    sawPropagationError
                    || status.eventMessages.contains { $0.contains("S3_SNAPSHOT_INGESTION") }
                return status.phase == "Ready" || status.phase == "Failed"
            }
            ConvergeChecks.readyStatus(ready)
            #expect(sawPropagationError, "the restore was never refused for propagation: \(ready)")
            // A failing write is never repeated faster than the backoff: 1 s (the default `backoff_min`), doubling.
            let attempts = Self.restoreAttempts(inLog: daemon.process.child.stderr)
            for (index, gap) in zip(attempts, attempts.dropFirst()).map({ $1.timeIntervalSince($0) }).enumerated() {
                let backoff = pow(2, Double(index))
                #expect(gap >= 0.95 * backoff, "restore attempt \(index + 2) came \(gap) s after the one before")
            }
            #expect(attempts.count >= 2, "the restore was not retried: \(daemon.logTail)")
            try ConvergeChecks.noDuplicates(inspector, spec: name)
            let role = try ConvergeChecks.managedRole(inspector, spec: name)
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: role.arn)
        }
    }

    @Test func killRightAfterRoleCreation() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-kill-role"
            let roleName = EmulatorInspector.managedRoleName(name)
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))

            let created = try await crash(daemon.process) { try inspector.iam.getRole(roleName: roleName) != nil }
            #expect(created, "the role was never created: \(daemon.logTail)")
            let role = try #require(try inspector.iam.getRole(roleName: roleName))
            // Killed before RDS could use the role: no restore was accepted yet.
            #expect(try inspector.restores(cluster: name).isEmpty)

            try daemon.restart()
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            #expect(try inspector.iam.getRole(roleName: roleName)?.roleId == role.roleId, "the role was created again")
            try ConvergeChecks.noDuplicates(inspector, spec: name)
            try ConvergeChecks.managedRole(inspector, spec: name)
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: role.arn)
        }
    }

    /// When the daemon's log shows a RestoreDBClusterFromS3 attempt answered (failed or not), in order.
    private static func restoreAttempts(inLog log: String) -> [Date] {
        log.split(separator: "\n").filter {
            $0.contains("aws.action=RestoreDBClusterFromS3") && $0.contains("AWS call")
        }.compactMap { line in
            try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(String(line.prefix(24)))
        }
    }
}
