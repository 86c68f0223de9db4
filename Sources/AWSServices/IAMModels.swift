import AWSCore
import Foundation

/// An IAM role as `GetRole` and `CreateRole` return it (botocore iam `Role`).
public struct IAMRole: Sendable, Equatable {
    /// The role name.
    public var roleName: String
    /// The stable id (`AROA…`).
    public var roleId: String
    /// The role ARN.
    public var arn: String
    /// The path (`/` by default).
    public var path: String
    /// The trust policy, URL-decoded JSON text (IAM sends it URL-encoded).
    public var assumeRolePolicyDocument: String?
    /// The description, if any.
    public var description: String?
    /// The role's tags (GetRole returns them; CreateRole echoes those given).
    public var tags: [AWSTag]
    /// The ARN of the policy bounding the role's permissions, if any (`PermissionsBoundary`).
    public var permissionsBoundaryArn: String?

    public init(
        roleName: String, roleId: String, arn: String, path: String, assumeRolePolicyDocument: String?,
        description: String?, tags: [AWSTag], permissionsBoundaryArn: String? = nil
    ) {
        self.roleName = roleName
        self.roleId = roleId
        self.arn = arn
        self.path = path
        self.assumeRolePolicyDocument = assumeRolePolicyDocument
        self.description = description
        self.tags = tags
        self.permissionsBoundaryArn = permissionsBoundaryArn
    }

    /// Reads a `<Role>` (or `<member>` of a RoleDetailList, which has the same leading members).
    init(element: AWSXMLElement, action: String) throws {
        let reader = ResultReader(service: .iam, action: action)
        roleName = try reader.required(element, "RoleName")
        roleId = try reader.required(element, "RoleId")
        arn = try reader.required(element, "Arn")
        path = element.trimmedText(at: "Path") ?? "/"
        assumeRolePolicyDocument = element.trimmedText(at: "AssumeRolePolicyDocument").map(IAMPolicyText.decode)
        description = element.trimmedText(at: "Description")
        tags = try reader.tags(element.elements(at: "Tags/member"))
        permissionsBoundaryArn = element.trimmedText(at: "PermissionsBoundary/PermissionsBoundaryArn")
    }
}

/// An inline policy of a role: its name and URL-decoded document.
public struct IAMInlinePolicy: Sendable, Equatable {
    /// The policy name.
    public var policyName: String
    /// The policy JSON text, URL-decoded.
    public var policyDocument: String

    public init(policyName: String, policyDocument: String) {
        self.policyName = policyName
        self.policyDocument = policyDocument
    }
}

/// A managed policy attached to a role (botocore iam `AttachedPolicy`).
public struct IAMAttachedPolicy: Sendable, Equatable {
    /// The policy name.
    public var policyName: String
    /// The policy ARN.
    public var policyArn: String

    public init(policyName: String, policyArn: String) {
        self.policyName = policyName
        self.policyArn = policyArn
    }

    init(element: AWSXMLElement, reader: ResultReader) throws {
        policyName = try reader.required(element, "PolicyName")
        policyArn = try reader.required(element, "PolicyArn")
    }
}

/// A managed policy's metadata from `GetPolicy` (botocore iam `Policy`).
public struct IAMManagedPolicy: Sendable, Equatable {
    /// The policy name.
    public var policyName: String
    /// The policy ARN.
    public var arn: String
    /// The version that is in force (`v1`, …).
    public var defaultVersionId: String

    public init(policyName: String, arn: String, defaultVersionId: String) {
        self.policyName = policyName
        self.arn = arn
        self.defaultVersionId = defaultVersionId
    }
}

/// One version of a managed policy from `GetPolicyVersion` (botocore iam `PolicyVersion`).
public struct IAMPolicyVersion: Sendable, Equatable {
    /// The version id (`v1`, …).
    public var versionId: String
    /// Whether this is the version in force.
    public var isDefaultVersion: Bool
    /// The policy JSON text, URL-decoded.
    public var document: String

    public init(versionId: String, isDefaultVersion: Bool, document: String) {
        self.versionId = versionId
        self.isDefaultVersion = isDefaultVersion
        self.document = document
    }
}

/// A role with everything `GetAccountAuthorizationDetails` (Filter=Role) reports: trust, inline and attached
/// policies, tags (botocore iam `RoleDetail`).
public struct IAMRoleDetail: Sendable, Equatable {
    /// The role, with its trust policy and tags.
    public var role: IAMRole
    /// The inline policies, documents URL-decoded.
    public var inlinePolicies: [IAMInlinePolicy]
    /// The attached managed policies.
    public var attachedPolicies: [IAMAttachedPolicy]

    public init(role: IAMRole, inlinePolicies: [IAMInlinePolicy], attachedPolicies: [IAMAttachedPolicy]) {
        self.role = role
        self.inlinePolicies = inlinePolicies
        self.attachedPolicies = attachedPolicies
    }

    /// Reads one `<member>` of `<RoleDetailList>`.
    init(element: AWSXMLElement) throws {
        let reader = ResultReader(service: .iam, action: "GetAccountAuthorizationDetails")
        role = try IAMRole(element: element, action: reader.action)
        inlinePolicies = try element.elements(at: "RolePolicyList/member").map {
            IAMInlinePolicy(
                policyName: try reader.required($0, "PolicyName"),
                policyDocument: IAMPolicyText.decode(try reader.required($0, "PolicyDocument")))
        }
        attachedPolicies = try element.elements(at: "AttachedManagedPolicies/member").map {
            try IAMAttachedPolicy(element: $0, reader: reader)
        }
    }
}

/// IAM policy documents arrive URL-encoded (RFC 3986) inside the XML; this undoes that.
enum IAMPolicyText {
    /// The decoded document; text that is not valid percent-encoding is returned unchanged.
    static func decode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }
}
