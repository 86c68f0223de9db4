import AWSCore
import AWSServices
import Foundation
import Testing
import TestSupport

/// The built daemon converges specs against the emulator, and every resource is checked in the emulator itself.
/// One emulator (1 s RDS delays) serves the whole suite; each test uses its own spec names and daemon.
@Suite(.sharedEmulator())
struct ConvergeTests {
    @Test func planThenConvergeCreatesEveryResourceAsSpecified() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-converge"
            let spec = try writeDemoSpec(name: name, directory: directory)

            // `ctl plan` on a new spec: the whole sequence in order, the role and its policy runnable now, the
            // rest (which needs the role's ARN and the available cluster) after; nothing is created.
            let plan = try daemon.process.ctl(["plan", spec])
            #expect(plan.status == 0, "\(plan.stderr)")
            let roleName = EmulatorInspector.managedRoleName(name)
            let newRole = "arn:aws:iam::(new):role/\(roleName)"
            for expected in [
                "  1. create IAM role \(roleName) trusted by rds.amazonaws.com",
                "  2. put inline policy aurorad-s3-import on IAM role \(roleName)",
                "  3. restore cluster \(name) (aurora-mysql 5.7.mysql_aurora.2.11.2",
                "  4. associate IAM role \(newRole) with cluster \(name) (no feature name",
                "  5. in parallel:\n       create instance \(name)-1 (db.r8g.large) in cluster \(name)\n"
                    + "       create instance \(name)-2 (db.r8g.xlarge) in cluster \(name)",
                "Start now: steps 1-2; the rest follow as AWS settles",
                "Phase now: Pending; after these steps: Ready",
            ] {
                #expect(plan.stdout.contains(expected), "missing \(expected) in\n\(plan.stdout)")
            }
            let planJSON = try #require(try daemon.process.ctlJSON(["plan", spec]) as? [String: Any])
            let steps = try #require(planJSON["steps"] as? [[String]])
            #expect(steps.map(\.count) == [1, 1, 1, 1, 2])
            #expect((planJSON["now"] as? [[String]]) == Array(steps.prefix(2)))
            #expect(planJSON["phase"] as? String == "Pending")
            #expect(planJSON["projectedPhase"] as? String == "Ready")
            #expect(try inspector.iam.getRole(roleName: roleName) == nil)
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.restores(cluster: name).isEmpty)
            #expect(try daemon.listedNames().contains(name) == false, "plan must not store the spec")

            #expect(try daemon.submit(spec).contains("\(name) generation 1 (created)"))
            let ready = try await daemon.waitForPhase(name, "Ready")
            ConvergeChecks.readyStatus(ready)
            let role = try ConvergeChecks.managedRole(inspector, spec: name)
            #expect(ready.roleARN == role.arn)
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: role.arn)
            try ConvergeChecks.noDuplicates(inspector, spec: name)

            // `ctl plan` on the converged spec: nothing to do.
            let converged = try daemon.process.ctl(["plan", spec])
            #expect(converged.stdout.contains("No actions: AWS already matches the spec."), "\(converged.stdout)")
            let convergedJSON = try #require(try daemon.process.ctlJSON(["plan", spec]) as? [String: Any])
            #expect((convergedJSON["steps"] as? [[String]]) == [])
            #expect((convergedJSON["now"] as? [[String]]) == [])
            #expect(convergedJSON["phase"] as? String == "Ready")
            #expect(convergedJSON["projectedPhase"] as? String == "Ready")
        }
    }

    @Test func resubmitAndRestartCreateNothingTwice() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-restart"
            let spec = try writeDemoSpec(name: name, directory: directory)
            try daemon.submit(spec)
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            let roleName = EmulatorInspector.managedRoleName(name)
            let roleId = try #require(try inspector.iam.getRole(roleName: roleName)).roleId

            // An identical resubmit keeps the generation and wakes a reconcile that finds nothing to do.
            #expect(try daemon.submit(spec).contains("\(name) generation 1 (unchanged)"))
            let afterResubmit = try await daemon.waitForStatus(name, timeout: 5) { $0.phase != "Ready" }
            ConvergeChecks.readyStatus(afterResubmit)

            #expect(daemon.process.stop() == 0, "SIGTERM must exit 0: \(daemon.logTail)")
            try daemon.restart()
            // Two resyncs (10 s each) after the start-up reconcile.
            try await Task.sleep(for: .seconds(22))
            ConvergeChecks.readyStatus(try daemon.status(name))
            try ConvergeChecks.noDuplicates(inspector, spec: name)
            #expect(try inspector.iam.getRole(roleName: roleName)?.roleId == roleId)
            let role = try ConvergeChecks.managedRole(inspector, spec: name)
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: role.arn)
        }
    }

    @Test func driftIsRepairedAtTheNextResync() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-drift"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            let roleName = EmulatorInspector.managedRoleName(name)
            let role = try #require(try inspector.iam.getRole(roleName: roleName))
            let cluster = try #require(try inspector.rds.describeDBCluster(identifier: name))
            // The daemon releases a settled spec's observation when its work drains; the drift comes after that, so
            // the next pass must see it from a read of its own.
            let released = try await eventually(timeout: 30) {
                daemon.logCount(of: "released the settled specs' observation kept=0 released=1") > 0
            }
            #expect(released, "the settled spec's observation was not released:\n\(daemon.logTail)")

            // Someone deletes the inline policy, detaches the role, deletes an instance and edits tags. (Whether the
            // policy is gone is not read back: a resync may put it back at any moment from here on; the daemon's log
            // shows the repair instead.)
            let policyPutsBefore = daemon.logCount(of: "executing action=putRolePolicy")
            try inspector.iam.deleteRolePolicy(roleName: roleName, policyName: EmulatorInspector.inlinePolicyName)
            try inspector.rds.removeRoleFromDBCluster(clusterIdentifier: name, roleArn: role.arn)
            _ = try inspector.rds.deleteDBInstance(identifier: "\(name)-2")
            try inspector.rds.addTagsToResource(
                resourceArn: cluster.arn, tags: [AWSTag(key: "Environment", value: "drifted")])
            try inspector.iam.tagRole(roleName: roleName, tags: [AWSTag(key: "Environment", value: "drifted")])

            let repaired = try await eventually(timeout: 90, interval: 1) {
                let cluster = try inspector.rds.describeDBCluster(identifier: name)
                let instances = try inspector.instances(cluster: name)
                return try inspector.managedInlinePolicy(roleName: roleName) != nil
                    && cluster?.associatedRoles.map(\.status) == ["ACTIVE"]
                    && tagDictionary(cluster?.tags ?? [])["Environment"] == "demo"
                    && tagDictionary(try inspector.iam.getRole(roleName: roleName)?.tags ?? [])["Environment"] == "demo"
                    && instances.count == 2 && instances.allSatisfy { $0.status == "available" }
            }
            #expect(repaired, "not repaired: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(
                daemon.logCount(of: "executing action=putRolePolicy") > policyPutsBefore,
                "the deleted inline policy is back, but not by aurorad's PutRolePolicy:\n\(daemon.logTail)")
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            try ConvergeChecks.managedRole(inspector, spec: name)
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: role.arn)
            try ConvergeChecks.noDuplicates(inspector, spec: name)
        }
    }

    @Test func deleteRemovesInstancesClusterAndManagedRole() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-delete"
            try daemon.submit(try writeDemoSpec(name: name, directory: directory))
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))

            let deleted = try daemon.process.ctl(["delete", name])
            #expect(deleted.status == 0 && deleted.stdout.contains("\(name) deletion requested"), "\(deleted.stderr)")
            let gone = try await eventually { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try daemon.process.ctl(["status", name]).status == 1)

            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.instances(cluster: name).isEmpty)
            for key in ["1", "2"] { #expect(try inspector.rds.describeDBInstance(identifier: "\(name)-\(key)") == nil) }
            let roleName = EmulatorInspector.managedRoleName(name)
            #expect(try inspector.iam.getRole(roleName: roleName) == nil)
            #expect(try inspector.managedInlinePolicy(roleName: roleName) == nil)
            #expect(try inspector.roleNames(prefix: "aurorad-\(name)-").isEmpty)
        }
    }

    @Test func givenIngestionRoleIsUsedAsIsAndSurvivesDelete() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let name = "e2e-given"
            let foreign = try inspector.createForeignRole(name: "e2e-team-import", policyName: "read-backups")
            let spec = try writeDemoSpec(name: name, directory: directory) { spec in
                var s3 = spec["s3_import"] as? [String: Any] ?? [:]
                s3["ingestion_role"] = foreign.arn
                spec["s3_import"] = s3
            }

            // With the role given, the plan goes straight to the restore, as that role, then associates it.
            let plan = try daemon.process.ctl(["plan", spec])
            #expect(plan.stdout.contains("1. restore cluster \(name) (aurora-mysql 5.7.mysql_aurora.2.11.2"), "\(plan)")
            #expect(plan.stdout.contains("as \(foreign.arn)"))
            #expect(plan.stdout.contains("2. associate IAM role \(foreign.arn) with cluster \(name)"))
            #expect(plan.stdout.contains("3. in parallel:"))
            #expect(plan.stdout.contains("Start now: step 1; the rest follow as AWS settles"))
            #expect(!plan.stdout.contains("create IAM role"))
            #expect(try inspector.restores(cluster: name).isEmpty)

            try daemon.submit(spec)
            ConvergeChecks.readyStatus(try await daemon.waitForPhase(name, "Ready"))
            try ConvergeChecks.cluster(inspector, spec: name, roleARN: foreign.arn)
            #expect(try inspector.iam.getRole(roleName: EmulatorInspector.managedRoleName(name)) == nil)

            _ = try daemon.process.ctl(["delete", name])
            let gone = try await eventually { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.instances(cluster: name).isEmpty)

            // The foreign role is untouched: same id, trust, tags and policy.
            let kept = try #require(try inspector.iam.getRole(roleName: foreign.roleName), "the given role was deleted")
            #expect(kept.roleId == foreign.roleId)
            #expect(try PolicyShape(json: kept.assumeRolePolicyDocument ?? "{}") == ConvergeChecks.trustPolicy)
            #expect(
                tagDictionary(try inspector.iam.getRole(roleName: foreign.roleName)?.tags ?? []) == ["team": "data"])
            #expect(try inspector.iam.listRolePolicies(roleName: foreign.roleName) == ["read-backups"])
            let policy = try #require(
                try inspector.iam.getRolePolicy(roleName: foreign.roleName, policyName: "read-backups"))
            #expect(try PolicyShape(json: policy.policyDocument) == ConvergeChecks.inlinePolicy)
        }
    }

    @Test func terminalErrorsFailWithAnActionableMessageAndCreateNothing() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        try await withTemporaryDirectory { directory in
            let prefix = "e2e-encrypted/"
            try await offPool {
                try inspector.uploadBackup(variant: "encrypted", prefix: prefix, scratchDirectory: directory)
            }
            let admin = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { admin.process.kill() }
            let limitedDirectory = directory + "/limited"
            try FileManager.default.createDirectory(atPath: limitedDirectory, withIntermediateDirectories: false)
            let limitedEnvironment = emulator.environment(credentials: emulator.limitedCredentials)
            let limited = try DaemonUnderTest(directory: limitedDirectory, environment: limitedEnvironment)
            defer { limited.process.kill() }

            let encrypted = "e2e-encrypted"
            try admin.submit(
                try writeDemoSpec(name: encrypted, directory: directory) { spec in
                    var s3 = spec["s3_import"] as? [String: Any] ?? [:]
                    s3["bucket_prefix"] = prefix
                    spec["s3_import"] = s3
                })
            let noBucket = "e2e-nobucket"
            try admin.submit(
                try writeDemoSpec(name: noBucket, directory: directory) { spec in
                    var s3 = spec["s3_import"] as? [String: Any] ?? [:]
                    s3["bucket_name"] = "e2e-no-such-bucket"
                    spec["s3_import"] = s3
                })
            let denied = "e2e-denied"
            try limited.submit(try writeDemoSpec(name: denied, directory: directory))

            // xtrabackup --encrypt: AWS cannot restore it, so aurorad refuses it before creating anything.
            let invalid = try await admin.waitForPhase(encrypted, "Failed")
            #expect(invalid.phase == "Failed", "\(invalid)")
            let says = "\(prefix)xtrabackup_info says the backup is encrypted"
            #expect(invalid.message?.contains(says) == true, "\(invalid)")
            #expect(invalid.message?.contains("take the backup without --encrypt") == true, "\(invalid)")
            #expect(invalid.condition("BackupVerified") == "False")

            let missing = try await admin.waitForPhase(noBucket, "Failed")
            #expect(missing.phase == "Failed", "\(missing)")
            #expect(missing.message?.contains("e2e-no-such-bucket does not exist") == true, "\(missing)")

            let refused = try await limited.waitForPhase(denied, "Failed")
            #expect(refused.phase == "Failed", "\(refused)")
            #expect(refused.message?.contains("AccessDenied") == true, "\(refused)")
            #expect(refused.message?.contains("grant that permission") == true, "\(refused)")
            #expect(refused.message?.contains(emulator.limitedCredentials.secretAccessKey) == false)

            for name in [encrypted, noBucket, denied] {
                #expect(try inspector.roleNames(prefix: "aurorad-\(name)-").isEmpty, "a role was created for \(name)")
                #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
                #expect(try inspector.restores(cluster: name).isEmpty)
            }
        }
    }
}
