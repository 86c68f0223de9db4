import AWSCore

extension AWSError {
    /// The error codes that say the thing asked about does not exist: the wire codes of botocore's models (IAM
    /// `NoSuchEntity`, RDS `DBClusterNotFoundFault` / `DBInstanceNotFound` / `DBClusterRoleNotFound` /
    /// `DBSubnetGroupNotFoundFault`, S3
    /// `NoSuchBucket` / `NoSuchKey`), the RDS shape names an emulator may send instead (`DBInstanceNotFoundFault`,
    /// `DBClusterRoleNotFoundFault`), EC2's (`InvalidVpcID.NotFound`, `InvalidGroup.NotFound`,
    /// `InvalidSecurityGroupRuleId.NotFound`, `InvalidPermission.NotFound`: EC2 API Reference, "Error codes"), and
    /// `NotFound` for a 404 without a body, as HeadObject answers.
    public static let notFoundCodes: Set<String> = [
        "NoSuchEntity", "DBClusterNotFoundFault", "DBInstanceNotFound", "DBInstanceNotFoundFault",
        "DBClusterRoleNotFound", "DBClusterRoleNotFoundFault", "DBSubnetGroupNotFoundFault", "NoSuchBucket",
        "NoSuchKey", "NotFound",
        "InvalidVpcID.NotFound", "InvalidGroup.NotFound", "InvalidSecurityGroupRuleId.NotFound",
        "InvalidPermission.NotFound",
    ]

    /// Whether the error says the resource does not exist: an observation, not a failure.
    public var isNotFound: Bool { Self.notFoundCodes.contains(code) }

    /// Whether EC2 refused to delete because something still uses the resource (`DependencyViolation`): a security
    /// group stays in use while the network interfaces of a deleted cluster linger, so the delete is retried later.
    public var isDependencyViolation: Bool { code == "DependencyViolation" }

    /// Whether EC2 says what was to be created already exists: a security group of that name in the VPC
    /// (`InvalidGroup.Duplicate`) or a rule with the same protocol, ports and peer (`InvalidPermission.Duplicate`;
    /// EC2 compares rules without their descriptions).
    public var isDuplicate: Bool { ["InvalidGroup.Duplicate", "InvalidPermission.Duplicate"].contains(code) }

    /// Whether the error says the caller is not allowed (`AccessDenied`, `AccessDeniedException`,
    /// `UnauthorizedOperation`, or a bodiless 403).
    public var isAccessDenied: Bool {
        ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden"].contains(code)
    }
}

/// Runs `body`, turning a not-found `AWSError` into nil.
func nilIfNotFound<T>(_ body: () throws -> T?) throws -> T? {
    do {
        return try body()
    } catch let error as AWSError where error.isNotFound {
        return nil
    }
}
