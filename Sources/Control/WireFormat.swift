import Foundation

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

    /// True when `bytes` hold only JSON whitespace, which the server skips instead of answering.
    static func isBlank(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }
}
