import Foundation
import ImportSpec
import Testing

@testable import Control

@Suite("Protocol values")
struct ProtocolTests {
    @Test("JSON values keep their types through a round trip")
    func jsonValueRoundTrip() throws {
        let text = #"{"a":1,"b":1.5,"c":true,"d":null,"e":"x","f":[1,"y"],"g":{"h":false}}"#
        let value = try JSONValue(decoding: Data(text.utf8))
        #expect(
            value
                == [
                    "a": 1, "b": .number(1.5), "c": true, "d": nil, "e": "x", "f": [1, "y"], "g": ["h": false],
                ])
        #expect(String(decoding: try value.encodedData(), as: UTF8.self) == text)
    }

    @Test("a success response has ok, result and the echoed id")
    func successShape() throws {
        let line = try WireFormat.line(ControlResponse(.success(["n": 1]), id: 7))
        #expect(String(decoding: line, as: UTF8.self) == #"{"id":7,"ok":true,"result":{"n":1}}"# + "\n")
        #expect(try JSONDecoder().decode(ControlResponse.self, from: Data(line.dropLast())).get() == ["n": 1])
    }

    @Test("a failure response carries code, message and details")
    func failureShape() throws {
        let response = ControlResponse.failure(.invalidSpec, "The spec is invalid.", details: ["name: required"])
        let line = try WireFormat.line(response)
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"error":{"code":"invalid_spec","details":["name: required"],"message":"The spec is invalid."},"#
                + #""ok":false}"# + "\n")
        let decoded = try JSONDecoder().decode(ControlResponse.self, from: Data(line.dropLast()))
        #expect(decoded == response)
        let expected = ControlError(code: .invalidSpec, message: "The spec is invalid.", details: ["name: required"])
        #expect(throws: expected) { try decoded.get() }
    }

    @Test("an unknown error code from a newer daemon still decodes")
    func unknownErrorCode() throws {
        let line = #"{"ok":false,"error":{"code":"quota_exceeded","message":"Too many specs."}}"#
        let response = try JSONDecoder().decode(ControlResponse.self, from: Data(line.utf8))
        #expect(response.errorCode == ControlErrorCode(rawValue: "quota_exceeded"))
    }

    @Test("a result that JSON cannot express becomes an internal error, not a broken line")
    func unencodableResult() throws {
        let line = Array(ServerLoop.encode(ControlResponse(.success(.number(.nan)), id: "a")).joined())
        let response = try JSONDecoder().decode(ControlResponse.self, from: Data(line.dropLast()))
        #expect(response.errorCode == .internal)
        #expect(response.id == "a")
    }

    @Test("requests built by the static constructors parse back to themselves")
    func requestRoundTrip() throws {
        let requests: [ControlRequest] = [
            .submit(spec: ["name": "a"]), .plan(spec: ["name": "a"]), .status(name: "a"), .list(),
            .delete(name: "a"), ControlRequest(command: .list, id: ["k": 1]), .deletePreview(name: "a"),
            .forget(name: "a"), .restore(name: "a"),
        ]
        for request in requests {
            let line = try WireFormat.line(request)
            #expect(try ControlRequest(parsing: Data(line)) == request)
        }
    }

    @Test("a whole-number id sent as 1.0 comes back as 1, the one change a written request may show")
    func wholeNumberIdOnTheWire() throws {
        let request = try ControlRequest(parsing: Data(#"{"command":"delete","name":"db1","id":1.0}"#.utf8))
        #expect(request.id == .number(1))
        let line = try WireFormat.line(request)
        #expect(String(decoding: line, as: UTF8.self) == #"{"command":"delete","id":1,"name":"db1"}"# + "\n")
        #expect(try ControlRequest(parsing: Data(line)).id == 1)
    }

    @Test(
        "malformed requests are invalid_request with a message naming the problem",
        arguments: [
            ("not json", "not valid JSON"),
            (#"{"command":"list","command":"status"}"#, "not valid JSON"),
            ("[1,2]", "must be a JSON object, not array"),
            (#"{"name":"a"}"#, "has no `command`"),
            (#"{"command":3}"#, "`command` must be a string, not number"),
            (#"{"command":"explode"}"#, "Unknown command `explode`"),
            (#"{"command":"status","name":5}"#, "`name` must be a string, not number"),
            (#"{"command":"status","name":""}"#, "`name` must not be empty"),
            (#"{"command":"submit","spec":"x"}"#, "`spec` must be a JSON object, not string"),
            (#"{"command":"submit"}"#, "submit command needs `spec`"),
            (#"{"command":"delete"}"#, "delete command needs `name`"),
            (#"{"command":"list","nmae":"a"}"#, "Unknown field `nmae`"),
            (#"{"command":"restore"}"#, "restore command needs `name`"),
            (#"{"command":"status","name":"a","dryRun":true}"#, "`dryRun` is only for the delete command"),
            (#"{"command":"delete","name":"a","keepResources":"yes"}"#, "`keepResources` must be a boolean"),
            (#"{"command":"delete","name":"a","dryRun":true,"keepResources":true}"#, "exclude each other"),
            (#"{"command":"events"}"#, "events command needs `name`"),
            (#"{"command":"events","name":"a","limit":0}"#, "`limit` must be between 1 and 10000, not 0"),
            (#"{"command":"events","name":"a","limit":"5"}"#, "`limit` must be an integer, not string"),
            (#"{"command":"status","name":"a","limit":5}"#, "`limit` is only for the events command, not status"),
            (#"{"command":"list","phase":"ready"}"#, "`phase` must be one of Pending, Converging, Ready"),
            (#"{"command":"list","phase":1}"#, "`phase` must be a string, not number"),
            (#"{"command":"status","name":"a","phase":"Ready"}"#, "`phase` is only for the list command, not status"),
            (#"{"command":"list","summary":"yes"}"#, "`summary` must be a boolean, not string"),
            (#"{"command":"events","name":"a","summary":true}"#, "`summary` is only for the list command"),
        ])
    func malformedRequests(line: String, expected: String) {
        #expect {
            try ControlRequest(parsing: Data(line.utf8))
        } throws: { error in
            guard let error = error as? ControlError else { return false }
            return error.code == .invalidRequest && error.message.contains(expected)
        }
    }

    @Test("the delete flags are on the wire only when set")
    func deleteFlagsOnTheWire() throws {
        #expect(
            String(decoding: try WireFormat.line(ControlRequest.delete(name: "a")), as: UTF8.self)
                == #"{"command":"delete","name":"a"}"# + "\n")
        #expect(
            String(decoding: try WireFormat.line(ControlRequest.forget(name: "a")), as: UTF8.self)
                == #"{"command":"delete","keepResources":true,"name":"a"}"# + "\n")
        let preview = try ControlRequest(parsing: Data(#"{"command":"delete","name":"a","dryRun":true}"#.utf8))
        #expect(preview.dryRun && !preview.keepResources)
    }

    @Test("the framer yields lines, skips blank ones, refuses a long line early and takes a last line on close")
    func lineFraming() {
        var framer = LineFramer(maxLineBytes: 8)
        framer.append(Array("a\n \r\t\nbc".utf8))
        #expect(framer.next(inputClosed: false) == .line(Array("a".utf8)))
        #expect(framer.next(inputClosed: false) == .needMore)
        framer.append(Array("d\nef".utf8))
        #expect(framer.next(inputClosed: false) == .line(Array("bcd".utf8)))
        #expect(framer.next(inputClosed: true) == .lastLine(Array("ef".utf8)))
        #expect(framer.next(inputClosed: true) == .end)

        framer.append(Array("123456789".utf8))
        #expect(framer.next(inputClosed: false) == .tooLarge)
        #expect(framer.next(inputClosed: true) == .end)
    }

    @Test("events carries its limit on the wire and back")
    func eventsLimitRoundTrip() throws {
        let line = try WireFormat.line(ControlRequest.events(name: "a", limit: 7))
        #expect(String(decoding: line, as: UTF8.self) == #"{"command":"events","limit":7,"name":"a"}"# + "\n")
        #expect(try ControlRequest(parsing: Data(line.dropLast())) == .events(name: "a", limit: 7))
        #expect(try ControlRequest(parsing: Data(#"{"command":"events","name":"a"}"#.utf8)).limit == nil)
    }

    @Test("list carries its phase and summary on the wire and back, and only when set")
    func listFieldsRoundTrip() throws {
        let line = try WireFormat.line(ControlRequest.list(phase: .failed, summary: true))
        #expect(String(decoding: line, as: UTF8.self) == #"{"command":"list","phase":"Failed","summary":true}"# + "\n")
        #expect(try ControlRequest(parsing: Data(line.dropLast())) == .list(phase: .failed, summary: true))
        #expect(
            String(decoding: try WireFormat.line(ControlRequest.list()), as: UTF8.self) == #"{"command":"list"}"# + "\n"
        )
    }

    @Test("peers pass by uid, primary group or supplementary group, and nothing else")
    func peerPolicy() {
        let policy = PeerPolicy(uids: [0], gids: [500])
        #expect(policy.allows(PeerCredentials(pid: 1, uid: 0, gid: 9)))
        #expect(policy.allows(PeerCredentials(pid: 1, uid: 1000, gid: 500)))
        #expect(policy.allows(PeerCredentials(pid: 1, uid: 1000, gid: 1000, groups: [27, 500])))
        #expect(!policy.allows(PeerCredentials(pid: 1, uid: 1000, gid: 1000, groups: [27])))
    }

    @Test("socket paths longer than sockaddr_un allows are rejected with the limit in the message")
    func pathLength() {
        #expect(UnixSocket.maxPathBytes == 107)
        #expect(UnixSocket.pathProblem("/tmp/" + String(repeating: "a", count: 102)) == nil)
        let problem = UnixSocket.pathProblem("/tmp/" + String(repeating: "a", count: 103))
        #expect(problem?.contains("108 bytes long but Unix sockets allow at most 107") == true)
    }
}
