/// Indents compact JSON text the way `JSONText.pretty` lays a value out (two spaces per level, `"key" : value`),
/// byte by byte without building a value, and piece by piece: `aurorad ctl list --json` indents a list of 10,000
/// statuses as it arrives instead of after buffering its 14 MB. It checks only what indenting needs: strings end,
/// and no bracket closes below the top level.
struct JSONIndenter {
    private var depth = 0
    private var inString = false
    /// A backslash in a string came last: the next byte is escaped.
    private var escaping = false
    /// The closer of the container opened last, until the next byte says whether it is empty.
    private var opened: UInt8?
    /// False once a bracket closed with nothing open.
    private(set) var isValid = true
    /// Whether a container closed back to the top level (the text fed so far ends a whole array or object).
    private(set) var closedTopLevel = false

    /// Whether the text fed so far ends balanced: nothing left open, no stray closer.
    var isBalanced: Bool { isValid && depth == 0 && !inString && opened == nil }

    /// Appends the indented text of `input` to `out`; with `stoppingAtTopLevel`, stops right after the bracket that
    /// closes a top-level container. Returns how many bytes of `input` it took (all of them unless it stopped there
    /// or found a stray closer).
    mutating func feed(
        _ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], stoppingAtTopLevel: Bool = false
    ) -> Int {
        var index = 0
        while index < input.count {
            if inString {
                // A string is copied in one run up to its closing quote, stepping over escapes.
                var end = index
                while end < input.count {
                    let byte = input[end]
                    end += 1
                    if escaping {
                        escaping = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaping = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        break
                    }
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
                index = end
                continue
            }
            let byte = input[index]
            index += 1
            if let closer = opened {
                opened = nil
                if byte == closer {
                    out.append(UInt8(ascii: "\n"))
                    Self.newline(depth, &out)
                    out.append(closer)
                    if depth == 0 {
                        closedTopLevel = true
                        if stoppingAtTopLevel { return index }
                    }
                    continue
                }
                depth += 1
                Self.newline(depth, &out)
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "["):
                out.append(byte)
                opened = UInt8(ascii: "]")
            case UInt8(ascii: "{"):
                out.append(byte)
                opened = UInt8(ascii: "}")
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                guard depth > 0 else {
                    isValid = false
                    return index
                }
                depth -= 1
                Self.newline(depth, &out)
                out.append(byte)
                if depth == 0 {
                    closedTopLevel = true
                    if stoppingAtTopLevel { return index }
                }
            case UInt8(ascii: ","):
                out.append(byte)
                Self.newline(depth, &out)
            case UInt8(ascii: ":"):
                out.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
            case 0x20, 0x09, 0x0A, 0x0D:
                break
            default:
                out.append(byte)
            }
        }
        return index
    }

    /// A newline and the indentation of `depth`.
    private static func newline(_ depth: Int, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }
}
