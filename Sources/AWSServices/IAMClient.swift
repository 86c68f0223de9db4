import AWSCore
import Foundation

/// The IAM calls the reconciler makes (botocore iam 2010-05-08; lists are `Name.member.N`).
///
/// Reads of one thing by name return nil when it does not exist; list calls follow `Marker` to the end (bounded by
/// `Pagination`); `maxItems` sets the page size.
public struct IAMClient: Sendable {
    /// The shared client.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) {
        self.client = client
    }

    /// `GetRole`: the role with its trust policy and tags, or nil when there is no such role.
    public func getRole(roleName: String) throws -> IAMRole? {
        try nilIfNotFound {
            let result = try client.query(.iam, action: "GetRole") { $0.add("RoleName", roleName) }
            guard let role = result.child("Role") else {
                throw AWSResponseError(service: .iam, action: "GetRole", reason: "<GetRoleResult> has no <Role>")
            }
            return try IAMRole(element: role, action: "GetRole")
        }
    }

    /// `CreateRole` with a trust policy, description, permissions boundary and tags; returns the new role.
    public func createRole(
        roleName: String, assumeRolePolicyDocument: String, path: String? = nil, description: String? = nil,
        permissionsBoundary: String? = nil, tags: [AWSTag]? = nil
    ) throws -> IAMRole {
        let result = try client.query(.iam, action: "CreateRole") {
            $0.add("Path", path)
            $0.add("RoleName", roleName)
            $0.add("AssumeRolePolicyDocument", assumeRolePolicyDocument)
            $0.add("Description", description)
            $0.add("PermissionsBoundary", permissionsBoundary)
            $0.addTags(tags, member: QueryListMember.member)
        }
        guard let role = result.child("Role") else {
            throw AWSResponseError(service: .iam, action: "CreateRole", reason: "<CreateRoleResult> has no <Role>")
        }
        return try IAMRole(element: role, action: "CreateRole")
    }

    /// `UpdateAssumeRolePolicy`: replaces the role's trust policy.
    public func updateAssumeRolePolicy(roleName: String, policyDocument: String) throws {
        _ = try client.query(.iam, action: "UpdateAssumeRolePolicy") {
            $0.add("RoleName", roleName)
            $0.add("PolicyDocument", policyDocument)
        }
    }

    /// `GetRolePolicy`: the inline policy's URL-decoded document, or nil when the role or policy does not exist.
    public func getRolePolicy(roleName: String, policyName: String) throws -> IAMInlinePolicy? {
        try nilIfNotFound {
            let result = try client.query(.iam, action: "GetRolePolicy") {
                $0.add("RoleName", roleName)
                $0.add("PolicyName", policyName)
            }
            let reader = ResultReader(service: .iam, action: "GetRolePolicy")
            return IAMInlinePolicy(
                policyName: try reader.required(result, "PolicyName"),
                policyDocument: IAMPolicyText.decode(try reader.required(result, "PolicyDocument")))
        }
    }

    /// `PutRolePolicy`: creates or replaces an inline policy.
    public func putRolePolicy(roleName: String, policyName: String, policyDocument: String) throws {
        _ = try client.query(.iam, action: "PutRolePolicy") {
            $0.add("RoleName", roleName)
            $0.add("PolicyName", policyName)
            $0.add("PolicyDocument", policyDocument)
        }
    }

    /// `ListRolePolicies`, every page: the names of the role's inline policies.
    public func listRolePolicies(roleName: String, maxItems: Int? = nil) throws -> [String] {
        try paginate("ListRolePolicies", maxItems: maxItems, { $0.add("RoleName", roleName) }) { result in
            result.elements(at: "PolicyNames/member").compactMap { $0.trimmedText(at: "") }
        }
    }

    /// `DeleteRolePolicy`.
    public func deleteRolePolicy(roleName: String, policyName: String) throws {
        _ = try client.query(.iam, action: "DeleteRolePolicy") {
            $0.add("RoleName", roleName)
            $0.add("PolicyName", policyName)
        }
    }

    /// `DeleteRole` (inline policies must be deleted and managed ones detached first).
    public func deleteRole(roleName: String) throws {
        _ = try client.query(.iam, action: "DeleteRole") { $0.add("RoleName", roleName) }
    }

    /// `TagRole`: adds or overwrites tags.
    public func tagRole(roleName: String, tags: [AWSTag]) throws {
        _ = try client.query(.iam, action: "TagRole") {
            $0.add("RoleName", roleName)
            $0.addTags(tags, member: QueryListMember.member)
        }
    }

    /// `PutRolePermissionsBoundary`: sets (or replaces) the managed policy bounding the role's permissions.
    public func putRolePermissionsBoundary(roleName: String, permissionsBoundary: String) throws {
        _ = try client.query(.iam, action: "PutRolePermissionsBoundary") {
            $0.add("RoleName", roleName)
            $0.add("PermissionsBoundary", permissionsBoundary)
        }
    }

    /// `AttachRolePolicy`: attaches a managed policy (attaching one already attached changes nothing).
    public func attachRolePolicy(roleName: String, policyArn: String) throws {
        _ = try client.query(.iam, action: "AttachRolePolicy") {
            $0.add("RoleName", roleName)
            $0.add("PolicyArn", policyArn)
        }
    }

    /// `DetachRolePolicy`: detaches a managed policy (a role's managed policies must be detached before DeleteRole).
    public func detachRolePolicy(roleName: String, policyArn: String) throws {
        _ = try client.query(.iam, action: "DetachRolePolicy") {
            $0.add("RoleName", roleName)
            $0.add("PolicyArn", policyArn)
        }
    }

    /// `ListAttachedRolePolicies`, every page: the managed policies attached to the role.
    public func listAttachedRolePolicies(roleName: String, maxItems: Int? = nil) throws -> [IAMAttachedPolicy] {
        let reader = ResultReader(service: .iam, action: "ListAttachedRolePolicies")
        return try paginate("ListAttachedRolePolicies", maxItems: maxItems, { $0.add("RoleName", roleName) }) {
            try $0.elements(at: "AttachedPolicies/member").map { try IAMAttachedPolicy(element: $0, reader: reader) }
        }
    }

    /// `GetPolicy`: a managed policy's metadata (its default version), or nil when it does not exist.
    public func getPolicy(policyArn: String) throws -> IAMManagedPolicy? {
        try nilIfNotFound {
            let result = try client.query(.iam, action: "GetPolicy") { $0.add("PolicyArn", policyArn) }
            let reader = ResultReader(service: .iam, action: "GetPolicy")
            return IAMManagedPolicy(
                policyName: try reader.required(result, "Policy/PolicyName"),
                arn: try reader.required(result, "Policy/Arn"),
                defaultVersionId: try reader.required(result, "Policy/DefaultVersionId"))
        }
    }

    /// `GetPolicyVersion`: one version's URL-decoded document, or nil when it does not exist.
    public func getPolicyVersion(policyArn: String, versionId: String) throws -> IAMPolicyVersion? {
        try nilIfNotFound {
            let result = try client.query(.iam, action: "GetPolicyVersion") {
                $0.add("PolicyArn", policyArn)
                $0.add("VersionId", versionId)
            }
            let reader = ResultReader(service: .iam, action: "GetPolicyVersion")
            return IAMPolicyVersion(
                versionId: try reader.required(result, "PolicyVersion/VersionId"),
                isDefaultVersion: result.bool(at: "PolicyVersion/IsDefaultVersion") ?? false,
                document: IAMPolicyText.decode(try reader.required(result, "PolicyVersion/Document")))
        }
    }

    /// The documents in force of every managed policy attached to the role (ListAttachedRolePolicies, then
    /// GetPolicy and GetPolicyVersion of the default version for each); a policy deleted meanwhile is skipped.
    public func attachedPolicyDocuments(roleName: String) throws -> [(policy: IAMAttachedPolicy, document: String)] {
        try listAttachedRolePolicies(roleName: roleName).compactMap { attached in
            guard let policy = try getPolicy(policyArn: attached.policyArn),
                let version = try getPolicyVersion(policyArn: attached.policyArn, versionId: policy.defaultVersionId)
            else { return nil }
            return (attached, version.document)
        }
    }

    /// `GetAccountAuthorizationDetails` with `Filter=Role`, every page: every role of the account with its trust,
    /// inline and attached policies and tags, in a few calls (the batched read of a resync).
    public func listRoleDetails(maxItems: Int? = nil) throws -> [IAMRoleDetail] {
        try paginate("GetAccountAuthorizationDetails", maxItems: maxItems, { $0.addList("Filter", ["Role"]) }) {
            try $0.elements(at: "RoleDetailList/member").map(IAMRoleDetail.init(element:))
        }
    }

    /// Every page of an IAM listing: `build` writes the call's own members, then `Marker` and `MaxItems` follow
    /// (botocore's member order); `items` reads one page.
    private func paginate<Item>(
        _ action: String, maxItems: Int?, _ build: (inout QueryEncoding) -> Void,
        items: (AWSXMLElement) throws -> [Item]
    ) throws -> [Item] {
        try Pagination.collect("IAM \(action)") { marker in
            let result = try client.query(.iam, action: action) {
                build(&$0)
                $0.add("Marker", marker)
                $0.add("MaxItems", maxItems)
            }
            return (try items(result), Pagination.iamNextMarker(result))
        }.flatMap { $0 }
    }
}
