import AWSCore
import Foundation
import Testing

/// The official AWS SigV4 test suite (aws4_testsuite, as kept in botocore's tests/unit/auth), every vector directory.
@Suite struct SigV4TestSuiteTests {
    /// Vectors that do not apply, with the reason. Everything else found on disk must pass.
    static let notApplicable: [String: String] = [
        "post-sts-token/post-sts-header-after":
            "adds X-Amz-Security-Token after signing, for services that exclude it from the signature; IAM, RDS, S3 "
            + "and STS all take it signed, and botocore always signs it, so the signer has no unsigned-token mode"
    ]

    static let root = SigV4TestResources.url("aws4_testsuite")

    /// Every directory under the suite that holds a `<name>.req`, as a path relative to the suite root.
    static let vectors: [String] = {
        let files = FileManager.default.subpaths(atPath: root.path) ?? []
        return files.filter { $0.hasSuffix(".req") }.map { file in
            let directory = (file as NSString).deletingLastPathComponent
            precondition((directory as NSString).lastPathComponent + ".req" == (file as NSString).lastPathComponent)
            return directory
        }.sorted()
    }()

    static let applicable = vectors.filter { notApplicable[$0] == nil }

    @Test func everyVectorIsRunOrListedAsNotApplicable() {
        #expect(
            Self.vectors.count == 34,
            "the committed suite has 34 vectors; found \(Self.vectors.count) in \(Self.root.path)")
        for name in Self.notApplicable.keys { #expect(Self.vectors.contains(name), "\(name) is not in the suite") }
        #expect(Self.applicable.count + Self.notApplicable.count == Self.vectors.count)
    }

    @Test(arguments: applicable)
    func vector(_ name: String) throws {
        let directory = Self.root.appendingPathComponent(name)
        let base = directory.lastPathComponent
        func file(_ ext: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent("\(base).\(ext)"), encoding: .utf8)
        }
        var request = try RawHTTPRequest.parse(file("req"))
        // The suite's token cases give the token in the signed request (.sreq); the credentials carry it.
        let token = try RawHTTPRequest.parse(file("sreq")).header("X-Amz-Security-Token")
        let credentials = AWSCredentials(
            accessKeyId: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: token)
        // The suite's .req paths are already the wire form (unencoded) and it encodes them once for service
        // "service", normalizing like every non-S3 service; hence .single with normalization.
        let signer = SigV4Signer(
            service: "service", region: "us-east-1", uriEncodingMode: .single,
            normalizesPath: true)
        let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z

        signer.sign(&request, credentials: credentials, date: date)

        // The stages recomputed as a verifier would: over the signed request without its Authorization header.
        var verified = request
        verified.headers.removeAll { $0.name == "Authorization" }
        let canonical = signer.canonicalRequest(verified, payloadHash: SigV4Signer.payloadHash(request.body))
        #expect(canonical.text == (try file("creq")))
        let stringToSign = SigV4Signer.stringToSign(
            canonicalRequest: canonical.text, amzDate: "20150830T123600Z",
            scope: signer.credentialScope(day: "20150830"))
        #expect(stringToSign == (try file("sts")))
        #expect(request.header("Authorization") == (try file("authz")))
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
    }
}

/// A request in the suite's raw HTTP form: request line, headers (a line starting with white space continues the
/// previous value), a blank line, then the body. Paths and queries are unencoded; percent escapes are decoded.
enum RawHTTPRequest {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> HTTPRequest {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { throw ParseError(description: "The request file is empty.") }
        let requestLine = lines.removeFirst()
        guard let firstSpace = requestLine.firstIndex(of: " "), let lastSpace = requestLine.lastIndex(of: " "),
            firstSpace < lastSpace
        else { throw ParseError(description: "The request line '\(requestLine)' is not 'METHOD TARGET VERSION'.") }
        let method = String(requestLine[..<firstSpace])
        let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])

        var headers: [HTTPHeader] = []
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...])))
            } else {
                throw ParseError(description: "The header line '\(line)' has no colon.")
            }
        }
        let body = lines.dropFirst().joined(separator: "\n")

        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [QueryItem] = []
        for pair in pathPart.count > 1 ? pathPart[1].split(separator: "&") : [] {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            query.append(QueryItem(try decode(parts[0]), try decode(parts.count > 1 ? parts[1] : "")))
        }
        guard let host = headers.first(where: { $0.name.lowercased() == "host" })?.value else {
            throw ParseError(description: "The request has no Host header.")
        }
        return HTTPRequest(
            method: method, host: host, path: try decode(pathPart[0]), query: query,
            headers: headers, body: Data(body.utf8))
    }

    private static func decode(_ text: Substring) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw ParseError(description: "'\(text)' has an invalid percent escape.")
        }
        return decoded
    }
}

/// Finds a file copied from `Tests/AWSCoreTests/Resources` into the test bundle.
enum SigV4TestResources {
    /// The URL of `name` in the bundle; Foundation on Linux already treats the copied `Resources` as the resource
    /// directory, Darwin bundles keep it one level down.
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil)
            ?? Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources")
            ?? Bundle.module.bundleURL.appendingPathComponent("Resources/\(name)")
    }
}
