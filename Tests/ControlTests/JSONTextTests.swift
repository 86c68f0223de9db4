import Foundation
import ImportSpec
import StatusModel
import Synchronization
import Testing

@testable import Control

/// What `JSONEncoder` writes for `value` with `formatting` (sorted keys and unescaped slashes added).
private func encoded(_ value: JSONValue, _ formatting: JSONEncoder.OutputFormatting = []) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = formatting.union([.sortedKeys, .withoutEscapingSlashes])
    return Array(try encoder.encode(value))
}

/// Every character `JSONEncoder` escapes, and some it does not.
private let awkward = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined() + "\"\\/é\u{7f}\u{2028}😀"

/// A status with every optional field set, `awkward` text in its message, and one without any.
private let statuses: [SpecStatus] = [
    SpecStatus(
        name: "orders", generation: 3, observedGeneration: 2, phase: .converging,
        conditions: [
            Condition(
                type: "RoleReady", status: .true, reason: "RoleCreated", message: "role/aurorad-orders exists",
                lastTransitionTime: Timestamp(secondsSince1970: 1_700_000_000)),
            Condition(
                type: "ClusterRestored", status: .unknown, reason: "Restoring", message: awkward,
                lastTransitionTime: Timestamp(secondsSince1970: 1_700_000_005)),
        ],
        cluster: ClusterFacts(
            identifier: "orders", status: "creating", arn: "arn:aws:rds:eu-west-1:1:cluster:orders",
            endpoint: "orders.cluster-abc.eu-west-1.rds.amazonaws.com",
            lastSeen: Timestamp(secondsSince1970: 1_700_000_006)),
        role: RoleFacts(name: "aurorad-orders", arn: "arn:aws:iam::1:role/aurorad-orders"), message: awkward,
        deletionRequested: true, restoreRequestedAt: Timestamp(secondsSince1970: 1_700_000_007),
        updatedAt: Timestamp(secondsSince1970: 1_700_000_008),
        binlog: BinlogPosition(source: BinlogPosition.fromEvent, file: "mysql-bin.000003", position: 154)),
    SpecStatus(
        name: "legacy", generation: 1, observedGeneration: 1, phase: .ready,
        cluster: ClusterFacts(identifier: "legacy", status: "available"),
        updatedAt: Timestamp(secondsSince1970: 1_700_000_000),
        binlog: BinlogPosition(source: BinlogPosition.unavailable)),
    SpecStatus(
        name: "users", generation: 1, observedGeneration: 0, phase: .pending,
        cluster: ClusterFacts(identifier: "users", status: ClusterFacts.notObservedStatus),
        updatedAt: Timestamp(secondsSince1970: 1_700_000_000)),
]

@Suite("JSON text")
struct JSONTextTests {
    /// Values covering every JSON type, empty containers, nesting, key order and escapes.
    private let values: [JSONValue] = [
        .null, true, 0, -42, .number(1.5), .number(2), .number(1e20), .number(0.1), .string(awkward), [], [:],
        ["B": 1, "a": 2, "a10": 3, "a9": 4, "_x": 5, "Z": 6, "é": 7, "10": 8, "9": 9],
        ["list": [1, ["x": [], "y": [:]], [[true, nil]]], "text": .string(awkward), "n": .number(-0.25)],
    ]

    @Test("compact and pretty text are JSONEncoder's bytes")
    func matchesJSONEncoder() throws {
        for value in values {
            #expect(try JSONText.compact(value) == (try encoded(value)))
            #expect(try JSONText.pretty(value) == (try encoded(value, .prettyPrinted)))
        }
        #expect(throws: (any Error).self) { try JSONText.compact(.number(.nan)) }
    }

    @Test("indenting compact text gives the pretty text; unbalanced text gives nil")
    func indentedText() throws {
        for value in values {
            #expect(JSONText.indented(try JSONText.compact(value)) == (try JSONText.pretty(value)))
        }
        for broken in [#"[1,2"#, #"{"a":1}}"#, #"["abc]"#] {
            #expect(JSONText.indented(Array(broken.utf8)) == nil)
        }
    }

    @Test("status values are the members their Codable conformances write")
    func statusValues() throws {
        for status in statuses {
            #expect(StatusJSON.value(status) == (try JSONValue(encoding: status)))
        }
        let event = SpecEvent(
            time: Timestamp(secondsSince1970: 1_700_000_000), type: .warning, reason: "Failed", message: awkward)
        #expect(StatusJSON.value(event) == (try JSONValue(encoding: event)))
        for managed in [["tags"], nil] {
            let result = StatusResult(status: statuses[0], events: [event], managedSettings: managed)
            #expect(StatusJSON.value(result) == (try JSONValue(encoding: result)))
            #expect(try StatusJSON.value(result).decode(StatusResult.self) == result)
        }
    }

    @Test("an encoded list is the compact text of the status values, conditions passed on as stored")
    func encodedList() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let listed = try statuses.map { status in
            var bare = status
            bare.conditions = []
            return ListedStatus(
                status: bare,
                conditionsJSON: String(decoding: try encoder.encode(status.conditions), as: UTF8.self))
        }
        let text = try written(listed)
        #expect(text == (try JSONText.compact(.array(statuses.map(StatusJSON.value)))))
        // A list within one piece is complete once that piece is taken: the server ends the line with it.
        let short = try StatusJSON.listStream(summary: false, including: { _ in true }) { after, limit in
            self.page(of: listed, after: after, limit: limit)
        }
        #expect(!short.isComplete)
        #expect(try short.nextPiece() == text)
        #expect(short.isComplete)
        #expect(try short.nextPiece() == nil)
        // Unreadable conditions in the first piece fail the list before anything is sent.
        #expect(throws: StatusJSON.UnreadableConditions(name: statuses[1].name)) {
            try written([ListedStatus(status: statuses[1], conditionsJSON: "{}")])
        }
    }

    @Test("a long list is streamed in pieces of about 256 KiB, each written from one page read when asked for")
    func listInPieces() throws {
        var bare = statuses[0]
        bare.conditions = []
        let count = 3_000
        let entries = (0..<count).map { index in
            var status = bare
            status.name = String(format: "spec-%04d", index)
            return ListedStatus(status: status, conditionsJSON: "[]")
        }
        let one = try written([entries[0]]).count - 1  // a status and its comma
        let pagesRead = Mutex<[String?]>([])
        let stream = try StatusJSON.listStream(summary: false, including: { _ in true }) { after, limit in
            pagesRead.withLock { $0.append(after) }
            return page(of: entries, after: after, limit: limit)
        }
        #expect(pagesRead.withLock { $0 } == [nil], "the first piece is written when the stream is made")
        #expect(!stream.isComplete)
        var pieces: [[UInt8]] = []
        for _ in 0..<count {
            guard let piece = try stream.nextPiece() else { break }
            pieces.append(piece)
        }
        let size = StatusJSON.ListText.pieceSize
        #expect(pieces.count >= 5, "\(pieces.map(\.count))")
        #expect(pieces.first?.count ?? 0 >= StatusJSON.ListText.firstPageSize * (one - 1))
        #expect(
            pieces.dropFirst().dropLast().allSatisfy { $0.count >= size && $0.count <= size + 2 * one },
            "\(pieces.map(\.count))")
        #expect(pagesRead.withLock { $0.count } <= pieces.count + 1, "one page for each piece")
        #expect(pagesRead.withLock { Array($0.dropFirst()) }.allSatisfy { $0 != nil })
        let expected = JSONValue.array(entries.map { StatusJSON.value($0.status) })
        #expect(Array(pieces.joined()) == (try JSONText.compact(expected)))
        #expect(try stream.nextPiece() == nil)
    }

    @Test("a list keeps only the statuses it includes, the commas right across pages")
    func filteredList() throws {
        let entries = (0..<450).map { index in
            var status = statuses[2]
            status.name = String(format: "spec-%03d", index)
            status.phase = index % 7 == 0 ? .failed : .ready
            return ListedStatus(status: status, conditionsJSON: "[]")
        }
        let stream = try StatusJSON.listStream(summary: true, including: { $0.phase == .failed }) { after, limit in
            page(of: entries, after: after, limit: limit)
        }
        guard case .array(let listed) = try JSONValue(decoding: Data(try stream.collected())) else {
            Issue.record("not an array")
            return
        }
        let failed = entries.filter { $0.status.phase == .failed }.map { JSONValue.string($0.status.name) }
        #expect(listed.map { $0["name"] } == failed)
        #expect(listed.allSatisfy { $0["phase"] == "Failed" })
    }

    /// The page of `entries` (sorted by name) a store gives: at most `limit` of those after `after`.
    private func page(of entries: [ListedStatus], after: String?, limit: Int) -> [ListedStatus] {
        Array(entries.filter { entry in after.map { entry.status.name > $0 } ?? true }.prefix(limit))
    }

    /// `listed` streamed as one list, its pieces joined.
    private func written(_ listed: [ListedStatus], summary: Bool = false) throws -> [UInt8] {
        try StatusJSON.listStream(summary: summary, including: { _ in true }) { after, limit in
            page(of: listed, after: after, limit: limit)
        }.collected()
    }

    @Test("a summary list holds only the members ctl list prints, as the full values have them")
    func encodedSummaryList() throws {
        let printed: Set<String> = ["name", "phase", "generation", "observedGeneration", "cluster", "updatedAt"]
        let full = statuses.map(StatusJSON.value)
        let expected = JSONValue.array(
            full.map { value in
                guard case .object(let members) = value else { return value }
                var kept = members.filter { printed.contains($0.key) }
                kept["cluster"] = ["status": members["cluster"]?["status"] ?? .null]
                return .object(kept)
            })
        // A summary does not read the conditions.
        let listed = statuses.map { ListedStatus(status: $0, conditionsJSON: "not read") }
        let summary = try written(listed, summary: true)
        #expect(summary == (try JSONText.compact(expected)))
        #expect(try written([], summary: true) == Array("[]".utf8))
        #expect(try StatusRendering.list(try JSONValue(decoding: Data(summary))).count > 0)
    }

    @Test("an encoded result travels as text: the same line as its value, read back without parsing")
    func encodedResponse() throws {
        let value: JSONValue = ["b": [1, 2], "a": .string(awkward)]
        for id: JSONValue? in [nil, 7, "x"] {
            let pieces = try WireFormat.pieces(ControlResponse(.encodedSuccess(try JSONText.compact(value)), id: id))
            let line = Array(pieces.joined())
            #expect(line == Array(try WireFormat.pieces(ControlResponse(.success(value), id: id)).joined()))
            #expect(try WireFormat.response(Array(line.dropLast())) == ControlResponse(.success(value), id: id))
            let read = try WireFormat.response(Array(line.dropLast()), resultAsText: true)
            #expect(try read.get() == value)
            #expect(try read.prettyResult() == (try JSONText.pretty(value)))
            if id == nil { #expect(read.outcome == .encodedSuccess(try JSONText.compact(value))) }
        }
        let garbage = try WireFormat.response(Array(#"{"ok":true,"result":[1,}"#.utf8), resultAsText: true)
        #expect(throws: ControlError.self) { try garbage.get() }
        let failure = ControlResponse.failure(.notFound, "No spec.", details: ["a", "b"])
        #expect(try WireFormat.response(Array(try WireFormat.line(failure).dropLast())) == failure)
    }
}
