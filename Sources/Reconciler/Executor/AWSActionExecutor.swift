import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Logging

/// Carries out planned actions through the typed AWS clients. Errors come back classified (`ReconcileError`);
/// "already exists" and "already gone" answers are classified as settling, which the driver treats as observations.
public struct AWSActionExecutor: ActionExecuting {
    let iam: IAMClient
    let rds: RDSClient
    let ec2: EC2Client
    let logger: Logger

    /// An executor over `client`.
    public init(client: AWSClient, logger: Logger) {
        iam = IAMClient(client: client)
        rds = RDSClient(client: client)
        ec2 = EC2Client(client: client)
        self.logger = logger
    }

    /// See `ActionExecuting.execute(_:)`: CreateRole answers with the role's ARN, IAM's other role writes have
    /// exactly their expected effect, RDS and EC2 writes are `.unknown` (RDS works on after answering).
    @discardableResult
    public func execute(_ action: Action) throws(ReconcileError) -> WriteResult {
        do {
            return try perform(action)
        } catch {
            throw AWSErrorMapping.action(error, kind: action.kind)
        }
    }

    private func perform(_ action: Action) throws -> WriteResult {
        switch action {
        case .createRole(let name, let trust, let tags, let description, let path, let boundary):
            let role = try iam.createRole(
                roleName: name, assumeRolePolicyDocument: trust.json, path: path, description: description,
                permissionsBoundary: boundary, tags: awsTags(tags))
            return .createdRole(arn: role.arn)
        case .updateAssumeRolePolicy(let role, let policy):
            try iam.updateAssumeRolePolicy(roleName: role, policyDocument: policy.json)
        case .putRolePolicy(let role, let name, let policy):
            try iam.putRolePolicy(roleName: role, policyName: name, policyDocument: policy.json)
        case .tagRole(let role, let tags):
            try iam.tagRole(roleName: role, tags: awsTags(tags))
        case .restoreCluster(let parameters):
            _ = try rds.restoreDBClusterFromS3(try restoreRequest(parameters))
        case .addRoleToCluster(let cluster, let role, let feature):
            // Aurora MySQL: no FeatureName (see `Planner.featureName`).
            try rds.addRoleToDBCluster(clusterIdentifier: cluster, roleArn: role, featureName: feature)
        case .createInstance(let parameters):
            let settings = parameters.settings
            _ = try rds.createDBInstance(
                CreateDBInstanceRequest(
                    dbInstanceIdentifier: parameters.identifier, dbInstanceClass: parameters.instanceClass,
                    engine: parameters.engine, dbClusterIdentifier: parameters.clusterIdentifier,
                    publiclyAccessible: settings.publiclyAccessible ?? false, tags: awsTags(parameters.tags),
                    availabilityZone: settings.availabilityZone, promotionTier: settings.promotionTier,
                    settings: Self.rdsSettings(settings)))
        case .deleteInstance(let identifier):
            _ = try rds.deleteDBInstance(identifier: identifier)
        case .modifyCluster(let identifier, let changes):
            // Empty lists are left out: the query encoding sends an empty list as a member with no value.
            _ = try rds.modifyDBCluster(
                identifier: identifier, deletionProtection: changes.deletionProtection,
                enableLogTypes: changes.enableLogTypes.isEmpty ? nil : changes.enableLogTypes,
                disableLogTypes: changes.disableLogTypes.isEmpty ? nil : changes.disableLogTypes,
                vpcSecurityGroupIds: changes.vpcSecurityGroupIds, settings: Self.rdsSettings(changes.settings))
        case .modifyInstance(let identifier, let changes, let immediately):
            _ = try rds.modifyDBInstance(
                identifier: identifier, instanceClass: changes.instanceClass, applyImmediately: immediately,
                publiclyAccessible: changes.settings.publiclyAccessible, promotionTier: changes.settings.promotionTier,
                settings: Self.rdsSettings(changes.settings))
        case .deleteCluster(let identifier, let snapshot):
            _ = try rds.deleteDBCluster(identifier: identifier, finalSnapshotIdentifier: snapshot)
        case .deleteRolePolicy(let role, let name):
            try iam.deleteRolePolicy(roleName: role, policyName: name)
        case .deleteRole(let role):
            try iam.deleteRole(roleName: role)
        case .attachRolePolicy(let role, let policy):
            try iam.attachRolePolicy(roleName: role, policyArn: policy)
        case .detachRolePolicy(let role, let policy):
            try iam.detachRolePolicy(roleName: role, policyArn: policy)
        case .putRolePermissionsBoundary(let role, let policy):
            try iam.putRolePermissionsBoundary(roleName: role, permissionsBoundary: policy)
        case .addTagsToResource(let arn, let tags):
            try rds.addTagsToResource(resourceArn: arn, tags: awsTags(tags))
        case .createSecurityGroup(let p):
            _ = try ec2.createSecurityGroup(
                name: p.name, description: p.description, vpcId: p.vpcId, tags: awsTags(p.tags))
        case .authorizeSecurityGroupRule(let group, let egress, let rule, let tags):
            if egress {
                _ = try ec2.authorizeSecurityGroupEgress(groupId: group, rules: [rule], tags: awsTags(tags))
            } else {
                _ = try ec2.authorizeSecurityGroupIngress(groupId: group, rules: [rule], tags: awsTags(tags))
            }
        case .revokeSecurityGroupRules(let group, let egress, let ids):
            if egress {
                try ec2.revokeSecurityGroupEgress(groupId: group, ruleIds: ids)
            } else {
                try ec2.revokeSecurityGroupIngress(groupId: group, ruleIds: ids)
            }
        case .tagSecurityGroup(let id, let tags):
            try ec2.createTags(resourceIds: [id], tags: awsTags(tags))
        case .deleteSecurityGroup(let id, _):
            try ec2.deleteSecurityGroup(id: id)
        case .verifyBackup, .waitForRoleAssociation, .waitForCluster, .waitForInstances, .removeSpec:
            // Reads and waits: the driver handles them; nothing to call.
            return .unknown
        }
        return action.roleName == nil ? .unknown : .expected
    }

    /// The RestoreDBClusterFromS3 request; the master password is read from its file now and lives only in the
    /// request (a `SecretString`, redacted in every description).
    func restoreRequest(_ p: RestoreParameters) throws(ReconcileError) -> RestoreDBClusterFromS3Request {
        let password: RDSMasterPassword
        if p.manageMasterUserPassword {
            password = .managedByRDS(secretKmsKeyId: nil)
        } else {
            password = .explicit(try Self.readPassword(p.masterPasswordFile))
        }
        return RestoreDBClusterFromS3Request(
            dbClusterIdentifier: p.clusterIdentifier, engine: p.engine, engineVersion: p.engineVersion,
            masterUsername: p.masterUsername, masterPassword: password, dbSubnetGroupName: p.dbSubnetGroupName,
            vpcSecurityGroupIds: p.vpcSecurityGroupIds.isEmpty ? nil : p.vpcSecurityGroupIds,
            enableCloudwatchLogsExports: p.enabledCloudwatchLogsExports.isEmpty ? nil : p.enabledCloudwatchLogsExports,
            storageEncrypted: p.storageEncrypted, kmsKeyId: p.kmsKeyId, deletionProtection: p.deletionProtection,
            tags: awsTags(p.tags), s3BucketName: p.s3BucketName, s3Prefix: p.s3Prefix,
            s3IngestionRoleArn: p.s3IngestionRoleArn, sourceEngine: p.sourceEngine,
            sourceEngineVersion: p.sourceEngineVersion, port: p.port,
            settings: Self.rdsSettings(p.clusterSettings))
    }

    /// The spec's cluster settings under their RDS member names.
    static func rdsSettings(_ s: ClusterSettings) -> RDSClusterSettings {
        RDSClusterSettings(
            dbClusterParameterGroupName: s.dbClusterParameterGroupName, backupRetentionPeriod: s.backupRetentionPeriod,
            preferredBackupWindow: s.preferredBackupWindow, preferredMaintenanceWindow: s.preferredMaintenanceWindow,
            enableIAMDatabaseAuthentication: s.iamDatabaseAuthenticationEnabled,
            copyTagsToSnapshot: s.copyTagsToSnapshot,
            storageType: s.storageType, networkType: s.networkType, engineLifecycleSupport: s.engineLifecycleSupport)
    }

    /// The spec's instance settings under their RDS member names (zone, tier and public access travel apart).
    static func rdsSettings(_ s: InstanceSettings) -> RDSInstanceSettings {
        RDSInstanceSettings(
            dbParameterGroupName: s.dbParameterGroupName, autoMinorVersionUpgrade: s.autoMinorVersionUpgrade,
            monitoringInterval: s.monitoringInterval, monitoringRoleArn: s.monitoringRoleArn,
            enablePerformanceInsights: s.performanceInsightsEnabled,
            performanceInsightsKMSKeyId: s.performanceInsightsKmsKeyId,
            performanceInsightsRetentionPeriod: s.performanceInsightsRetentionPeriod,
            caCertificateIdentifier: s.caCertIdentifier)
    }

    /// The password in `path` without its trailing newline; the error names the file, never its content.
    static func readPassword(_ path: String?) throws(ReconcileError) -> SecretString {
        guard let path, let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)
        else {
            throw ReconcileError(
                action: .restoreCluster, code: ErrorClassifier.passwordFileUnreadableCode,
                message: "master_password_file \(path ?? "(none)") cannot be read")
        }
        let password = text.trimmingCharacters(in: .newlines)
        guard !password.isEmpty else {
            throw ReconcileError(
                action: .restoreCluster, code: ErrorClassifier.passwordFileUnreadableCode,
                message: "master_password_file \(path) is empty")
        }
        return SecretString(password)
    }

    private func awsTags(_ tags: [String: String]) -> [AWSTag] {
        tags.sorted { $0.key < $1.key }.map { AWSTag(key: $0.key, value: $0.value) }
    }
}
