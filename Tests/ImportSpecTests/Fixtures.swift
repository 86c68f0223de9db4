import Foundation
import ImportSpec

/// Specs and documents shared by the ImportSpec tests.
enum Fixtures {
    /// A valid spec using every field, the same as config/example-spec.json.
    static var validSpec: ImportSpec {
        ImportSpec(
            name: "ex-s3-import", engine: "aurora-mysql", engineVersion: "5.7.mysql_aurora.2.11.2",
            masterUsername: "root", manageMasterUserPassword: true, clusterInstanceClass: "db.r8g.large",
            instances: [
                "1": .init(),
                "2": .init(
                    instanceClass: "db.r8g.xlarge",
                    settings: InstanceSettings(availabilityZone: "eu-west-1b", promotionTier: 1)),
            ],
            dbSubnetGroupName: "my-subnets", vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
            roleAssociations: ["s3Import": .init()],
            s3Import: .init(
                sourceEngineVersion: "5.7.12", bucketName: "my-import-bucket", bucketPrefix: "backup/",
                ingestionRole: "arn:aws:iam::123456789012:role/existing"),
            skipFinalSnapshot: true, storageEncrypted: true,
            kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            deletionProtection: false, enabledCloudwatchLogsExports: ["audit", "error", "general", "slowquery"],
            tags: ["Environment": "dev"],
            clusterSettings: ClusterSettings(
                backupRetentionPeriod: 7, preferredBackupWindow: "02:00-03:00",
                preferredMaintenanceWindow: "sun:05:00-sun:06:00", copyTagsToSnapshot: true, storageType: "aurora",
                engineLifecycleSupport: "open-source-rds-extended-support-disabled"),
            instanceDefaults: InstanceSettings(
                caCertIdentifier: "rds-ca-rsa2048-g1", publiclyAccessible: false, autoMinorVersionUpgrade: true))
    }

    /// The smallest valid spec: only the required fields.
    static var minimalSpec: ImportSpec {
        ImportSpec(
            name: "db1", masterUsername: "root", clusterInstanceClass: "db.r8g.large", instances: ["1": .init()],
            s3Import: .init(sourceEngineVersion: "8.0.36", bucketName: "backups"))
    }

    /// The minimal spec as a JSON text, for decoding tests that edit one field.
    static let minimalJSON = """
        {"name": "db1", "engine": "aurora-mysql", "master_username": "root",
         "cluster_instance_class": "db.r8g.large", "instances": {"1": {}},
         "s3_import": {"source_engine_version": "8.0.36", "bucket_name": "backups"}}
        """

    /// `config/<file>` (by default config/example-spec.json), read from the source tree.
    static func exampleSpecData(_ file: String = "example-spec.json") throws -> Data {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try Data(contentsOf: root.appendingPathComponent("config/\(file)"))
    }

    /// The problems `decode(from:)` reports for `data`, or an empty list when it decodes.
    static func problems(decoding data: Data) -> [SpecProblem] {
        do {
            _ = try ImportSpec.decode(from: data)
            return []
        } catch {
            return error.problems
        }
    }

    /// The problems for a JSON text.
    static func problems(decoding text: String) -> [SpecProblem] {
        problems(decoding: Data(text.utf8))
    }
}
