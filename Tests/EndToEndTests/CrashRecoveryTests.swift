import Foundation
import Synchronization
import Testing
import TestSupport

/// `kill -9` of the daemon while RDS is still working (restores and instances take 12 s here, long enough for a loaded
/// machine to notice them), then a restart on the same database: it resumes from what AWS shows and converges without
/// creating anything twice.
@Suite(.sharedEmulator(restoreSeconds: 12, instanceSeconds: 12))
struct CrashRecoveryTests {
    /// An acknowledged submit is committed: a `kill -9` right after `ctl submit` answers loses nothing.
    @Test func killRightAfterTheSubmitIsAcknowledged() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-kill-submit"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            daemon.process.kill()

            try daemon.restart()
            #expect(try daemon.listedNames().contains(name))
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            try ConvergeChecks.noDuplicates(inspector, spec: name)
        }
    }

    @Test func killRightAfterTheRestoreCall() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-kill-restore"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))

            // What AWS showed at the moment of the kill (read afterwards, a loaded machine may be past it).
            let seen = Mutex<(status: String?, instances: Int)>((nil, 0))
            let restoring = try await crash(daemon.process) {
                let status = try inspector.rds.describeDBCluster(identifier: name)?.status
                let instances = try inspector.instances(cluster: name).count
                seen.withLock { $0 = (status, instances) }
                return status != nil
            }
            #expect(restoring, "the restore never started: \(daemon.logTail)")
            let atKill = seen.withLock { $0 }
            #expect(atKill.status == "creating", "killed after the restore finished: \(atKill)")
            #expect(atKill.instances == 0, "killed after instances were created: \(atKill)")

            try daemon.restart()
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            try ConvergeChecks.noDuplicates(inspector, spec: name)
            let role = try ConvergeChecks.managedRole(inspector, spec: name)
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: role.arn)
        }
    }

    @Test func killWhileInstancesAreCreating() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-kill-instances"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))

            // The statuses seen at the moment of the kill (read afterwards, a loaded machine may be past them).
            let seen = Mutex<[String]>([])
            let creating = try await crash(daemon.process) {
                let instances = try inspector.instances(cluster: name)
                seen.withLock { $0 = instances.map(\.status) }
                return !instances.isEmpty
            }
            #expect(creating, "no instance was created: \(daemon.logTail)")
            let statuses = seen.withLock { $0 }
            #expect(statuses.contains("creating"), "killed after the instances were created: \(statuses)")

            try daemon.restart()
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            try ConvergeChecks.noDuplicates(inspector, spec: name)
            let role = try ConvergeChecks.managedRole(inspector, spec: name)
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: role.arn)
        }
    }
}
