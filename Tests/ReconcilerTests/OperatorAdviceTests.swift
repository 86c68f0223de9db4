import Reconciler
import Testing

@Suite("Terminal errors name what to grant and that aurorad retries")
struct OperatorAdviceTests {
    @Test func accessDeniedNamesThePermissionsToGrant() {
        let error = ReconcileError(
            action: .putRolePolicy, code: "AccessDenied", message: "User x is not authorized", httpStatus: 403)
        #expect(error.description.contains("grant that permission (iam:PutRolePolicy)"))
        #expect(error.description.hasSuffix(ErrorClassifier.retryAtResync))
        #expect(RequiredPermissions.forOperation("ListObjectsV2") == ["s3:ListBucket"])
        #expect(
            RequiredPermissions.forOperation("CreateDBInstance")
                == ["rds:CreateDBInstance", "rds:AddTagsToResource", "iam:PassRole"])
        #expect(RequiredPermissions.forOperation("NoSuchOperation").isEmpty)
    }
}
