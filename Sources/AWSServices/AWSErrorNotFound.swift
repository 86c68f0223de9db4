import AWSCore

extension AWSError {
    /// The error codes that say the thing asked about does not exist: the wire codes of botocore's models (IAM
    /// `NoSuchEntity`, RDS `DBClusterNotFoundFault` / `DBInstanceNotFound` / `DBClusterRoleNotFound`, S3
    /// `NoSuchBucket` / `NoSuchKey`), the RDS shape names an emulator may send instead (`DBInstanceNotFoundFault`,
    /// `DBClusterRoleNotFoundFault`), and `NotFound` for a 404 without a body, as HeadBucket answers.
    public static let notFoundCodes: Set<String> = [
        "NoSuchEntity", "DBClusterNotFoundFault", "DBInstanceNotFound", "DBInstanceNotFoundFault",
        "DBClusterRoleNotFound", "DBClusterRoleNotFoundFault", "NoSuchBucket", "NoSuchKey", "NotFound",
    ]

    /// Whether the error says the resource does not exist: an observation, not a failure.
    public var isNotFound: Bool { Self.notFoundCodes.contains(code) }

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
