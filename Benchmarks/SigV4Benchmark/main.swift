// Signs the botocore agreement request set (Tests/AWSCoreTests/Resources/botocore_expectations.json) N times with
// SigV4Signer, runs botocore's SigV4Auth over the same set through botocore_expectations.py --bench, and prints
// signatures per second for both and their ratio. Build in release mode: Benchmarks/sigv4-bench.sh does.
import AWSCore
import Foundation

struct Document: Decodable {
    struct Case: Decodable {
        var name, signer, service, region, method, scheme, host, path, body, url: String
        var sessionToken: String?
        var port: Int?
        var query, headers, addedHeaders: [[String]]
    }

    var accessKeyId: String
    var secretAccessKey: String
    var cases: [Case]
}

let arguments = CommandLine.arguments
let iterations = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
let root = URL(fileURLWithPath: arguments.count > 2 ? arguments[2] : FileManager.default.currentDirectoryPath)
let tests = root.appendingPathComponent("Tests/AWSCoreTests")

let decoder = JSONDecoder()
decoder.keyDecodingStrategy = .convertFromSnakeCase
let document = try decoder.decode(
    Document.self, from: Data(contentsOf: tests.appendingPathComponent("Resources/botocore_expectations.json")))
let date = Date(timeIntervalSince1970: 1_710_028_687)  // 20240309T235807Z, the expectations' date

/// One request of the set, ready to sign, with the Authorization botocore computed for it.
struct Prepared {
    var request: HTTPRequest
    var credentials: AWSCredentials
    var service: String
    var region: String
    var isS3: Bool
    var expectedAuthorization: String
}

let prepared = document.cases.map { item in
    Prepared(
        request: HTTPRequest(
            method: item.method, scheme: item.scheme, host: item.host, port: item.port, path: item.path,
            query: item.query.map { QueryItem($0[0], $0[1]) }, headers: item.headers.map { HTTPHeader($0[0], $0[1]) },
            body: Data(item.body.utf8)),
        credentials: AWSCredentials(
            accessKeyId: document.accessKeyId, secretAccessKey: document.secretAccessKey,
            sessionToken: item.sessionToken),
        service: item.service, region: item.region, isS3: item.signer == "S3SigV4Auth",
        expectedAuthorization: item.addedHeaders.first { $0[0] == "Authorization" }![1])
}

/// Signs every request `iterations` times (a fresh copy each time, as a client would) and returns signatures/second.
func measure(cache: SigningKeyCache?) -> Double {
    let signers = prepared.map {
        $0.isS3
            ? SigV4Signer.s3(region: $0.region, cache: cache)
            : SigV4Signer(service: $0.service, region: $0.region, cache: cache)
    }
    for (index, item) in prepared.enumerated() {
        var request = item.request
        signers[index].sign(&request, credentials: item.credentials, date: date)
        guard request.header("Authorization") == item.expectedAuthorization else {
            fatalError("The signature for \(document.cases[index].name) differs from botocore's; run the tests.")
        }
    }
    let clock = ContinuousClock()
    var sink = 0
    let elapsed = clock.measure {
        for _ in 0..<iterations {
            for (index, item) in prepared.enumerated() {
                var request = item.request
                signers[index].sign(&request, credentials: item.credentials, date: date)
                sink &+= request.headers.count
            }
        }
    }
    precondition(sink > 0)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(iterations * prepared.count) / seconds
}

/// botocore's signatures per second over the same set; it gets fewer rounds (it is much slower, and its rate is
/// stable well before that).
let botocoreRounds = max(1, iterations / 20)
func measureBotocore() throws -> (perSecond: Double, version: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "python3", tests.appendingPathComponent("botocore_expectations.py").path, "--bench",
        String(botocoreRounds),
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
        let result = try JSONSerialization.jsonObject(with: output) as? [String: Any],
        let perSecond = result["per_second"] as? Double
    else { fatalError("botocore_expectations.py --bench failed; python3 with botocore is needed.") }
    return (perSecond, result["botocore_version"] as? String ?? "")
}

// The machine is shared: alternate the three measurements and keep each one's best of three trials, so a burst of
// load during one of them does not decide the ratio.
let trials = 3
var cached = 0.0
var uncached = 0.0
var botocore = 0.0
var botocoreVersion = ""
for _ in 0..<trials {
    cached = max(cached, measure(cache: SigningKeyCache()))
    uncached = max(uncached, measure(cache: nil))
    let run = try measureBotocore()
    botocore = max(botocore, run.perSecond)
    botocoreVersion = run.version
}

func format(_ value: Double) -> String { String(format: "%.0f", value) }
print("request set: \(prepared.count) requests (IAM, RDS, S3, STS; with and without session token)")
print("best of \(trials) alternating trials each")
print("SigV4Signer, key cache:    \(format(cached)) signatures/s (\(iterations) rounds)")
print("SigV4Signer, no key cache: \(format(uncached)) signatures/s (\(iterations) rounds)")
print(
    "botocore \(botocoreVersion) SigV4Auth: \(format(botocore)) signatures/s "
        + "(\(botocoreRounds) rounds)")
print(
    "ratio: \(String(format: "%.1f", cached / botocore))x with cache, "
        + "\(String(format: "%.1f", uncached / botocore))x without")
