import AWSCore
import Foundation
import Logging
import Synchronization
import Testing

/// The STS boundary for credential tests: records each call and answers with distinct temporary credentials.
/// (The real STS client lives in AWSServices and is tested against moto.)
final class RecordingRoleAssumer: RoleAssumer {
    struct Call: Equatable {
        var kind: String
        var roleArn: String
        var sessionName: String
        var externalId: String?
        var durationSeconds: Int?
        var sourceAccessKeyId: String?
        var webIdentityToken: String?
    }

    private let recorded = Mutex<[Call]>([])
    private let failure: CredentialError?
    private let expiration: Date

    init(failure: CredentialError? = nil, expiration: Date = Date().addingTimeInterval(3600)) {
        self.failure = failure
        self.expiration = expiration
    }

    var calls: [Call] { recorded.withLock { $0 } }

    func assumeRole(
        roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
        using sourceCredentials: AWSCredentials
    ) throws -> AWSCredentials {
        try answer(
            Call(
                kind: "AssumeRole", roleArn: roleArn, sessionName: sessionName, externalId: externalId,
                durationSeconds: durationSeconds, sourceAccessKeyId: sourceCredentials.accessKeyId))
    }

    func assumeRoleWithWebIdentity(
        roleArn: String, sessionName: String, webIdentityToken: String, durationSeconds: Int?
    ) throws -> AWSCredentials {
        try answer(
            Call(
                kind: "AssumeRoleWithWebIdentity", roleArn: roleArn, sessionName: sessionName,
                durationSeconds: durationSeconds, webIdentityToken: webIdentityToken))
    }

    private func answer(_ call: Call) throws -> AWSCredentials {
        let index = recorded.withLock {
            $0.append(call)
            return $0.count
        }
        if let failure { throw failure }
        return AWSCredentials(
            accessKeyId: "ASIAASSUMED\(index)", secretAccessKey: "assumed-secret-\(index)",
            sessionToken: "assumed-token-\(index)", expiration: expiration)
    }
}

/// A transport for chain tests that must never reach the network: any use is a test failure.
struct UnusedTransport: HTTPTransport {
    func send(_ request: HTTPRequest, timeout: Duration?) throws -> HTTPResponse {
        Issue.record("unexpected HTTP request to \(request.urlString)")
        throw CredentialError(.retrievalFailed, "no network in this test")
    }
}

/// A log handler that keeps every message and metadata value, to check no secret reaches a log.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    // @unchecked: `lines` is guarded by `lock`; the other fields are set before the logger is shared.
    private let lock = NSLock()
    private var lines: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = "\(event.level) \(event.message) \(event.metadata.map { "\($0)" } ?? "")"
        lock.withLock { lines.append(text) }
    }

    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

/// A logger for tests that do not look at logs.
let quietLogger = Logger(label: "aurorad.tests.credentials") { _ in SwiftLogNoOpLogHandler() }

/// The environment every credential test starts from: HOME in the test's temp directory (the real ~/.aws is never
/// read) and IMDS off unless a test turns it on.
func isolatedEnvironment(home: String, _ extra: [String: String] = [:]) -> [String: String] {
    ["HOME": home, "AWS_EC2_METADATA_DISABLED": "true"].merging(extra) { $1 }
}
