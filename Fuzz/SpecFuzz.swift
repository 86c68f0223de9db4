import Foundation
import ImportSpec

/// libFuzzer entry point for the spec path: bytes go through the same strict decode and validation the daemon runs
/// on submit, and must come back as a spec or a `SpecError`, never a crash or a hang.
///
/// Beyond "no crash", it checks what can be checked cheaply on every input: decoding is deterministic; an accepted
/// spec passes `validate()` and its canonical JSON (what the store keeps) decodes back to the same spec; a rejection
/// lists at least one problem and at most the report limit plus a summary line; and a spec that arrives inside a
/// request line (parsed into a `JSONValue`, re-encoded by the daemon, then decoded) gets the same answer as the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func specFuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let document = Data(UnsafeBufferPointer(start: bytes, count: count))
    let answer = decodeSpec(document)
    invariant(decodeSpec(document) == answer, "decoding the same bytes twice gave different answers")
    switch answer {
    case .success(let spec):
        invariant(spec.validate().isEmpty, "an accepted spec fails validate()")
        let reread = decodeSpec(spec.canonicalJSON())
        invariant(reread == .success(spec), "an accepted spec's canonical JSON decodes to something else")
    case .failure(let error):
        invariant(!error.problems.isEmpty, "a rejection lists no problem")
        invariant(error.problems.count <= SpecError.reportLimit + 1, "a rejection lists more than the limit")
    }
    // The daemon's path: the control request parser reads the spec as a JSONValue and the handler re-encodes it.
    if count <= ImportSpec.maxDocumentSize, let value = try? JSONValue(decoding: document), case .object = value,
        let reencoded = try? value.encodedData(), reencoded.count <= ImportSpec.maxDocumentSize
    {
        invariant(decodeSpec(reencoded) == answer, "the daemon's re-encoded spec is answered differently")
    }
    return 0
}

/// The outcome of `ImportSpec.decode(from:)` as a comparable value.
private func decodeSpec(_ document: Data) -> Result<ImportSpec, SpecError> {
    Result { () throws(SpecError) in try ImportSpec.decode(from: document) }
}
