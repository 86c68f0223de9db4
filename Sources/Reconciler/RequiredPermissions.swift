/// The IAM permissions each AWS operation aurorad calls needs, so an AccessDenied failure names what to grant.
///
/// Most operations need the permission of their own name; the exceptions are AWS's documented ones: ListObjectsV2 is
/// authorised as `s3:ListBucket` and GetObject/HeadObject as `s3:GetObject` (S3 User Guide, "Policy actions for
/// Amazon S3"); tagging on create needs the tagging permission too (`iam:TagRole` for CreateRole with tags,
/// `rds:AddTagsToResource` for RDS creates with tags: IAM User Guide "Tagging IAM resources", RDS User Guide
/// "Tagging Amazon RDS resources"); handing a role to RDS needs `iam:PassRole` (RestoreDBClusterFromS3,
/// AddRoleToDBCluster, and CreateDBInstance/ModifyDBInstance with a `MonitoringRoleArn`: RDS User Guide, "Setting up
/// and enabling Enhanced Monitoring"); a final snapshot needs `rds:CreateDBClusterSnapshot`; EC2 creates tagged on
/// create need `ec2:CreateTags` (EC2 User Guide, "Grant permission to tag Amazon EC2 resources during creation");
/// STS GetCallerIdentity needs no permission on AWS but is listed as `sts:GetCallerIdentity` all the same.
public enum RequiredPermissions {
    /// Every AWS operation the daemon calls, by service: the observer's reads, the executor's writes and `aurorad aws
    /// whoami`'s GetCallerIdentity. `deploy/iam-policy.json` and the README's permission table are checked against
    /// the permissions of this list (`IAMPolicyTests`), which in turn is checked against the observer's and the
    /// executor's calls.
    public static let daemonOperations: [(service: String, operations: [String])] = [
        (
            "IAM",
            [
                "GetAccountAuthorizationDetails", "GetRole", "ListRolePolicies", "GetRolePolicy",
                "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion", "CreateRole", "UpdateAssumeRolePolicy",
                "PutRolePolicy", "TagRole", "DeleteRolePolicy", "DeleteRole", "AttachRolePolicy", "DetachRolePolicy",
                "PutRolePermissionsBoundary",
            ]
        ),
        (
            "RDS",
            [
                "DescribeDBClusters", "DescribeDBInstances", "DescribeEvents", "DescribeDBEngineVersions",
                "DescribeDBSubnetGroups", "RestoreDBClusterFromS3", "AddRoleToDBCluster", "CreateDBInstance",
                "ModifyDBCluster", "ModifyDBInstance", "AddTagsToResource", "DeleteDBInstance", "DeleteDBCluster",
            ]
        ),
        (
            "EC2",
            [
                "DescribeSecurityGroups", "DescribeSecurityGroupRules", "CreateSecurityGroup",
                "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress", "CreateTags", "DeleteSecurityGroup",
            ]
        ),
        ("S3", ["GetBucketLocation", "ListObjectsV2", "GetObject", "HeadObject"]),
        ("STS", ["GetCallerIdentity"]),
    ]

    /// The permissions the daemon's operations need, each once, sorted: what `deploy/iam-policy.json` must allow.
    public static var daemonPermissions: [String] {
        Set(daemonOperations.flatMap { $0.operations.flatMap(forOperation) }).sorted()
    }

    private static let iamOperations: Set<String> = [
        "CreateRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "TagRole", "DeleteRolePolicy", "DeleteRole",
        "GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion",
        "GetAccountAuthorizationDetails", "AttachRolePolicy", "DetachRolePolicy", "PutRolePermissionsBoundary",
    ]
    private static let rdsOperations: Set<String> = [
        "RestoreDBClusterFromS3", "AddRoleToDBCluster", "CreateDBInstance", "DeleteDBInstance", "DeleteDBCluster",
        "AddTagsToResource", "ModifyDBCluster", "ModifyDBInstance", "DescribeDBClusters", "DescribeDBInstances",
        "DescribeEvents", "DescribeDBEngineVersions", "DescribeDBSubnetGroups",
    ]
    private static let ec2Operations: Set<String> = [
        "CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "DeleteSecurityGroup", "DescribeSecurityGroups",
        "DescribeSecurityGroupRules", "CreateTags",
    ]
    /// The S3 and STS operations, whose permission is not (only) their own name.
    private static let otherPermissions = [
        "GetBucketLocation": "s3:GetBucketLocation", "ListObjectsV2": "s3:ListBucket", "GetObject": "s3:GetObject",
        "HeadObject": "s3:GetObject", "GetCallerIdentity": "sts:GetCallerIdentity",
    ]
    private static let companions = [
        "CreateRole": ["iam:TagRole"],
        "RestoreDBClusterFromS3": ["iam:PassRole", "rds:AddTagsToResource"],
        "AddRoleToDBCluster": ["iam:PassRole"],
        "CreateDBInstance": ["rds:AddTagsToResource", "iam:PassRole"],
        "ModifyDBInstance": ["iam:PassRole"],
        "DeleteDBCluster": ["rds:CreateDBClusterSnapshot"],
        "CreateSecurityGroup": ["ec2:CreateTags"],
        "AuthorizeSecurityGroupIngress": ["ec2:CreateTags"],
        "AuthorizeSecurityGroupEgress": ["ec2:CreateTags"],
    ]

    /// The permissions `operation` (an AWS API operation name, e.g. `PutRolePolicy`) needs, its own first; empty
    /// for an operation this table does not know.
    public static func forOperation(_ operation: String) -> [String] {
        let own: String
        if iamOperations.contains(operation) {
            own = "iam:\(operation)"
        } else if rdsOperations.contains(operation) {
            own = "rds:\(operation)"
        } else if ec2Operations.contains(operation) {
            own = "ec2:\(operation)"
        } else if let permission = otherPermissions[operation] {
            own = permission
        } else {
            return []
        }
        return [own] + (companions[operation] ?? [])
    }
}
