import Foundation
import Glibc
import ImportSpec
import Logging
import Synchronization
import TestSupport

@testable import Control

/// Answers every request with what it received, and counts calls; `status`/`delete` of "missing" is not_found.
final class EchoHandler: ControlHandler {
    private let calls = Mutex(0)
    private let onHandle: (@Sendable () -> Void)?

    init(onHandle: (@Sendable () -> Void)? = nil) { self.onHandle = onHandle }

    var count: Int { calls.withLock { $0 } }

    func handle(_ request: ControlRequest, peer: PeerCredentials) -> ControlResponse {
        calls.withLock { $0 += 1 }
        onHandle?()
        if request.name == "missing" { return .failure(.notFound, "No spec is named missing.") }
        return .success([
            "command": .string(request.command.rawValue), "name": request.name.map(JSONValue.string) ?? .null,
            "spec": request.spec ?? .null, "uid": .integer(Int(peer.uid)),
        ])
    }
}

/// Starts a server on a temporary socket, runs `body` with it, and stops it afterwards even if `body` throws.
func withServer<R>(
    handler: any ControlHandler = EchoHandler(), allowedUIDs: Set<uid_t>? = nil, allowedGIDs: Set<gid_t>? = nil,
    limits: ControlServerLimits = ControlServerLimits(), _ body: (ControlServer, ControlClient) throws -> R
) throws -> R {
    try withTemporaryDirectory { directory in
        let server = ControlServer(
            path: directory + "/s.sock", allowedUIDs: allowedUIDs, allowedGIDs: allowedGIDs, handler: handler,
            logger: Logger(label: "control-tests"), limits: limits)
        try server.start()
        defer { server.stop() }
        return try body(server, ControlClient(path: server.path, timeout: .seconds(10)))
    }
}

/// Low-level helpers on a connection for sending bytes that are not a well-formed request.
extension ControlConnection {
    func writeRaw(_ text: String) throws {
        try writeRaw(Array(text.utf8))
    }

    /// Sends `bytes` as they are, whether or not they are UTF-8.
    func writeRaw(_ bytes: [UInt8]) throws {
        try write(bytes, deadline: ContinuousClock.now + .seconds(10))
    }

    /// The next response, or nil when the server closed the connection.
    func readResponse() throws -> ControlResponse? {
        guard let line = try readLine(deadline: ContinuousClock.now + .seconds(10)) else { return nil }
        return try JSONDecoder().decode(ControlResponse.self, from: Data(line))
    }
}

extension ControlResponse {
    /// The error code of a failure, nil for a success.
    var errorCode: ControlErrorCode? {
        if case .failure(let error) = outcome { return error.code }
        return nil
    }

    /// The error message of a failure, "" for a success.
    var errorMessage: String {
        if case .failure(let error) = outcome { return error.message }
        return ""
    }
}

/// Leaves a socket file at `path` that nothing listens on, as a crashed daemon does.
func makeStaleSocket(at path: String) throws {
    let fd = UnixSocket.makeStreamSocket()
    defer { close(fd) }
    guard UnixSocket.withAddress(path, { bind(fd, $0, $1) }) == 0 else { throw POSIXError(.EADDRINUSE) }
}
