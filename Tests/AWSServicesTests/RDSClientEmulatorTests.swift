import AWSCore
import AWSServices
import Foundation
import Testing

@Suite("RDS client against the emulator")
struct RDSClientEmulatorTests {
    /// Polls `read` every 200 ms until `done` holds, at most 100 times (20 s).
    func waitFor<T>(_ what: String, _ read: () throws -> T, until done: (T) -> Bool) throws -> T {
        for _ in 0..<100 {
            let value = try read()
            if done(value) { return value }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw WaitTimeout(what: what)
    }

    struct WaitTimeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "Gave up waiting for \(what) after 100 polls." }
    }

    /// A role RDS may assume that can read the demo backup.
    func makeIngestionRole(_ iam: IAMClient, name: String) throws -> String {
        let role = try iam.createRole(roleName: name, assumeRolePolicyDocument: rdsTrustPolicy)
        try iam.putRolePolicy(
            roleName: name, policyName: "backup-read",
            policyDocument:
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::aurorad-demo-backups"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::aurorad-demo-backups/backup/*"}]}"#
        )
        return role.arn
    }

    @Test("Cluster lifecycle: restore, describe until available, role, instance, filters, tags, events, delete")
    func clusterLifecycle() throws {
        let logs = CapturedLogs()
        let client = try SharedEmulator.client(logs: logs)
        let rds = RDSClient(client: client)
        let name = uniqueName("aurorad-rds")
        let roleArn = try makeIngestionRole(IAMClient(client: client), name: name)
        let password = "Sup3r-Secret-\(UUID().uuidString)"
        let tags = [AWSTag(key: "managed-by", value: "aurorad"), AWSTag(key: "aurorad/spec", value: name)]

        #expect(try rds.describeDBCluster(identifier: name) == nil)
        let request = RestoreDBClusterFromS3Request(
            dbClusterIdentifier: name, engineVersion: "5.7.mysql_aurora.2.11.2", masterUsername: "admin",
            masterPassword: .explicit(SecretString(password)), dbSubnetGroupName: "aurorad-demo-subnets",
            enableCloudwatchLogsExports: ["error", "slowquery"], storageEncrypted: true, deletionProtection: true,
            tags: tags, s3BucketName: "aurorad-demo-backups", s3Prefix: "backup/", s3IngestionRoleArn: roleArn,
            sourceEngineVersion: "5.7.12")
        #expect(!String(describing: request).contains(password), "the request prints its password redacted")
        #expect(!String(reflecting: request).contains(password))
        let restored = try rds.restoreDBClusterFromS3(request)
        #expect(restored.identifier == name)
        #expect(restored.status == "creating")
        #expect(restored.engine == "aurora-mysql")
        #expect(!logs.text.contains(password), "the master password never reaches a log line")

        let available = try waitFor("cluster available", { try rds.describeDBCluster(identifier: name) }) {
            $0?.status == "available"
        }
        let cluster = try #require(available)
        #expect(cluster.arn == restored.arn)
        #expect(cluster.masterUsername == "admin")
        #expect(cluster.engineVersion == "5.7.mysql_aurora.2.11.2")
        #expect(cluster.deletionProtection)
        #expect(cluster.storageEncrypted)
        #expect(cluster.dbSubnetGroup == "aurorad-demo-subnets")
        #expect(Set(cluster.enabledCloudwatchLogsExports) == ["error", "slowquery"])
        #expect(Set(cluster.tags).isSuperset(of: tags))
        #expect(cluster.endpoint != nil)

        let featureError = try #require(throws: AWSError.self) {
            try rds.addRoleToDBCluster(clusterIdentifier: name, roleArn: roleArn, featureName: "s3Import")
        }
        #expect(featureError.code == "InvalidParameterValue")
        try rds.addRoleToDBCluster(clusterIdentifier: name, roleArn: roleArn)
        let associated = try waitFor("role ACTIVE", { try rds.describeDBCluster(identifier: name) }) {
            $0?.associatedRoles.contains { $0.roleArn == roleArn && $0.status == "ACTIVE" } == true
        }
        #expect(associated?.associatedRoles.first { $0.roleArn == roleArn }?.featureName == nil)

        let instanceName = name + "-1"
        let instance = try rds.createDBInstance(
            CreateDBInstanceRequest(
                dbInstanceIdentifier: instanceName, dbInstanceClass: "db.r6g.large", dbClusterIdentifier: name,
                tags: tags))
        #expect(instance.identifier == instanceName)
        #expect(instance.clusterIdentifier == name)
        let ready = try waitFor("instance available", { try rds.describeDBInstance(identifier: instanceName) }) {
            $0?.status == "available"
        }
        #expect(ready?.instanceClass == "db.r6g.large")
        #expect(try rds.describeDBInstance(identifier: instanceName + "-absent") == nil)

        let batch = try rds.describeDBClusters(identifiers: [name, uniqueName("absent")], maxRecords: 20)
        #expect(batch.map(\.identifier) == [name])
        #expect(batch.first?.members.map(\.instanceIdentifier) == [instanceName])
        let instances = try rds.describeDBInstances(clusterIdentifiers: [name])
        #expect(instances.map(\.identifier) == [instanceName])

        try rds.addTagsToResource(resourceArn: cluster.arn, tags: [AWSTag(key: "extra", value: "1")])
        let tagged = try rds.describeDBCluster(identifier: name)?.tags ?? []
        #expect(Set(tagged) == Set(tags + [AWSTag(key: "extra", value: "1")]))

        // moto ignores CloudwatchLogsExportConfiguration; its encoding is checked in RDSParsingTests.
        _ = try rds.modifyDBCluster(identifier: name, deletionProtection: false)
        #expect(try rds.describeDBCluster(identifier: name)?.deletionProtection == false)

        let events = try rds.describeEvents(sourceIdentifier: name, durationMinutes: 60)
        #expect(events.contains { $0.message.contains("Restoring DB cluster from Amazon S3") })
        #expect(events.map(\.date) == events.map(\.date).sorted(by: >), "newest first")

        _ = try rds.deleteDBInstance(identifier: instanceName)
        try rds.removeRoleFromDBCluster(clusterIdentifier: name, roleArn: roleArn)
        let missingRole = try #require(throws: AWSError.self) {
            try rds.removeRoleFromDBCluster(clusterIdentifier: name, roleArn: roleArn)
        }
        #expect(missingRole.code == "DBClusterRoleNotFound")
        _ = try rds.deleteDBCluster(identifier: name, finalSnapshotIdentifier: nil)
        _ = try waitFor("cluster gone", { try rds.describeDBCluster(identifier: name) }) { $0 == nil }
        #expect(!logs.text.contains(password))
    }
}
