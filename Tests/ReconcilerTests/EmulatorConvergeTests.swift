import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Reconciler
import StatusModel
import TestSupport
import Testing

/// The reconciler against the real emulator: every resource is checked in the emulator, not only in our status.
@Suite("SpecReconciler against the AWS emulator", .serialized)
struct EmulatorConvergeTests {
    @Test func convergesRepairsDriftAndDeletes() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            let spec = EmulatorHarness.spec()
            let roleName = ManagedResources.roleName(forSpec: spec.name)
            let fresh = try harness.reconciler.preview(spec)
            #expect(fresh.steps.first?.first?.hasPrefix("create IAM role \(roleName)") == true)

            try harness.submit(spec)
            let ready = try harness.reconcile(spec.name, untilPhase: .ready)
            #expect(ready?.phase == .ready, "status: \(String(describing: ready))")
            try checkConverged(harness, spec: spec)
            #expect(try harness.reconciler.preview(spec).steps.isEmpty)

            // Idempotent: more reconciles change nothing and create no duplicates.
            for _ in 0..<3 { _ = harness.reconciler.reconcile(name: spec.name) }
            #expect(try harness.store.status(named: spec.name)?.phase == .ready)
            try checkConverged(harness, spec: spec)

            // Drift: the inline policy deleted, the role removed from the cluster, an instance deleted.
            let admin = try harness.admin
            try IAMClient(client: admin).deleteRolePolicy(
                roleName: roleName, policyName: ManagedResources.inlinePolicyName)
            let roleArn = try #require(try IAMClient(client: admin).getRole(roleName: roleName)?.arn)
            try RDSClient(client: admin).removeRoleFromDBCluster(clusterIdentifier: spec.name, roleArn: roleArn)
            _ = try RDSClient(client: admin).deleteDBInstance(identifier: "\(spec.name)-2")
            let repaired = try harness.reconcile(spec.name) { status in
                status?.phase == .ready && (try? checkConvergedQuietly(harness, spec: spec)) == true
            }
            #expect(repaired?.phase == .ready)
            try checkConverged(harness, spec: spec)

            // Delete: instances, cluster and the managed role go; then the spec.
            _ = try harness.store.requestDeletion(name: spec.name)
            let gone = try harness.reconcile(spec.name) { $0 == nil }
            #expect(gone == nil)
            #expect(try RDSClient(client: admin).describeDBCluster(identifier: spec.name) == nil)
            #expect(try RDSClient(client: admin).describeDBInstances(clusterIdentifiers: [spec.name]).isEmpty)
            #expect(try IAMClient(client: admin).getRole(roleName: roleName) == nil)
        }
    }

    /// moto's ModifyDBCluster ignores `CloudwatchLogsExportConfiguration` (it reads another key), so log exports are
    /// covered by the planner and driver tests; here: deletion protection, an instance class, a removed instance.
    @Test func mutableFieldChangesConvergeInTheEmulator() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            var spec = EmulatorHarness.spec(name: "mutable-import")
            try harness.submit(spec)
            #expect(try harness.reconcile(spec.name, untilPhase: .ready)?.phase == .ready)
            let rds = RDSClient(client: try harness.admin)

            spec.deletionProtection = true
            spec.instances = ["1": .init(instanceClass: "db.r6g.xlarge")]
            spec.applyImmediately = true
            try harness.submit(spec)
            let changed = try harness.reconcile(spec.name) { status in
                status?.phase == .ready && status?.observedGeneration == 2
            }
            #expect(changed?.phase == .ready, "status: \(String(describing: changed))")
            #expect(try rds.describeDBCluster(identifier: spec.name)?.deletionProtection == true)
            let instances = try rds.describeDBInstances(clusterIdentifiers: [spec.name])
            #expect(instances.map(\.identifier) == ["\(spec.name)-1"])
            #expect(instances.map(\.instanceClass) == ["db.r6g.xlarge"])
            #expect(try harness.reconciler.preview(spec).steps.isEmpty)

            // Drift made in the console is put back: deletion protection turned off behind aurorad's back.
            _ = try rds.modifyDBCluster(identifier: spec.name, deletionProtection: false)
            let repaired = try harness.reconcile(spec.name) { status in
                let protected = try? rds.describeDBCluster(identifier: spec.name)?.deletionProtection
                return status?.phase == .ready && protected == true
            }
            #expect(repaired?.phase == .ready)
            #expect(try rds.describeDBCluster(identifier: spec.name)?.deletionProtection == true)
        }
    }

    @Test func givenRoleIsUsedAsIsAndSurvivesDelete() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            let iam = IAMClient(client: try harness.admin)
            let role = try iam.createRole(
                roleName: "team-s3-import", assumeRolePolicyDocument: ManagedResources.trustPolicy().json)
            try iam.putRolePolicy(
                roleName: role.roleName, policyName: "read-backups",
                policyDocument: ManagedResources.inlinePolicy(bucket: EmulatorHarness.bucket, partition: "aws").json)
            let spec = EmulatorHarness.spec(name: "given-role", ingestionRole: role.arn)
            try harness.submit(spec)
            #expect(try harness.reconcile(spec.name, untilPhase: .ready)?.phase == .ready)
            let restore = try #require(try harness.restores().last)
            #expect(restore["S3IngestionRoleArn"] as? String == role.arn)
            _ = try harness.store.requestDeletion(name: spec.name)
            #expect(try harness.reconcile(spec.name) { $0 == nil } == nil)
            let kept = try #require(try iam.getRole(roleName: "team-s3-import"))
            #expect(kept.arn == role.arn)
            #expect(try iam.getRolePolicy(roleName: role.roleName, policyName: "read-backups") != nil)
        }
    }

    @Test func terminalErrorsFailWithActionableMessages() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            try harness.upload(variant: "partial", prefix: "partial/")
            let partial = EmulatorHarness.spec(name: "partial", prefix: "partial/")
            let missing = EmulatorHarness.spec(name: "no-bucket", bucket: "no-such-bucket-here")
            for spec in [partial, missing] { try harness.submit(spec) }
            let refused = try harness.reconcile(partial.name, untilPhase: .failed)
            #expect(refused?.message?.contains("is partial (partial = Y)") == true)
            #expect(refused?.message?.contains("take a full backup without --tables or --databases") == true)
            let noBucket = try harness.reconcile(missing.name, untilPhase: .failed)
            #expect(noBucket?.message?.contains("Bucket no-such-bucket-here does not exist") == true)
            // Nothing was created for either.
            let iam = IAMClient(client: try harness.admin)
            for spec in [partial, missing] {
                #expect(try iam.getRole(roleName: ManagedResources.roleName(forSpec: spec.name)) == nil)
            }
            #expect(try harness.restores().isEmpty)

            let limited = try EmulatorHarness(emulator: emulator, directory: directory + "/limited", limited: true)
            let spec = EmulatorHarness.spec(name: "limited")
            try limited.submit(spec)
            let denied = try limited.reconcile(spec.name, untilPhase: .failed)
            #expect(denied?.message?.contains("AccessDenied") == true)
            #expect(
                denied?.message?.contains("grant that permission") == true, "\(String(describing: denied?.message))")
        }
    }

    /// AWS restores full backups as `xtrabackup --backup` left them, and incremental sets: both converge.
    @Test func unpreparedAndIncrementalBackupsConverge() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            try harness.upload(variant: "unprepared", prefix: "unprepared/")
            try harness.upload(variant: "incremental", prefix: "incremental/")
            try harness.upload(variant: "broken-chain", prefix: "broken/")
            let observer = AWSObserver(client: harness.client, logger: harness.logger)
            let bucket = EmulatorHarness.bucket
            for prefix in ["unprepared/", "incremental/"] {
                let verdict = try observer.preflight(bucket: bucket, prefix: prefix)
                #expect(verdict == .verified(serverVersion: "5.7.12-log"), "\(prefix)")
            }
            guard case .failed(let gap) = try observer.preflight(bucket: bucket, prefix: "broken/") else {
                Issue.record("a broken incremental chain must be refused")
                return
            }
            #expect(gap.contains("broken/inc2/ starts at from_lsn = 3000000 but broken/full/ ends at to_lsn = 2638151"))

            let specs = ["unprepared", "incremental"].map { EmulatorHarness.spec(name: $0, prefix: "\($0)/") }
            for spec in specs { try harness.submit(spec) }
            for spec in specs {
                let ready = try harness.reconcile(spec.name, untilPhase: .ready)
                #expect(ready?.phase == .ready, "\(spec.name): \(String(describing: ready))")
            }
            let prefixes = try harness.restores().compactMap { $0["S3Prefix"] as? String }
            #expect(Set(prefixes) == ["unprepared/", "incremental/"])
        }
    }

    /// An SSE-KMS backup: the preflight names the key, the managed role is granted kms:Decrypt on it and the spec
    /// converges; a given role without that grant fails the migration with RDS's event naming KMS.
    @Test func kmsEncryptedBackupIsFoundAndDecryptIsGranted() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            let key = try #require(try harness.upload(variant: "unprepared", prefix: "kms/", kms: true))
            let observer = AWSObserver(client: harness.client, logger: harness.logger)
            let verdict = try observer.preflight(bucket: EmulatorHarness.bucket, prefix: "kms/")
            #expect(verdict == .kmsEncrypted(.verified(serverVersion: "5.7.12-log"), kmsKeyId: key))

            let managed = EmulatorHarness.spec(name: "kms", prefix: "kms/")
            try harness.submit(managed)
            #expect(try harness.reconcile(managed.name, untilPhase: .ready)?.phase == .ready)
            let iam = IAMClient(client: try harness.admin)
            let roleName = ManagedResources.roleName(forSpec: managed.name)
            let policy = try #require(
                try iam.getRolePolicy(roleName: roleName, policyName: ManagedResources.inlinePolicyName))
            #expect(ManagedResources.kmsKeyArn(in: try PolicyDocument(parsing: policy.policyDocument)) == key)

            let role = try iam.createRole(
                roleName: "team-kms-import", assumeRolePolicyDocument: ManagedResources.trustPolicy().json)
            try iam.putRolePolicy(
                roleName: role.roleName, policyName: "read-backups",
                policyDocument: ManagedResources.inlinePolicy(bucket: EmulatorHarness.bucket, partition: "aws").json)
            let given = EmulatorHarness.spec(name: "kms-given", prefix: "kms/", ingestionRole: role.arn)
            try harness.submit(given)
            let verified = try harness.reconcile(given.name) { status in
                status?.conditions.condition(ofType: ConditionType.backupVerified.rawValue)?.status == .true
            }
            let backup = verified?.conditions.condition(ofType: ConditionType.backupVerified.rawValue)
            let note = "the ingestion role \(role.arn) needs kms:Decrypt on that key"
            #expect(backup?.message.contains(note) == true, "\(String(describing: backup))")
            let failed = try harness.reconcile(given.name, untilPhase: .failed)
            let message = failed?.message ?? ""
            #expect(message.contains("kms:Decrypt on the KMS key \(key)"), "\(message)")
        }
    }

    @Test func iamPropagationDelayStillConverges() throws {
        var options = EmulatorOptions()
        options.iamPropagationSeconds = 3
        let emulator = try EmulatorProcess(options: options)
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let harness = try EmulatorHarness(emulator: emulator, directory: directory)
            let spec = EmulatorHarness.spec(name: "propagation")
            try harness.submit(spec)
            #expect(try harness.reconcile(spec.name, untilPhase: .ready)?.phase == .ready)
            let events = try harness.store.events(name: spec.name, limit: 100)
            #expect(
                events.contains {
                    $0.reason == "RestoreClusterFailed" && $0.message.contains("S3_SNAPSHOT_INGESTION")
                })
            #expect(try harness.restores().count == 1)
        }
    }
}

/// Checks every resource of a converged spec in the emulator.
private func checkConverged(_ harness: EmulatorHarness, spec: ImportSpec) throws {
    let admin = try harness.admin
    let iam = IAMClient(client: admin)
    let rds = RDSClient(client: admin)
    let roleName = ManagedResources.roleName(forSpec: spec.name)
    let role = try #require(try iam.getRole(roleName: roleName))
    #expect(try PolicyDocument(parsing: role.assumeRolePolicyDocument ?? "") == ManagedResources.trustPolicy())
    let tags = Dictionary((try iam.getRole(roleName: roleName)?.tags ?? []).map { ($0.key, $0.value) }) { a, _ in a }
    #expect(tags == ["aurorad:spec": spec.name, "aurorad:managed-by": "aurorad", "Environment": "test"])
    let policy = try #require(try iam.getRolePolicy(roleName: roleName, policyName: ManagedResources.inlinePolicyName))
    #expect(
        try PolicyDocument(parsing: policy.policyDocument)
            == ManagedResources.inlinePolicy(bucket: EmulatorHarness.bucket, partition: "aws"))
    #expect(try iam.listRolePolicies(roleName: roleName) == [ManagedResources.inlinePolicyName])

    let cluster = try #require(try rds.describeDBCluster(identifier: spec.name))
    #expect(cluster.status == "available")
    #expect(cluster.engine == "aurora-mysql" && cluster.masterUsername == "admin")
    #expect(cluster.associatedRoles.count == 1)
    #expect(cluster.associatedRoles.first?.roleArn == role.arn)
    #expect(cluster.associatedRoles.first?.status == "ACTIVE")
    #expect(cluster.associatedRoles.first?.featureName == nil)
    #expect(Dictionary(cluster.tags.map { ($0.key, $0.value) }) { a, _ in a }["aurorad:spec"] == spec.name)
    let instances = try rds.describeDBInstances(clusterIdentifiers: [spec.name])
        .sorted { $0.identifier < $1.identifier }
    #expect(instances.map(\.identifier) == ["\(spec.name)-1", "\(spec.name)-2"])
    #expect(instances.map(\.instanceClass) == ["db.r6g.large", "db.r6g.xlarge"])
    #expect(instances.allSatisfy { $0.tags.contains(AWSTag(key: "aurorad:spec", value: spec.name)) })

    let restores = try harness.restores().filter { $0["DBClusterIdentifier"] as? String == spec.name }
    #expect(restores.count == 1)
    let restore = try #require(restores.first)
    #expect(restore["S3BucketName"] as? String == EmulatorHarness.bucket)
    #expect(restore["S3Prefix"] as? String == "backup/")
    #expect(restore["S3IngestionRoleArn"] as? String == role.arn)
    #expect(restore["SourceEngine"] as? String == "mysql")
    #expect(restore["SourceEngineVersion"] as? String == "5.7.12")
    #expect(restore["EngineVersion"] as? String == "5.7.mysql_aurora.2.11.2")
    #expect(restore["DBSubnetGroupName"] as? String == "aurorad-demo-subnets")
    #expect(restore["ManageMasterUserPassword"] as? Bool == true)
    #expect(restore["MasterUserPasswordGiven"] as? Bool == false)
    #expect(restore["StorageEncrypted"] as? Bool == true)
}

/// Whether the emulator shows the converged state (for the drift-repair loop's stop condition).
private func checkConvergedQuietly(_ harness: EmulatorHarness, spec: ImportSpec) throws -> Bool {
    let admin = try harness.admin
    let roleName = ManagedResources.roleName(forSpec: spec.name)
    let cluster = try RDSClient(client: admin).describeDBCluster(identifier: spec.name)
    let instances = try RDSClient(client: admin).describeDBInstances(clusterIdentifiers: [spec.name])
    let policy = try IAMClient(client: admin).getRolePolicy(
        roleName: roleName, policyName: ManagedResources.inlinePolicyName)
    return policy != nil && cluster?.associatedRoles.first?.status == "ACTIVE" && instances.count == 2
        && instances.allSatisfy { $0.status == "available" }
}
