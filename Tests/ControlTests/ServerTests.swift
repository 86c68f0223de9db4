import Dispatch
import Foundation
import Glibc
import ImportSpec
import Synchronization
import Testing

@testable import Control

@Suite("Control server conversations")
struct ServerTests {
    @Test("every command shape gets its response, with the request id echoed")
    func roundTrip() throws {
        try withServer { _, client in
            let spec: JSONValue = ["name": "ex", "instances": ["1": [:]]]
            let requests: [ControlRequest] = [
                .submit(spec: spec), .plan(spec: spec), .status(name: "ex"), .list(), .delete(name: "ex"),
            ]
            for (index, var request) in requests.enumerated() {
                request.id = .integer(index)
                let response = try client.send(request)
                #expect(response.id == .integer(index))
                let result = try response.get()
                #expect(result["command"] == .string(request.command.rawValue))
                #expect(result["name"] == (request.name.map(JSONValue.string) ?? .null))
                #expect(result["spec"] == (request.spec ?? .null))
                #expect(result["uid"] == .integer(Int(geteuid())))
            }
            let missing = try client.send(.status(name: "missing"))
            #expect(missing.errorCode == .notFound)
        }
    }

    @Test("one connection carries several requests in turn, including pipelined and unterminated ones")
    func sequentialRequests() throws {
        let handler = EchoHandler()
        try withServer(handler: handler) { _, client in
            let connection = try client.connect()
            for index in 0..<5 {
                let response = try connection.send(.status(name: "spec-\(index)"))
                #expect(try response.get()["name"] == .string("spec-\(index)"))
            }
            // Two requests in one write, then a blank line (skipped), then a last request without its newline.
            try connection.writeRaw(
                #"{"command":"list","id":"a"}"# + "\n" + #"{"command":"list","id":"b"}"# + "\n\n"
                    + #"{"command":"list","id":"c"}"#)
            #expect(try connection.readResponse()?.id == "a")
            #expect(try connection.readResponse()?.id == "b")
            _ = connection.shutdownWrite()
            #expect(try connection.readResponse()?.id == "c")
            #expect(try connection.readResponse() == nil)
            #expect(handler.count == 8)
        }
    }

    @Test("100 clients connected at once are all answered correctly")
    func concurrentClients() throws {
        let handler = EchoHandler()
        try withServer(handler: handler) { _, client in
            let connections = try (0..<100).map { _ in try client.connect() }
            let answers = Mutex([Int: JSONValue]())
            let failures = Mutex([String]())
            nonisolated(unsafe) let shared = connections
            DispatchQueue.concurrentPerform(iterations: 100) { index in
                do {
                    let result = try shared[index].send(.status(name: "spec-\(index)")).get()
                    answers.withLock { $0[index] = result["name"] }
                } catch {
                    failures.withLock { $0.append("\(index): \(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let received = answers.withLock { $0 }
            #expect(received.count == 100)
            #expect(received.allSatisfy { index, name in name == .string("spec-\(index)") })
            #expect(handler.count == 100)
        }
    }

    @Test("a request over 1 MiB gets request_too_large and the connection is closed")
    func oversizeRequest() throws {
        let handler = EchoHandler()
        try withServer(handler: handler) { _, client in
            let connection = try client.connect()
            let padding = String(repeating: "a", count: (1 << 20) + 100)
            try connection.writeRaw(#"{"command":"submit","spec":{"x":""# + padding + "\"}}\n")
            let response = try #require(try connection.readResponse())
            #expect(response.errorCode == .requestTooLarge)
            #expect(response.errorMessage.contains("1048576-byte limit"))
            #expect(try connection.readResponse() == nil)
            #expect(handler.count == 0)
            #expect(try client.send(.list()).isSuccess)
        }
    }

    @Test("a line longer than the limit is refused before its newline arrives")
    func oversizeWithoutNewline() throws {
        let limits = ControlServerLimits(maxRequestBytes: 1000)
        try withServer(limits: limits) { _, client in
            let connection = try client.connect()
            // No newline: the server must answer from the size alone, never buffering without bound.
            try connection.writeRaw(String(repeating: " ", count: 5000))
            #expect(try connection.readResponse()?.errorCode == .requestTooLarge)
        }
    }

    @Test("invalid JSON gets invalid_request, the connection stays usable and others are served")
    func invalidJSON() throws {
        let handler = EchoHandler()
        try withServer(handler: handler) { _, client in
            let connection = try client.connect()
            try connection.writeRaw("{this is not json\n")
            let response = try #require(try connection.readResponse())
            #expect(response.errorCode == .invalidRequest)
            try connection.writeRaw(#"{"command":"status","name":7,"id":"x"}"# + "\n")
            let wrongType = try #require(try connection.readResponse())
            #expect(wrongType.errorCode == .invalidRequest)
            #expect(wrongType.id == "x")
            #expect(try connection.send(.list()).isSuccess)
            #expect(try client.send(.status(name: "other")).isSuccess)
            #expect(handler.count == 2)
        }
    }

    @Test("a client that sends nothing is dropped after the idle timeout while another is served")
    func idleClient() throws {
        let limits = ControlServerLimits(idleTimeout: .milliseconds(300))
        try withServer(limits: limits) { _, client in
            let idle = try client.connect()
            #expect(try client.send(.status(name: "busy-one")).isSuccess)
            let farewell = try #require(try idle.readResponse())
            #expect(farewell.errorCode == .timeout)
            #expect(farewell.errorMessage.contains("idle timeout of 0.3 seconds"))
            #expect(try idle.readResponse() == nil)
            #expect(try client.send(.list()).isSuccess)
        }
    }

    @Test("a client that never reads its large response is dropped without holding up others")
    func clientThatDoesNotRead() throws {
        let limits = ControlServerLimits(idleTimeout: .milliseconds(500))
        try withServer(handler: BlobHandler(), limits: limits) { _, client in
            let stuck = try client.connect()
            try stuck.writeRaw(#"{"command":"list"}"# + "\n")
            #expect(try client.send(.list()).isSuccess)
            // The server hangs up once the response has made no progress for the idle timeout.
            var entry = pollfd(fd: stuck.fd, events: 0, revents: 0)
            for _ in 0..<100 where entry.revents & Int16(POLLHUP) == 0 { _ = poll(&entry, 1, 100) }
            #expect(entry.revents & Int16(POLLHUP) != 0)
            #expect(throws: ControlClientError.self) { try stuck.readResponse() }
        }
    }

    @Test("a streamed result goes out as one line, its pieces in order, and the connection goes on")
    func streamedResult() throws {
        try withServer(handler: StreamingHandler()) { _, client in
            let connection = try client.connect()
            for id in 1...2 {
                var request = ControlRequest.list()
                request.id = .integer(id)
                let response = try connection.send(request)
                #expect(response.id == .integer(id))
                #expect(try response.get() == StreamingHandler.value)
            }
        }
    }

    @Test("a stream whose first piece is the whole result is answered like any other result")
    func completeStream() throws {
        struct ShortList: ControlHandler {
            func handle(_ request: ControlRequest, peer: PeerCredentials) -> ControlResponse {
                ControlResponse(.streamedSuccess(ResultStream(first: Array("[1,2]".utf8), next: nil)))
            }
        }
        try withServer(handler: ShortList()) { _, client in
            let connection = try client.connect()
            for _ in 1...2 { #expect(try connection.send(.list()).get() == [1, 2]) }
        }
    }

    @Test("a stream that fails midway closes its connection; a client leaving midway costs nothing; others are served")
    func brokenStreams() throws {
        try withServer(handler: StreamingHandler(failing: true)) { _, client in
            #expect(throws: ControlClientError.self) { try client.send(.list()) }
        }
        try withServer(handler: StreamingHandler()) { _, client in
            for _ in 0..<5 {
                let leaving = try client.connect()
                try leaving.writeRaw(#"{"command":"list"}"# + "\n")
                leaving.close()
            }
            #expect(try client.send(.list()).get() == StreamingHandler.value)
        }
    }

    @Test("a peer whose uid and groups are not allowed is refused with forbidden and never reaches the handler")
    func refusedPeer() throws {
        let handler = EchoHandler()
        try withServer(handler: handler, allowedUIDs: [], allowedGIDs: []) { _, client in
            let response = try client.send(.list())
            #expect(response.errorCode == .forbidden)
            #expect(handler.count == 0)
        }
    }

    @Test("a peer allowed only through its group is served")
    func allowedByGroup() throws {
        try withServer(allowedUIDs: [], allowedGIDs: [getegid()]) { _, client in
            let response = try client.send(.list())
            #expect(response.isSuccess)
        }
    }

    @Test("connections beyond the limit get busy")
    func tooManyConnections() throws {
        try withServer(limits: ControlServerLimits(maxConnections: 2)) { _, client in
            let first = try client.connect()
            let second = try client.connect()
            // A served request proves each connection has been accepted and counted.
            #expect(try first.send(.list()).isSuccess)
            #expect(try second.send(.list()).isSuccess)
            let third = try client.connect()
            #expect(try third.readResponse()?.errorCode == .busy)
            second.close()
            // The freed slot is reused once the server notices the close; bounded retries, no timing assertion.
            var served = false
            for _ in 0..<50 where !served {
                served = try client.send(.list()).isSuccess
                if !served { usleep(20_000) }
            }
            #expect(served)
        }
    }

    @Test("stop lets a request in progress finish, then removes the socket")
    func stopFinishesInFlightRequest() throws {
        let entered = DispatchSemaphore(value: 0)
        let handler = EchoHandler(onHandle: {
            entered.signal()
            usleep(200_000)
        })
        try withServer(handler: handler) { server, client in
            let connection = try client.connect()
            try connection.writeRaw(#"{"command":"list","id":1}"# + "\n")
            #expect(entered.wait(timeout: .now() + 10) == .success)
            server.stop()
            #expect(try connection.readResponse()?.id == 1)
            #expect(!FileManager.default.fileExists(atPath: server.path))
        }
    }
}

/// Answers every request with a result far larger than a socket buffer, so a client that does not read
/// leaves the server with a response it cannot finish writing.
struct BlobHandler: ControlHandler {
    func handle(_ request: ControlRequest, peer: PeerCredentials) -> ControlResponse {
        .success(.string(String(repeating: "b", count: 4 << 20)))
    }
}

/// Answers every request with a streamed list result (an empty piece among the pieces), far larger than a socket
/// buffer together, as the daemon's `list` does; with `failing`, the stream fails after its first two pieces.
struct StreamingHandler: ControlHandler {
    static let numbers = Array(0..<200_000)
    static let value = JSONValue.array(numbers.map { .integer($0) })
    var failing = false

    func handle(_ request: ControlRequest, peer: PeerCredentials) -> ControlResponse {
        let middle = Self.numbers.dropFirst().map { ",\($0)" }.joined()
        let pieces = Mutex(["", String(middle.prefix(700_000)), String(middle.dropFirst(700_000)), "]"])
        let failing = failing
        let stream = ResultStream(first: Array("[\(Self.numbers[0])".utf8)) { () throws -> [UInt8]? in
            try pieces.withLock { pieces in
                if failing, pieces.count < 3 { throw CancellationError() }
                return pieces.isEmpty ? nil : Array(pieces.removeFirst().utf8)
            }
        }
        return ControlResponse(.streamedSuccess(stream))
    }
}

extension ControlConnection {
    /// Half-closes the connection, as a client does after its last request.
    func shutdownWrite() -> Int32 { shutdown(fd, Int32(SHUT_WR)) }
}
