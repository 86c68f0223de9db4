import Foundation
import Testing

@testable import AWSCore

@Suite("AWSError")
struct AWSErrorTests {
    static let receivedAt = Date(timeIntervalSince1970: 1_764_068_718)  // Tue, 25 Nov 2025 11:05:18 GMT

    @Test("parses an IAM Query-protocol error with the request id header")
    func iamError() {
        let body = """
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error>
                <Type>Sender</Type>
                <Code>NoSuchEntity</Code>
                <Message>The role with name aurorad-orders cannot be found.</Message>
              </Error>
              <RequestId>4d2b8a6e-1111-2222-3333-444455556666</RequestId>
            </ErrorResponse>
            """
        let response = HTTPResponse(
            status: 404, headers: [HTTPHeader("x-amzn-RequestId", "hdr-id")],
            body: Data(body.utf8))
        let error = AWSError.from(response: response, service: "IAM", action: "GetRole", receivedAt: Self.receivedAt)
        #expect(error.code == "NoSuchEntity")
        #expect(error.message == "The role with name aurorad-orders cannot be found.")
        #expect(error.requestId == "hdr-id")
        #expect(error.kind == .terminal)
        #expect(
            error.description
                == "IAM GetRole failed: NoSuchEntity: The role with name aurorad-orders cannot be found. "
                + "(HTTP 404, request id hdr-id).")
    }

    @Test("parses an RDS error, taking the request id from the body when no header has it")
    func rdsError() {
        let body = """
            <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type>\
            <Code>InvalidParameterValue</Code><Message>The feature name s3Import is not valid for the engine \
            Aurora MySQL</Message></Error><RequestId>rds-req-1</RequestId></ErrorResponse>
            """
        let error = AWSError.from(
            response: HTTPResponse(status: 400, body: Data(body.utf8)), service: "RDS",
            action: "AddRoleToDBCluster")
        #expect(error.code == "InvalidParameterValue")
        #expect(error.requestId == "rds-req-1")
        #expect(
            error.description == "RDS AddRoleToDBCluster failed: InvalidParameterValue: The feature name s3Import "
                + "is not valid for the engine Aurora MySQL (HTTP 400, request id rds-req-1).")
    }

    @Test("parses an ErrorResponse whose error sits under Errors, as moto answers a denied call")
    func errorsUnderErrorResponse() {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/x \
            is not authorized to perform: rds:DescribeDBClusters</Message></Error></Errors>\
            <RequestID>req-9</RequestID></ErrorResponse>
            """
        let error = AWSError.from(
            response: HTTPResponse(status: 403, body: Data(body.utf8)), service: "RDS",
            action: "DescribeDBClusters")
        #expect(error.code == "AccessDenied")
        #expect(error.message?.hasSuffix("rds:DescribeDBClusters") == true)
        #expect(error.requestId == "req-9")
    }

    @Test("parses an S3 REST error body")
    func s3Error() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>\
            <BucketName>backups</BucketName><RequestId>S3REQ</RequestId><HostId>host/id=</HostId></Error>
            """
        let response = HTTPResponse(
            status: 404, headers: [HTTPHeader("x-amz-request-id", "S3REQ")],
            body: Data(body.utf8))
        let error = AWSError.from(response: response, service: "S3", action: "ListObjectsV2")
        #expect(error.code == "NoSuchBucket")
        #expect(error.message == "The specified bucket does not exist")
        #expect(error.requestId == "S3REQ")
    }

    @Test(
        "HEAD errors without a body take their code from the status",
        arguments: [
            (404, "NotFound"), (403, "Forbidden"), (301, "PermanentRedirect"), (400, "BadRequest"), (418, "HTTP418"),
        ])
    func headErrors(status: Int, code: String) {
        let response = HTTPResponse(status: status, headers: [HTTPHeader("x-amz-bucket-region", "eu-west-1")])
        let error = AWSError.from(response: response, service: "S3", action: "HeadBucket")
        #expect(error.code == code)
        #expect(error.bucketRegion == "eu-west-1")
        #expect(error.kind == .terminal)
    }

    @Test("a non-XML body still gives the status and a snippet")
    func garbageBody() {
        let html = "<html><body><h1>502 Bad Gateway</h1>\n<p>upstream</p></body>"
        let error = AWSError.from(
            response: HTTPResponse(status: 502, body: Data(html.utf8)), service: "RDS",
            action: "DescribeDBClusters")
        #expect(error.code == "BadGateway")
        #expect(error.message?.contains("not XML") == true)
        #expect(error.message?.contains("502 Bad Gateway") == true)
        #expect(error.kind == .transient)
        let binary = AWSError.from(
            response: HTTPResponse(status: 500, body: Data([0xFF, 0x00, 0x01])),
            service: "S3", action: "GetObject")
        #expect(binary.code == "InternalServerError")
        #expect(binary.kind == .transient)
        let noCode = AWSError.from(
            response: HTTPResponse(status: 400, body: Data("<ErrorResponse/>".utf8)),
            service: "IAM", action: "GetRole")
        #expect(noCode.code == "BadRequest")
        #expect(noCode.message?.contains("no error code") == true)
    }

    @Test(
        "classifies codes and statuses as botocore's standard mode does",
        arguments: [
            ("Throttling", 400, AWSErrorKind.throttling), ("ThrottlingException", 400, .throttling),
            ("RequestLimitExceeded", 503, .throttling), ("TooManyRequestsException", 429, .throttling),
            ("RequestThrottled", 400, .throttling), ("SlowDown", 503, .throttling),
            ("PriorRequestNotComplete", 400, .throttling), ("EC2ThrottledException", 400, .throttling),
            ("LimitExceededException", 400, .throttling), ("BandwidthLimitExceeded", 400, .throttling),
            ("RequestTimeout", 400, .transient), ("RequestTimeoutException", 408, .transient),
            ("InternalError", 500, .transient), ("ServiceUnavailable", 503, .transient), ("Anything", 504, .transient),
            ("Anything", 502, .transient), ("InternalFailure", 500, .transient),
            ("SignatureDoesNotMatch", 403, .terminal), ("AccessDenied", 403, .terminal),
            ("InvalidClientTokenId", 403, .terminal), ("InvalidParameterValue", 400, .terminal),
            ("DBClusterNotFoundFault", 404, .terminal), ("RequestTimeTooSkewed", 403, .terminal),
        ])
    func classification(code: String, status: Int, kind: AWSErrorKind) {
        let error = AWSError(service: "RDS", action: "DescribeDBClusters", code: code, status: status)
        #expect(error.kind == kind)
        #expect(error.isRetryable == (kind != .terminal))
    }

    @Test("IDPCommunicationError is transient for STS only")
    func idpCommunicationError() {
        #expect(
            AWSError(
                service: "STS", action: "AssumeRoleWithWebIdentity", code: "IDPCommunicationError",
                status: 400
            ).kind == .transient)
        #expect(
            AWSError(service: "IAM", action: "GetRole", code: "IDPCommunicationError", status: 400).kind
                == .terminal)
    }

    @Test("the Date header is read in RFC 7231's IMF-fixdate form only")
    func httpDates() {
        #expect(AWSError.parseHTTPDate("Tue, 25 Nov 2025 11:05:18 GMT") == Self.receivedAt)
        #expect(
            AWSError.parseHTTPDate("Sun, 01 Mar 2026 10:00:00 GMT") == Date(timeIntervalSince1970: 1_772_359_200))
        #expect(AWSError.parseHTTPDate("Thu, 31 Dec 2026 23:59:59 GMT") == Date(timeIntervalSince1970: 1_798_761_599))
        for malformed in [
            "", "Tue, 25 Nov 2025 11:05:18", "Tue, 25 Nov 2025 11:05:18 PST", "Tue, 25 Foo 2025 11:05:18 GMT",
            "Tue 25 Nov 2025 11:05:18 GMT", "Tue, 5 Nov 2025 11:05:18 GMT", "Tue, 25 Nov 2025 11:05 GMT",
            "Tue, 2x Nov 2025 11:05:18 GMT", "2025-11-25T11:05:18Z",
        ] {
            #expect(AWSError.parseHTTPDate(malformed) == nil, "\(malformed)")
        }
    }

    @Test("skew codes are clock skew only when the server's Date is far from ours")
    func clockSkew() {
        let skewed = HTTPResponse(
            status: 403, headers: [HTTPHeader("Date", "Tue, 25 Nov 2025 11:20:18 GMT")],
            body: Data("<Error><Code>SignatureDoesNotMatch</Code></Error>".utf8))
        let error = AWSError.from(response: skewed, service: "S3", action: "GetObject", receivedAt: Self.receivedAt)
        #expect(error.clockOffset == 900)
        #expect(error.kind == .clockSkew)
        let close = HTTPResponse(
            status: 403, headers: [HTTPHeader("Date", "Tue, 25 Nov 2025 11:06:18 GMT")],
            body: Data("<Error><Code>SignatureDoesNotMatch</Code></Error>".utf8))
        let wrongKey = AWSError.from(response: close, service: "S3", action: "GetObject", receivedAt: Self.receivedAt)
        #expect(wrongKey.clockOffset == 60)
        #expect(wrongKey.kind == .terminal)
        for code in ["RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "AuthFailure"] {
            let behind = AWSError(
                service: "RDS", action: "DescribeDBClusters", code: code, status: 400,
                clockOffset: -3600)
            #expect(behind.kind == .clockSkew)
        }
    }

    @Test("the description never needs a message and names the bucket region")
    func descriptionWithoutMessage() {
        let error = AWSError(
            service: "S3", action: "HeadBucket", code: "PermanentRedirect", status: 301,
            bucketRegion: "us-west-2")
        #expect(error.description == "S3 HeadBucket failed: PermanentRedirect (HTTP 301, bucket region us-west-2).")
    }
}
