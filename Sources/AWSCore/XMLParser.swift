import Foundation

/// Why an XML document was rejected, with the byte offset where parsing stopped.
public struct XMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in a few words.
    public var reason: String
    /// The byte offset in the input where the problem was found.
    public var offset: Int

    public init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        "The XML response could not be parsed: \(reason) at byte \(offset); the service or a proxy sent a malformed or "
            + "truncated body, so the call should be retried or the endpoint checked."
    }
}

/// A small strict XML parser for AWS responses, producing an `AWSXMLElement` tree.
///
/// Why our own: no libxml2/FoundationXML dependency at run time, and predictable behaviour on garbage. It accepts
/// well-formed UTF-8 documents with one root element; decodes the five predefined entities and numeric character
/// references; keeps CDATA as text; skips comments, processing instructions and the XML declaration; rejects any
/// DOCTYPE (so no entity expansion can happen); and bounds input size, nesting depth and element count.
public struct AWSXMLParser: Sendable {
    /// The largest input accepted, in bytes.
    public var maxBytes: Int
    /// The deepest element nesting accepted.
    public var maxDepth: Int
    /// The most elements accepted in one document.
    public var maxElements: Int

    public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64, maxElements: Int = 1_000_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }

    /// Parses `data` with the default limits.
    public static func parse(_ data: Data) throws(XMLParseError) -> AWSXMLElement {
        try AWSXMLParser().parse(data)
    }

    /// Parses `data` into its root element, or throws `XMLParseError` for anything not well-formed or over a limit.
    public func parse(_ data: Data) throws(XMLParseError) -> AWSXMLElement {
        guard data.count <= maxBytes else {
            throw XMLParseError(reason: "the document is larger than \(maxBytes) bytes", offset: maxBytes)
        }
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw XMLParseError(reason: "the document is not valid UTF-8", offset: 0)
        }
        var scanner = XMLScanner(bytes: bytes, limits: self)
        return try scanner.document()
    }
}

/// The parsing state over one document's bytes.
private struct XMLScanner {
    /// An element whose end tag has not been seen yet.
    struct OpenElement {
        var element: AWSXMLElement
        var qualifiedName: String
        var text: [UInt8] = []
    }

    let bytes: [UInt8]
    let limits: AWSXMLParser
    var index = 0
    var elementCount = 0
    /// Every name read so far, by its bytes: the 100 clusters of a page repeat the same few dozen names, so each is
    /// made into a `String` once and shared (names past 15 bytes would otherwise be allocated per element).
    var names: [ArraySlice<UInt8>: String] = [:]
    /// Every text of `sharedTextLengths` bytes read so far, shared the same way: a page's clusters and instances
    /// repeat their tag keys, engine versions, parameter and subnet group names, and the fleet's kept observation
    /// holds them for the daemon's life. Shorter texts are stored inline in a `String`, and longer ones (ARNs,
    /// endpoints, policy documents) are seldom repeated.
    var texts: [[UInt8]: String] = [:]
    static let sharedTextLengths = 16...64

    init(bytes: [UInt8], limits: AWSXMLParser) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func document() throws(XMLParseError) -> AWSXMLElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try skipMisc()
        guard index < bytes.count else { throw fail("the document has no root element") }
        guard bytes[index] == UInt8(ascii: "<") else { throw fail("text appears before the root element") }
        let root = try element()
        try skipMisc()
        guard index == bytes.count else { throw fail("content follows the root element") }
        return root
    }

    /// Skips white space, comments and processing instructions outside the root; rejects DOCTYPE.
    mutating func skipMisc() throws(XMLParseError) {
        while index < bytes.count {
            if isSpace(bytes[index]) {
                index += 1
            } else if has("<?") {
                try skip(past: "?>", what: "processing instruction")
            } else if has("<!--") {
                try skip(past: "-->", what: "comment")
            } else if has("<!") {
                throw fail("DOCTYPE and other declarations are not accepted")
            } else {
                return
            }
        }
    }

    /// Parses one element and everything inside it, iteratively, starting at its `<`.
    mutating func element() throws(XMLParseError) -> AWSXMLElement {
        var stack: [OpenElement] = []
        if let closed = try startTag(into: &stack) { return closed }
        while true {
            guard index < bytes.count else { throw fail("the document ends inside an element") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                if has("</") {
                    let done = try endTag(&stack)
                    if stack.isEmpty { return done }
                    stack[stack.count - 1].element.children.append(done)
                } else if has("<!--") {
                    try skip(past: "-->", what: "comment")
                } else if has("<![CDATA[") {
                    index += 9
                    let start = index
                    try skip(past: "]]>", what: "CDATA section")
                    stack[stack.count - 1].text += bytes[start..<(index - 3)]
                } else if has("<?") {
                    try skip(past: "?>", what: "processing instruction")
                } else if has("<!") {
                    throw fail("a declaration appears inside an element")
                } else if let closed = try startTag(into: &stack) {
                    stack[stack.count - 1].element.children.append(closed)
                }
            } else if byte == UInt8(ascii: "&") {
                stack[stack.count - 1].text += try reference()
            } else {
                guard isCharacter(byte) else { throw fail("a control character appears in text") }
                stack[stack.count - 1].text.append(byte)
                index += 1
            }
        }
    }

    /// Parses a start tag; returns the element when it is self-closing, otherwise pushes it and returns `nil`.
    mutating func startTag(into stack: inout [OpenElement]) throws(XMLParseError) -> AWSXMLElement? {
        index += 1
        elementCount += 1
        guard elementCount <= limits.maxElements else { throw fail("more than \(limits.maxElements) elements") }
        guard stack.count < limits.maxDepth else { throw fail("elements nest deeper than \(limits.maxDepth)") }
        let qualifiedName = try name()
        let (prefix, local) = try split(qualifiedName)
        var element = AWSXMLElement(name: local, prefix: prefix)
        while true {
            let hadSpace = skipSpace()
            guard index < bytes.count else { throw fail("the document ends inside a start tag") }
            if has("/>") {
                index += 2
                return element
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                stack.append(OpenElement(element: element, qualifiedName: qualifiedName))
                return nil
            }
            guard hadSpace else { throw fail("attributes must be separated by white space") }
            let (attribute, value) = try attributePair()
            guard element.attributes.updateValue(value, forKey: attribute) == nil else {
                throw fail("the attribute \(attribute) appears twice")
            }
        }
    }

    /// Parses `name="value"` (or single quotes), decoding references in the value.
    mutating func attributePair() throws(XMLParseError) -> (String, String) {
        let attribute = try name()
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("an attribute has no value") }
        index += 1
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw fail("an attribute value is not quoted")
        }
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("the document ends inside an attribute value") }
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return (attribute, String(decoding: value, as: UTF8.self))
            } else if byte == UInt8(ascii: "<") {
                throw fail("an attribute value contains <")
            } else if byte == UInt8(ascii: "&") {
                value += try reference()
            } else {
                guard isCharacter(byte) else { throw fail("a control character appears in an attribute value") }
                value.append(byte)
                index += 1
            }
        }
    }

    /// Parses an end tag, checks it matches the innermost open element, and returns that element completed.
    mutating func endTag(_ stack: inout [OpenElement]) throws(XMLParseError) -> AWSXMLElement {
        index += 2
        let closing = try name()
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("an end tag is not closed") }
        index += 1
        guard var open = stack.popLast() else { throw fail("an end tag has no start tag") }
        guard closing.utf8.elementsEqual(open.qualifiedName.utf8) else {
            throw fail("the end tag </\(closing)> does not match its start tag")
        }
        // The indentation around child elements is not text anyone reads; not keeping it saves a string per parent.
        let layout = !open.element.children.isEmpty && open.text.allSatisfy(isSpace)
        open.element.text = layout ? "" : text(open.text)
        return open.element
    }

    /// `bytes` as a `String`, shared through `texts` when it is of a length worth sharing.
    mutating func text(_ bytes: [UInt8]) -> String {
        guard Self.sharedTextLengths.contains(bytes.count) else { return String(decoding: bytes, as: UTF8.self) }
        if let known = texts[bytes] { return known }
        let made = String(decoding: bytes, as: UTF8.self)
        texts[bytes] = made
        return made
    }

    /// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#N;` and `&#xH;` into UTF-8 bytes.
    mutating func reference() throws(XMLParseError) -> [UInt8] {
        let start = index
        index += 1
        guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            index = start
            throw fail("an & does not start a valid reference")
        }
        let body = Array(bytes[index..<semicolon])
        index = semicolon + 1
        switch String(decoding: body, as: UTF8.self) {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        case let text where text.hasPrefix("#x"):
            return try scalarBytes(UInt32(text.dropFirst(2), radix: 16), at: start)
        case let text where text.hasPrefix("#"):
            return try scalarBytes(UInt32(text.dropFirst(1), radix: 10), at: start)
        default:
            index = start
            throw fail("an unknown entity reference appears (only the five predefined ones are accepted)")
        }
    }

    /// The UTF-8 bytes of a numeric character reference, which must name a character XML allows.
    func scalarBytes(_ value: UInt32?, at start: Int) throws(XMLParseError) -> [UInt8] {
        guard let value, let scalar = Unicode.Scalar(value),
            value == 0x9 || value == 0xA || value == 0xD || (0x20...0xFFFD).contains(value) || value >= 0x10000
        else {
            throw XMLParseError(reason: "a character reference does not name an XML character", offset: start)
        }
        return Array(String(Character(scalar)).utf8)
    }

    /// Reads an XML name (ASCII letters, digits, `_ - . :`, and any non-ASCII byte), shared through `names`.
    mutating func name() throws(XMLParseError) -> String {
        let start = index
        guard index < bytes.count, isNameStart(bytes[index]) else { throw fail("a name is expected") }
        index += 1
        while index < bytes.count, isNameStart(bytes[index]) || isNameTail(bytes[index]) { index += 1 }
        let spelled = bytes[start..<index]
        if let known = names[spelled] { return known }
        let made = String(decoding: spelled, as: UTF8.self)
        names[spelled] = made
        return made
    }

    /// Splits `prefix:local`; a name may have at most one colon with text on both sides.
    func split(_ qualifiedName: String) throws(XMLParseError) -> (String?, String) {
        let parts = qualifiedName.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (nil, qualifiedName)
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: return (String(parts[0]), String(parts[1]))
        default: throw fail("the name \(qualifiedName) is not a valid qualified name")
        }
    }

    /// Moves past the next occurrence of `terminator`, or fails if the document ends first.
    mutating func skip(past terminator: String, what: String) throws(XMLParseError) {
        let pattern = Array(terminator.utf8)
        var probe = index
        while probe + pattern.count <= bytes.count {
            if bytes[probe] == pattern[0] && bytes[probe..<(probe + pattern.count)].elementsEqual(pattern) {
                index = probe + pattern.count
                return
            }
            probe += 1
        }
        throw fail("the document ends inside a \(what)")
    }

    /// Skips white space; says whether there was any.
    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = index
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        return index > start
    }

    /// Whether the bytes at the current position spell `literal`.
    func has(_ literal: String) -> Bool {
        let pattern = literal.utf8
        return index + pattern.count <= bytes.count && bytes[index..<(index + pattern.count)].elementsEqual(pattern)
    }

    func fail(_ reason: String) -> XMLParseError {
        XMLParseError(reason: reason, offset: index)
    }

    func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Whether `byte` may appear in character data (XML forbids most C0 controls).
    func isCharacter(_ byte: UInt8) -> Bool {
        byte >= 0x20 || isSpace(byte)
    }

    func isNameStart(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    func isNameTail(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
}
