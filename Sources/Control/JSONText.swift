import Foundation
import ImportSpec

/// Writes a `JSONValue` as JSON text directly: the bytes `JSONEncoder` makes with `[.sortedKeys,
/// .withoutEscapingSlashes]` (compact, the wire) or with `.prettyPrinted` added (what `aurorad ctl --json` prints).
///
/// `JSONEncoder` walks a `JSONValue` through its generic `Encodable` machinery, value by value; for a list of
/// 10,000 statuses that took most of a second on each side of the socket. Keys are sorted by their UTF-8 bytes and
/// strings escaped exactly as `JSONEncoder` does (`Tests/ControlTests/JSONTextTests.swift` compares the two).
public enum JSONText {
    /// The compact text of `value`; throws for a number JSON cannot express (NaN, infinity).
    public static func compact(_ value: JSONValue) throws -> [UInt8] {
        var writer = Writer(pretty: false)
        try writer.write(value, depth: 0)
        return writer.bytes
    }

    /// The indented text of `value` (two spaces per level, `"key" : value`), without a trailing newline.
    public static func pretty(_ value: JSONValue) throws -> [UInt8] {
        var writer = Writer(pretty: true)
        try writer.write(value, depth: 0)
        return writer.bytes
    }

    /// Indents compact JSON text (what the wire carries) as `pretty` would (`JSONIndenter`); nil when the text's
    /// brackets and strings do not balance, so the caller can parse it for a precise error.
    public static func indented(_ compact: [UInt8]) -> [UInt8]? {
        var indenter = JSONIndenter()
        var out: [UInt8] = []
        compact.withUnsafeBufferPointer { _ = indenter.feed($0, into: &out) }
        return indenter.isBalanced ? out : nil
    }

    /// Appends JSON text to a byte buffer; `StatusJSON` uses it to write records whose keys it knows in order.
    struct Writer {
        let pretty: Bool
        var bytes: [UInt8] = []

        init(pretty: Bool) {
            self.pretty = pretty
            bytes.reserveCapacity(4096)
        }

        /// Appends compact JSON text this program wrote earlier with `JSONEncoder` (sorted keys), as it is but for
        /// `\/`, written `/` as the wire writes it; false, appending nothing, unless it is a bracketed array.
        mutating func writeEncoded(array text: String) -> Bool {
            var text = text
            return text.withUTF8 { utf8 in
                guard utf8.first == UInt8(ascii: "["), utf8.last == UInt8(ascii: "]") else { return false }
                // Copy the runs between escapes whole; of each escape drop only the backslash of `\/`.
                var start = 0
                var index = 0
                while let backslash = utf8[index...].firstIndex(of: UInt8(ascii: "\\")) {
                    let escaped = min(backslash + 1, utf8.count - 1)
                    let keep = utf8[escaped] == UInt8(ascii: "/") ? backslash : escaped
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<keep]))
                    start = escaped
                    index = escaped + 1
                    guard index < utf8.count else { break }
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
                return true
            }
        }

        /// Appends `value` nested `depth` levels deep.
        mutating func write(_ value: JSONValue, depth: Int) throws {
            switch value {
            case .null: bytes += Array("null".utf8)
            case .bool(let flag): bytes += Array((flag ? "true" : "false").utf8)
            case .integer(let number): bytes += Array(String(number).utf8)
            // Rare in results: JSONEncoder's own formatting of a lone number keeps the text identical.
            case .number(let number): bytes += Array(try JSONEncoder().encode(number))
            case .string(let text): writeString(text)
            case .array(let elements):
                try writeContainer(open: "[", close: "]", count: elements.count, depth: depth) { writer, index in
                    try writer.write(elements[index], depth: depth + 1)
                }
            case .object(let members):
                let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                try writeContainer(open: "{", close: "}", count: keys.count, depth: depth) { writer, index in
                    writer.writeString(keys[index])
                    writer.bytes += writer.pretty ? Array(" : ".utf8) : [UInt8(ascii: ":")]
                    try writer.write(members[keys[index]]!, depth: depth + 1)
                }
            }
        }

        /// Brackets, commas and (when pretty) newlines and indentation around `count` elements.
        private mutating func writeContainer(
            open: Unicode.Scalar, close: Unicode.Scalar, count: Int, depth: Int,
            element: (inout Writer, Int) throws -> Void
        ) throws {
            bytes.append(UInt8(ascii: open))
            if pretty && count == 0 { bytes.append(UInt8(ascii: "\n")) }
            for index in 0..<count {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent: depth + 1)
                try element(&self, index)
            }
            newline(indent: depth)
            bytes.append(UInt8(ascii: close))
        }

        private mutating func newline(indent: Int) {
            guard pretty else { return }
            bytes.append(UInt8(ascii: "\n"))
            bytes += repeatElement(UInt8(ascii: " "), count: 2 * indent)
        }

        /// Appends `text` as a JSON string, escaped as `JSONEncoder` escapes it.
        mutating func writeString(_ text: String) {
            bytes.append(UInt8(ascii: "\""))
            // Most strings need no escape: copy them whole.
            let plain = text.utf8.withContiguousStorageIfAvailable { utf8 in
                guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
                else { return false }
                bytes.append(contentsOf: utf8)
                return true
            }
            if plain == true {
                bytes.append(UInt8(ascii: "\""))
                return
            }
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
                case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
                case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x00..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
