import Foundation
import ImportSpec
import Reconciler
import Testing

@Suite("Planner: an ingestion role the operator gives is verified, never modified")
struct PlannerGivenRoleTests {
    static let arn = "arn:aws:iam::123456789012:role/existing"
    let spec = Fixture.spec(ingestionRole: Self.arn)

    func observed(
        trust: PolicyDocument?, policies: [String: PolicyDocument] = [:],
        attached: [String: PolicyDocument] = [:]
    ) -> ObservedState {
        var state = Fixture.verifiedNothing()
        state.role = ObservedRole(
            name: "existing", arn: Self.arn, trustPolicy: trust, inlinePolicies: policies, attachedPolicies: attached)
        return state
    }

    @Test func verifiedRoleIsUsedForTheRestoreAsIs() throws {
        let inline = ["s3": ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")]
        let plan = Fixture.plan(spec, observed(trust: ManagedResources.trustPolicy(), policies: inline))
        #expect(plan.kinds == [[.restoreCluster]])
        guard case .restoreCluster(let p) = try #require(plan.actions.first) else { return }
        #expect(p.s3IngestionRoleArn == Self.arn)
        #expect(p.tags["aurorad:ingestion-role"] == "=\(Self.arn)")
        #expect(plan.reason(.roleReady) == "RoleVerified")
        #expect(plan.reason(.policyReady) == "PermissionsVerified")
        #expect(plan.phase == .pending)
    }

    @Test func broadAttachedPolicyCountsAsGrant() {
        let readOnly = PolicyDocument(statements: [
            PolicyStatement(actions: ["s3:Get*", "s3:List*"], resources: ["*"])
        ])
        let plan = Fixture.plan(
            spec, observed(trust: ManagedResources.trustPolicy(), attached: ["AmazonS3ReadOnlyAccess": readOnly]))
        #expect(plan.kinds == [[.restoreCluster]])
    }

    @Test func roleLackingTrustFailsWithoutAnyAction() {
        let inline = ["s3": ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")]
        let ec2 = PolicyDocument(statements: [
            PolicyStatement(principal: ["Service": ["ec2.amazonaws.com"]], actions: ["sts:AssumeRole"])
        ])
        let plan = Fixture.plan(spec, observed(trust: ec2, policies: inline))
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.roleReady) == "TrustPolicyLacksRDS")
        #expect(plan.condition(.ready)?.message.contains("rds.amazonaws.com") == true)
        #expect(plan.requeue == .resync)
    }

    @Test func roleLackingPermissionsNamesWhatIsMissing() {
        let listOnly = PolicyDocument(statements: [
            PolicyStatement(
                actions: ["s3:ListBucket", "s3:GetBucketLocation"],
                resources: ["arn:aws:s3:::my-import-bucket"])
        ])
        let plan = Fixture.plan(spec, observed(trust: ManagedResources.trustPolicy(), policies: ["l": listOnly]))
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.policyReady) == "PermissionsMissing")
        let message = plan.condition(.policyReady)?.message ?? ""
        #expect(message.contains("s3:GetObject on arn:aws:s3:::my-import-bucket/backup/*"))
        #expect(!message.contains("s3:ListBucket on"))
    }

    @Test func missingRoleFails() {
        let plan = Fixture.plan(spec, Fixture.verifiedNothing())
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.roleReady) == "RoleNotFound")
    }

    @Test func givenRoleInChinaIsCheckedAgainstChinaBucketARNs() {
        let china = Fixture.spec(ingestionRole: "arn:aws-cn:iam::123456789012:role/existing")
        let global = ["s3": ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")]
        var state = observed(trust: ManagedResources.trustPolicy(), policies: global)
        state.region = "cn-north-1"
        let plan = Fixture.plan(china, state)
        #expect(plan.reason(.policyReady) == "PermissionsMissing")
        #expect(plan.condition(.policyReady)?.message.contains("arn:aws-cn:s3:::my-import-bucket") == true)
    }

    @Test func convergedSpecWithGivenRoleIsReadyAndTouchesNoRole() {
        var state = Fixture.converged(spec)
        state.role = ObservedRole(
            name: "existing", arn: Self.arn, trustPolicy: ManagedResources.trustPolicy(),
            inlinePolicies: ["s3": ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws")])
        let plan = Fixture.plan(spec, state)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .ready)
    }
}
