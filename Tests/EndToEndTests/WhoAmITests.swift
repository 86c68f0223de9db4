import AWSCore
import AWSServices
import Foundation
import Logging
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

    @Test func reportsTheContainerEndpointAsTheSourceAndNeverItsSecrets() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        let task = try Self.assumeTaskRole(emulator)
        // The AWSCore tests' local container credentials endpoint, serving the task role's temporary credentials.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AWSCoreTests/Resources/container/container_server.py")
        let served = task.credentials
        let sessionToken = try #require(served.sessionToken)
        try PythonServerProcess.run(
            script: script,
            arguments: [
                "--token", "pod-identity-token", "--access-key-id", served.accessKeyId,
                "--secret-access-key", served.secretAccessKey, "--session-token", sessionToken,
            ]
        ) { container in
            var environment = emulator.environment
            environment["AWS_ACCESS_KEY_ID"] = nil
            environment["AWS_SECRET_ACCESS_KEY"] = nil
            environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(container.port)/v1/credentials"
            environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "pod-identity-token"
            let result = try ChildProcess.run(
                BuiltProducts.aurorad, ["aws", "whoami", "--json"], environment: environment, timeout: 60)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(report["arn"] as? String == task.assumedRoleArn)
            #expect(
                report["credentialSource"] as? String
                    == "container credentials endpoint http://127.0.0.1:\(container.port)/v1/credentials")
            for secret in ["pod-identity-token", served.secretAccessKey, sessionToken] {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
            }
        }
    }

    /// Temporary credentials of a role the emulator's admin creates and assumes, as ECS or EKS would hand a task.
    private static func assumeTaskRole(_ emulator: EmulatorProcess) throws -> AssumedRole {
        let admin = try AWSClient(
            environment: emulator.environment, logger: Logger(label: "whoami-test") { _ in SwiftLogNoOpLogHandler() })
        let caller = try STSClient(client: admin).getCallerIdentity().arn
        let trust = """
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", \
            "Principal": {"AWS": "\(caller)"}, "Action": "sts:AssumeRole"}]}
            """
        let role = try IAMClient(client: admin).createRole(roleName: "aurorad-task", assumeRolePolicyDocument: trust)
        try IAMClient(client: admin).putRolePolicy(
            roleName: "aurorad-task", policyName: "whoami",
            policyDocument: """
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", \
                "Resource": "*"}]}
                """)
        return try STSClient(client: admin).assumeRole(roleArn: role.arn, sessionName: "ecs-task")
    }
}
