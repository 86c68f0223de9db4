import AWSCore
@testable import Reconciler
import Testing

@Suite("AWS errors mapped to the reconciler's classified errors")
struct AWSErrorMappingTests {
    @Test func credentialsThatCannotBeObtainedAreAnAuthenticationFailureNotANetworkError() {
        let cause = CredentialError(.expired, "The credentials expired and could not be refreshed.")
        let observation = AWSErrorMapping.observation(cause, operation: "GetRole")
        #expect(observation.code == ErrorClassifier.credentialsUnavailableCode)
        #expect(observation.errorClass == .terminal)
        #expect(observation.description.contains("AWS did not accept aurorad's credentials"))
        let action = AWSErrorMapping.action(cause, kind: .createRole)
        #expect(action.code == ErrorClassifier.credentialsUnavailableCode)
        #expect(action.errorClass == .terminal)
    }

    @Test func accessDeniedNamesThePermissionsToGrant() {
        let error = ReconcileError(
            action: .putRolePolicy, code: "AccessDenied", message: "User x is not authorized", httpStatus: 403)
        #expect(error.description.contains("grant that permission (iam:PutRolePolicy)"))
        #expect(error.description.hasSuffix(ErrorClassifier.retryAtResync))
        #expect(RequiredPermissions.forOperation("ListObjectsV2") == ["s3:ListBucket"])
        #expect(RequiredPermissions.forOperation("CreateDBInstance") == ["rds:CreateDBInstance", "rds:AddTagsToResource"])
        #expect(RequiredPermissions.forOperation("NoSuchOperation").isEmpty)
    }
}
