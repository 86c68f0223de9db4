import Foundation
import ImportSpec

// Compiled into a module named Control together with the Control sources that need neither swift-log nor Store
// (see scripts/fuzz), so it reaches the same internal framing and parsing the server loop uses.

/// libFuzzer entry point for the control protocol: the bytes a client sends on one connection are cut into lines by
/// the server loop's `LineFramer`, and each line must become a request or an `invalid_request` error whose reply is
/// one JSON line; never a crash or a hang.
///
/// Also checked on every input: the lines do not depend on how the bytes are split into reads, and match the
/// newline-split reference (blank lines skipped, a line over the limit ending the connection); an accepted request
/// has the fields its command needs; written back as a line it has no newline inside and parses to the same request
/// (after the one normalisation JSON allows, `1.0` becoming `1`); a rejection's reply, with the request's `id`
/// echoed, decodes back to the same error.
@_cdecl("LLVMFuzzerTestOneInput")
public func controlFuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let stream = Array(UnsafeBufferPointer(start: bytes, count: count))
    // A small limit so refusals of long lines are reached too; the server's own (1 MiB) for the lines parsed.
    _ = framedLines(stream, maxLineBytes: 16)
    for line in framedLines(stream, maxLineBytes: ControlServerLimits().maxRequestBytes) {
        checkRequest(line)
    }
    return 0
}

/// The lines the server loop would start requests for on a connection that sends `stream` and then shuts down.
private func framedLines(_ stream: [UInt8], maxLineBytes: Int) -> [[UInt8]] {
    let whole = frame([stream[...]], maxLineBytes: maxLineBytes)
    // Reads of 1 to 16 bytes, their sizes taken from the input itself so a reproducer replays exactly.
    var reads: [ArraySlice<UInt8>] = []
    var offset = 0
    while offset < stream.count {
        let size = Int(stream[offset] % 16) + 1
        reads.append(stream[offset..<min(offset + size, stream.count)])
        offset += size
    }
    invariant(frame(reads, maxLineBytes: maxLineBytes) == whole, "the lines depend on how the bytes arrive")
    invariant(whole == referenceFrames(stream, maxLineBytes: maxLineBytes), "the lines differ from a newline split")
    return whole.compactMap { next in
        switch next {
        case .line(let line), .lastLine(let line): line
        default: nil
        }
    }
}

/// What a `LineFramer` yields for `reads` as the server loop drains it: every line after each read, then what is
/// left once the peer has shut down; a refused line ends the connection.
private func frame(_ reads: [ArraySlice<UInt8>], maxLineBytes: Int) -> [LineFramer.Next] {
    var framer = LineFramer(maxLineBytes: maxLineBytes)
    var yielded: [LineFramer.Next] = []
    for (index, read) in reads.enumerated() {
        framer.append(read)
        let inputClosed = index == reads.count - 1
        while true {
            let next = framer.next(inputClosed: inputClosed)
            guard next != .needMore else { break }
            yielded.append(next)
            if case .line = next { continue }
            return yielded
        }
    }
    yielded.append(framer.next(inputClosed: true))
    return yielded
}

/// The framing written out from its definition: newline-separated lines, blank ones skipped, the first line over the
/// limit refused, and what follows the last newline taken as a last line when it is not blank.
private func referenceFrames(_ stream: [UInt8], maxLineBytes: Int) -> [LineFramer.Next] {
    var expected: [LineFramer.Next] = []
    let segments = stream.split(separator: WireFormat.newline, omittingEmptySubsequences: false)
    for (index, segment) in segments.enumerated() {
        if segment.count > maxLineBytes { return expected + [.tooLarge] }
        if index == segments.count - 1 {
            return expected + [WireFormat.isBlank(segment) ? .end : .lastLine(Array(segment))]
        }
        if !WireFormat.isBlank(segment) { expected.append(.line(Array(segment))) }
    }
    return expected
}

/// One request line through `ControlRequest(parsing:)`, as the server loop parses it, with its invariants.
private func checkRequest(_ bytes: [UInt8]) {
    let line = Data(bytes)
    do throws(ControlError) {
        let request = try ControlRequest(parsing: line)
        switch request.command {
        case .submit, .plan:
            invariant(request.spec?.typeName == "object", "\(request.command) accepted without a spec")
        case .status, .delete, .restore, .events:
            invariant(request.name?.isEmpty == false, "\(request.command) accepted without a name")
        case .list: break
        }
        invariant(
            request.command == .list || (request.phase == nil && !request.summary),
            "phase or summary accepted for \(request.command)")
        let once = reparse(request)
        invariant(
            withWholeNumbersAsIntegers(once) == withWholeNumbersAsIntegers(request), "a request changed on the wire")
        invariant(reparse(once) == once, "a request written and read back twice is not stable")
    } catch {
        invariant(error.code == .invalidRequest && !error.message.isEmpty, "unexpected rejection: \(error)")
        let id = (try? ControlRequest.parseJSON(line))?["id"]
        let reply = encodeLine(ControlResponse(.failure(error), id: id))
        let decoded = try? JSONDecoder().decode(ControlResponse.self, from: Data(reply.dropLast()))
        invariant(decoded?.outcome == .failure(error), "the error reply does not decode to the error")
    }
}

/// `request` written as a protocol line and parsed again, checking the line's framing on the way.
private func reparse(_ request: ControlRequest) -> ControlRequest {
    let line = encodeLine(request)
    do {
        return try ControlRequest(parsing: Data(line.dropLast()))
    } catch {
        fatalError("fuzz invariant broken: a written request does not parse: \(error)")
    }
}

/// `request` with every whole number that fits `Int` held as an integer (`1.0` as `1`): the one change JSON allows a
/// request written and read back, since the encoder writes a whole `Double` without its fraction (`1`, read back as an
/// integer) or, from 1e16 on, in exponent form (`1e+16`, read back as a number).
private func withWholeNumbersAsIntegers(_ request: ControlRequest) -> ControlRequest {
    var normalized = request
    normalized.id = request.id.map(wholeNumbersAsIntegers)
    normalized.spec = request.spec.map(wholeNumbersAsIntegers)
    return normalized
}

private func wholeNumbersAsIntegers(_ value: JSONValue) -> JSONValue {
    switch value {
    case .number(let number): Int(exactly: number).map(JSONValue.integer) ?? value
    case .array(let elements): .array(elements.map(wholeNumbersAsIntegers))
    case .object(let members): .object(members.mapValues(wholeNumbersAsIntegers))
    default: value
    }
}

/// `value` as one protocol line, which must end in the only newline it holds.
private func encodeLine(_ value: some Encodable) -> [UInt8] {
    guard let line = try? WireFormat.line(value) else { fatalError("fuzz invariant broken: a value cannot be encoded") }
    invariant(line.last == WireFormat.newline, "a line does not end in a newline")
    invariant(!line.dropLast().contains(WireFormat.newline), "a line holds a newline before its end")
    return line
}
