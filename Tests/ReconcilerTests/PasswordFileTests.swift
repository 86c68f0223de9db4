import Foundation
import TestSupport
import Testing

@testable import AWSServices
@testable import Reconciler

@Suite("The master password file, read at call time")
struct PasswordFileTests {
    @Test func passwordIsReadWithoutItsNewlineAndNeverPrinted() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/password"
            try writeFile(path, "s3cr3t-Passw0rd\n")
            let password = try AWSActionExecutor.readPassword(path)
            #expect(password.revealed == "s3cr3t-Passw0rd")
            #expect(!"\(password)".contains("s3cr3t"))
        }
    }

    @Test func unreadableOrEmptyFileIsTerminalAndNamesOnlyThePath() throws {
        try withTemporaryDirectory { directory in
            let empty = directory + "/empty"
            try writeFile(empty, "\n")
            for path in [directory + "/missing", empty] {
                do throws(ReconcileError) {
                    _ = try AWSActionExecutor.readPassword(path)
                    Issue.record("reading \(path) did not fail")
                } catch {
                    #expect(error.code == ErrorClassifier.passwordFileUnreadableCode)
                    #expect(error.errorClass == .terminal)
                    #expect(error.description.contains(path))
                    #expect(error.description.contains("readable by aurorad"))
                }
            }
        }
    }
}
