import Reconciler
import Testing

@Suite("Planner: an SSE-KMS encrypted backup")
struct PlannerBackupKMSTests {
    let spec = Fixture.spec()
    let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    var policyWithDecrypt: PolicyDocument {
        ManagedResources.inlinePolicy(bucket: "my-import-bucket", partition: "aws", kmsKeyArn: key)
    }

    @Test func managedRolePolicyGrantsDecryptOnTheBackupsKey() {
        var observed = Fixture.verifiedNothing()
        observed.backup = .kmsEncrypted(.verified(serverVersion: "5.7.12-log"), kmsKeyId: key)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [[.createRole], [.putRolePolicy]])
        guard case .putRolePolicy(_, _, let policy)? = plan.steps.last?.first else {
            Issue.record("expected the policy to be put")
            return
        }
        #expect(policy == policyWithDecrypt)
        #expect(policy.statements.contains { $0.actions == ["kms:Decrypt"] && $0.resources == [key] })
        #expect(ManagedResources.kmsKeyArn(in: policy) == key)
        #expect(plan.status(.backupVerified) == .true)
        let message = plan.condition(.backupVerified)?.message ?? ""
        #expect(message.contains("SSE-KMS encrypted with \(key): aurorad grants its managed role kms:Decrypt"))
    }

    @Test func aGrantAlreadyMadeIsKeptOnceTheClusterExists() {
        var observed = Fixture.converged(spec)
        observed.role?.inlinePolicies[ManagedResources.inlinePolicyName] = policyWithDecrypt
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty, "\(plan.actions)")
        #expect(plan.status(.policyReady) == .true)
    }

    @Test func givenRoleIsToldItNeedsDecrypt() {
        let given = Fixture.spec(ingestionRole: Fixture.roleArn("team-import"))
        var observed = Fixture.verifiedNothing()
        observed.backup = .kmsEncrypted(.verified(serverVersion: "5.7.12-log"), kmsKeyId: key)
        let plan = Fixture.plan(given, observed)
        let message = plan.condition(.backupVerified)?.message ?? ""
        #expect(message.contains("the ingestion role \(Fixture.roleArn("team-import")) needs kms:Decrypt on that key"))
    }

    @Test func kmsBackupFromAnotherMajorVersionStillFails() {
        var observed = Fixture.verifiedNothing()
        observed.backup = .kmsEncrypted(.verified(serverVersion: "8.0.36"), kmsKeyId: key)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.reason(.backupVerified) == "SourceVersionMismatch")
    }

    @Test func streamedKMSBackupIsAWarningNamingTheKey() {
        var observed = Fixture.verifiedNothing()
        observed.backup = .kmsEncrypted(.warning("The backup is streamed."), kmsKeyId: key)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.status(.backupVerified) == .unknown)
        #expect(plan.condition(.backupVerified)?.message.contains("SSE-KMS encrypted with \(key)") == true)
        #expect(plan.kinds == [[.createRole], [.putRolePolicy]])
    }
}
