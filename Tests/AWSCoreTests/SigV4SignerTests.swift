import AWSCore
import Foundation
import Testing

/// The signer's rules beyond the suite: S3 versus other services, re-signing, unsigned headers, timestamps, cache.
@Suite struct SigV4SignerTests {
    let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_440_938_160)

    @Test func s3EncodesThePathOnceAndKeepsItsSegments() {
        let signer = SigV4Signer.s3(region: "us-east-1")
        #expect(signer.canonicalPath("/bucket/a b//./c") == "/bucket/a%20b//./c")
    }

    @Test func otherServicesNormalizeAndEncodeTwice() {
        let signer = SigV4Signer(service: "rds", region: "us-east-1")
        #expect(signer.canonicalPath("/a b//./c/../d") == "/a%2520b/d")
        #expect(signer.canonicalPath("") == "/")
        #expect(signer.canonicalPath("/a/.b/..c/") == "/a/.b/..c/", "dotted names are not dot segments")
        #expect(signer.canonicalPath("/a/.") == "/a")
        #expect(signer.canonicalPath("/a/..") == "/")
        #expect(signer.canonicalPath("/a//") == "/a/")
    }

    @Test func removeDotSegmentsMatchesBotocore() {
        #expect(SigV4Signer.removeDotSegments("/example1/example2/../..") == "/")
        #expect(SigV4Signer.removeDotSegments("//example//") == "/example/")
        #expect(SigV4Signer.removeDotSegments("/./") == "/")
        #expect(SigV4Signer.removeDotSegments("/../a") == "/a")
        #expect(SigV4Signer.removeDotSegments("") == "")
    }

    @Test func canonicalQuerySortsByEncodedNameThenValue() {
        let query = [
            QueryItem("b", "2"), QueryItem("a", "z"), QueryItem("a", "y"), QueryItem("ሴ", "x y"), QueryItem("k", ""),
        ]
        #expect(SigV4Signer.canonicalQuery(query) == "%E1%88%B4=x%20y&a=y&a=z&b=2&k=")
    }

    @Test func hopByHopAndUserAgentHeadersAreNotSigned() {
        var request = HTTPRequest(
            method: "GET", host: "EXAMPLE.amazonaws.com",
            headers: [
                HTTPHeader("User-Agent", "aurorad/1"), HTTPHeader("Expect", "100-continue"),
                HTTPHeader("X-Amzn-Trace-Id", "Root=1"), HTTPHeader("My-Header", "  a \t b  "),
            ])
        SigV4Signer(service: "service", region: "us-east-1").sign(&request, credentials: credentials, date: date)
        let authorization = request.header("Authorization") ?? ""
        #expect(authorization.contains("SignedHeaders=host;my-header;x-amz-date,"))
        let canonical = SigV4Signer(service: "service", region: "us-east-1")
            .canonicalRequest(request, payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(canonical.text.contains("\nhost:example.amazonaws.com\nmy-header:a b\n"))
    }

    @Test func nonASCIIValuesAreTrimmedOnUnicodeWhiteSpaceLikePython() {
        var request = HTTPRequest(
            method: "GET", host: "example.amazonaws.com",
            headers: [HTTPHeader("My-Header", " \u{00A0}ü  \u{2003}x\t\u{1F}y ")])
        let signer = SigV4Signer(service: "service", region: "us-east-1")
        signer.sign(&request, credentials: credentials, date: date)
        // Python: ' \xa0ü  \u2003x\t\x1fy '.split() == ['ü', 'x', 'y']
        #expect(signer.canonicalRequest(request, payloadHash: "x").text.contains("\nmy-header:ü x y\n"))
    }

    @Test func hostCarriesANonDefaultPort() {
        var request = HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1", port: 5000)
        let signer = SigV4Signer(service: "sts", region: "us-east-1")
        signer.sign(&request, credentials: credentials, date: date)
        #expect(signer.canonicalRequest(request, payloadHash: "x").text.contains("\nhost:127.0.0.1:5000\n"))
    }

    @Test func resigningReplacesEveryAddedHeader() {
        let temporary = AWSCredentials(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token")
        var request = HTTPRequest(method: "GET", host: "s3.us-east-1.amazonaws.com", path: "/bucket")
        let signer = SigV4Signer.s3(region: "us-east-1")
        signer.sign(&request, credentials: temporary, date: date)
        let first = request.header("Authorization")
        signer.sign(&request, credentials: temporary, date: date.addingTimeInterval(300))
        #expect(
            request.headers.map(\.name)
                == ["X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256", "Authorization"])
        #expect(request.header("X-Amz-Date") == "20150830T124100Z")
        #expect(request.header("Authorization") != first)
    }

    @Test func cachedAndUncachedSigningAgree() {
        let cache = SigningKeyCache()
        var cached = HTTPRequest(method: "POST", host: "rds.eu-west-1.amazonaws.com", body: Data("Action=X".utf8))
        var uncached = cached
        SigV4Signer(service: "rds", region: "eu-west-1", cache: cache)
            .sign(&cached, credentials: credentials, date: date)
        SigV4Signer(service: "rds", region: "eu-west-1").sign(&uncached, credentials: credentials, date: date)
        #expect(cached == uncached)
        #expect(cache.count == 1)
    }

    @Test(arguments: [
        (0.0, "19700101T000000Z"), (951_782_400.999, "20000229T000000Z"), (1_440_938_160, "20150830T123600Z"),
        (4_102_444_799, "20991231T235959Z"), (4_107_542_400, "21000301T000000Z"), (-1, "19691231T235959Z"),
    ])
    func timestampsAreUTC(seconds: Double, expected: String) {
        let timestamp = SigV4Signer.timestamp(Date(timeIntervalSince1970: seconds))
        #expect(timestamp.amzDate == expected)
        #expect(timestamp.day == String(expected.prefix(8)))
    }

    @Test func signingKeyMatchesTheDocumentedExample() {
        // AWS's "Deriving the signing key" example (IAM, us-east-1, 20120215).
        let key = SigV4Signer.signingKey(
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            day: "20120215", region: "us-east-1", service: "iam")
        #expect(Crypto.hex(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test func cryptoMatchesKnownAnswers() {
        #expect(Crypto.hex(Crypto.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231 test case 2.
        #expect(
            Crypto.hex(Crypto.hmacSHA256(key: Array("Jefe".utf8), message: "what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

/// The signing-key cache: keyed without the plain secret, bounded, safe across threads.
@Suite struct SigV4SigningKeyCacheTests {
    let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "one")

    @Test func aRotatedSecretGetsANewKey() {
        let cache = SigningKeyCache()
        let first = cache.signingKey(credentials: credentials, day: "20240309", region: "us-east-1", service: "iam")
        var rotated = credentials
        rotated.secretAccessKey = "two"
        let second = cache.signingKey(credentials: rotated, day: "20240309", region: "us-east-1", service: "iam")
        #expect(first != second)
        #expect(
            second
                == SigV4Signer.signingKey(
                    secretAccessKey: "two", day: "20240309", region: "us-east-1",
                    service: "iam"))
        #expect(cache.count == 2)
    }

    @Test func dayRegionAndServiceAreEachPartOfTheKey() {
        let cache = SigningKeyCache()
        let scopes = [
            ("20240309", "us-east-1", "iam"), ("20240310", "us-east-1", "iam"), ("20240309", "eu-west-1", "iam"),
            ("20240309", "us-east-1", "sts"),
        ]
        let keys = scopes.map {
            cache.signingKey(credentials: credentials, day: $0.0, region: $0.1, service: $0.2)
        }
        #expect(Set(keys.map(Crypto.hex)).count == 4)
        #expect(cache.count == 4)
    }

    @Test func theOldestEntryIsEvictedAtCapacity() {
        let cache = SigningKeyCache(capacity: 3)
        for day in 1...5 {
            _ = cache.signingKey(credentials: credentials, day: "2024030\(day)", region: "us-east-1", service: "s3")
        }
        #expect(cache.count == 3)
    }

    @Test func concurrentCallersGetTheSameKey() {
        let cache = SigningKeyCache(capacity: 8)
        let expected = SigV4Signer.signingKey(
            secretAccessKey: "one", day: "20240309", region: "us-east-1",
            service: "rds")
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            let region = index.isMultiple(of: 2) ? "us-east-1" : "eu-west-1"
            let key = cache.signingKey(credentials: credentials, day: "20240309", region: region, service: "rds")
            if region == "us-east-1" { results.record(key == expected) }
        }
        #expect(results.allTrue && results.count == 100)
        #expect(cache.count == 2)
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Bool] = []
        func record(_ value: Bool) { lock.withLock { values.append(value) } }
        var allTrue: Bool { lock.withLock { values.allSatisfy { $0 } } }
        var count: Int { lock.withLock { values.count } }
    }
}
