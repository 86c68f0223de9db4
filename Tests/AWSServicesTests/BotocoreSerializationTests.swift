import AWSCore
import AWSServices
import Foundation
import Testing

/// Every request aurorad's typed clients send, with every optional member they can set, compared with what
/// botocore sends for the same input: botocore validates the input against its service model (required members,
/// member names, types) and serializes it with its Query, EC2 and REST-XML serializers.
@Suite("Requests agree with botocore's serialization of the same call")
struct BotocoreSerializationTests {
    /// One call: how to make it with our client, the botocore input that means the same, and a minimal answer.
    struct Call: Sendable, CustomTestStringConvertible {
        var name: String
        var service: String
        var operation: String
        /// The botocore input, as JSON.
        var params: String
        var response: HTTPResponse
        var invoke: @Sendable (AWSClient) throws -> Void

        var testDescription: String { name }
    }

    /// What botocore sent: form parameters (Query), or method, decoded path, query and chosen headers (REST-XML).
    struct Expected: Decodable, Equatable {
        /// botocore's validation report when it rejected the input.
        var error: String?
        var form: [String: String]?
        var method: String?
        var path: String?
        var query: [String: String]?
        var headers: [String: String]?
    }

    static let arn = "arn:aws:rds:eu-west-1:123456789012:cluster:c1"
    static let roleArn = "arn:aws:iam::123456789012:role/aurorad-c1-s3-import"
    static let policyArn = "arn:aws:iam::123456789012:policy/p"
    static let monitoringPolicy = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"

    static func query(_ action: String, _ result: String = "") -> HTTPResponse {
        let body =
            result.isEmpty
            ? "<\(action)Response><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></\(action)Response>"
            : "<\(action)Response><\(action)Result>\(result)</\(action)Result></\(action)Response>"
        return HTTPResponse(status: 200, body: Data(body.utf8))
    }

    static let cluster = """
        <DBCluster><DBClusterIdentifier>c1</DBClusterIdentifier><DBClusterArn>\(arn)</DBClusterArn>
        <Status>creating</Status><Engine>aurora-mysql</Engine></DBCluster>
        """
    static let instance = """
        <DBInstance><DBInstanceIdentifier>c1-1</DBInstanceIdentifier><DBInstanceStatus>creating</DBInstanceStatus>
        <DBInstanceClass>db.r6g.large</DBInstanceClass><Engine>aurora-mysql</Engine></DBInstance>
        """
    static let role =
        "<Role><RoleName>r</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>\(roleArn)</Arn><Path>/</Path></Role>"

    static let restore = RestoreDBClusterFromS3Request(
        dbClusterIdentifier: "c1", engine: "aurora-mysql", engineVersion: "8.0.mysql_aurora.3.05.2",
        masterUsername: "admin", masterPassword: .explicit(SecretString("pa ss+word/=")),
        dbSubnetGroupName: "subnets", vpcSecurityGroupIds: ["sg-1", "sg-2"],
        enableCloudwatchLogsExports: ["error", "slowquery"], storageEncrypted: true,
        kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k", deletionProtection: false,
        tags: [AWSTag(key: "aurorad:spec", value: "c1"), AWSTag(key: "team", value: "data eng")],
        s3BucketName: "backups", s3Prefix: "mysql/2026-03-01/", s3IngestionRoleArn: roleArn,
        sourceEngine: "mysql", sourceEngineVersion: "8.0.36",
        settings: RDSClusterSettings(
            dbClusterParameterGroupName: "aurora-mysql80-tuned", backupRetentionPeriod: 14,
            preferredBackupWindow: "02:00-03:00", preferredMaintenanceWindow: "sun:05:00-sun:06:00",
            enableIAMDatabaseAuthentication: true, copyTagsToSnapshot: true, storageType: "aurora-iopt1",
            networkType: "DUAL", engineLifecycleSupport: "open-source-rds-extended-support-disabled"))
    static let instanceSettings = RDSInstanceSettings(
        dbParameterGroupName: "aurora-mysql80", autoMinorVersionUpgrade: false, monitoringInterval: 60,
        monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring", enablePerformanceInsights: true,
        performanceInsightsKMSKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k",
        performanceInsightsRetentionPeriod: 465, caCertificateIdentifier: "rds-ca-rsa2048-g1")
    static let instanceSettingsParams = """
        "DBParameterGroupName": "aurora-mysql80", "AutoMinorVersionUpgrade": false, "MonitoringInterval": 60,
        "MonitoringRoleArn": "arn:aws:iam::123456789012:role/rds-monitoring", "EnablePerformanceInsights": true,
        "PerformanceInsightsKMSKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "PerformanceInsightsRetentionPeriod": 465, "CACertificateIdentifier": "rds-ca-rsa2048-g1"
        """

    static let rdsCalls: [Call] = [
        Call(
            name: "RestoreDBClusterFromS3 with an explicit password", service: "rds",
            operation: "RestoreDBClusterFromS3",
            params: """
                {"DBClusterIdentifier": "c1", "Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.05.2",
                 "MasterUsername": "admin", "MasterUserPassword": "pa ss+word/=", "DBSubnetGroupName": "subnets",
                 "VpcSecurityGroupIds": ["sg-1", "sg-2"], "EnableCloudwatchLogsExports": ["error", "slowquery"],
                 "StorageEncrypted": true, "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
                 "DeletionProtection": false,
                 "Tags": [{"Key": "aurorad:spec", "Value": "c1"}, {"Key": "team", "Value": "data eng"}],
                 "S3BucketName": "backups", "S3Prefix": "mysql/2026-03-01/", "S3IngestionRoleArn": "\(roleArn)",
                 "SourceEngine": "mysql", "SourceEngineVersion": "8.0.36",
                 "DBClusterParameterGroupName": "aurora-mysql80-tuned", "BackupRetentionPeriod": 14,
                 "PreferredBackupWindow": "02:00-03:00", "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
                 "EnableIAMDatabaseAuthentication": true, "CopyTagsToSnapshot": true, "StorageType": "aurora-iopt1",
                 "NetworkType": "DUAL", "EngineLifecycleSupport": "open-source-rds-extended-support-disabled"}
                """,
            response: query("RestoreDBClusterFromS3", cluster),
            invoke: { _ = try RDSClient(client: $0).restoreDBClusterFromS3(restore) }),
        Call(
            name: "RestoreDBClusterFromS3 with a password managed by RDS", service: "rds",
            operation: "RestoreDBClusterFromS3",
            params: """
                {"DBClusterIdentifier": "c1", "Engine": "aurora-mysql", "MasterUsername": "admin",
                 "ManageMasterUserPassword": true, "MasterUserSecretKmsKeyId": "k2", "S3BucketName": "backups",
                 "S3IngestionRoleArn": "\(roleArn)", "SourceEngine": "mysql", "SourceEngineVersion": "5.7.44",
                 "Port": 3307}
                """,
            response: query("RestoreDBClusterFromS3", cluster),
            invoke: {
                _ = try RDSClient(client: $0).restoreDBClusterFromS3(
                    RestoreDBClusterFromS3Request(
                        dbClusterIdentifier: "c1", masterUsername: "admin",
                        masterPassword: .managedByRDS(secretKmsKeyId: "k2"), s3BucketName: "backups",
                        s3IngestionRoleArn: roleArn, sourceEngineVersion: "5.7.44", port: 3307))
            }),
        Call(
            name: "DescribeDBClusters of one cluster", service: "rds", operation: "DescribeDBClusters",
            params: #"{"DBClusterIdentifier": "c1"}"#, response: query("DescribeDBClusters", "<DBClusters/>"),
            invoke: { _ = try RDSClient(client: $0).describeDBCluster(identifier: "c1") }),
        Call(
            name: "DescribeDBClusters with the db-cluster-id filter", service: "rds", operation: "DescribeDBClusters",
            params: #"{"Filters": [{"Name": "db-cluster-id", "Values": ["c1", "c2"]}], "MaxRecords": 20}"#,
            response: query("DescribeDBClusters", "<DBClusters/>"),
            invoke: { _ = try RDSClient(client: $0).describeDBClusters(identifiers: ["c1", "c2"], maxRecords: 20) }),
        Call(
            name: "AddRoleToDBCluster without a feature name", service: "rds", operation: "AddRoleToDBCluster",
            params: #"{"DBClusterIdentifier": "c1", "RoleArn": "\#(roleArn)"}"#, response: query("AddRoleToDBCluster"),
            invoke: { try RDSClient(client: $0).addRoleToDBCluster(clusterIdentifier: "c1", roleArn: roleArn) }),
        Call(
            name: "RemoveRoleFromDBCluster with a feature name", service: "rds", operation: "RemoveRoleFromDBCluster",
            params: #"{"DBClusterIdentifier": "c1", "RoleArn": "\#(roleArn)", "FeatureName": "s3Import"}"#,
            response: query("RemoveRoleFromDBCluster"),
            invoke: {
                try RDSClient(client: $0).removeRoleFromDBCluster(
                    clusterIdentifier: "c1", roleArn: roleArn, featureName: "s3Import")
            }),
        Call(
            name: "CreateDBInstance in a cluster", service: "rds", operation: "CreateDBInstance",
            params: """
                {"DBInstanceIdentifier": "c1-1", "DBInstanceClass": "db.r6g.large", "Engine": "aurora-mysql",
                 "PubliclyAccessible": false, "Tags": [{"Key": "aurorad:spec", "Value": "c1"}],
                 "DBClusterIdentifier": "c1", "AvailabilityZone": "eu-west-1b", "PromotionTier": 2,
                 \(instanceSettingsParams)}
                """,
            response: query("CreateDBInstance", instance),
            invoke: {
                _ = try RDSClient(client: $0).createDBInstance(
                    CreateDBInstanceRequest(
                        dbInstanceIdentifier: "c1-1", dbInstanceClass: "db.r6g.large", dbClusterIdentifier: "c1",
                        publiclyAccessible: false, tags: [AWSTag(key: "aurorad:spec", value: "c1")],
                        availabilityZone: "eu-west-1b", promotionTier: 2, settings: instanceSettings))
            }),
        Call(
            name: "DescribeDBInstances of one instance", service: "rds", operation: "DescribeDBInstances",
            params: #"{"DBInstanceIdentifier": "c1-1"}"#, response: query("DescribeDBInstances", "<DBInstances/>"),
            invoke: { _ = try RDSClient(client: $0).describeDBInstance(identifier: "c1-1") }),
        Call(
            name: "DescribeDBInstances with the db-cluster-id filter", service: "rds", operation: "DescribeDBInstances",
            params: #"{"Filters": [{"Name": "db-cluster-id", "Values": ["c1"]}], "MaxRecords": 50}"#,
            response: query("DescribeDBInstances", "<DBInstances/>"),
            invoke: { _ = try RDSClient(client: $0).describeDBInstances(clusterIdentifiers: ["c1"], maxRecords: 50) }),
        Call(
            name: "DescribeDBInstances with the db-instance-id filter", service: "rds",
            operation: "DescribeDBInstances",
            params: #"{"Filters": [{"Name": "db-instance-id", "Values": ["c1-1", "c1-2"]}]}"#,
            response: query("DescribeDBInstances", "<DBInstances/>"),
            invoke: { _ = try RDSClient(client: $0).describeDBInstances(identifiers: ["c1-1", "c1-2"]) }),
        Call(
            name: "DeleteDBInstance skips the final snapshot", service: "rds", operation: "DeleteDBInstance",
            params: #"{"DBInstanceIdentifier": "c1-1", "SkipFinalSnapshot": true}"#,
            response: query("DeleteDBInstance", instance),
            invoke: { _ = try RDSClient(client: $0).deleteDBInstance(identifier: "c1-1") }),
        Call(
            name: "DeleteDBCluster with a final snapshot", service: "rds", operation: "DeleteDBCluster",
            params: """
                {"DBClusterIdentifier": "c1", "SkipFinalSnapshot": false,
                 "FinalDBSnapshotIdentifier": "c1-final-20260301100000"}
                """,
            response: query("DeleteDBCluster", cluster),
            invoke: {
                _ = try RDSClient(client: $0).deleteDBCluster(
                    identifier: "c1", finalSnapshotIdentifier: "c1-final-20260301100000")
            }),
        Call(
            name: "DeleteDBCluster without a final snapshot", service: "rds", operation: "DeleteDBCluster",
            params: #"{"DBClusterIdentifier": "c1", "SkipFinalSnapshot": true}"#,
            response: query("DeleteDBCluster", cluster),
            invoke: { _ = try RDSClient(client: $0).deleteDBCluster(identifier: "c1", finalSnapshotIdentifier: nil) }),
        Call(
            name: "ModifyDBCluster of log exports, deletion protection and security groups", service: "rds",
            operation: "ModifyDBCluster",
            params: """
                {"DBClusterIdentifier": "c1", "ApplyImmediately": true, "DeletionProtection": true,
                 "CloudwatchLogsExportConfiguration": {"EnableLogTypes": ["audit"], "DisableLogTypes": ["general"]},
                 "VpcSecurityGroupIds": ["sg-1", "sg-2"]}
                """,
            response: query("ModifyDBCluster", cluster),
            invoke: {
                _ = try RDSClient(client: $0).modifyDBCluster(
                    identifier: "c1", deletionProtection: true, enableLogTypes: ["audit"], disableLogTypes: ["general"],
                    vpcSecurityGroupIds: ["sg-1", "sg-2"])
            }),
        Call(
            name: "ModifyDBInstance of the class, applied immediately", service: "rds",
            operation: "ModifyDBInstance",
            params: #"{"DBInstanceIdentifier": "c1-1", "DBInstanceClass": "db.r6g.xlarge", "ApplyImmediately": true}"#,
            response: query("ModifyDBInstance", instance),
            invoke: {
                _ = try RDSClient(client: $0).modifyDBInstance(
                    identifier: "c1-1", instanceClass: "db.r6g.xlarge", applyImmediately: true)
            }),
        Call(
            name: "ModifyDBInstance of the class, in the maintenance window", service: "rds",
            operation: "ModifyDBInstance",
            params: #"{"DBInstanceIdentifier": "c1-1", "DBInstanceClass": "db.r6g.xlarge", "ApplyImmediately": false}"#,
            response: query("ModifyDBInstance", instance),
            invoke: {
                _ = try RDSClient(client: $0).modifyDBInstance(
                    identifier: "c1-1", instanceClass: "db.r6g.xlarge", applyImmediately: false)
            }),
        Call(
            name: "DescribeDBEngineVersions of one version", service: "rds", operation: "DescribeDBEngineVersions",
            params: #"{"Engine": "aurora-mysql", "EngineVersion": "5.7.12"}"#,
            response: query("DescribeDBEngineVersions", "<DBEngineVersions/>"),
            invoke: {
                _ = try RDSClient(client: $0).describeDBEngineVersions(engine: "aurora-mysql", engineVersion: "5.7.12")
            }),
        Call(
            name: "DescribeDBSubnetGroups of one group", service: "rds", operation: "DescribeDBSubnetGroups",
            params: #"{"DBSubnetGroupName": "subnets"}"#,
            response: query(
                "DescribeDBSubnetGroups",
                "<DBSubnetGroups><DBSubnetGroup><DBSubnetGroupName>subnets</DBSubnetGroupName>"
                    + "<VpcId>vpc-0123abcd</VpcId></DBSubnetGroup></DBSubnetGroups>"),
            invoke: {
                let group = try RDSClient(client: $0).describeDBSubnetGroup(name: "subnets")
                #expect(group == RDSSubnetGroup(name: "subnets", vpcId: "vpc-0123abcd"))
            }),
        Call(
            name: "ModifyDBInstance of the common settings", service: "rds", operation: "ModifyDBInstance",
            params: """
                {"DBInstanceIdentifier": "c1-1", "ApplyImmediately": false, "PubliclyAccessible": true,
                 "PromotionTier": 0, \(instanceSettingsParams)}
                """,
            response: query("ModifyDBInstance", instance),
            invoke: {
                _ = try RDSClient(client: $0).modifyDBInstance(
                    identifier: "c1-1", applyImmediately: false, publiclyAccessible: true, promotionTier: 0,
                    settings: instanceSettings)
            }),
        Call(
            name: "ModifyDBCluster of the common settings", service: "rds", operation: "ModifyDBCluster",
            params: """
                {"DBClusterIdentifier": "c1", "ApplyImmediately": true,
                 "DBClusterParameterGroupName": "aurora-mysql80-tuned", "BackupRetentionPeriod": 14,
                 "PreferredBackupWindow": "02:00-03:00", "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
                 "EnableIAMDatabaseAuthentication": true, "CopyTagsToSnapshot": true, "StorageType": "aurora-iopt1",
                 "NetworkType": "DUAL"}
                """,
            response: query("ModifyDBCluster", cluster),
            invoke: {
                _ = try RDSClient(client: $0).modifyDBCluster(identifier: "c1", settings: restore.settings)
            }),
        Call(
            name: "AddTagsToResource", service: "rds", operation: "AddTagsToResource",
            params: #"{"ResourceName": "\#(arn)", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": ""}]}"#,
            response: query("AddTagsToResource"),
            invoke: {
                try RDSClient(client: $0).addTagsToResource(
                    resourceArn: arn, tags: [AWSTag(key: "a", value: "1"), AWSTag(key: "b", value: "")])
            }),
        Call(
            name: "DescribeEvents of a cluster", service: "rds", operation: "DescribeEvents",
            params: """
                {"SourceIdentifier": "c1", "SourceType": "db-cluster", "StartTime": "2026-03-01T10:00:00Z",
                 "Duration": 10080, "MaxRecords": 100}
                """,
            response: query("DescribeEvents", "<Events/>"),
            invoke: {
                _ = try RDSClient(client: $0).describeEvents(
                    sourceIdentifier: "c1", startTime: Date(timeIntervalSince1970: 1_772_359_200),
                    durationMinutes: 10080, maxRecords: 100)
            }),
    ]

    static let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#

    static let iamCalls: [Call] = [
        Call(
            name: "GetRole", service: "iam", operation: "GetRole", params: #"{"RoleName": "r"}"#,
            response: query("GetRole", role), invoke: { _ = try IAMClient(client: $0).getRole(roleName: "r") }),
        Call(
            name: "CreateRole with path, description and tags", service: "iam", operation: "CreateRole",
            params: """
                {"Path": "/aurorad/", "RoleName": "r", "AssumeRolePolicyDocument": \(jsonString(trust)),
                 "Description": "IAM role, managed by aurorad", "Tags": [{"Key": "aurorad:spec", "Value": "c1"}]}
                """,
            response: query("CreateRole", role),
            invoke: {
                _ = try IAMClient(client: $0).createRole(
                    roleName: "r", assumeRolePolicyDocument: trust, path: "/aurorad/",
                    description: "IAM role, managed by aurorad", tags: [AWSTag(key: "aurorad:spec", value: "c1")])
            }),
        Call(
            name: "CreateRole with a permissions boundary", service: "iam", operation: "CreateRole",
            params: """
                {"RoleName": "r", "AssumeRolePolicyDocument": \(jsonString(trust)),
                 "PermissionsBoundary": "\(policyArn)", "Tags": [{"Key": "aurorad:spec", "Value": "c1"}]}
                """,
            response: query("CreateRole", role),
            invoke: {
                _ = try IAMClient(client: $0).createRole(
                    roleName: "r", assumeRolePolicyDocument: trust, permissionsBoundary: policyArn,
                    tags: [AWSTag(key: "aurorad:spec", value: "c1")])
            }),
        Call(
            name: "UpdateAssumeRolePolicy", service: "iam", operation: "UpdateAssumeRolePolicy",
            params: #"{"RoleName": "r", "PolicyDocument": \#(jsonString(trust))}"#,
            response: query("UpdateAssumeRolePolicy"),
            invoke: { try IAMClient(client: $0).updateAssumeRolePolicy(roleName: "r", policyDocument: trust) }),
        Call(
            name: "GetRolePolicy", service: "iam", operation: "GetRolePolicy",
            params: #"{"RoleName": "r", "PolicyName": "p"}"#,
            response: query(
                "GetRolePolicy",
                "<RoleName>r</RoleName><PolicyName>p</PolicyName><PolicyDocument>%7B%7D</PolicyDocument>"),
            invoke: { _ = try IAMClient(client: $0).getRolePolicy(roleName: "r", policyName: "p") }),
        Call(
            name: "PutRolePolicy", service: "iam", operation: "PutRolePolicy",
            params: #"{"RoleName": "r", "PolicyName": "p", "PolicyDocument": \#(jsonString(trust))}"#,
            response: query("PutRolePolicy"),
            invoke: { try IAMClient(client: $0).putRolePolicy(roleName: "r", policyName: "p", policyDocument: trust) }),
        Call(
            name: "ListRolePolicies with MaxItems", service: "iam", operation: "ListRolePolicies",
            params: #"{"RoleName": "r", "MaxItems": 100}"#,
            response: query("ListRolePolicies", "<PolicyNames/><IsTruncated>false</IsTruncated>"),
            invoke: { _ = try IAMClient(client: $0).listRolePolicies(roleName: "r", maxItems: 100) }),
        Call(
            name: "DeleteRolePolicy", service: "iam", operation: "DeleteRolePolicy",
            params: #"{"RoleName": "r", "PolicyName": "p"}"#, response: query("DeleteRolePolicy"),
            invoke: { try IAMClient(client: $0).deleteRolePolicy(roleName: "r", policyName: "p") }),
        Call(
            name: "PutRolePermissionsBoundary", service: "iam", operation: "PutRolePermissionsBoundary",
            params: #"{"RoleName": "r", "PermissionsBoundary": "\#(policyArn)"}"#,
            response: query("PutRolePermissionsBoundary"),
            invoke: {
                try IAMClient(client: $0).putRolePermissionsBoundary(roleName: "r", permissionsBoundary: policyArn)
            }),
        Call(
            name: "AttachRolePolicy", service: "iam", operation: "AttachRolePolicy",
            params: #"{"RoleName": "r", "PolicyArn": "\#(monitoringPolicy)"}"#, response: query("AttachRolePolicy"),
            invoke: { try IAMClient(client: $0).attachRolePolicy(roleName: "r", policyArn: monitoringPolicy) }),
        Call(
            name: "DetachRolePolicy", service: "iam", operation: "DetachRolePolicy",
            params: #"{"RoleName": "r", "PolicyArn": "\#(monitoringPolicy)"}"#, response: query("DetachRolePolicy"),
            invoke: { try IAMClient(client: $0).detachRolePolicy(roleName: "r", policyArn: monitoringPolicy) }),
        Call(
            name: "DeleteRole", service: "iam", operation: "DeleteRole", params: #"{"RoleName": "r"}"#,
            response: query("DeleteRole"), invoke: { try IAMClient(client: $0).deleteRole(roleName: "r") }),
        Call(
            name: "TagRole", service: "iam", operation: "TagRole",
            params: #"{"RoleName": "r", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "x/y=z"}]}"#,
            response: query("TagRole"),
            invoke: {
                try IAMClient(client: $0).tagRole(
                    roleName: "r", tags: [AWSTag(key: "a", value: "1"), AWSTag(key: "b", value: "x/y=z")])
            }),
        Call(
            name: "ListAttachedRolePolicies with MaxItems", service: "iam", operation: "ListAttachedRolePolicies",
            params: #"{"RoleName": "r", "MaxItems": 10}"#,
            response: query("ListAttachedRolePolicies", "<AttachedPolicies/><IsTruncated>false</IsTruncated>"),
            invoke: { _ = try IAMClient(client: $0).listAttachedRolePolicies(roleName: "r", maxItems: 10) }),
        Call(
            name: "GetPolicy", service: "iam", operation: "GetPolicy", params: #"{"PolicyArn": "\#(policyArn)"}"#,
            response: query(
                "GetPolicy",
                "<Policy><PolicyName>p</PolicyName><Arn>\(policyArn)</Arn>"
                    + "<DefaultVersionId>v1</DefaultVersionId></Policy>"),
            invoke: { _ = try IAMClient(client: $0).getPolicy(policyArn: policyArn) }),
        Call(
            name: "GetPolicyVersion", service: "iam", operation: "GetPolicyVersion",
            params: #"{"PolicyArn": "\#(policyArn)", "VersionId": "v1"}"#,
            response: query(
                "GetPolicyVersion",
                "<PolicyVersion><VersionId>v1</VersionId><Document>%7B%7D</Document></PolicyVersion>"),
            invoke: { _ = try IAMClient(client: $0).getPolicyVersion(policyArn: policyArn, versionId: "v1") }),
        Call(
            name: "GetAccountAuthorizationDetails of roles", service: "iam",
            operation: "GetAccountAuthorizationDetails",
            params: #"{"Filter": ["Role"], "MaxItems": 100}"#,
            response: query("GetAccountAuthorizationDetails", "<RoleDetailList/><IsTruncated>false</IsTruncated>"),
            invoke: { _ = try IAMClient(client: $0).listRoleDetails(maxItems: 100) }),
    ]

    static let s3Calls: [Call] = [
        Call(
            name: "GetBucketLocation", service: "s3", operation: "GetBucketLocation", params: #"{"Bucket": "backups"}"#,
            response: HTTPResponse(status: 200, body: Data("<LocationConstraint>eu-west-1</LocationConstraint>".utf8)),
            invoke: { _ = try S3Client(client: $0).getBucketLocation(bucket: "backups") }),
        Call(
            name: "ListObjectsV2 with prefix, token and page size", service: "s3", operation: "ListObjectsV2",
            params: #"{"Bucket": "backups", "Prefix": "mysql/2026 03/", "ContinuationToken": "t+/=", "MaxKeys": 1000}"#,
            response: HTTPResponse(
                status: 200, body: Data("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>".utf8)),
            invoke: {
                _ = try S3Client(client: $0).listObjectsV2(
                    bucket: "backups", prefix: "mysql/2026 03/", continuationToken: "t+/=", maxKeys: 1000)
            }),
        Call(
            name: "GetObject of a range", service: "s3", operation: "GetObject",
            params: #"{"Bucket": "backups", "Key": "mysql/2026 03/xtrabackup_checkpoints", "Range": "bytes=0-65535"}"#,
            response: HTTPResponse(status: 206, body: Data("backup_type = full-prepared\n".utf8)),
            invoke: {
                _ = try S3Client(client: $0).getObject(
                    bucket: "backups", key: "mysql/2026 03/xtrabackup_checkpoints", maxBytes: 65536)
            }),
    ]

    static let stsCalls: [Call] = [
        Call(
            name: "GetCallerIdentity", service: "sts", operation: "GetCallerIdentity", params: "{}",
            response: query(
                "GetCallerIdentity",
                "<Arn>arn:aws:iam::123456789012:user/a</Arn><UserId>AIDA</UserId><Account>123456789012</Account>"),
            invoke: { _ = try STSClient(client: $0).getCallerIdentity() }),
        Call(
            name: "AssumeRole with external id and duration", service: "sts", operation: "AssumeRole",
            params: """
                {"RoleArn": "\(roleArn)", "RoleSessionName": "aurorad", "ExternalId": "ext-1", "DurationSeconds": 900}
                """,
            response: query(
                "AssumeRole",
                """
                <Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>s</SecretAccessKey>
                <SessionToken>t</SessionToken><Expiration>2026-03-01T11:00:00Z</Expiration></Credentials>
                <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/aurorad</Arn>
                <AssumedRoleId>AROA:aurorad</AssumedRoleId></AssumedRoleUser>
                """),
            invoke: {
                _ = try STSClient(client: $0).assumeRole(
                    roleArn: roleArn, sessionName: "aurorad", externalId: "ext-1", durationSeconds: 900)
            }),
    ]

    /// An EC2 answer: fields directly under `<ActionResponse>`, after the `requestId`.
    static func ec2(_ action: String, _ fields: String = "<return>true</return>") -> HTTPResponse {
        let body = """
            <\(action)Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>\(fields)\
            </\(action)Response>
            """
        return HTTPResponse(status: 200, body: Data(body.utf8))
    }

    static let ruleTags = [AWSTag(key: "aurorad:spec", value: "c1"), AWSTag(key: "team", value: "data eng")]
    static let ingress = [
        EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv4("10.0.0.0/16"), description: "app"),
        EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv6("2001:db8::/56")),
        EC2Rule(
            ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .prefixList("pl-1"), description: "VPN, Zürich"),
        EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3307, peer: .securityGroup("sg-2"), description: "bastion"),
    ]
    static let tagsJSON = #"[{"Key": "aurorad:spec", "Value": "c1"}, {"Key": "team", "Value": "data eng"}]"#

    static let ec2Calls: [Call] = [
        Call(
            name: "DescribeVpcs of one VPC", service: "ec2", operation: "DescribeVpcs",
            params: #"{"VpcIds": ["vpc-1"]}"#, response: ec2("DescribeVpcs", "<vpcSet/>"),
            invoke: { _ = try EC2Client(client: $0).describeVpc(id: "vpc-1") }),
        Call(
            name: "CreateSecurityGroup tagged in the call", service: "ec2", operation: "CreateSecurityGroup",
            params: """
                {"Description": "aurorad c1 security group", "GroupName": "c1-20260301", "VpcId": "vpc-1",
                 "TagSpecifications": [{"ResourceType": "security-group", "Tags": \(tagsJSON)}]}
                """,
            response: ec2("CreateSecurityGroup", "<return>true</return><groupId>sg-1</groupId>"),
            invoke: {
                _ = try EC2Client(client: $0).createSecurityGroup(
                    name: "c1-20260301", description: "aurorad c1 security group", vpcId: "vpc-1", tags: ruleTags)
            }),
        Call(
            name: "CreateSecurityGroup without tags", service: "ec2", operation: "CreateSecurityGroup",
            params: #"{"Description": "d", "GroupName": "g", "VpcId": "vpc-1"}"#,
            response: ec2("CreateSecurityGroup", "<return>true</return><groupId>sg-1</groupId>"),
            invoke: {
                _ = try EC2Client(client: $0).createSecurityGroup(name: "g", description: "d", vpcId: "vpc-1", tags: [])
            }),
        Call(
            name: "DescribeSecurityGroups by ids", service: "ec2", operation: "DescribeSecurityGroups",
            params: #"{"MaxResults": 5, "Filters": [{"Name": "group-id", "Values": ["sg-1", "sg-2"]}]}"#,
            response: ec2("DescribeSecurityGroups", "<securityGroupInfo/>"),
            invoke: { _ = try EC2Client(client: $0).describeSecurityGroups(ids: ["sg-1", "sg-2"], maxResults: 5) }),
        Call(
            name: "DescribeSecurityGroups by VPC, name and ownership tag", service: "ec2",
            operation: "DescribeSecurityGroups",
            params: """
                {"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}, {"Name": "group-name", "Values": ["g"]},
                             {"Name": "tag:aurorad:spec", "Values": ["c1", "c 2"]}]}
                """,
            response: ec2("DescribeSecurityGroups", "<securityGroupInfo/>"),
            invoke: {
                _ = try EC2Client(client: $0).describeSecurityGroups(filters: [
                    AWSFilter(name: "vpc-id", values: ["vpc-1"]), AWSFilter(name: "group-name", values: ["g"]),
                    AWSFilter(name: "tag:aurorad:spec", values: ["c1", "c 2"]),
                ])
            }),
        Call(
            name: "DescribeSecurityGroupRules of groups", service: "ec2", operation: "DescribeSecurityGroupRules",
            params: #"{"Filters": [{"Name": "group-id", "Values": ["sg-1", "sg-2"]}], "MaxResults": 1000}"#,
            response: ec2("DescribeSecurityGroupRules", "<securityGroupRuleSet/>"),
            invoke: {
                _ = try EC2Client(client: $0).describeSecurityGroupRules(groupIds: ["sg-1", "sg-2"], maxResults: 1000)
            }),
        Call(
            name: "AuthorizeSecurityGroupIngress from each kind of peer, tagged", service: "ec2",
            operation: "AuthorizeSecurityGroupIngress",
            params: """
                {"GroupId": "sg-1", "IpPermissions": [
                  {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
                   "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "app"}]},
                  {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
                   "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/56"}]},
                  {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
                   "PrefixListIds": [{"PrefixListId": "pl-1", "Description": "VPN, Zürich"}]},
                  {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3307,
                   "UserIdGroupPairs": [{"GroupId": "sg-2", "Description": "bastion"}]}],
                 "TagSpecifications": [{"ResourceType": "security-group-rule", "Tags": \(tagsJSON)}]}
                """,
            response: ec2("AuthorizeSecurityGroupIngress", "<return>true</return><securityGroupRuleSet/>"),
            invoke: {
                _ = try EC2Client(client: $0).authorizeSecurityGroupIngress(
                    groupId: "sg-1", rules: ingress, tags: ruleTags)
            }),
        Call(
            name: "AuthorizeSecurityGroupEgress of all traffic, untagged", service: "ec2",
            operation: "AuthorizeSecurityGroupEgress",
            params: """
                {"GroupId": "sg-1", "IpPermissions": [
                  {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "all"}]}]}
                """,
            response: ec2("AuthorizeSecurityGroupEgress", "<return>true</return><securityGroupRuleSet/>"),
            invoke: {
                _ = try EC2Client(client: $0).authorizeSecurityGroupEgress(
                    groupId: "sg-1",
                    rules: [
                        EC2Rule(
                            ipProtocol: "-1", fromPort: nil, toPort: nil, peer: .cidrIpv4("0.0.0.0/0"),
                            description: "all")
                    ],
                    tags: [])
            }),
        Call(
            name: "RevokeSecurityGroupIngress by rule ids", service: "ec2", operation: "RevokeSecurityGroupIngress",
            params: #"{"GroupId": "sg-1", "SecurityGroupRuleIds": ["sgr-1", "sgr-2"]}"#,
            response: ec2("RevokeSecurityGroupIngress"),
            invoke: {
                try EC2Client(client: $0).revokeSecurityGroupIngress(groupId: "sg-1", ruleIds: ["sgr-1", "sgr-2"])
            }),
        Call(
            name: "RevokeSecurityGroupEgress by rule ids", service: "ec2", operation: "RevokeSecurityGroupEgress",
            params: #"{"GroupId": "sg-1", "SecurityGroupRuleIds": ["sgr-3"]}"#,
            response: ec2("RevokeSecurityGroupEgress"),
            invoke: { try EC2Client(client: $0).revokeSecurityGroupEgress(groupId: "sg-1", ruleIds: ["sgr-3"]) }),
        Call(
            name: "DeleteSecurityGroup by id", service: "ec2", operation: "DeleteSecurityGroup",
            params: #"{"GroupId": "sg-1"}"#, response: ec2("DeleteSecurityGroup"),
            invoke: { try EC2Client(client: $0).deleteSecurityGroup(id: "sg-1") }),
        Call(
            name: "CreateTags on a group and a rule", service: "ec2", operation: "CreateTags",
            params: #"{"Resources": ["sg-1", "sgr-1"], "Tags": \#(tagsJSON)}"#, response: ec2("CreateTags"),
            invoke: { try EC2Client(client: $0).createTags(resourceIds: ["sg-1", "sgr-1"], tags: ruleTags) }),
    ]

    static let calls = rdsCalls + iamCalls + s3Calls + stsCalls + ec2Calls

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
    }

    /// Validates and serializes every call with botocore, in one python3 run.
    static let botocore: Result<[String: Expected], any Error> = {
        let input =
            "["
            + calls.map {
                #"{"name": \#(jsonString($0.name)), "service": "\#($0.service)", "operation": "\#($0.operation)", "#
                    + #""params": \#($0.params)}"#
            }.joined(separator: ",") + "]"
        return Result {
            try JSONDecoder().decode(
                [String: Expected].self, from: PythonRunner.run(script: serializeScript, stdin: Data(input.utf8)))
        }
    }()

    static let serializeScript = #"""
        import json, sys
        from urllib.parse import unquote, parse_qsl
        import botocore.session
        from botocore.serialize import create_serializer
        from botocore.validate import ParamValidator

        session = botocore.session.get_session()
        out = {}
        for case in json.load(sys.stdin):
            model = session.get_service_model(case["service"])
            op = model.operation_model(case["operation"])
            report = ParamValidator().validate(case["params"], op.input_shape)
            if report.has_errors():
                out[case["name"]] = {"error": report.generate_report()}
                continue
            request = create_serializer(model.metadata["protocol"]).serialize_to_request(case["params"], op)
            if model.metadata["protocol"] in ("query", "ec2"):
                out[case["name"]] = {"form": {k: str(v) for k, v in request["body"].items()}}
            else:
                path, _, fixed = request["url_path"].partition("?")
                query = dict(parse_qsl(fixed, keep_blank_values=True))
                query.update({k: str(v) for k, v in request["query_string"].items()})
                out[case["name"]] = {
                    "method": request["method"], "path": unquote(path), "query": query,
                    "headers": {k: v for k, v in request["headers"].items() if k.lower() == "range"},
                }
        json.dump(out, sys.stdout)
        """#

    @Test("botocore validates and serializes every call", .enabled(if: PythonRunner.hasBotocore))
    func botocoreRan() throws {
        let expected = try Self.botocore.get()
        #expect(Set(expected.keys) == Set(Self.calls.map(\.name)))
    }

    @Test(
        "Our request equals botocore's", .enabled(if: PythonRunner.hasBotocore),
        arguments: calls)
    func sameAsBotocore(_ call: Call) throws {
        let expected = try #require(try Self.botocore.get()[call.name])
        try #require(expected.error == nil, "botocore rejects the input: \(expected.error ?? "")")
        let transport = StubTransport([call.response])
        try call.invoke(StubTransport.client(transport))
        let request = try #require(transport.requests.first)
        #expect((expected.form != nil) == (call.service != "s3"), "botocore serialized it as a form body")
        if let form = expected.form {
            var ours = transport.form(0)
            #expect(ours.removeValue(forKey: "Action") == call.operation)
            #expect(ours.removeValue(forKey: "Version") != nil)
            #expect(ours == form.filter { $0.key != "Action" && $0.key != "Version" })
            #expect(request.method == "POST" && request.path == "/")
        } else {
            #expect(request.method == expected.method)
            #expect(request.path == expected.path)
            #expect(Dictionary(request.query.map { ($0.name, $0.value) }) { $1 } == expected.query)
            #expect(request.header("Range") == expected.headers?["Range"])
        }
    }
}

/// Runs `python3 -c` scripts bounded in time, feeding them standard input.
enum PythonRunner {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let hasBotocore: Bool = (try? run(script: "import botocore", stdin: Data())) != nil

    /// The standard output of `script`; throws when it fails or runs longer than `timeout` seconds.
    static func run(script: String, stdin: Data, timeout: TimeInterval = 120) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().suffix(2000), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Failure(description: "python3 failed with status \(process.terminationStatus): \(message)")
        }
        return data
    }
}
