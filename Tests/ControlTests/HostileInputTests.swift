import Foundation
import Testing
import TestSupport

@testable import Control

/// One kind of hostile input and the bytes that carry it.
struct HostileInput: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let bytes: [UInt8]

    init(_ label: String, _ bytes: [UInt8]) {
        testDescription = label
        self.bytes = bytes
    }

    init(_ label: String, _ text: String) {
        self.init(label, Array(text.utf8))
    }

    /// Inputs that are not requests; none may reach the handler. The spec decoder gets the same treatment from the
    /// libFuzzer targets in Fuzz/.
    static let all: [HostileInput] = {
        var random = SplitMix64(seed: 0x5EED_A0B0)
        let garbage = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &random) }
        let deepArray = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let deepSpec = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        return [
            HostileInput("random bytes, newlines included", garbage),
            HostileInput(
                "invalid UTF-8 inside a string",
                Array(#"{"command":"status","name":""#.utf8) + [0xC3, 0x28, 0xED, 0xA0, 0x80, 0xFF]
                    + Array("\"}\n".utf8)),
            HostileInput("NUL bytes inside a request", Array(#"{"command":"list","id":"#.utf8) + [0, 0, 0x7D, 0x0A]),
            HostileInput("nothing but NUL bytes", [UInt8](repeating: 0, count: 100) + [0x0A]),
            HostileInput("an id nested 100000 deep", #"{"command":"list","id":\#(deepArray)}"# + "\n"),
            HostileInput("a spec nested 10000 deep", #"{"command":"submit","spec":\#(deepSpec)}"# + "\n"),
            HostileInput("unterminated nesting", String(repeating: "{\"a\":[", count: 50_000) + "\n"),
            HostileInput("a line over the 1 MiB limit", String(repeating: "a", count: (1 << 20) + 1) + "\n"),
            HostileInput("a lone closing brace, then a string with an unpaired surrogate", "}\n\"\\udc00\"\n"),
            HostileInput("a request that is a JSON array", #"["list"]"# + "\n"),
            HostileInput("a last line without its newline", #"{"command":"#),
        ]
    }()
}

@Suite("Hostile input on the control socket")
struct HostileInputTests {
    @Test("each hostile input gets error replies and a close; none reaches the handler", arguments: HostileInput.all)
    func answeredWithAnError(_ input: HostileInput) throws {
        let refusals: [ControlErrorCode?] = [.invalidRequest, .requestTooLarge]
        let handler = EchoHandler()
        try withServer(handler: handler) { _, client in
            let connection = try client.connect()
            try connection.writeRaw(input.bytes)
            _ = connection.shutdownWrite()
            let replies = try Self.readUntilClosed(connection)
            #expect(!replies.isEmpty)
            #expect(replies.allSatisfy { refusals.contains($0.errorCode) }, "\(replies)")
            #expect(handler.count == 0)
            #expect(try client.send(.list()).isSuccess)
        }
    }

    @Test("after hostile input, a never-finished line and 100 silent connections, status and list are answered")
    func keepsServing() throws {
        let handler = EchoHandler()
        try withServer(handler: handler, limits: ControlServerLimits(idleTimeout: .seconds(1))) { _, client in
            let silent = try (0..<100).map { _ in try client.connect() }
            let unfinished = try client.connect()
            try unfinished.writeRaw(#"{"command":"list""#)
            for input in HostileInput.all {
                let connection = try client.connect()
                try connection.writeRaw(input.bytes)
                _ = connection.shutdownWrite()
                #expect(try Self.readUntilClosed(connection).allSatisfy { !$0.isSuccess }, "\(input)")
            }
            #expect(try client.send(.list()).isSuccess)
            #expect(try client.send(.status(name: "still-here")).isSuccess)
            // Idle connections, the unfinished line among them, are told why and closed; none is left hanging.
            for connection in silent + [unfinished] {
                #expect(try Self.readUntilClosed(connection).map(\.errorCode) == [.timeout])
            }
            #expect(handler.count == 2)
        }
    }

    /// Every reply on `connection` until the server closes it, bounded in count (each read is bounded in time).
    private static func readUntilClosed(_ connection: ControlConnection) throws -> [ControlResponse] {
        var replies: [ControlResponse] = []
        for _ in 0..<1000 {
            guard let reply = try connection.readResponse() else { return replies }
            replies.append(reply)
        }
        Issue.record("the server sent 1000 replies without closing the connection")
        return replies
    }
}
