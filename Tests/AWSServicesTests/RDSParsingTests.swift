import AWSCore
import AWSServices
import Foundation
import Testing

/// RDS answers in the shape of the RDS API Reference's sample responses.
@Suite("RDS request encoding and response parsing")
struct RDSParsingTests {
    static func clusters(_ ids: [String], marker: String? = nil) -> String {
        let members = ids.map { id in
            """
            <DBCluster>
              <Engine>aurora-mysql</Engine><Status>available</Status><DeletionProtection>true</DeletionProtection>
              <StorageEncrypted>true</StorageEncrypted><KmsKeyId>arn:aws:kms:eu-west-1:123456789012:key/k</KmsKeyId>
              <DBClusterIdentifier>\(id)</DBClusterIdentifier>
              <DBClusterArn>arn:aws:rds:eu-west-1:123456789012:cluster:\(id)</DBClusterArn>
              <Endpoint>\(id).cluster-c.eu-west-1.rds.amazonaws.com</Endpoint>
              <ReaderEndpoint>\(id).cluster-ro-c.eu-west-1.rds.amazonaws.com</ReaderEndpoint>
              <EngineVersion>8.0.mysql_aurora.3.05.2</EngineVersion><MasterUsername>admin</MasterUsername>
              <DBSubnetGroup>default</DBSubnetGroup>
              <AssociatedRoles><DBClusterRole><Status>PENDING</Status>
                <RoleArn>arn:aws:iam::123456789012:role/import</RoleArn></DBClusterRole></AssociatedRoles>
              <EnabledCloudwatchLogsExports><member>error</member><member>slowquery</member></EnabledCloudwatchLogsExports>
              <VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-1</VpcSecurityGroupId>
                <Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>
              <DBClusterMembers><DBClusterMember><DBInstanceIdentifier>\(id)-1</DBInstanceIdentifier>
                <IsClusterWriter>true</IsClusterWriter></DBClusterMember></DBClusterMembers>
              <TagList><Tag><Key>managed-by</Key><Value>aurorad</Value></Tag></TagList>
            </DBCluster>
            """
        }.joined()
        return """
            <DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBClustersResult>
            \(marker.map { "<Marker>\($0)</Marker>" } ?? "")<DBClusters>\(members)</DBClusters></DescribeDBClustersResult>
            <ResponseMetadata><RequestId>d9a1a9e2-EXAMPLE</RequestId></ResponseMetadata></DescribeDBClustersResponse>
            """
    }

    @Test("DescribeDBClusters: every field the reconciler reads")
    func describeCluster() throws {
        let transport = StubTransport(bodies: [Self.clusters(["db1"])])
        let cluster = try #require(
            try RDSClient(client: StubTransport.client(transport)).describeDBCluster(identifier: "db1"))
        #expect(cluster.identifier == "db1")
        #expect(cluster.arn == "arn:aws:rds:eu-west-1:123456789012:cluster:db1")
        #expect(cluster.status == "available")
        #expect(cluster.endpoint == "db1.cluster-c.eu-west-1.rds.amazonaws.com")
        #expect(cluster.readerEndpoint == "db1.cluster-ro-c.eu-west-1.rds.amazonaws.com")
        #expect(cluster.engineVersion == "8.0.mysql_aurora.3.05.2")
        #expect(cluster.masterUsername == "admin")
        #expect(
            cluster.associatedRoles == [
                RDSClusterRole(roleArn: "arn:aws:iam::123456789012:role/import", status: "PENDING")
            ])
        #expect(cluster.tags == [AWSTag(key: "managed-by", value: "aurorad")])
        #expect(cluster.deletionProtection && cluster.storageEncrypted)
        #expect(cluster.kmsKeyId == "arn:aws:kms:eu-west-1:123456789012:key/k")
        #expect(cluster.enabledCloudwatchLogsExports == ["error", "slowquery"])
        #expect(cluster.vpcSecurityGroups == [RDSVpcSecurityGroup(id: "sg-1", status: "active")])
        #expect(cluster.dbSubnetGroup == "default")
        #expect(cluster.members == [RDSClusterMember(instanceIdentifier: "db1-1", isClusterWriter: true)])
        #expect(transport.requests[0].host == "rds.eu-west-1.amazonaws.com")
        #expect(
            transport.form(0) == [
                "Action": "DescribeDBClusters", "Version": "2014-10-31", "DBClusterIdentifier": "db1",
            ])
    }

    @Test("DBClusterNotFoundFault makes describe-by-id nil")
    func clusterNotFound() throws {
        let body = """
            <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type>
            <Code>DBClusterNotFoundFault</Code><Message>DBCluster db1 not found.</Message></Error>
            <RequestId>2b9e6b8f-EXAMPLE</RequestId></ErrorResponse>
            """
        let transport = StubTransport([HTTPResponse(status: 404, body: Data(body.utf8))])
        #expect(try RDSClient(client: StubTransport.client(transport)).describeDBCluster(identifier: "db1") == nil)
    }

    @Test("DBInstanceNotFound (the wire code of shape DBInstanceNotFoundFault) makes describe-by-id nil")
    func instanceNotFound() throws {
        let body = """
            <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type>
            <Code>DBInstanceNotFound</Code><Message>DBInstance c1-1 not found.</Message></Error>
            <RequestId>3c8e1e2a-EXAMPLE</RequestId></ErrorResponse>
            """
        let transport = StubTransport([HTTPResponse(status: 404, body: Data(body.utf8))])
        #expect(try RDSClient(client: StubTransport.client(transport)).describeDBInstance(identifier: "c1-1") == nil)
    }

    @Test("Batched describes chunk the db-cluster-id filter at 100 values and follow Marker")
    func batchedDescribe() throws {
        let ids = (1...150).map { "c\($0)" }
        let transport = StubTransport(bodies: [
            Self.clusters(["c1"], marker: "next"), Self.clusters(["c2"]), Self.clusters(["c101"]),
        ])
        let clusters = try RDSClient(client: StubTransport.client(transport)).describeDBClusters(identifiers: ids)
        #expect(clusters.map(\.identifier) == ["c1", "c2", "c101"])
        #expect(transport.requests.count == 3)
        let first = transport.form(0)
        #expect(first["Filters.Filter.1.Name"] == "db-cluster-id")
        #expect(first["Filters.Filter.1.Values.Value.1"] == "c1")
        #expect(first["Filters.Filter.1.Values.Value.100"] == "c100")
        #expect(first["Filters.Filter.1.Values.Value.101"] == nil)
        #expect(transport.form(1)["Marker"] == "next")
        #expect(transport.form(1)["Filters.Filter.1.Values.Value.100"] == "c100")
        #expect(transport.form(2)["Filters.Filter.1.Values.Value.1"] == "c101")
        #expect(transport.form(2)["Filters.Filter.1.Values.Value.50"] == "c150")
        #expect(transport.form(2)["Filters.Filter.1.Values.Value.51"] == nil)
        #expect(transport.form(2)["Marker"] == nil)
    }

    @Test("RestoreDBClusterFromS3 parameters; a managed password sends no MasterUserPassword")
    func restoreParameters() throws {
        let answer = Self.clusters(["db1"]).replacingOccurrences(
            of: "DescribeDBClustersResponse", with: "RestoreDBClusterFromS3Response"
        )
        .replacingOccurrences(of: "DescribeDBClustersResult", with: "RestoreDBClusterFromS3Result")
        .replacingOccurrences(of: "<DBClusters>", with: "").replacingOccurrences(of: "</DBClusters>", with: "")
        let transport = StubTransport(bodies: [answer, answer])
        let rds = RDSClient(client: try StubTransport.client(transport))
        var request = RestoreDBClusterFromS3Request(
            dbClusterIdentifier: "db1", engineVersion: "8.0.mysql_aurora.3.05.2", masterUsername: "admin",
            masterPassword: .managedByRDS(secretKmsKeyId: nil), dbSubnetGroupName: "subnets",
            vpcSecurityGroupIds: ["sg-1", "sg-2"], enableCloudwatchLogsExports: ["error"], storageEncrypted: true,
            kmsKeyId: "k", deletionProtection: true, tags: [AWSTag(key: "a", value: "b")], s3BucketName: "bucket",
            s3Prefix: "backup/", s3IngestionRoleArn: "arn:aws:iam::123456789012:role/import",
            sourceEngineVersion: "8.0.36")
        #expect(try rds.restoreDBClusterFromS3(request).identifier == "db1")
        #expect(
            transport.form(0) == [
                "Action": "RestoreDBClusterFromS3", "Version": "2014-10-31", "DBClusterIdentifier": "db1",
                "Engine": "aurora-mysql", "EngineVersion": "8.0.mysql_aurora.3.05.2", "MasterUsername": "admin",
                "ManageMasterUserPassword": "true", "DBSubnetGroupName": "subnets",
                "VpcSecurityGroupIds.VpcSecurityGroupId.1": "sg-1", "VpcSecurityGroupIds.VpcSecurityGroupId.2": "sg-2",
                "EnableCloudwatchLogsExports.member.1": "error", "StorageEncrypted": "true", "KmsKeyId": "k",
                "DeletionProtection": "true", "Tags.Tag.1.Key": "a", "Tags.Tag.1.Value": "b", "S3BucketName": "bucket",
                "S3Prefix": "backup/", "S3IngestionRoleArn": "arn:aws:iam::123456789012:role/import",
                "SourceEngine": "mysql", "SourceEngineVersion": "8.0.36",
            ])
        request.masterPassword = .explicit(SecretString("pa ss&word"))
        _ = try rds.restoreDBClusterFromS3(request)
        #expect(transport.form(1)["MasterUserPassword"] == "pa ss&word")
        #expect(transport.form(1)["ManageMasterUserPassword"] == nil)
        #expect("\(request)".contains("<redacted>") && !"\(request)".contains("pa ss&word"))
    }

    @Test("ModifyDBCluster sends CloudwatchLogsExportConfiguration lists and ApplyImmediately")
    func modifyParameters() throws {
        let answer = Self.clusters(["db1"]).replacingOccurrences(of: "DescribeDBClusters", with: "ModifyDBCluster")
            .replacingOccurrences(of: "<DBClusters>", with: "").replacingOccurrences(of: "</DBClusters>", with: "")
        let transport = StubTransport(bodies: [answer])
        _ = try RDSClient(client: StubTransport.client(transport)).modifyDBCluster(
            identifier: "db1", deletionProtection: false, enableLogTypes: ["audit"], disableLogTypes: ["general"])
        #expect(
            transport.form(0) == [
                "Action": "ModifyDBCluster", "Version": "2014-10-31", "DBClusterIdentifier": "db1",
                "ApplyImmediately": "true", "CloudwatchLogsExportConfiguration.EnableLogTypes.member.1": "audit",
                "CloudwatchLogsExportConfiguration.DisableLogTypes.member.1": "general", "DeletionProtection": "false",
            ])
    }

    @Test("DescribeEvents newest first")
    func eventsAndTags() throws {
        let events = """
            <DescribeEventsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeEventsResult><Events>
            <Event><Message>Restoring DB cluster from Amazon S3 backup</Message><SourceType>db-cluster</SourceType>
              <EventCategories><EventCategory>migration</EventCategory></EventCategories>
              <Date>2026-03-01T10:00:00.120Z</Date><SourceIdentifier>db1</SourceIdentifier></Event>
            <Event><Message>Migration failed</Message><SourceType>db-cluster</SourceType>
              <EventCategories><EventCategory>failure</EventCategory><EventCategory>migration</EventCategory></EventCategories>
              <Date>2026-03-01T10:05:00Z</Date><SourceIdentifier>db1</SourceIdentifier></Event>
            </Events></DescribeEventsResult></DescribeEventsResponse>
            """
        let transport = StubTransport(bodies: [events])
        let rds = RDSClient(client: try StubTransport.client(transport))
        let found = try rds.describeEvents(
            sourceIdentifier: "db1", startTime: Date(timeIntervalSince1970: 1_772_359_200))
        #expect(found.map(\.message) == ["Migration failed", "Restoring DB cluster from Amazon S3 backup"])
        #expect(found[0].categories == ["failure", "migration"])
        #expect(transport.form(0)["SourceType"] == "db-cluster")
        #expect(transport.form(0)["StartTime"] == "2026-03-01T10:00:00Z")
    }
}
