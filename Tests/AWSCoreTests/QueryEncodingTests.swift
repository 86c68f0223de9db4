import Foundation
import Testing

@testable import AWSCore

/// Golden bodies produced by botocore 1.43 (`QuerySerializer` + `percent_encode_sequence`) for the same parameters,
/// in the same order; they pin the list shapes of each service's model.
@Suite("QueryEncoding")
struct QueryEncodingTests {
    @Test("IAM TagRole: Tags.member.N.Key/Value")
    func iamTags() {
        var query = QueryEncoding(action: "TagRole", version: "2010-05-08")
        query.add("RoleName", "aurorad-orders")
        query.addTags(
            [AWSTag(key: "managed-by", value: "aurorad"), AWSTag(key: "aurorad/spec", value: "orders db")],
            member: QueryListMember.member)
        #expect(
            query.encoded == "Action=TagRole&Version=2010-05-08&RoleName=aurorad-orders"
                + "&Tags.member.1.Key=managed-by&Tags.member.1.Value=aurorad"
                + "&Tags.member.2.Key=aurorad%2Fspec&Tags.member.2.Value=orders%20db")
    }

    @Test("IAM GetAccountAuthorizationDetails: Filter.member.N and an encoded marker")
    func iamFilterList() {
        var query = QueryEncoding(action: "GetAccountAuthorizationDetails", version: "2010-05-08")
        query.addList("Filter", ["Role"])
        query.add("Marker", "abc/+=")
        #expect(
            query.encoded
                == "Action=GetAccountAuthorizationDetails&Version=2010-05-08&Filter.member.1=Role&Marker=abc%2F%2B%3D")
    }

    @Test("RDS DescribeDBClusters: Filters.Filter.N.Name and Filters.Filter.N.Values.Value.M")
    func rdsFilters() {
        var query = QueryEncoding(action: "DescribeDBClusters", version: "2014-10-31")
        query.addFilters([AWSFilter(name: "db-cluster-id", values: ["orders", "billing"])])
        query.add("MaxRecords", 100)
        #expect(
            query.encoded == "Action=DescribeDBClusters&Version=2014-10-31&Filters.Filter.1.Name=db-cluster-id"
                + "&Filters.Filter.1.Values.Value.1=orders&Filters.Filter.1.Values.Value.2=billing&MaxRecords=100")
    }

    @Test("RDS RestoreDBClusterFromS3: VpcSecurityGroupId, member and Tag list names, booleans")
    func rdsRestore() {
        var query = QueryEncoding(action: "RestoreDBClusterFromS3", version: "2014-10-31")
        query.add("DBClusterIdentifier", "orders")
        query.add("Engine", "aurora-mysql")
        query.add("MasterUsername", "admin")
        query.add("SourceEngine", "mysql")
        query.add("SourceEngineVersion", "8.0.36")
        query.add("S3BucketName", "backups")
        query.add("S3Prefix", nil as String?)
        query.add("S3IngestionRoleArn", "arn:aws:iam::123456789012:role/aurorad-orders")
        query.addList("VpcSecurityGroupIds", ["sg-1", "sg-2"], member: QueryListMember.rdsVpcSecurityGroupId)
        query.addList("EnableCloudwatchLogsExports", ["error", "slowquery"])
        query.addTags([AWSTag(key: "managed-by", value: "aurorad")], member: QueryListMember.rdsTag)
        query.add("ManageMasterUserPassword", true)
        query.add("StorageEncrypted", false)
        #expect(
            query.encoded == "Action=RestoreDBClusterFromS3&Version=2014-10-31&DBClusterIdentifier=orders"
                + "&Engine=aurora-mysql&MasterUsername=admin&SourceEngine=mysql&SourceEngineVersion=8.0.36"
                + "&S3BucketName=backups&S3IngestionRoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Faurorad-orders"
                + "&VpcSecurityGroupIds.VpcSecurityGroupId.1=sg-1&VpcSecurityGroupIds.VpcSecurityGroupId.2=sg-2"
                + "&EnableCloudwatchLogsExports.member.1=error&EnableCloudwatchLogsExports.member.2=slowquery"
                + "&Tags.Tag.1.Key=managed-by&Tags.Tag.1.Value=aurorad&ManageMasterUserPassword=true"
                + "&StorageEncrypted=false")
    }

    @Test("RDS AddTagsToResource: Tags.Tag.N")
    func rdsAddTags() {
        var query = QueryEncoding(action: "AddTagsToResource", version: "2014-10-31")
        query.add("ResourceName", "arn:aws:rds:eu-west-1:123456789012:cluster:orders")
        query.addTags([AWSTag(key: "a", value: "1"), AWSTag(key: "b", value: "2")], member: QueryListMember.rdsTag)
        #expect(
            query.encoded == "Action=AddTagsToResource&Version=2014-10-31"
                + "&ResourceName=arn%3Aaws%3Ards%3Aeu-west-1%3A123456789012%3Acluster%3Aorders"
                + "&Tags.Tag.1.Key=a&Tags.Tag.1.Value=1&Tags.Tag.2.Key=b&Tags.Tag.2.Value=2")
    }

    @Test("an empty list is sent as Name= and a nil list is omitted")
    func emptyAndNilLists() {
        var query = QueryEncoding(action: "ModifyDBCluster", version: "2014-10-31")
        query.add("DBClusterIdentifier", "orders")
        query.addList("VpcSecurityGroupIds", [], member: QueryListMember.rdsVpcSecurityGroupId)
        query.addList("EnableCloudwatchLogsExports", nil)
        query.addTags(nil, member: QueryListMember.rdsTag)
        #expect(
            query.encoded
                == "Action=ModifyDBCluster&Version=2014-10-31&DBClusterIdentifier=orders&VpcSecurityGroupIds=")
    }

    @Test("EC2 DescribeSecurityGroups: Filter.N.Name and Filter.N.Value.M, flattened; an empty list sends nothing")
    func ec2Filters() {
        var query = QueryEncoding(action: "DescribeSecurityGroups", version: "2016-11-15")
        query.addFlattenedFilters([
            AWSFilter(name: "vpc-id", values: ["vpc-1"]),
            AWSFilter(name: "tag:aurorad:spec", values: ["orders db", "billing"]),
        ])
        query.add("MaxResults", 5)
        query.addFlattenedList("GroupId", [])
        query.addFlattenedList("GroupName", nil)
        #expect(
            query.encoded == "Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Name=vpc-id"
                + "&Filter.1.Value.1=vpc-1&Filter.2.Name=tag%3Aaurorad%3Aspec&Filter.2.Value.1=orders%20db"
                + "&Filter.2.Value.2=billing&MaxResults=5")
    }

    @Test("EC2 AuthorizeSecurityGroupIngress: nested flattened structure lists and TagSpecification.N.Tag.M")
    func ec2NestedLists() {
        struct Permission {
            var field: String
            var list: String
            var value: String
            var description: String?
        }
        var query = QueryEncoding(action: "AuthorizeSecurityGroupIngress", version: "2016-11-15")
        query.add("GroupId", "sg-1")
        query.addFlattenedStructureList(
            "IpPermissions",
            [
                Permission(field: "CidrIp", list: "IpRanges", value: "10.0.0.0/16", description: "app subnet"),
                Permission(field: "GroupId", list: "Groups", value: "sg-2"),
            ]
        ) { permission, fields in
            fields.add("IpProtocol", "tcp")
            fields.add("FromPort", 3306)
            fields.add("ToPort", 3306)
            fields.addFlattenedStructureList(permission.list, [permission]) { permission, range in
                range.add("Description", permission.description)
                range.add(permission.field, permission.value)
            }
        }
        query.addFlattenedStructureList("TagSpecification", ["security-group-rule"]) { type, fields in
            fields.add("ResourceType", type)
            fields.addFlattenedTags("Tag", [AWSTag(key: "aurorad:spec", value: "orders")])
        }
        #expect(
            query.encoded == "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1"
                + "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=3306&IpPermissions.1.ToPort=3306"
                + "&IpPermissions.1.IpRanges.1.Description=app%20subnet&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0%2F16"
                + "&IpPermissions.2.IpProtocol=tcp&IpPermissions.2.FromPort=3306&IpPermissions.2.ToPort=3306"
                + "&IpPermissions.2.Groups.1.GroupId=sg-2&TagSpecification.1.ResourceType=security-group-rule"
                + "&TagSpecification.1.Tag.1.Key=aurorad%3Aspec&TagSpecification.1.Tag.1.Value=orders")
    }

    @Test("EC2 CreateTags: ResourceId.N and Tag.N.Key/Value")
    func ec2Tags() {
        var query = QueryEncoding(action: "CreateTags", version: "2016-11-15")
        query.addFlattenedList("ResourceId", ["sg-1", "sgr-2"])
        query.addFlattenedTags([AWSTag(key: "aurorad:spec", value: "orders")])
        #expect(
            query.encoded == "Action=CreateTags&Version=2016-11-15&ResourceId.1=sg-1&ResourceId.2=sgr-2"
                + "&Tag.1.Key=aurorad%3Aspec&Tag.1.Value=orders")
    }

    @Test("the body is the UTF-8 of the encoded text, with non-ASCII percent-encoded")
    func bodyBytes() {
        var query = QueryEncoding(action: "TagRole", version: "2010-05-08")
        query.add("Description", "café ~_-.")
        #expect(query.encoded == "Action=TagRole&Version=2010-05-08&Description=caf%C3%A9%20~_-.")
        #expect(query.body == Data(query.encoded.utf8))
    }
}
