import Reconciler
import Testing

@Suite("Planner: an SSE-KMS encrypted backup")
struct PlannerBackupKMSTests {
    let spec = Fixture.spec()
    let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    @Test func verifiedKMSBackupProceedsAndNamesTheKeyTheRoleNeeds() {
        var observed = Fixture.verifiedNothing()
        observed.backup = .kmsEncrypted(.verified(serverVersion: "5.7.12-log"), kmsKeyId: key)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.kinds == [[.createRole], [.putRolePolicy]])
        #expect(plan.status(.backupVerified) == .true)
        let message = plan.condition(.backupVerified)?.message ?? ""
        #expect(message.contains("SSE-KMS encrypted with \(key): the ingestion role needs kms:Decrypt"), "\(message)")
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
        #expect(plan.condition(.backupVerified)?.message.contains("kms:Decrypt on that key") == true)
        #expect(plan.kinds == [[.createRole], [.putRolePolicy]])
    }
}
