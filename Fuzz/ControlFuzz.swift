import Foundation
import ImportSpec

// Compiled into a module named Control together with ControlRequest.swift, ControlResponse.swift and
// WireFormat.swift (see scripts/fuzz), so it reaches the same internal helpers the server loop uses.

/// libFuzzer entry point for the control protocol: one request line, as the server loop hands it to the parser, must
/// become a request or an `invalid_request` error whose reply is one JSON line; never a crash or a hang.
///
/// Also checked on every input: an accepted request has the fields its command needs; written back as a line it has
/// no newline inside and parses to the same request (after the one normalisation JSON allows, `1.0` becoming `1`);
/// a rejection's reply, with the request's `id` echoed, decodes back to the same error.
@_cdecl("LLVMFuzzerTestOneInput")
public func controlFuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let line = Data(UnsafeBufferPointer(start: bytes, count: count))
    do throws(ControlError) {
        let request = try ControlRequest(parsing: line)
        switch request.command {
        case .submit, .plan:
            invariant(request.spec?.typeName == "object", "\(request.command) accepted without a spec")
        case .status, .delete:
            invariant(request.name?.isEmpty == false, "\(request.command) accepted without a name")
        case .list: break
        }
        let once = reparse(request)
        invariant(once.command == request.command && once.name == request.name, "a request changed on the wire")
        invariant(reparse(once) == once, "a request written and read back twice is not stable")
    } catch {
        invariant(error.code == .invalidRequest && !error.message.isEmpty, "unexpected rejection: \(error)")
        let id = (try? ControlRequest.parseJSON(line))?["id"]
        let reply = encodeLine(ControlResponse(.failure(error), id: id))
        let decoded = try? JSONDecoder().decode(ControlResponse.self, from: Data(reply.dropLast()))
        invariant(decoded?.outcome == .failure(error), "the error reply does not decode to the error")
    }
    return 0
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

/// `value` as one protocol line, which must end in the only newline it holds.
private func encodeLine(_ value: some Encodable) -> [UInt8] {
    guard let line = try? WireFormat.line(value) else { fatalError("fuzz invariant broken: a value cannot be encoded") }
    invariant(line.last == WireFormat.newline, "a line does not end in a newline")
    invariant(!line.dropLast().contains(WireFormat.newline), "a line holds a newline before its end")
    return line
}

