import Foundation
import ImportSpec

/// How values become protocol lines: compact JSON, sorted keys, one trailing newline.
enum WireFormat {
    /// The newline byte that ends every request and response.
    static let newline = UInt8(ascii: "\n")

    /// Encodes `value` as one line, newline included.
    static func line(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [newline]
    }

    /// Encodes `response` as one line, newline included, written directly (`JSONText`): a list result of
    /// thousands of statuses would spend most of its time in `JSONEncoder`. The line comes in pieces to be sent one
    /// after the other: an encoded result goes between the line's opening and closing bytes as it is, never copied
    /// into the line; keys stay sorted because `id` sorts before `ok` and `result`. A streamed result is read whole
    /// here (the server sends its pieces as they are written instead: `successOpening`, the pieces, `successClosing`).
    static func pieces(_ response: ControlResponse) throws -> [[UInt8]] {
        switch response.outcome {
        case .encodedSuccess(let result):
            return [try successOpening(id: response.id), result, successClosing]
        case .streamedSuccess(let stream):
            return [try successOpening(id: response.id), try stream.collected(), successClosing]
        case .success, .failure:
            return [try JSONText.compact(response.wireValue) + [newline]]
        }
    }

    /// The bytes a success line starts with, up to its result: `{`, the request's `id` when it had one, `"ok":true`.
    static func successOpening(id: JSONValue?) throws -> [UInt8] {
        var opening = Array("{".utf8)
        if let id { opening += Array(#""id":"#.utf8) + (try JSONText.compact(id)) + Array(",".utf8) }
        return opening + successPrefix
    }

    /// The bytes a success line ends with, after its result.
    static let successClosing = [UInt8(ascii: "}"), newline]

    /// What a success line without an `id` starts with; the result follows, then the closing brace.
    private static let successPrefix = Array(#""ok":true,"result":"#.utf8)

    /// The bytes a success line without an `id` starts with, opening brace included.
    static let successPrefixLine = [UInt8(ascii: "{")] + successPrefix

    /// Reads one response line (without its newline) with the strict parser rather than `JSONDecoder`, whose
    /// decoding of `JSONValue` tries each JSON type in turn. With `resultAsText`, a success without an `id` keeps
    /// its result as text (`encodedSuccess`), checked when it is read (`ControlResponse.get`) or indented
    /// (`prettyResult`).
    static func response(_ line: [UInt8], resultAsText: Bool = false) throws -> ControlResponse {
        if resultAsText, line.first == UInt8(ascii: "{"), line.last == UInt8(ascii: "}"),
            line.count > successPrefix.count + 2, line[1...successPrefix.count].elementsEqual(successPrefix)
        {
            return ControlResponse(.encodedSuccess(Array(line[(successPrefix.count + 1)..<(line.count - 1)])))
        }
        return try ControlResponse(wire: try JSONValue(decoding: Data(line)))
    }

    /// True when `bytes` hold only JSON whitespace, which the server skips instead of answering.
    static func isBlank(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }
}

/// Cuts a connection's incoming bytes into request lines: blank lines are skipped, a line over the limit is refused
/// as soon as the buffer shows it (before its newline arrives, so nothing is buffered without bound), and once the
/// peer has shut down its side a last line without its newline still counts.
///
/// Kept apart from the poll loop so the framing can be fuzzed on its own (Fuzz/ControlFuzz.swift).
struct LineFramer {
    /// What the buffered bytes hold next.
    enum Next: Equatable {
        /// A complete request line, without its newline.
        case line([UInt8])
        /// The peer's last line, sent without a newline before it shut down its side; nothing follows it.
        case lastLine([UInt8])
        /// A line over `maxLineBytes`; the buffer has been dropped.
        case tooLarge
        /// No complete line yet.
        case needMore
        /// The peer shut down its side and nothing but white space is left.
        case end
    }

    /// The longest line accepted, in bytes, newline excluded.
    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// How much of `buffer` is known to hold no newline, so a long line is scanned once.
    private var scanned = 0

    /// A framer refusing lines longer than `maxLineBytes`.
    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Adds bytes read from the peer.
    mutating func append(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Takes the next line out of the buffer; `inputClosed` says whether the peer has shut down its side.
    mutating func next(inputClosed: Bool) -> Next {
        while let newline = buffer[scanned...].firstIndex(of: WireFormat.newline) {
            let line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            scanned = 0
            if line.count > maxLineBytes { return refuse() }
            if !WireFormat.isBlank(line) { return .line(line) }
        }
        scanned = buffer.count
        if buffer.count > maxLineBytes { return refuse() }
        guard inputClosed else { return .needMore }
        defer { (buffer, scanned) = ([], 0) }
        return WireFormat.isBlank(buffer) ? .end : .lastLine(buffer)
    }

    private mutating func refuse() -> Next {
        (buffer, scanned) = ([], 0)
        return .tooLarge
    }
}
