import AWSCore
import AWSServices
import Foundation
import Synchronization

/// A transport that answers from a queue of canned responses and records every request it was sent.
final class StubTransport: HTTPTransport {
    private let state: Mutex<(responses: [HTTPResponse], requests: [HTTPRequest])>

    /// Answers with `responses` in order; running out is a test failure (thrown).
    init(_ responses: [HTTPResponse]) {
        state = Mutex((responses, []))
    }

    /// Answers with status 200 and each of `bodies` in order.
    convenience init(bodies: [String]) {
        self.init(bodies.map { HTTPResponse(status: 200, body: Data($0.utf8)) })
    }

    func send(_ request: HTTPRequest, timeout: Duration?) throws -> HTTPResponse {
        try state.withLock { state in
            state.requests.append(request)
            guard !state.responses.isEmpty else {
                throw TransportError(kind: .other, host: request.host, message: "the stub has no response left")
            }
            return state.responses.removeFirst()
        }
    }

    /// The requests sent so far.
    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// The form parameters of request `index`, decoded.
    func form(_ index: Int) -> [String: String] {
        let body = String(decoding: requests[index].body, as: UTF8.self)
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            form[parts[0].removingPercentEncoding!] = parts.count > 1 ? parts[1].removingPercentEncoding! : ""
        }
        return form
    }

    /// An `AWSClient` in eu-west-1 with static keys over `transport`.
    static func client(_ transport: StubTransport, environment extra: [String: String] = [:]) throws -> AWSClient {
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_REGION": "eu-west-1", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aurorad-test/credentials",
            "AWS_CONFIG_FILE": "/nonexistent/aurorad-test/config", "AWS_EC2_METADATA_DISABLED": "true",
        ].merging(extra) { $1 }
        return try AWSClient(
            environment: environment, options: AWSClientOptions(transport: transport, sleeper: { _ in }),
            logger: CapturedLogs().logger)
    }
}
