import Foundation

/// A value from aurorad's configuration file.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])

    /// The TOML type name, for error messages.
    var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .array: "array"
        }
    }
}

/// A syntax error in a TOML file, with the line it is on.
public struct TOMLError: Error, Equatable, CustomStringConvertible {
    /// The 1-based line of the problem.
    public let line: Int
    /// What is wrong.
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

/// Parses the subset of TOML that aurorad's configuration uses: `[table]` and `[table.sub]` headers, `key = value`
/// pairs whose values are strings (basic and literal), integers, floats, booleans or arrays of those (also across
/// lines), and comments.
///
/// Why not a TOML library: the offline choice (TOMLKit) compiles the C++ toml++ library on every clean CI build, and
/// aurorad's configuration is a few small tables; inline tables, dates and dotted keys are rejected with a clear
/// error rather than half-supported.
public enum TOMLParser {
    /// Parses `text` into `"table.key" → value` (top-level keys have no table prefix).
    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var scanner = Scanner(text: Array(text.unicodeScalars))
        var result: [String: TOMLValue] = [:]
        var table = ""
        var seenTables: Set<String> = []
        while true {
            scanner.skipBlankAndComments(newlines: true)
            guard let scalar = scanner.peek else { break }
            let line = scanner.line
            if scalar == "[" {
                scanner.advance()
                if scanner.peek == "[" { throw TOMLError(line: line, message: "arrays of tables are not supported") }
                scanner.skipSpaces()
                let name = try scanner.tableName()
                guard scanner.peek == "]" else { throw TOMLError(line: line, message: "expected ] after table name") }
                scanner.advance()
                guard seenTables.insert(name).inserted else {
                    throw TOMLError(line: line, message: "table [\(name)] is defined twice")
                }
                table = name
            } else {
                let key = try scanner.bareKey()
                scanner.skipSpaces()
                guard scanner.peek == "=" else { throw TOMLError(line: line, message: "expected = after key \(key)") }
                scanner.advance()
                scanner.skipSpaces()
                let value = try scanner.value()
                let fullKey = table.isEmpty ? key : "\(table).\(key)"
                guard result[fullKey] == nil else {
                    throw TOMLError(line: line, message: "key \(fullKey) is defined twice")
                }
                result[fullKey] = value
            }
            scanner.skipBlankAndComments(newlines: false)
            if let next = scanner.peek, next != "\n" {
                throw TOMLError(
                    line: scanner.line, message: "unexpected \"\(next)\" after the value; one entry per line")
            }
        }
        return result
    }

    private struct Scanner {
        let text: [Unicode.Scalar]
        var index = 0
        var line = 1

        init(text: [Unicode.Scalar]) { self.text = text }

        var peek: Unicode.Scalar? { index < text.count ? text[index] : nil }

        mutating func advance() {
            if text[index] == "\n" { line += 1 }
            index += 1
        }

        mutating func skipSpaces() {
            while let s = peek, s == " " || s == "\t" { advance() }
        }

        /// Skips spaces, comments and (when `newlines`) line breaks.
        mutating func skipBlankAndComments(newlines: Bool) {
            while let s = peek {
                if s == " " || s == "\t" || s == "\r" || (newlines && s == "\n") {
                    advance()
                } else if s == "#" {
                    while let c = peek, c != "\n" { advance() }
                } else {
                    return
                }
            }
        }

        /// A key of a `key = value` line: one bare key, no dots.
        mutating func bareKey() throws(TOMLError) -> String {
            let key = try keyPart()
            if peek == "." { throw TOMLError(line: line, message: "dotted keys are not supported; use a [table]") }
            return key
        }

        /// A table header's name: bare keys joined by dots (`aws.rds`), with spaces allowed around the dots.
        mutating func tableName() throws(TOMLError) -> String {
            var name = try keyPart()
            skipSpaces()
            // Each turn consumes a dot and a non-empty key (or throws), so the loop ends with the line.
            while peek == "." {
                advance()
                skipSpaces()
                name += "." + (try keyPart())
                skipSpaces()
            }
            return name
        }

        private mutating func keyPart() throws(TOMLError) -> String {
            var key = ""
            while let s = peek,
                s.properties.isASCIIHexDigit || ("a"..."z").contains(s) || ("A"..."Z").contains(s)
                    || s == "_" || s == "-" || ("0"..."9").contains(s)
            {
                key.unicodeScalars.append(s)
                advance()
            }
            guard !key.isEmpty else { throw TOMLError(line: line, message: "expected a key (letters, digits, _ or -)") }
            return key
        }

        mutating func value() throws(TOMLError) -> TOMLValue {
            guard let s = peek else { throw TOMLError(line: line, message: "expected a value at end of file") }
            switch s {
            case "\"": return .string(try basicString())
            case "'": return .string(try literalString())
            case "[": return try array()
            case "{": throw TOMLError(line: line, message: "inline tables are not supported; use a [table]")
            default: return try scalar()
            }
        }

        mutating func basicString() throws(TOMLError) -> String {
            let start = line
            advance()
            var out = ""
            while let s = peek {
                advance()
                switch s {
                case "\"": return out
                case "\n": throw TOMLError(line: start, message: "unterminated string")
                case "\\":
                    guard let e = peek else { break }
                    advance()
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "u", "U":
                        let count = e == "u" ? 4 : 8
                        var hex = ""
                        for _ in 0..<count {
                            guard let h = peek, h.properties.isASCIIHexDigit else {
                                throw TOMLError(line: line, message: "bad \\\(e) escape: expected \(count) hex digits")
                            }
                            hex.unicodeScalars.append(h)
                            advance()
                        }
                        guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                            throw TOMLError(line: line, message: "\\\(e)\(hex) is not a Unicode scalar value")
                        }
                        out.unicodeScalars.append(scalar)
                    default:
                        throw TOMLError(line: line, message: "unknown escape \\\(e) in string")
                    }
                default:
                    out.unicodeScalars.append(s)
                }
            }
            throw TOMLError(line: start, message: "unterminated string")
        }

        mutating func literalString() throws(TOMLError) -> String {
            let start = line
            advance()
            var out = ""
            while let s = peek {
                advance()
                if s == "'" { return out }
                if s == "\n" { break }
                out.unicodeScalars.append(s)
            }
            throw TOMLError(line: start, message: "unterminated string")
        }

        mutating func array() throws(TOMLError) -> TOMLValue {
            let start = line
            advance()
            var items: [TOMLValue] = []
            while true {
                skipBlankAndComments(newlines: true)
                guard let s = peek else { throw TOMLError(line: start, message: "unterminated array") }
                if s == "]" {
                    advance()
                    return .array(items)
                }
                let item = try value()
                if let first = items.first, first.typeName != item.typeName {
                    throw TOMLError(line: line, message: "array mixes \(first.typeName) and \(item.typeName) values")
                }
                items.append(item)
                skipBlankAndComments(newlines: true)
                if peek == "," {
                    advance()
                } else if peek != "]" {
                    throw TOMLError(line: line, message: "expected , or ] in array")
                }
            }
        }

        mutating func scalar() throws(TOMLError) -> TOMLValue {
            var token = ""
            while let s = peek, s != " ", s != "\t", s != "\r", s != "\n", s != ",", s != "]", s != "#" {
                token.unicodeScalars.append(s)
                advance()
            }
            if token == "true" { return .boolean(true) }
            if token == "false" { return .boolean(false) }
            let digits = token.replacingOccurrences(of: "_", with: "")
            if let integer = Int(digits) { return .integer(integer) }
            if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let float = Double(digits),
                float.isFinite
            {
                return .float(float)
            }
            throw TOMLError(
                line: line,
                message: token.isEmpty ? "expected a value" : "\"\(token)\" is not a value: quote strings (\"…\")")
        }
    }
}
