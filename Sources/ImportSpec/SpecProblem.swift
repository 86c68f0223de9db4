/// One thing wrong with a spec: the field it concerns and what to do about it.
public struct SpecProblem: Sendable, Hashable, CustomStringConvertible {
    /// The field path, e.g. `s3_import.bucket_name`, `instances.2.instance_class`, `vpc_security_group_ids[0]`;
    /// `(document)` for problems with the document as a whole (size, encoding, syntax).
    public let path: String
    /// What is wrong and how to fix it; one line, never containing a secret.
    public let message: String

    /// Creates a problem for the field at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, the form every problem takes in an error report.
    public var description: String { "\(path): \(message)" }
}

/// A spec that cannot be accepted, with every problem found (not just the first).
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in a stable order (by field path).
    public let problems: [SpecProblem]

    /// Wraps `problems`, which should not be empty.
    public init(problems: [SpecProblem]) {
        self.problems = problems
    }

    /// At most this many problems are listed; a document full of mistakes gets a summary line for the rest.
    public static let reportLimit = 100

    /// Keeps the first `reportLimit` problems and adds a `(document)` line counting the rest (`unreported` are
    /// problems found but never built).
    init(limiting problems: [SpecProblem], unreported: Int) {
        let hidden = max(0, problems.count - Self.reportLimit) + unreported
        guard hidden > 0 else {
            self.init(problems: problems)
            return
        }
        self.init(
            problems: Array(problems.prefix(Self.reportLimit)) + [
                SpecProblem(
                    path: FieldPath.document,
                    message: "\(hidden) more problems are not listed; fix the ones above and submit again.")
            ])
    }

    /// One problem per line, `path: message`.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Builds and compares the field paths that problems name.
enum FieldPath {
    /// The path of problems with the document itself rather than one field.
    static let document = "(document)"

    /// `parent.key`, or `parent["key"]` when the key is empty or holds characters that would make the path ambiguous.
    static func member(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy(isPlainKeyByte)
        if plain { return parent.isEmpty ? key : "\(parent).\(key)" }
        return "\(parent)[\(quote(key, limit: 40))]"
    }

    /// An ASCII letter, digit, `_` or `-` (compared as bytes: every spec read builds dozens of paths).
    private static func isPlainKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// `parent[index]`.
    static func element(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }
}

/// A user-supplied value in double quotes, control characters escaped and long values shortened, so a problem
/// always stays on one readable line.
func quote(_ value: String, limit: Int = 80) -> String {
    var out = ""
    var count = 0
    for scalar in value.unicodeScalars {
        if count == limit {
            out += "…"
            break
        }
        count += 1
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator
            {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return "\"\(out)\""
}
