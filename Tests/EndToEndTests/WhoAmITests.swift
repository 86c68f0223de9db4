import Foundation
import Testing
import TestSupport

/// `aurorad aws whoami` against the emulator, as an operator runs it on a new host.
@Suite struct WhoAmITests {
    @Test func reportsIdentityRegionAndEndpoints() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let result = try ChildProcess.run(
            BuiltProducts.aurorad, ["aws", "whoami", "--json"], environment: emulator.environment, timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((report["arn"] as? String)?.hasSuffix(":user/aurorad-admin") == true)
        #expect((report["account"] as? String)?.count == 12)
        #expect(report["region"] as? String == "eu-west-1")
        #expect((report["credentialSource"] as? String)?.contains("environment") == true)
        let endpoints = try #require(report["endpoints"] as? [[String: Any]])
        #expect(Set(endpoints.compactMap { $0["service"] as? String }).isSuperset(of: ["iam", "rds", "s3", "sts"]))
        #expect(endpoints.allSatisfy { $0["url"] as? String == emulator.endpoint })
        #expect(!result.stdout.contains(emulator.adminCredentials.secretAccessKey))

        let text = try ChildProcess.run(BuiltProducts.aurorad, ["aws", "whoami"], environment: emulator.environment)
        #expect(text.status == 0 && text.stdout.contains("aurorad-admin"))

        var wrong = emulator.environment
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let refused = try ChildProcess.run(BuiltProducts.aurorad, ["aws", "whoami"], environment: wrong, timeout: 60)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("SignatureDoesNotMatch"))
        #expect(!refused.stderr.contains("not-the-secret"))
    }
}
