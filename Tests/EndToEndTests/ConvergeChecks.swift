import AWSServices
import Foundation
import Testing

/// What a converged `config/demo-spec.json` must look like in the emulator, resource by resource, checked with
/// aurorad's AWS clients rather than through its status.
enum ConvergeChecks {
    /// The demo spec's instances: key and class.
    static let demoInstances = [("1", "db.r8g.large"), ("2", "db.r8g.xlarge")]

    /// The trust policy of an ingestion role: RDS may assume it.
    static let trustPolicy = PolicyShape([
        .init(effect: "Allow", principalServices: ["rds.amazonaws.com"], actions: ["sts:AssumeRole"], resources: [])
    ])

    /// The seed's inline policy: list and locate the bucket, read its objects.
    static let inlinePolicy = PolicyShape([
        .init(
            effect: "Allow", principalServices: [], actions: ["s3:GetBucketLocation", "s3:ListBucket"],
            resources: ["arn:aws:s3:::\(EmulatorInspector.bucket)"]),
        .init(
            effect: "Allow", principalServices: [], actions: ["s3:GetObject"],
            resources: ["arn:aws:s3:::\(EmulatorInspector.bucket)/*"]),
    ])

    /// The managed role of spec `name`: trust, ownership tags, exactly the seed's inline policy. Returns it.
    @discardableResult
    static func managedRole(_ inspector: EmulatorInspector, spec name: String) throws -> IAMRole {
        let roleName = EmulatorInspector.managedRoleName(name)
        let role = try #require(try inspector.iam.getRole(roleName: roleName), "no role \(roleName)")
        #expect(try PolicyShape(json: role.assumeRolePolicyDocument ?? "{}") == trustPolicy)
        let tags = tagDictionary(try inspector.iam.getRole(roleName: roleName)?.tags ?? [])
        #expect(tags["aurorad:managed-by"] == "aurorad", "\(tags)")
        #expect(tags["aurorad:spec"] == name, "\(tags)")
        #expect(tags["Environment"] == "demo", "\(tags)")
        #expect(try inspector.iam.listRolePolicies(roleName: roleName) == [EmulatorInspector.inlinePolicyName])
        #expect(try inspector.iam.listAttachedRolePolicies(roleName: roleName).isEmpty)
        let policy = try #require(try inspector.managedInlinePolicy(roleName: roleName))
        #expect(try PolicyShape(json: policy.policyDocument) == inlinePolicy)
        return role
    }

    /// Cluster, association, instances and the restore call of the demo spec named `name`, restored with
    /// `roleARN`.
    static func cluster(_ inspector: EmulatorInspector, spec name: String, roleARN: String) throws {
        let cluster = try #require(try inspector.rds.describeDBCluster(identifier: name), "no cluster \(name)")
        #expect(cluster.status == "available")
        #expect(cluster.engine == "aurora-mysql")
        #expect(cluster.engineVersion == "5.7.mysql_aurora.2.11.2")
        #expect(cluster.masterUsername == "root")
        #expect(cluster.dbSubnetGroup == "aurorad-demo-subnets")
        #expect(cluster.enabledCloudwatchLogsExports.sorted() == ["audit", "error", "general", "slowquery"])
        #expect(cluster.storageEncrypted, "storage_encrypted defaults to true, as in the module")
        #expect(!cluster.deletionProtection)
        let tags = tagDictionary(cluster.tags)
        #expect(tags["Environment"] == "demo" && tags["aurorad:spec"] == name, "\(tags)")
        #expect(cluster.associatedRoles == [RDSClusterRole(roleArn: roleARN, status: "ACTIVE", featureName: nil)])

        let instances = try inspector.instances(cluster: name)
        #expect(instances.map(\.identifier) == demoInstances.map { "\(name)-\($0.0)" })
        #expect(instances.map(\.instanceClass) == demoInstances.map(\.1))
        for instance in instances {
            #expect(instance.status == "available" && instance.engine == "aurora-mysql")
            #expect(instance.clusterIdentifier == name)
            #expect(tagDictionary(instance.tags)["aurorad:spec"] == name, "\(instance.tags)")
        }

        let restores = try inspector.restores(cluster: name)
        #expect(restores.count == 1, "restores: \(restores)")
        let restore = try #require(restores.first)
        #expect(restore["Engine"] as? String == "aurora-mysql")
        #expect(restore["EngineVersion"] as? String == "5.7.mysql_aurora.2.11.2")
        #expect(restore["MasterUsername"] as? String == "root")
        #expect(restore["ManageMasterUserPassword"] as? Bool == true)
        #expect(restore["MasterUserPasswordGiven"] as? Bool == false)
        #expect(restore["DBSubnetGroupName"] as? String == "aurorad-demo-subnets")
        #expect(restore["StorageEncrypted"] as? Bool == true)
        let exports = (restore["EnableCloudwatchLogsExports"] as? [String])?.sorted()
        #expect(exports == ["audit", "error", "general", "slowquery"])
        #expect(restore["S3BucketName"] as? String == EmulatorInspector.bucket)
        #expect(restore["S3Prefix"] as? String == "backup/")
        #expect(restore["S3IngestionRoleArn"] as? String == roleARN)
        #expect(restore["SourceEngine"] as? String == "mysql")
        #expect(restore["SourceEngineVersion"] as? String == "5.7.12")
        // The emulator records the tags as moto keeps them: `{"key": …, "value": …}`.
        let restoreTags = (restore["Tags"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            if let key = ($1["key"] ?? $1["Key"]) as? String { $0[key] = ($1["value"] ?? $1["Value"]) as? String }
        }
        #expect(restoreTags["Environment"] == "demo" && restoreTags["aurorad:spec"] == name, "\(restoreTags)")
    }

    /// Nothing twice: among the roles named after the spec only its managed role, with exactly one inline policy;
    /// one cluster; exactly the demo spec's instances; one accepted restore. Every failure message names the spec
    /// and ends with `context` (evaluated only on failure).
    static func noDuplicates(
        _ inspector: EmulatorInspector, spec name: String, context: @autoclosure () -> String = ""
    ) throws {
        let roleName = EmulatorInspector.managedRoleName(name)
        let roles = try inspector.roleNames(prefix: "aurorad-\(name)-")
        #expect(roles == [roleName], "spec \(name): roles \(roles) \(context())")
        let policies = roles.contains(roleName) ? try inspector.iam.listRolePolicies(roleName: roleName) : []
        #expect(
            policies == [EmulatorInspector.inlinePolicyName],
            "spec \(name): inline policies of \(roleName): \(policies) \(context())")
        let clusters = try inspector.rds.describeDBClusters(identifiers: [name]).map(\.identifier)
        #expect(clusters == [name], "spec \(name): clusters \(clusters) \(context())")
        let instances = try inspector.instances(cluster: name).map(\.identifier)
        #expect(
            instances == demoInstances.map { "\(name)-\($0.0)" },
            "spec \(name): instances \(instances) \(context())")
        let restores = try inspector.restores(cluster: name)
        #expect(restores.count == 1, "spec \(name): \(restores.count) accepted restores \(restores) \(context())")
    }

    /// The status of a converged spec: Ready at its generation, every condition True.
    static func readyStatus(_ status: SpecStatusView, generation: Int = 1) {
        #expect(status.phase == "Ready", "\(status)")
        #expect(status.generation == generation && status.observedGeneration == generation)
        #expect(status.clusterStatus == "available")
        for type in [
            "BackupVerified", "RoleReady", "PolicyReady", "ClusterRestored", "RoleAssociated",
            "InstancesReady", "Ready",
        ] {
            #expect(status.condition(type) == "True", "condition \(type) in \(status)")
        }
    }
}
