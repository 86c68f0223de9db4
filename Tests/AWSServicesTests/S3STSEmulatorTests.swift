import AWSCore
import AWSServices
import Foundation
import Testing

@Suite("S3 and STS clients, authentication and whoami against the emulator")
struct S3STSEmulatorTests {
    let bucket = "aurorad-demo-backups"

    @Test("S3: GetBucketLocation, ListObjectsV2 over several pages, ranged GetObject")
    func s3Reads() throws {
        let logs = CapturedLogs()
        let s3 = S3Client(client: try SharedEmulator.client(logs: logs))
        #expect(try s3.getBucketLocation(bucket: bucket) == "eu-west-1")
        #expect(try s3.getBucketLocation(bucket: uniqueName("absent-bucket")) == nil)

        let all = try s3.listObjectsV2(bucket: bucket, prefix: "backup/", maxKeys: 1000)
        #expect(all.nextContinuationToken == nil)
        #expect(all.objects.count >= 3)
        #expect(all.objects.allSatisfy { $0.key.hasPrefix("backup/") })
        #expect(all.objects.contains { $0.key == "backup/xtrabackup_checkpoints" })

        var paged: [S3Object] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try s3.listObjectsV2(bucket: bucket, prefix: "backup/", continuationToken: token, maxKeys: 2)
            paged += page.objects
            token = page.nextContinuationToken
            pages += 1
        } while token != nil && pages < 100
        #expect(paged == all.objects)
        #expect(pages == (all.objects.count + 1) / 2)

        let checkpoints = try #require(all.objects.first { $0.key == "backup/xtrabackup_checkpoints" })
        let head = try #require(try s3.getObject(bucket: bucket, key: checkpoints.key, maxBytes: 10))
        #expect(head.data.count == 10)
        #expect(head.objectSize == checkpoints.size)
        #expect(!head.isComplete)
        let whole = try #require(try s3.getObject(bucket: bucket, key: checkpoints.key, maxBytes: 1 << 20))
        #expect(whole.isComplete)
        #expect(String(decoding: whole.data, as: UTF8.self).contains("backup_type"))
        #expect(whole.data.prefix(10) == head.data)
        #expect(try s3.getObject(bucket: bucket, key: "backup/absent", maxBytes: 10) == nil)
    }

    @Test("STS GetCallerIdentity names the caller")
    func callerIdentity() throws {
        // moto denies AssumeRole even to the admin user; AssumeRole and the chain's STS path are covered with canned
        // AWS answers in STSParsingTests.
        let me = try STSClient(client: try SharedEmulator.client()).getCallerIdentity()
        #expect(me.arn.hasSuffix(":user/aurorad-admin"))
        #expect(me.account.count == 12)
        #expect(me.userId.count > 0)
    }

    @Test("A wrong secret key is SignatureDoesNotMatch: terminal, one attempt, no secret in the error")
    func wrongSecret() throws {
        let emulator = try SharedEmulator.get()
        let wrong = AWSCredentials(
            accessKeyId: emulator.adminCredentials.accessKeyId, secretAccessKey: "wrong-secret-key-0123456789")
        let attempts = AttemptCounter()
        let logs = CapturedLogs()
        let options = AWSClientOptions(
            credentials: wrong, beforeAttempt: { _ in attempts.increment() }, sleeper: { _ in })
        let client = try AWSClient(
            environment: SharedEmulator.environment(emulator), options: options, logger: logs.logger)
        let error = try #require(throws: AWSError.self) { try STSClient(client: client).getCallerIdentity() }
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.kind == .terminal)
        #expect(attempts.value == 1)
        #expect(!"\(error)".contains(wrong.secretAccessKey))
        #expect(!logs.text.contains(wrong.secretAccessKey))
    }

    @Test("The limited user gets AccessDenied from RDS: terminal, one attempt")
    func accessDenied() throws {
        let emulator = try SharedEmulator.get()
        let attempts = AttemptCounter()
        let client = try SharedEmulator.client(credentials: emulator.limitedCredentials, attempts: attempts)
        let error = try #require(throws: AWSError.self) {
            try RDSClient(client: client).describeDBClusters(identifiers: ["any"])
        }
        #expect(error.code == "AccessDenied")
        #expect(error.isAccessDenied)
        #expect(error.status == 403)
        #expect(error.kind == .terminal)
        #expect(attempts.value == 1)
    }

    @Test("whoami: identity, credential source, region and every endpoint with its source")
    func whoami() throws {
        let emulator = try SharedEmulator.get()
        let client = try SharedEmulator.client(extraEnvironment: ["AWS_ENDPOINT_URL_RDS": emulator.endpoint + "/"])
        let report = try WhoAmI.report(client: client)
        #expect(report.arn.hasSuffix(":user/aurorad-admin"))
        #expect(report.credentialSource == "environment")
        #expect(report.region == "eu-west-1")
        #expect(report.regionSource == "AWS_REGION")
        #expect(report.endpoints.map(\.service) == ["ec2", "iam", "rds", "s3", "sts"])
        #expect(report.endpoints.first { $0.service == "rds" }?.source == "AWS_ENDPOINT_URL_RDS")
        #expect(report.endpoints.first { $0.service == "iam" }?.source == "AWS_ENDPOINT_URL")
        #expect(report.endpoints.allSatisfy { $0.url == emulator.endpoint && $0.signingRegion == "eu-west-1" })
        #expect(report.text.contains("account:      \(report.account)"))
        #expect(report.text.contains("rds  \(emulator.endpoint) (from AWS_ENDPOINT_URL_RDS, signed for eu-west-1)"))
        let decoded = try JSONDecoder().decode(WhoAmIReport.self, from: report.json())
        #expect(decoded == report)
        #expect(!report.text.contains(emulator.adminCredentials.secretAccessKey))
    }
}
