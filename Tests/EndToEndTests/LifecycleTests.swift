import AWSCore
import AWSServices
import Foundation
import Testing
import TestSupport

/// The built daemon against the emulator: a cluster deleted outside aurorad is restored again only on
/// `ctl restore`, and `ctl delete` deletes only what aurorad created, previews and asks on a terminal, or forgets the
/// spec leaving AWS as it is.
@Suite(.sharedEmulator())
struct LifecycleTests {
    @Test func vanishedClusterIsRestoredOnlyOnCtlRestore() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-vanish"
            let spec = try writeDemoSpec(name: name, directory: directory)
            try daemon.submit(spec)
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            #expect(try inspector.restores(cluster: name).count == 1)
            let refused = try daemon.process.ctl(["restore", name])
            #expect(refused.status == 1 && refused.stderr.contains("exists"), "\(refused)")

            // Paused meanwhile (SIGSTOP, not a restart: its in-memory state stays), so it does not put back the
            // instances the operator deletes before the cluster; it finds the cluster gone when it runs again.
            daemon.process.child.send(SIGSTOP)
            let deleted = try await deleteClusterOutsideAurorad(name, inspector: inspector)
            daemon.process.child.send(SIGCONT)
            #expect(deleted, "the cluster could not be deleted by hand")
            let failed = try await daemon.waitForStatus(name) { $0.phase == "Failed" }
            #expect(failed.phase == "Failed", "\(failed)\n\(daemon.logTail)")
            #expect(failed.condition("ClusterRestored") == "False")
            #expect(failed.message?.contains("last seen at") == true, "\(failed)")
            #expect(failed.message?.contains("aurorad ctl restore \(name)") == true, "\(failed)")
            // More than a resync (10 s) later, still no second restore and no cluster.
            let restoredOnItsOwn = try await eventually(timeout: 12, interval: 1) {
                try inspector.restores(cluster: name).count != 1
            }
            #expect(!restoredOnItsOwn)
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try daemon.status(name).phase == "Failed")

            let plan = try daemon.process.ctl(["plan", spec])
            #expect(
                plan.stdout.contains("No actions:") && plan.stdout.contains("aurorad ctl restore \(name)"),
                "\(plan)")

            let restore = try daemon.process.ctl(["restore", name])
            #expect(restore.status == 0 && restore.stdout.contains("\(name) restore requested"), "\(restore)")
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            #expect(try inspector.restores(cluster: name).count == 2)
            #expect(try daemon.status(name).raw["restoreRequestedAt"] == nil, "the intent is consumed")
        }
    }

    @Test func deleteLeavesInstancesAuroradDidNotCreateAndFinishesOnceTheyAreGone() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-foreign"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            let handMade = "\(name)-reader"
            _ = try inspector.rds.createDBInstance(
                CreateDBInstanceRequest(
                    dbInstanceIdentifier: handMade, dbInstanceClass: "db.r8g.large", dbClusterIdentifier: name,
                    tags: [AWSTag(key: "team", value: "data")]))

            let deleted = try daemon.process.ctl(["delete", name])
            #expect(deleted.status == 0 && deleted.stdout.contains("\(name) deletion requested"), "\(deleted)")
            #expect(deleted.stderr.contains("Left in place") && deleted.stderr.contains(handMade), "\(deleted)")
            let waiting = try await daemon.waitForStatus(name) {
                $0.message?.contains("aws rds delete-db-instance --db-instance-identifier \(handMade)") == true
            }
            #expect(waiting.phase == "Deleting", "\(waiting)\n\(daemon.logTail)")
            let ownedGone = try await eventually {
                try inspector.instances(cluster: name).map(\.identifier) == [handMade]
            }
            #expect(ownedGone, "\(String(describing: try? inspector.instances(cluster: name).map(\.identifier)))")
            #expect(try inspector.rds.describeDBCluster(identifier: name) != nil)
            #expect(try daemon.listedNames().contains(name))

            _ = try inspector.rds.deleteDBInstance(identifier: handMade)
            let gone = try await eventually { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.roleNames(prefix: "aurorad-\(name)-").isEmpty)
        }
    }

    @Test func keepResourcesForgetsTheSpecAndMakesNoAWSCall() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-keep"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))

            let forgotten = try daemon.process.ctl(["delete", name, "--keep-resources"])
            #expect(forgotten.status == 0 && forgotten.stdout.contains("\(name) forgotten"), "\(forgotten)")
            #expect(try !daemon.listedNames().contains(name))
            // Past a resync (10 s): the daemon does nothing more for the spec.
            try await Task.sleep(for: .seconds(11))
            #expect(try inspector.rds.describeDBCluster(identifier: name)?.status == "available")
            #expect(try inspector.instances(cluster: name).count == 2)
            let roleName = EmulatorInspector.managedRoleName(name)
            #expect(try inspector.iam.getRole(roleName: roleName) != nil)
            #expect(try inspector.managedInlinePolicy(roleName: roleName) != nil)
            #expect(!daemon.process.child.stderr.contains("action=delete"), "\(daemon.logTail)")
        }
    }

    @Test func deleteOnATerminalShowsWhatItDestroysAndAsks() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-prompt"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory) { $0["skip_final_snapshot"] = false })
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))

            let process = daemon.process
            let declined = try await offPool { try process.ctlOnTerminal(["delete", name], answer: "n") }
            #expect(declined.status == 1, "\(declined.output)")
            for expected in [
                "delete instance \(name)-1", "delete instance \(name)-2",
                "delete cluster \(name) with final snapshot \(name)-final-",
                "delete IAM role \(EmulatorInspector.managedRoleName(name))", "[y/N]", "aborted; nothing was changed",
            ] {
                #expect(declined.output.contains(expected), "missing \(expected) in\n\(declined.output)")
            }
            #expect(try daemon.status(name).raw["deletionRequested"] as? Bool == false)
            #expect(try inspector.rds.describeDBCluster(identifier: name) != nil)

            let confirmed = try await offPool { try process.ctlOnTerminal(["delete", name], answer: "y") }
            #expect(
                confirmed.status == 0 && confirmed.output.contains("\(name) deletion requested"),
                "\(confirmed.output)")
            let gone = try await eventually { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
        }
    }

    /// Deletes the cluster and its instances as someone outside aurorad would, until the cluster is gone (bounded:
    /// a resync may recreate an instance between the instance deletes and the cluster's).
    private func deleteClusterOutsideAurorad(_ name: String, inspector: EmulatorInspector) async throws -> Bool {
        try await eventually(timeout: 60, interval: 1) {
            let instances = try inspector.instances(cluster: name)
            for instance in instances where instance.status != "deleting" {
                _ = try? inspector.rds.deleteDBInstance(identifier: instance.identifier)
            }
            guard instances.isEmpty, let cluster = try inspector.rds.describeDBCluster(identifier: name) else {
                return try inspector.rds.describeDBCluster(identifier: name) == nil
            }
            if cluster.status != "deleting" {
                _ = try? inspector.rds.deleteDBCluster(identifier: name, finalSnapshotIdentifier: nil)
            }
            return false
        }
    }
}
