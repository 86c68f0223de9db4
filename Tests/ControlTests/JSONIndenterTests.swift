import Foundation
import ImportSpec
import Logging
import Testing

@testable import Control

/// `JSONIndenter` fed piece by piece lays text out as `JSONText.pretty` does, and
/// `ControlConnection.sendIndentingResult` streams a daemon's array or object result through it.
@Suite("Indenting as text arrives")
struct JSONIndenterTests {
    private let value: JSONValue = [
        "list": [1, ["x": [], "y": [:]], [[true, nil]]], "text": "a \"quoted\" \\ text, [not] {a} bracket: no",
        "n": .number(-0.25), "empty": [],
    ]

    @Test("split at every byte, the pieces indent to the pretty text")
    func everySplit() throws {
        let compact = try JSONText.compact(value)
        let pretty = try JSONText.pretty(value)
        for split in 0...compact.count {
            var indenter = JSONIndenter()
            var out: [UInt8] = []
            compact[..<split].withUnsafeBufferPointer { _ = indenter.feed($0, into: &out) }
            compact[split...].withUnsafeBufferPointer { _ = indenter.feed($0, into: &out) }
            #expect(indenter.isBalanced)
            #expect(out == pretty, "split at \(split)")
        }
    }

    @Test("stopping at the top level takes the bytes up to the closing bracket and no more")
    func stopsAtTheTopLevel() throws {
        let compact = try JSONText.compact(value)
        let text = compact + Array("}\n".utf8)
        var indenter = JSONIndenter()
        var out: [UInt8] = []
        let taken = text.withUnsafeBufferPointer { indenter.feed($0, into: &out, stoppingAtTopLevel: true) }
        #expect(taken == compact.count)
        #expect(indenter.closedTopLevel && indenter.isBalanced)
        #expect(out == (try JSONText.pretty(value)))
    }

    @Test("a stray closer makes the text invalid; an open string or bracket leaves it unbalanced")
    func brokenText() {
        for (text, valid) in [(#"[1]]"#, false), (#"["abc]"#, true), (#"{"a":[1"#, true)] {
            var indenter = JSONIndenter()
            var out: [UInt8] = []
            _ = Array(text.utf8).withUnsafeBufferPointer { indenter.feed($0, into: &out) }
            #expect(indenter.isValid == valid, "\(text)")
            #expect(!indenter.isBalanced, "\(text)")
        }
    }

    @Test("a large array result arrives indented in pieces; a failure or a scalar result comes back whole")
    func streamsFromTheDaemon() throws {
        let rows: JSONValue = .array((0..<3000).map { ["name": .string("spec-\($0)"), "phase": "Ready"] })
        let handler = ResultHandler(rows: rows)
        try withServer(handler: handler) { _, client in
            var pieces: [[UInt8]] = []
            let streamed = try client.connect().sendIndentingResult(.list()) { pieces.append(Array($0)) }
            #expect(streamed == nil)
            #expect(pieces.count > 1, "the result is written as it arrives")
            #expect(pieces.flatMap { $0 } == (try JSONText.pretty(rows)))

            var written = 0
            let missing = try client.connect().sendIndentingResult(.status(name: "missing")) { written += $0.count }
            #expect(written == 0)
            #expect(missing?.isSuccess == false)
            let scalar = try client.connect().sendIndentingResult(.status(name: "scalar")) { written += $0.count }
            #expect(written == 0)
            #expect(try scalar?.get() == "just text")
        }
    }
}

/// Answers `list` with `rows` as the daemon does (text written ahead), `status` of "missing" with not_found and
/// `status` of anything else with a string.
private struct ResultHandler: ControlHandler {
    let rows: JSONValue

    func handle(_ request: ControlRequest, peer: PeerCredentials) -> ControlResponse {
        switch (request.command, request.name) {
        case (.list, _): ControlResponse(.encodedSuccess((try? JSONText.compact(rows)) ?? []))
        case (_, "missing"): .failure(.notFound, "No spec is named missing.")
        default: .success("just text")
        }
    }
}
