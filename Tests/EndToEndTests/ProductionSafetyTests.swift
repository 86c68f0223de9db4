import AWSServices
import Foundation
import Testing
import TestSupport

/// The built daemon treats an operator's account with care (issue "Safe on a production account"): it manages only
/// what the spec sets, refuses identifiers RDS would store differently, never loops on a taken identifier, heals a
/// permission fixed outside the spec, and restarts instances only as `apply_immediately` allows. Each behaviour is
/// checked in the emulator itself, not only through the status.
@Suite(.sharedEmulator())
struct ProductionSafetyTests {
    @Test func settingsTheSpecLeavesOutStayAsTheOperatorSetThem() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-ownership"
            let spec = try writeDemoSpec(name: name, directory: directory)
            let plan = try daemon.process.ctl(["plan", spec])
            let unmanaged =
                plan.stdout.split(separator: "\n")
                .first { $0.hasPrefix("Not in the spec, so left as they are in AWS: ") } ?? ""
            for field in ["deletion_protection", "vpc_security_group_ids", "backup_retention_period"] {
                #expect(unmanaged.contains(field), "\(plan.stdout)")
            }
            try daemon.submit(spec)
            let ready = try await daemon.waitForPhase(name, "Ready")
            #expect(ready.phase == "Ready", "\(ready)\n\(daemon.logTail)")
            let managed = ready.raw["managedSettings"] as? [String] ?? []
            #expect(
                managed.contains("enabled_cloudwatch_logs_exports") && !managed.contains("deletion_protection"),
                "\(managed)")

            // The operator turns deletion protection on in the console; a resync (every 10 s here) leaves it on.
            _ = try inspector.rds.modifyDBCluster(identifier: name, deletionProtection: true)
            try await Task.sleep(for: .seconds(12))
            let resynced = try daemon.status(name)
            #expect(resynced.phase == "Ready", "\(resynced)")
            #expect(try inspector.rds.describeDBCluster(identifier: name)?.deletionProtection == true)
            #expect(!resynced.eventReasons.contains("ModifyCluster"), "\(resynced.eventReasons)")

            // Turning it off happens only when the spec says false explicitly.
            let off = try writeDemoSpec(name: name, directory: directory) { $0["deletion_protection"] = false }
            try daemon.submit(off)
            let unprotected = try await eventually(timeout: 60) {
                try inspector.rds.describeDBCluster(identifier: name)?.deletionProtection == false
            }
            #expect(unprotected, "deletion protection was not turned off\n\(daemon.logTail)")
        }
    }

    @Test func capitalsInAnIdentifierAreRefusedAtSubmitNamingTheField() throws {
        let emulator = try SharedEmulator.require()
        try withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let spec = try writeDemoSpec(name: "Prod-Import", directory: directory)
            let result = try daemon.process.ctl(["submit", spec])
            #expect(result.status == 2, "\(result)")
            #expect(
                result.stderr.contains("name: \"Prod-Import\" is not a valid cluster identifier"), "\(result.stderr)")
            #expect(result.stderr.contains("(use \"prod-import\")"), "\(result.stderr)")
            #expect(try daemon.listedNames().isEmpty)
        }
    }

    @Test func tagsBeyondTheBudgetOrUnderAuroradsPrefixAreRefusedAtSubmit() throws {
        let emulator = try SharedEmulator.require()
        try withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let tooMany = try writeDemoSpec(name: "e2e-tags", directory: directory) { spec in
                spec["tags"] = Dictionary(uniqueKeysWithValues: (1...45).map { ("k\($0)", "v") })
            }
            let refused = try daemon.process.ctl(["submit", tooMany])
            #expect(refused.status == 2, "\(refused)")
            #expect(
                refused.stderr.contains("tags: has 45 tags") && refused.stderr.contains("at most 44 fit"),
                "\(refused.stderr)")
            let reserved = try writeDemoSpec(name: "e2e-tags", directory: directory) { spec in
                spec["tags"] = ["aurorad:spec": "someone-else"]
            }
            let prefix = try daemon.process.ctl(["submit", reserved])
            #expect(prefix.status == 2, "\(prefix)")
            #expect(prefix.stderr.contains("must not start with aurorad:"), "\(prefix.stderr)")
            #expect(try daemon.listedNames().isEmpty)
        }
    }

    @Test func anInstanceIdentifierTakenByAnotherClusterFailsNamingBothWithoutRetrying() async throws {
        let emulator = try SharedEmulator.require()
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let first = "e2e-taken-a"
            try daemon.submit(try writeDemoSpec(name: first, directory: directory))
            #expect(try await daemon.waitForPhase(first, "Ready").phase == "Ready", "\(daemon.logTail)")

            let second = "e2e-taken-b"
            try daemon.submit(
                try writeDemoSpec(name: second, directory: directory) { spec in
                    spec["instances"] = ["1": ["identifier": "\(first)-1"]]
                })
            let failed = try await daemon.waitForPhase(second, "Failed")
            #expect(failed.phase == "Failed", "\(failed)\n\(daemon.logTail)")
            #expect(
                failed.message?.contains("\(first)-1 (instances.1) cannot be created in cluster \(second)") == true,
                "\(failed)")
            #expect(failed.message?.contains("already used by an instance of cluster \(first)") == true, "\(failed)")
            // No CreateDBInstance was even attempted, so none can repeat.
            try await Task.sleep(for: .seconds(3))
            let later = try daemon.status(second)
            #expect(!later.eventReasons.contains { $0.hasPrefix("CreateInstance") }, "\(later.eventReasons)")
        }
    }

    @Test func aPermissionGrantedOutsideTheSpecConvergesWithoutAResubmit() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let user = "e2e-no-put-role-policy"
            let key = try inspector.createUser(user, denying: ["iam:PutRolePolicy"])
            let daemon = try DaemonUnderTest(
                directory: directory, environment: emulator.environment(credentials: key))
            defer { daemon.process.kill() }
            let name = "e2e-heals"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            let failed = try await daemon.waitForPhase(name, "Failed")
            #expect(failed.phase == "Failed", "\(failed)\n\(daemon.logTail)")
            #expect(failed.message?.contains("PutRolePolicy failed with AccessDenied") == true, "\(failed)")
            #expect(failed.message?.contains("grant that permission (iam:PutRolePolicy)") == true, "\(failed)")
            #expect(failed.message?.contains(key.secretAccessKey) == false)

            // The operator grants it in IAM and does nothing else: the next resync (10 s here) converges the spec.
            try inspector.allow(user)
            let healed = try await daemon.waitForPhase(name, "Ready", timeout: 60)
            #expect(healed.phase == "Ready", "\(healed)\n\(daemon.logTail)")
            #expect(healed.generation == 1)
            #expect(try inspector.managedInlinePolicy(roleName: EmulatorInspector.managedRoleName(name)) != nil)
        }
    }

    @Test func classChangesWaitForTheWindowOrGoOneInstanceAtATimeWriterLast() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-classes"
            let bigger: (inout [String: Any]) -> Void = { spec in
                spec["cluster_instance_class"] = "db.r8g.2xlarge"
                spec["instances"] = ["1": [String: Any](), "2": [String: Any]()]
            }
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            #expect(try await daemon.waitForPhase(name, "Ready").phase == "Ready", "\(daemon.logTail)")

            // apply_immediately left out (false): handed to RDS for the maintenance window, once, and Ready.
            try daemon.submit(try writeDemoSpec(name: name, directory: directory, edit: bigger))
            let pending = try await eventually(timeout: 30) {
                try inspector.instances(cluster: name).allSatisfy { $0.pendingInstanceClass == "db.r8g.2xlarge" }
            }
            #expect(pending, "\(String(describing: try? inspector.instances(cluster: name)))")
            let waiting = try await daemon.waitForStatus(name) { $0.phase == "Ready" && $0.observedGeneration == 2 }
            #expect(waiting.phase == "Ready", "\(waiting)")
            #expect(
                waiting.conditionMessage("InstancesReady")?.contains("wait for the next maintenance window") == true,
                "\(waiting)")
            try await Task.sleep(for: .seconds(12))
            let modifies = try daemon.status(name).eventReasons.filter { $0 == "ModifyInstance" }
            #expect(modifies.count == 2, "each instance is modified once, not at every resync: \(modifies)")
            #expect(try inspector.instances(cluster: name).map(\.instanceClass) == ["db.r8g.large", "db.r8g.xlarge"])

            // apply_immediately: now, one instance at a time, the writer last.
            let writer = try #require(
                try inspector.rds.describeDBCluster(identifier: name)?.members.first(where: \.isClusterWriter))
            try daemon.submit(
                try writeDemoSpec(name: name, directory: directory) { spec in
                    bigger(&spec)
                    spec["apply_immediately"] = true
                })
            var overlapping = false
            let converged = try await eventually(timeout: 60, interval: 0.2) {
                let instances = try inspector.instances(cluster: name)
                overlapping = overlapping || instances.filter { $0.status == "modifying" }.count > 1
                return instances.allSatisfy { $0.instanceClass == "db.r8g.2xlarge" && $0.status == "available" }
            }
            #expect(converged, "\(String(describing: try? inspector.instances(cluster: name)))\n\(daemon.logTail)")
            #expect(!overlapping, "two instances restarted at once")
            // The order of the restarts the daemon sent (events are newest first); polling the emulator for
            // `modifying` can miss a 1 s restart on a loaded machine.
            let order = try daemon.status(name).eventMessages.reversed()
                .filter { $0.hasPrefix("modify instance") && $0.contains("applied immediately (it restarts)") }
                .compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) }
            #expect(
                order.count == 2 && order.last == writer.instanceIdentifier,
                "order \(order), writer \(writer.instanceIdentifier)")
        }
    }
}
