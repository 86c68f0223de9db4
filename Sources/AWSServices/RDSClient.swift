import AWSCore
import Foundation

/// The RDS calls the reconciler makes (botocore rds 2014-10-31; RDS lists name their members: `Tags.Tag.N`,
/// `Filters.Filter.N.Values.Value.M`, `VpcSecurityGroupIds.VpcSecurityGroupId.N`).
///
/// Describe-by-identifier returns nil when the resource does not exist; batched describes use the `db-cluster-id`
/// filter in chunks of at most 100 values (AWS rejects more in one filter: cloud-custodian PR #10133) and follow
/// `Marker` to the end.
public struct RDSClient: Sendable {
    /// The shared client.
    public let client: AWSClient

    /// The most values one RDS filter may carry.
    public static let maxFilterValues = 100

    /// A client over `client`.
    public init(client: AWSClient) {
        self.client = client
    }

    /// `RestoreDBClusterFromS3`: starts the restore; the cluster comes back `creating`.
    public func restoreDBClusterFromS3(_ request: RestoreDBClusterFromS3Request) throws -> RDSCluster {
        let result = try client.query(.rds, action: "RestoreDBClusterFromS3") { request.encode(into: &$0) }
        return try cluster(in: result, action: "RestoreDBClusterFromS3")
    }

    /// `DescribeDBClusters` of one cluster, or nil when it does not exist.
    public func describeDBCluster(identifier: String) throws -> RDSCluster? {
        try nilIfNotFound {
            try describeClusters { $0.add("DBClusterIdentifier", identifier) }.first
        }
    }

    /// `DescribeDBClusters` with the `db-cluster-id` filter (identifiers or ARNs): the clusters that exist among
    /// `identifiers`, in as few calls as the 100-value filter limit and paging allow.
    public func describeDBClusters(identifiers: [String], maxRecords: Int? = nil) throws -> [RDSCluster] {
        try Self.chunks(identifiers).flatMap { chunk in
            try describeClusters {
                $0.addFilters([AWSFilter(name: "db-cluster-id", values: chunk)])
                $0.add("MaxRecords", maxRecords)
            }
        }
    }

    /// `AddRoleToDBCluster`; Aurora MySQL takes no `FeatureName` (it answers `InvalidParameterValue` to `s3Import`:
    /// terraform-aws-rds-aurora issue #273), so leave it nil there.
    public func addRoleToDBCluster(clusterIdentifier: String, roleArn: String, featureName: String? = nil) throws {
        _ = try client.query(.rds, action: "AddRoleToDBCluster") {
            $0.add("DBClusterIdentifier", clusterIdentifier)
            $0.add("RoleArn", roleArn)
            $0.add("FeatureName", featureName)
        }
    }

    /// `RemoveRoleFromDBCluster`.
    public func removeRoleFromDBCluster(clusterIdentifier: String, roleArn: String, featureName: String? = nil) throws {
        _ = try client.query(.rds, action: "RemoveRoleFromDBCluster") {
            $0.add("DBClusterIdentifier", clusterIdentifier)
            $0.add("RoleArn", roleArn)
            $0.add("FeatureName", featureName)
        }
    }

    /// `CreateDBInstance` in a cluster; returns the new instance (`creating`).
    public func createDBInstance(_ request: CreateDBInstanceRequest) throws -> RDSInstance {
        let result = try client.query(.rds, action: "CreateDBInstance") { request.encode(into: &$0) }
        return try instance(in: result, action: "CreateDBInstance")
    }

    /// `DescribeDBInstances` of one instance, or nil when it does not exist.
    public func describeDBInstance(identifier: String) throws -> RDSInstance? {
        try nilIfNotFound {
            try describeInstances { $0.add("DBInstanceIdentifier", identifier) }.first
        }
    }

    /// `DescribeDBInstances` with the `db-cluster-id` filter: every instance of the given clusters, chunked by 100.
    public func describeDBInstances(clusterIdentifiers: [String], maxRecords: Int? = nil) throws -> [RDSInstance] {
        try Self.chunks(clusterIdentifiers).flatMap { chunk in
            try describeInstances {
                $0.addFilters([AWSFilter(name: "db-cluster-id", values: chunk)])
                $0.add("MaxRecords", maxRecords)
            }
        }
    }

    /// `DescribeDBInstances` with the `db-instance-id` filter: the instances that exist among `identifiers`, in any
    /// cluster or none, chunked by 100 (AWS rejects more values in one filter).
    public func describeDBInstances(identifiers: [String]) throws -> [RDSInstance] {
        try Self.chunks(identifiers).flatMap { chunk in
            try describeInstances { $0.addFilters([AWSFilter(name: "db-instance-id", values: chunk)]) }
        }
    }

    /// `DeleteDBInstance` with `SkipFinalSnapshot=true`; returns the instance (`deleting`). An Aurora instance's data
    /// lives in the cluster (the cluster's delete takes the final snapshot), and the API reference says that without
    /// `SkipFinalSnapshot` a `FinalDBSnapshotIdentifier` is required and that an instance in `failed`,
    /// `incompatible-restore` or `incompatible-network` can only be deleted with it, as the Terraform provider sends.
    public func deleteDBInstance(identifier: String) throws -> RDSInstance {
        let result = try client.query(.rds, action: "DeleteDBInstance") {
            $0.add("DBInstanceIdentifier", identifier)
            $0.add("SkipFinalSnapshot", true)
        }
        return try instance(in: result, action: "DeleteDBInstance")
    }

    /// `DeleteDBCluster`: with `finalSnapshotIdentifier` a final snapshot is taken, without it
    /// `SkipFinalSnapshot=true`; returns the cluster (`deleting`).
    public func deleteDBCluster(identifier: String, finalSnapshotIdentifier: String?) throws -> RDSCluster {
        let result = try client.query(.rds, action: "DeleteDBCluster") {
            $0.add("DBClusterIdentifier", identifier)
            $0.add("SkipFinalSnapshot", finalSnapshotIdentifier == nil)
            $0.add("FinalDBSnapshotIdentifier", finalSnapshotIdentifier)
        }
        return try cluster(in: result, action: "DeleteDBCluster")
    }

    /// `ModifyDBCluster` of the fields aurorad may change, applied immediately: deletion protection, the
    /// CloudWatch log exports (`CloudwatchLogsExportConfiguration.EnableLogTypes` / `DisableLogTypes`), the VPC
    /// security groups (`VpcSecurityGroupIds.VpcSecurityGroupId.N`, the complete new set) and the module's common
    /// settings (`settings`; its `engineLifecycleSupport` is the restore's only and is not sent).
    public func modifyDBCluster(
        identifier: String, deletionProtection: Bool? = nil, enableLogTypes: [String]? = nil,
        disableLogTypes: [String]? = nil, vpcSecurityGroupIds: [String]? = nil,
        settings: RDSClusterSettings = RDSClusterSettings()
    ) throws -> RDSCluster {
        let result = try client.query(.rds, action: "ModifyDBCluster") {
            $0.add("DBClusterIdentifier", identifier)
            $0.add("ApplyImmediately", true)
            $0.addList("CloudwatchLogsExportConfiguration.EnableLogTypes", enableLogTypes)
            $0.addList("CloudwatchLogsExportConfiguration.DisableLogTypes", disableLogTypes)
            $0.addList("VpcSecurityGroupIds", vpcSecurityGroupIds, member: "VpcSecurityGroupId")
            $0.add("DeletionProtection", deletionProtection)
            settings.encode(into: &$0)
        }
        return try cluster(in: result, action: "ModifyDBCluster")
    }

    /// `ModifyDBInstance`: the instance class and the CA certificate restart the instance, so they apply now when
    /// `applyImmediately`, else in its next maintenance window (shown meanwhile in `PendingModifiedValues`); the
    /// other settings apply without a restart. Nil members are not sent.
    public func modifyDBInstance(
        identifier: String, instanceClass: String? = nil, applyImmediately: Bool, publiclyAccessible: Bool? = nil,
        promotionTier: Int? = nil, settings: RDSInstanceSettings = RDSInstanceSettings()
    ) throws -> RDSInstance {
        let result = try client.query(.rds, action: "ModifyDBInstance") {
            $0.add("DBInstanceIdentifier", identifier)
            $0.add("DBInstanceClass", instanceClass)
            $0.add("ApplyImmediately", applyImmediately)
            $0.add("PubliclyAccessible", publiclyAccessible)
            $0.add("PromotionTier", promotionTier)
            settings.encode(into: &$0)
        }
        return try instance(in: result, action: "ModifyDBInstance")
    }

    /// `AddTagsToResource` (ARN of a cluster or instance).
    public func addTagsToResource(resourceArn: String, tags: [AWSTag]) throws {
        _ = try client.query(.rds, action: "AddTagsToResource") {
            $0.add("ResourceName", resourceArn)
            $0.addTags(tags, member: QueryListMember.rdsTag)
        }
    }

    /// `DescribeEvents` of one source, or of every source of `sourceType` (`db-cluster` by default) when
    /// `sourceIdentifier` is nil, since `startTime`, or over the last `durationMinutes` (RDS's default: 60), every
    /// page; newest first.
    public func describeEvents(
        sourceIdentifier: String?, sourceType: String = "db-cluster", startTime: Date? = nil,
        durationMinutes: Int? = nil, maxRecords: Int? = nil
    ) throws -> [RDSEvent] {
        let events = try paginate("DescribeEvents") {
            $0.add("SourceIdentifier", sourceIdentifier)
            $0.add("SourceType", sourceType)
            $0.add("StartTime", startTime.map(AWSTimestamp.format))
            $0.add("Duration", durationMinutes)
            $0.add("MaxRecords", maxRecords)
        } items: { result in
            try result.elements(at: "Events/Event").map(RDSEvent.init(element:))
        }
        return events.sorted { $0.date > $1.date }
    }

    /// `DescribeDBEngineVersions` of `engine` (every page): the one `engineVersion` when given (an empty answer: it
    /// does not exist), else every version RDS offers.
    public func describeDBEngineVersions(engine: String, engineVersion: String? = nil) throws -> [RDSEngineVersion] {
        try paginate("DescribeDBEngineVersions") {
            $0.add("Engine", engine)
            $0.add("EngineVersion", engineVersion)
        } items: { result in
            try result.elements(at: "DBEngineVersions/DBEngineVersion").map(RDSEngineVersion.init(element:))
        }
    }

    /// `values` in chunks of at most `maxFilterValues`.
    static func chunks(_ values: [String]) -> [[String]] {
        stride(from: 0, to: values.count, by: maxFilterValues).map {
            Array(values[$0..<min($0 + maxFilterValues, values.count)])
        }
    }

    private func describeClusters(_ build: (inout QueryEncoding) -> Void) throws -> [RDSCluster] {
        try paginate("DescribeDBClusters", build) { result in
            try result.elements(at: "DBClusters/DBCluster").map {
                try RDSCluster(element: $0, action: "DescribeDBClusters")
            }
        }
    }

    private func describeInstances(_ build: (inout QueryEncoding) -> Void) throws -> [RDSInstance] {
        try paginate("DescribeDBInstances", build) { result in
            try result.elements(at: "DBInstances/DBInstance").map {
                try RDSInstance(element: $0, action: "DescribeDBInstances")
            }
        }
    }

    /// `DescribeDBSubnetGroups` of one group: its VPC, or nil when there is no such group.
    public func describeDBSubnetGroup(name: String) throws -> RDSSubnetGroup? {
        let reader = ResultReader(service: .rds, action: "DescribeDBSubnetGroups")
        return try nilIfNotFound {
            try paginate("DescribeDBSubnetGroups", { $0.add("DBSubnetGroupName", name) }) { result in
                try result.elements(at: "DBSubnetGroups/DBSubnetGroup").map {
                    RDSSubnetGroup(
                        name: try reader.required($0, "DBSubnetGroupName"), vpcId: $0.trimmedText(at: "VpcId"))
                }
            }.first
        }
    }

    /// Every page of an RDS listing: `build` writes the call's members, then `Marker` follows.
    private func paginate<Item>(
        _ action: String, _ build: (inout QueryEncoding) -> Void, items: (AWSXMLElement) throws -> [Item]
    ) throws -> [Item] {
        try Pagination.collect("RDS \(action)") { marker in
            let result = try client.query(.rds, action: action) {
                build(&$0)
                $0.add("Marker", marker)
            }
            return (try items(result), Pagination.rdsNextMarker(result))
        }.flatMap { $0 }
    }

    private func cluster(in result: AWSXMLElement, action: String) throws -> RDSCluster {
        guard let element = result.child("DBCluster") else {
            throw AWSResponseError(service: .rds, action: action, reason: "<\(action)Result> has no <DBCluster>")
        }
        return try RDSCluster(element: element, action: action)
    }

    private func instance(in result: AWSXMLElement, action: String) throws -> RDSInstance {
        guard let element = result.child("DBInstance") else {
            throw AWSResponseError(service: .rds, action: action, reason: "<\(action)Result> has no <DBInstance>")
        }
        return try RDSInstance(element: element, action: action)
    }
}
