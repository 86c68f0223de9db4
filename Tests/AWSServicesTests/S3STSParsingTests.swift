import AWSCore
import AWSServices
import Foundation
import Synchronization
import Testing

/// S3 and STS answers in the shape of their API References' sample responses.
@Suite("S3 and STS request encoding and response parsing")
struct S3STSParsingTests {
    @Test("ListObjectsV2: objects, continuation token, path-style request with the payload hash header")
    func listObjects() throws {
        let page = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>backup/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
              <Contents><Key>backup/ibdata1</Key><LastModified>2026-03-01T10:00:00.250Z</LastModified>
                <ETag>"599bab3ed2c697f1d26842727561fd94"</ETag><Size>12582912</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>backup/xtrabackup_checkpoints</Key><LastModified>2026-03-01T10:00:01Z</LastModified>
                <Size>123</Size></Contents>
            </ListBucketResult>
            """
        let transport = StubTransport(bodies: [page])
        let result = try S3Client(client: StubTransport.client(transport)).listObjectsV2(
            bucket: "bucket", prefix: "backup/", maxKeys: 2)
        #expect(result.objects.map(\.key) == ["backup/ibdata1", "backup/xtrabackup_checkpoints"])
        #expect(result.objects[0].size == 12_582_912)
        #expect(result.objects[0].lastModified == Date(timeIntervalSince1970: 1_772_359_200.25))
        #expect(result.objects[1].lastModified == Date(timeIntervalSince1970: 1_772_359_201))
        #expect(result.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        let request = transport.requests[0]
        #expect(request.host == "s3.eu-west-1.amazonaws.com")
        #expect(request.path == "/bucket")
        #expect(
            request.query == [QueryItem("list-type", "2"), QueryItem("max-keys", "2"), QueryItem("prefix", "backup/")])
        #expect(request.header("X-Amz-Content-SHA256") == SigV4Signer.emptyPayloadHash)
    }

    @Test("GetBucketLocation: empty means us-east-1, EU means eu-west-1")
    func bucketLocation() throws {
        let xmlns = #"xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#
        let transport = StubTransport(bodies: [
            "<LocationConstraint \(xmlns)/>", "<LocationConstraint \(xmlns)>EU</LocationConstraint>",
            "<LocationConstraint \(xmlns)>ap-south-1</LocationConstraint>",
        ])
        let s3 = S3Client(client: try StubTransport.client(transport))
        #expect(try s3.getBucketLocation(bucket: "b") == "us-east-1")
        #expect(try s3.getBucketLocation(bucket: "b") == "eu-west-1")
        #expect(try s3.getBucketLocation(bucket: "b") == "ap-south-1")
        #expect(S3Client.region(locationConstraint: "null") == "us-east-1")
        #expect(transport.requests[0].query == [QueryItem("location", "")])
    }

    @Test("GetObject sends Range and caps what a server ignoring it sends")
    func rangedGet() throws {
        let transport = StubTransport([
            HTTPResponse(
                status: 206, headers: [HTTPHeader("Content-Range", "bytes 0-3/1000")], body: Data("abcd".utf8)),
            HTTPResponse(status: 200, body: Data("abcdefgh".utf8)),
        ])
        let s3 = S3Client(client: try StubTransport.client(transport))
        let ranged = try #require(try s3.getObject(bucket: "b", key: "backup/x y", maxBytes: 4))
        #expect(ranged.data == Data("abcd".utf8) && ranged.objectSize == 1000 && !ranged.isComplete)
        #expect(transport.requests[0].header("Range") == "bytes=0-3")
        #expect(transport.requests[0].path == "/b/backup/x y")
        let capped = try #require(try s3.getObject(bucket: "b", key: "k", maxBytes: 4))
        #expect(capped.data == Data("abcd".utf8) && capped.objectSize == 8)
    }

    @Test("HeadObject reads size and SSE-KMS headers without a body; 404 is nil")
    func headObject() throws {
        let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let transport = StubTransport([
            HTTPResponse(
                status: 200,
                headers: [
                    HTTPHeader("Content-Length", "5497558138880"),
                    HTTPHeader("x-amz-server-side-encryption", "aws:kms"),
                    HTTPHeader("x-amz-server-side-encryption-aws-kms-key-id", key),
                ]),
            HTTPResponse(
                status: 200,
                headers: [
                    HTTPHeader("Content-Length", "12"), HTTPHeader("x-amz-server-side-encryption", "AES256"),
                ]),
            HTTPResponse(status: 404),
        ])
        let s3 = S3Client(client: try StubTransport.client(transport))
        let kms = try #require(try s3.headObject(bucket: "b", key: "backup/ibdata1"))
        #expect(kms == S3ObjectHead(size: 5_497_558_138_880, serverSideEncryption: "aws:kms", kmsKeyId: key))
        #expect(kms.isKMSEncrypted)
        #expect(transport.requests[0].method == "HEAD" && transport.requests[0].path == "/b/backup/ibdata1")
        let sses3 = try #require(try s3.headObject(bucket: "b", key: "k"))
        #expect(!sses3.isKMSEncrypted && sses3.kmsKeyId == nil)
        #expect(try s3.headObject(bucket: "b", key: "absent") == nil)
    }

    static let assumeRole = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
          <SourceIdentity>Alice</SourceIdentity>
          <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
            <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId></AssumedRoleUser>
          <Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
            <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
            <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW</SessionToken>
            <Expiration>2099-07-15T23:28:33.359Z</Expiration></Credentials>
          <PackedPolicySize>6</PackedPolicySize>
        </AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </AssumeRoleResponse>
        """

    static let callerIdentity = """
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
          <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
          <UserId>ARO123EXAMPLE123:TestAR</UserId><Account>123456789012</Account>
        </GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
        </ResponseMetadata></GetCallerIdentityResponse>
        """

    @Test("AssumeRole: credentials and assumed role; the description hides the secret")
    func assumeRole() throws {
        let transport = StubTransport(bodies: [Self.assumeRole])
        let assumed = try STSClient(client: StubTransport.client(transport)).assumeRole(
            roleArn: "arn:aws:iam::123456789012:role/demo", sessionName: "TestAR", externalId: "ext",
            durationSeconds: 900)
        #expect(assumed.credentials.accessKeyId == "ASIAIOSFODNN7EXAMPLE")
        #expect(assumed.credentials.sessionToken?.hasPrefix("AQoDYXdz") == true)
        #expect(
            assumed.credentials.expiration
                == ISO8601DateFormatter().date(from: "2099-07-15T23:28:33Z")?.addingTimeInterval(0.359))
        #expect(assumed.assumedRoleArn == "arn:aws:sts::123456789012:assumed-role/demo/TestAR")
        #expect(!"\(assumed)".contains("wJalrXUtnFEMI"))
        #expect(transport.requests[0].host == "sts.eu-west-1.amazonaws.com")
        #expect(
            transport.form(0) == [
                "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::123456789012:role/demo",
                "RoleSessionName": "TestAR", "DurationSeconds": "900", "ExternalId": "ext",
            ])
    }

    @Test("The chain assumes a profile's role with the source keys, then signs calls with the temporary ones")
    func chainAssumesRole() throws {
        let directory = "/tmp/aurorad-chain-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        [profile source]
        aws_access_key_id = AKIDSOURCE
        aws_secret_access_key = source-secret
        [profile deploy]
        role_arn = arn:aws:iam::123456789012:role/demo
        source_profile = source
        role_session_name = TestAR
        region = eu-central-1
        """.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        let transport = StubTransport(bodies: [Self.assumeRole, Self.callerIdentity])
        let client = try AWSClient(
            environment: [
                "AWS_CONFIG_FILE": directory + "/config", "AWS_SHARED_CREDENTIALS_FILE": directory + "/credentials",
                "AWS_PROFILE": "deploy", "AWS_EC2_METADATA_DISABLED": "true",
            ],
            options: AWSClientOptions(transport: transport, sleeper: { _ in }), logger: CapturedLogs().logger)
        let report = try WhoAmI.report(client: client)
        #expect(report.region == "eu-central-1" && report.regionSource == "profile")
        #expect(report.credentialSource.contains("arn:aws:iam::123456789012:role/demo"))
        #expect(report.account == "123456789012")
        #expect(transport.form(0)["Action"] == "AssumeRole")
        #expect(transport.requests[0].header("Authorization")?.contains("Credential=AKIDSOURCE/") == true)
        #expect(transport.requests[0].header("X-Amz-Security-Token") == nil)
        #expect(transport.form(1)["Action"] == "GetCallerIdentity")
        #expect(transport.requests[1].header("Authorization")?.contains("Credential=ASIAIOSFODNN7EXAMPLE/") == true)
        #expect(transport.requests[1].header("X-Amz-Security-Token")?.hasPrefix("AQoDYXdz") == true)
        #expect(report.endpoints.allSatisfy { $0.source == "default" })
        #expect(report.endpoints.first { $0.service == "iam" }?.signingRegion == "us-east-1")
    }

    @Test("AssumeRoleWithWebIdentity is sent unsigned")
    func webIdentityUnsigned() throws {
        let body = Self.assumeRole.replacingOccurrences(of: "AssumeRoleResult", with: "AssumeRoleWithWebIdentityResult")
            .replacingOccurrences(of: "AssumeRoleResponse", with: "AssumeRoleWithWebIdentityResponse")
        let transport = StubTransport(bodies: [body])
        let assumed = try STSClient(client: StubTransport.client(transport)).assumeRoleWithWebIdentity(
            roleArn: "arn:aws:iam::123456789012:role/demo", sessionName: "s", webIdentityToken: "token")
        #expect(assumed.credentials.accessKeyId == "ASIAIOSFODNN7EXAMPLE")
        #expect(transport.requests[0].header("Authorization") == nil)
        #expect(transport.form(0)["WebIdentityToken"] == "token")
    }

    @Test("Throttling is retried and reported, with the rate-limit hook before every attempt; no body in the logs")
    func retriesAndLogs() throws {
        let throttled = """
            <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
            <RequestId>t-1</RequestId></ErrorResponse>
            """
        let transport = StubTransport([
            HTTPResponse(status: 400, body: Data(throttled.utf8)),
            HTTPResponse(
                status: 200, headers: [HTTPHeader("x-amzn-RequestId", "ok-2")], body: Data(Self.assumeRole.utf8)),
        ])
        let logs = CapturedLogs()
        let attempts = Mutex<[AWSService]>([])
        let throttles = Mutex<[AWSService]>([])
        let client = try AWSClient(
            environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "very-secret-key", "AWS_REGION": "eu-west-1",
                "AWS_CONFIG_FILE": "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/c",
            ],
            options: AWSClientOptions(
                beforeAttempt: { service in attempts.withLock { $0.append(service) } },
                throttled: { service in throttles.withLock { $0.append(service) } }, transport: transport,
                sleeper: { _ in }),
            logger: logs.logger)
        _ = try STSClient(client: client).assumeRole(roleArn: "arn:aws:iam::1:role/r", sessionName: "body-marker-xyz")
        // The hook is told which service each attempt goes to, so a limiter can pick that service's budget.
        #expect(attempts.withLock { $0 } == [.sts, .sts])
        #expect(throttles.withLock { $0 } == [.sts], "the throttled attempt is reported, the answered one is not")
        let records = logs.all.filter { $0.metadata["aws.action"] == "AssumeRole" }
        #expect(records.map { $0.metadata["attempt"] } == ["1", "2"])
        #expect(records.map { $0.metadata["status"] } == ["400", "200"])
        #expect(records.last?.metadata["aws.request_id"] == "ok-2")
        #expect(records.allSatisfy { $0.metadata["aws.service"] == "sts" })
        #expect(!logs.text.contains("body-marker-xyz"))
        #expect(!logs.text.contains("very-secret-key"))
    }
}

/// S3 answers that real S3 gives and an emulator may not: wrong-region redirects and ranges on empty objects.
@Suite("S3 wrong-region and empty-object answers")
struct S3EdgeAnswerTests {
    @Test("GetBucketLocation from another region's endpoint: the region from the 301 header or the 400 body")
    func bucketLocationFromRedirect() throws {
        let malformed = """
            <Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region \
            'eu-west-1' is wrong; expecting 'us-west-2'</Message><Region>us-west-2</Region><RequestId>R</RequestId>
            </Error>
            """
        let transport = StubTransport([
            HTTPResponse(status: 301, headers: [HTTPHeader("x-amz-bucket-region", "ap-south-1")]),
            HTTPResponse(status: 400, body: Data(malformed.utf8)),
            HTTPResponse(status: 404, body: Data("<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>".utf8)),
            HTTPResponse(status: 403, body: Data("<Error><Code>AccessDenied</Code><Message>m</Message></Error>".utf8)),
        ])
        let s3 = S3Client(client: try StubTransport.client(transport))
        #expect(try s3.getBucketLocation(bucket: "b") == "ap-south-1")
        #expect(try s3.getBucketLocation(bucket: "b") == "us-west-2")
        #expect(try s3.getBucketLocation(bucket: "b") == nil)
        #expect(throws: AWSError.self) { try s3.getBucketLocation(bucket: "b") }
    }

    @Test("GetObject of an empty object: S3's 416 InvalidRange reads as an empty, complete object")
    func emptyObjectRange() throws {
        let invalidRange = """
            <Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message>
            <RangeRequested>bytes=0-99</RangeRequested><ActualObjectSize>0</ActualObjectSize></Error>
            """
        let transport = StubTransport([
            HTTPResponse(status: 416, body: Data(invalidRange.utf8)),
            HTTPResponse(status: 404, body: Data("<Error><Code>NoSuchKey</Code><Message>m</Message></Error>".utf8)),
        ])
        let s3 = S3Client(client: try StubTransport.client(transport))
        let object = try #require(try s3.getObject(bucket: "b", key: "k", maxBytes: 100))
        #expect(object.data.isEmpty && object.objectSize == 0 && object.isComplete)
        #expect(try s3.getObject(bucket: "b", key: "k", maxBytes: 100) == nil)
    }
}
