import Foundation

extension ImportSpec {
    /// The largest spec document accepted, in bytes (1 MiB).
    public static let maxDocumentSize = 1 << 20

    /// Parses and validates a spec document strictly, reporting every problem at once.
    ///
    /// Rejected: documents over `maxDocumentSize`, invalid UTF-8, invalid JSON (with line and column), duplicate
    /// keys, a top level that is not an object, unknown fields at any depth (with a suggestion when one is close),
    /// wrong JSON types, missing required fields, and everything `validate()` reports. `null` for an optional field
    /// means the field is absent. A UTF-8 byte-order mark is ignored.
    public static func decode(from data: Data) throws(SpecError) -> ImportSpec {
        guard data.count <= maxDocumentSize else {
            throw documentError(
                "the spec is \(data.count) bytes, over the limit of \(maxDocumentSize) bytes (1 MiB); "
                    + "a spec is a few kilobytes, so check that this is the right file.")
        }
        let bytes = JSONParser.withoutByteOrderMark(data)
        if let offset = JSONParser.firstInvalidUTF8Offset(bytes) {
            throw documentError("the spec is not valid UTF-8 (first bad byte at offset \(offset)); save it as UTF-8.")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw documentError("invalid JSON at line \(error.line), column \(error.column): \(error.reason).")
        }
        guard case .object = root else {
            throw documentError("the spec must be a JSON object, found \(root.kindDescription).")
        }
        var reader = SpecReader()
        let spec = reader.readSpec(root)
        var validator = SpecValidator(spec: spec, unusable: reader.unusable)
        validator.run()
        let problems = (reader.problems + validator.problems).sorted { ($0.path, $0.message) < ($1.path, $1.message) }
        guard problems.isEmpty else {
            throw SpecError(limiting: problems, unreported: reader.unreported)
        }
        return spec
    }

    private static func documentError(_ message: String) -> SpecError {
        SpecError(problems: [SpecProblem(path: FieldPath.document, message: message)])
    }
}
