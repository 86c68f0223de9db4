import AWSCore
import AWSServices
import Foundation
import Testing

/// The trust policy that lets RDS assume a role.
let rdsTrustPolicy =
    #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#

@Suite("IAM client against the emulator")
struct IAMClientEmulatorTests {
    @Test("Role lifecycle: create, read, trust, inline and managed policies, tags, batched details, delete")
    func roleLifecycle() throws {
        let logs = CapturedLogs()
        let client = try SharedEmulator.client(logs: logs)
        let iam = IAMClient(client: client)
        let name = uniqueName("aurorad-iam")
        let tags = [AWSTag(key: "managed-by", value: "aurorad"), AWSTag(key: "aurorad/spec", value: name)]

        #expect(try iam.getRole(roleName: name) == nil)
        let created = try iam.createRole(
            roleName: name, assumeRolePolicyDocument: rdsTrustPolicy, path: "/aurorad/", description: "test role",
            tags: tags)
        #expect(created.roleName == name)
        #expect(created.path == "/aurorad/")
        #expect(created.arn.hasSuffix(":role/aurorad/\(name)"))

        let role = try #require(try iam.getRole(roleName: name))
        #expect(role.arn == created.arn)
        #expect(role.description == "test role")
        #expect(Set(role.tags) == Set(tags))
        let trust = try JSONSerialization.jsonObject(with: Data(#require(role.assumeRolePolicyDocument).utf8))
        #expect(
            try JSONSerialization.jsonObject(with: Data(rdsTrustPolicy.utf8)) as? NSDictionary == trust as? NSDictionary
        )

        let newTrust = rdsTrustPolicy.replacingOccurrences(of: "rds.amazonaws.com", with: "ec2.amazonaws.com")
        try iam.updateAssumeRolePolicy(roleName: name, policyDocument: newTrust)
        #expect(try iam.getRole(roleName: name)?.assumeRolePolicyDocument?.contains("ec2.amazonaws.com") == true)

        let s3Policy =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/p/*"}]}"#
        try iam.putRolePolicy(roleName: name, policyName: "s3-read", policyDocument: s3Policy)
        try iam.putRolePolicy(roleName: name, policyName: "s3-list", policyDocument: s3Policy)
        #expect(
            try iam.getRolePolicy(roleName: name, policyName: "s3-read")?.policyDocument.contains("arn:aws:s3:::b/p/*")
                == true)
        #expect(try iam.getRolePolicy(roleName: name, policyName: "absent") == nil)

        // moto answers ListRolePolicies and GetAccountAuthorizationDetails in one page whatever MaxItems says;
        // their paging is covered with canned pages in IAMParsingTests.
        #expect(try Set(iam.listRolePolicies(roleName: name, maxItems: 1)) == ["s3-read", "s3-list"])

        try iam.tagRole(roleName: name, tags: [AWSTag(key: "extra", value: "")])
        #expect(try Set(iam.getRole(roleName: name)?.tags ?? []) == Set(tags + [AWSTag(key: "extra", value: "")]))

        // A managed policy, created and attached with raw Query calls (aurorad itself never does either).
        let policy = try client.query(.iam, action: "CreatePolicy") {
            $0.add("PolicyName", name + "-managed")
            $0.add("PolicyDocument", s3Policy)
        }
        let policyArn = try #require(policy.trimmedText(at: "Policy/Arn"))
        _ = try client.query(.iam, action: "AttachRolePolicy") {
            $0.add("RoleName", name)
            $0.add("PolicyArn", policyArn)
        }
        let attached = try iam.listAttachedRolePolicies(roleName: name, maxItems: 1)
        #expect(attached == [IAMAttachedPolicy(policyName: name + "-managed", policyArn: policyArn)])
        let managed = try #require(try iam.getPolicy(policyArn: policyArn))
        #expect(managed.defaultVersionId == "v1")
        let version = try #require(try iam.getPolicyVersion(policyArn: policyArn, versionId: "v1"))
        #expect(version.isDefaultVersion)
        #expect(version.document.contains("s3:GetObject"))
        let documents = try iam.attachedPolicyDocuments(roleName: name)
        #expect(documents.map(\.policy.policyArn) == [policyArn])
        #expect(try iam.getPolicy(policyArn: policyArn + "-absent") == nil)

        let details = try iam.listRoleDetails(maxItems: 1)
        let detail = try #require(details.first { $0.role.roleName == name })
        #expect(Set(detail.inlinePolicies.map(\.policyName)) == ["s3-read", "s3-list"])
        #expect(detail.inlinePolicies.allSatisfy { $0.policyDocument.contains("s3:GetObject") })
        #expect(detail.attachedPolicies.map(\.policyArn) == [policyArn])
        #expect(detail.role.assumeRolePolicyDocument?.contains("ec2.amazonaws.com") == true)
        #expect(Set(detail.role.tags).isSuperset(of: tags))

        _ = try client.query(.iam, action: "DetachRolePolicy") {
            $0.add("RoleName", name)
            $0.add("PolicyArn", policyArn)
        }
        try iam.deleteRolePolicy(roleName: name, policyName: "s3-read")
        try iam.deleteRolePolicy(roleName: name, policyName: "s3-list")
        #expect(try iam.listRolePolicies(roleName: name).isEmpty)
        try iam.deleteRole(roleName: name)
        #expect(try iam.getRole(roleName: name) == nil)
    }

    @Test("Deleting a role that does not exist is NoSuchEntity, a terminal not-found error")
    func deleteMissingRole() throws {
        let iam = IAMClient(client: try SharedEmulator.client())
        let error = try #require(throws: AWSError.self) { try iam.deleteRole(roleName: uniqueName("absent")) }
        #expect(error.code == "NoSuchEntity")
        #expect(error.isNotFound)
        #expect(error.kind == .terminal)
        #expect(error.requestId != nil)
    }
}
