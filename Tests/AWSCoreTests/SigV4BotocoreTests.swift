import AWSCore
import Foundation
import Testing

/// Byte-for-byte agreement with botocore's `SigV4Auth` / `S3SigV4Auth` on EC2, IAM, RDS, S3 and STS requests that
/// botocore itself serialized (`botocore_expectations.py`, output committed as `botocore_expectations.json`).
@Suite struct SigV4BotocoreTests {
    struct Document: Decodable, Equatable {
        var date: String
        var accessKeyId: String
        var secretAccessKey: String
        var cases: [Case]
    }

    struct Case: Decodable, Equatable, CustomTestStringConvertible {
        var name: String
        var signer: String
        var service: String
        var region: String
        var sessionToken: String?
        var method: String
        var scheme: String
        var host: String
        var port: Int?
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var body: String
        var url: String
        var canonicalRequest: String
        var stringToSign: String
        var addedHeaders: [[String]]

        var testDescription: String { name }
    }

    static func decode(_ data: Data) throws -> Document {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Document.self, from: data)
    }

    static let document: Document = {
        do {
            return try decode(Data(contentsOf: SigV4TestResources.url("botocore_expectations.json")))
        } catch {
            fatalError("botocore_expectations.json does not decode: \(error)")
        }
    }()

    @Test func theRequestSetCoversEveryServiceWithAndWithoutSessionToken() {
        let cases = Self.document.cases
        #expect(Set(cases.map(\.service)) == ["ec2", "iam", "rds", "s3", "sts"])
        #expect(cases.contains { $0.sessionToken != nil } && cases.contains { $0.sessionToken == nil })
        #expect(cases.count == 18)
    }

    @Test(arguments: document.cases)
    func agreesWithBotocore(_ expected: Case) throws {
        let document = Self.document
        let credentials = AWSCredentials(
            accessKeyId: document.accessKeyId,
            secretAccessKey: document.secretAccessKey,
            sessionToken: expected.sessionToken)
        let signer =
            expected.signer == "S3SigV4Auth"
            ? SigV4Signer.s3(region: expected.region, cache: SigningKeyCache())
            : SigV4Signer(service: expected.service, region: expected.region, cache: SigningKeyCache())
        var request = HTTPRequest(
            method: expected.method, scheme: expected.scheme, host: expected.host, port: expected.port,
            path: expected.path, query: expected.query.map { QueryItem($0[0], $0[1]) },
            headers: expected.headers.map { HTTPHeader($0[0], $0[1]) }, body: Data(expected.body.utf8))
        #expect(request.urlString == expected.url, "the transport would send a different URL from botocore's")
        let date = try #require(ISO8601DateFormatter().date(from: "2024-03-09T23:58:07Z"))
        #expect(SigV4Signer.timestamp(date).amzDate == document.date)

        signer.sign(&request, credentials: credentials, date: date)

        let added = request.headers.dropFirst(expected.headers.count).map { [$0.name, $0.value] }
        #expect(added == expected.addedHeaders)
        var verified = request
        verified.headers.removeAll { $0.name == "Authorization" }
        let payloadHash = verified.header("X-Amz-Content-SHA256") ?? SigV4Signer.payloadHash(request.body)
        let canonical = signer.canonicalRequest(verified, payloadHash: payloadHash)
        #expect(canonical.text == expected.canonicalRequest)
        #expect(
            SigV4Signer.stringToSign(
                canonicalRequest: canonical.text, amzDate: document.date,
                scope: signer.credentialScope(day: String(document.date.prefix(8))))
                == expected.stringToSign)
    }

    /// Re-runs the generator and requires the committed expectations to be what this botocore produces now.
    @Test(.enabled(if: Botocore.isInstalled, "needs python3 with botocore"))
    func committedExpectationsAreCurrent() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let output = try Botocore.run(script: source.appendingPathComponent("botocore_expectations.py"))
        let committed = try Data(contentsOf: source.appendingPathComponent("Resources/botocore_expectations.json"))
        #expect(
            try Self.decode(output) == Self.decode(committed),
            "stale; run python3 Tests/AWSCoreTests/botocore_expectations.py > Resources/botocore_expectations.json")
    }
}

/// Runs python3 scripts that use botocore, bounded in time.
enum Botocore {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let isInstalled: Bool = (try? run(arguments: ["-c", "import botocore"])) != nil

    /// Runs `script` with `arguments` and returns its standard output.
    static func run(script: URL, _ arguments: [String] = []) throws -> Data {
        try run(arguments: [script.path] + arguments)
    }

    private static func run(arguments: [String], timeout: TimeInterval = 120) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Failure(
                description: "python3 \(arguments.first ?? "") failed with status \(process.terminationStatus).")
        }
        return data
    }
}
