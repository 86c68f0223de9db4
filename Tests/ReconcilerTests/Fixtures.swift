import Foundation
import ImportSpec
import Reconciler
import StatusModel

/// Builders for specs and observations; `converged` is the observation of a spec that is fully Ready.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14 22:13:20 UTC
    static let account = "123456789012"
    static let region = "eu-west-1"

    static func spec(
        name: String = "ex-s3-import", ingestionRole: String? = nil, prefix: String? = "backup/",
        roleAssociations: [String: ImportSpec.RoleAssociation]? = ["s3Import": .init()],
        tags: [String: String]? = ["Environment": "dev"], skipFinalSnapshot: Bool? = nil
    ) -> ImportSpec {
        ImportSpec(
            name: name, engineVersion: "5.7.mysql_aurora.2.11.2", masterUsername: "root",
            clusterInstanceClass: "db.r8g.large",
            instances: ["1": .init(), "2": .init(instanceClass: "db.r8g.xlarge")],
            dbSubnetGroupName: "my-subnets", vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
            roleAssociations: roleAssociations,
            s3Import: .init(
                sourceEngineVersion: "5.7.12", bucketName: "my-import-bucket", bucketPrefix: prefix,
                ingestionRole: ingestionRole),
            skipFinalSnapshot: skipFinalSnapshot, enabledCloudwatchLogsExports: ["audit", "error"], tags: tags)
    }

    static func roleArn(_ name: String) -> String { "arn:aws:iam::\(account):role/\(name)" }

    /// The managed role exactly as aurorad creates it.
    static func managedRole(for spec: ImportSpec) -> ObservedRole {
        let name = ManagedResources.roleName(forSpec: spec.name)
        return ObservedRole(
            name: name, arn: roleArn(name), trustPolicy: ManagedResources.trustPolicy(),
            inlinePolicies: [
                ManagedResources.inlinePolicyName: ManagedResources.inlinePolicy(
                    bucket: spec.s3Import.bucketName, partition: "aws")
            ],
            tags: ManagedResources.desiredTags(for: spec), createDate: now.addingTimeInterval(-600))
    }

    /// The cluster as the restore leaves it, with the managed role associated and ACTIVE.
    static func cluster(
        for spec: ImportSpec, status: String = "available", associations: [ObservedRoleAssociation]? = nil
    ) -> ObservedCluster {
        let ingestion = spec.s3Import.ingestionRole ?? roleArn(ManagedResources.roleName(forSpec: spec.name))
        return ObservedCluster(
            identifier: spec.name, status: status,
            arn: "arn:aws:rds:\(region):\(account):cluster:\(spec.name)",
            endpoint: "\(spec.name).cluster-abc.\(region).rds.amazonaws.com", engine: "aurora-mysql",
            engineVersion: spec.engineVersion, masterUsername: spec.masterUsername,
            associatedRoles: associations ?? [ObservedRoleAssociation(roleArn: ingestion, status: .active)],
            tags: ManagedResources.desiredTags(for: spec).merging(RestoreFacts.tags(for: spec)) { a, _ in a },
            enabledCloudwatchLogsExports: spec.enabledCloudwatchLogsExports ?? [],
            vpcSecurityGroupIds: spec.vpcSecurityGroupIds ?? [], dbSubnetGroup: spec.dbSubnetGroupName,
            settings: spec.clusterSettings)
    }

    static func instances(for spec: ImportSpec, status: String = "available") -> [ObservedInstance] {
        spec.instances.keys.sorted().map { key in
            let identifier = spec.instanceIdentifier(forKey: key)
            return ObservedInstance(
                identifier: identifier, status: status, instanceClass: spec.instanceClass(forKey: key),
                clusterIdentifier: spec.name, arn: "arn:aws:rds:\(region):\(account):db:\(identifier)",
                tags: ManagedResources.desiredTags(for: spec),
                settings: spec.instanceSettings(forKey: key).merged(over: InstanceSettings(publiclyAccessible: false)))
        }
    }

    /// Everything in place and available.
    static func converged(_ spec: ImportSpec) -> ObservedState {
        ObservedState(
            region: region, role: spec.s3Import.ingestionRole == nil ? managedRole(for: spec) : nil,
            cluster: cluster(for: spec), instances: instances(for: spec))
    }

    /// Nothing exists yet, the backup verified.
    static func verifiedNothing() -> ObservedState {
        ObservedState(region: region, backup: .verified(serverVersion: "5.7.12-log"))
    }

    static func plan(
        _ spec: ImportSpec, _ observed: ObservedState, deleting: Bool = false, generation: Int64 = 1,
        lastFailure: ActionFailure? = nil, options: PlanOptions = PlanOptions(),
        history: ClusterHistory = ClusterHistory()
    ) -> Plan {
        Planner.plan(
            desired: spec, generation: generation, observed: observed, deleting: deleting, now: now,
            lastFailure: lastFailure, options: options, history: history)
    }
}

extension Plan {
    /// The status of a condition, `nil` when not computed.
    func status(_ type: ConditionType) -> ConditionStatus? { condition(type)?.status }
    /// The reason of a condition.
    func reason(_ type: ConditionType) -> String? { condition(type)?.reason }
    /// The kinds of every action, in order.
    var kinds: [[ActionKind]] { steps.map { $0.map(\.kind) } }
}
