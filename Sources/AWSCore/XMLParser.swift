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

/// A small strict XML parser for AWS responses, producing an `AWSXMLElement` view of a flat `ParsedXMLDocument`.
///
/// Why our own: no libxml2/FoundationXML dependency at run time, and predictable behaviour on garbage. It accepts
/// well-formed UTF-8 documents with one root element; decodes the five predefined entities and numeric character
/// references; keeps CDATA as text; skips comments, processing instructions and the XML declaration; rejects any
/// DOCTYPE (so no entity expansion can happen); and bounds input size, nesting depth and element count.
public struct AWSXMLParser: Sendable {
    /// The largest input accepted, in bytes (at most `Int32.max`: the document indexes its bytes with 32 bits).
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
        let limit = min(maxBytes, Int(Int32.max))
        guard data.count <= limit else {
            throw XMLParseError(reason: "the document is larger than \(limit) bytes", offset: limit)
        }
        // Read in place: a copy of a batched response would be one more large block per call.
        let parsed = data.withUnsafeBytes { raw -> Result<ParsedXMLDocument, XMLParseError> in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            guard Self.isValidUTF8(bytes) else {
                return .failure(XMLParseError(reason: "the document is not valid UTF-8", offset: 0))
            }
            var scanner = XMLScanner(bytes: bytes, limits: self)
            do throws(XMLParseError) {
                return .success(try scanner.document())
            } catch {
                return .failure(error)
            }
        }
        return AWSXMLElement(document: try parsed.get(), index: 0)
    }

    /// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}

/// The parsing state over one document's bytes, filling a `ParsedXMLDocument.Storage`.
private struct XMLScanner {
    /// An element whose end tag has not been seen yet.
    struct OpenElement {
        var node: Int32
        /// Where its qualified name is in the input: the end tag must spell the same bytes.
        var nameStart: Int
        var nameEnd: Int
        /// Its last child so far (-1: none yet).
        var lastChild: Int32 = -1
        /// Where its text starts in `pending`.
        var textMark: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let limits: AWSXMLParser
    var index = 0
    var elementCount = 0
    var storage = ParsedXMLDocument.Storage()
    var open: [OpenElement] = []
    /// Every name read so far by the hash of its bytes: the 100 clusters of a page repeat the same few dozen names,
    /// so each is made into a `String` once.
    var names: [Int: Int32] = [:]
    /// The start in `storage.text` of each text of `ParsedXMLDocument.sharedTextLengths` bytes, by the hash of its
    /// bytes: equal texts are stored once, so the document makes one string of them.
    var texts: [Int: Int32] = [:]
    /// The texts of the open elements, the innermost last.
    var pending: [UInt8] = []
    /// The attribute value being read.
    var value: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, limits: AWSXMLParser) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func document() throws(XMLParseError) -> ParsedXMLDocument {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        try skipMisc()
        guard index < bytes.count else { throw fail("the document has no root element") }
        guard bytes[index] == UInt8(ascii: "<") else { throw fail("text appears before the root element") }
        try element()
        try skipMisc()
        guard index == bytes.count else { throw fail("content follows the root element") }
        return ParsedXMLDocument(storage, sharedTexts: texts.count)
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

    /// Parses the root element and everything inside it, iteratively, starting at its `<`.
    mutating func element() throws(XMLParseError) {
        if try startTag() { return }
        while true {
            guard index < bytes.count else { throw fail("the document ends inside an element") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                if has("</") {
                    try endTag()
                    if open.isEmpty { return }
                } else if has("<!--") {
                    try skip(past: "-->", what: "comment")
                } else if has("<![CDATA[") {
                    index += 9
                    let start = index
                    try skip(past: "]]>", what: "CDATA section")
                    pending.append(contentsOf: bytes[start..<(index - 3)])
                } else if has("<?") {
                    try skip(past: "?>", what: "processing instruction")
                } else if has("<!") {
                    throw fail("a declaration appears inside an element")
                } else {
                    try startTag()
                }
            } else if byte == UInt8(ascii: "&") {
                Self.append(try reference(), to: &pending)
            } else {
                guard isCharacter(byte) else { throw fail("a control character appears in text") }
                pending.append(byte)
                index += 1
            }
        }
    }

    /// Parses a start tag, adding its element as the last child of the innermost open one; returns true when it is
    /// self-closing, otherwise opens it and returns false.
    @discardableResult
    mutating func startTag() throws(XMLParseError) -> Bool {
        index += 1
        elementCount += 1
        guard elementCount <= limits.maxElements else { throw fail("more than \(limits.maxElements) elements") }
        guard open.count < limits.maxDepth else { throw fail("elements nest deeper than \(limits.maxDepth)") }
        let nameStart = index
        try skipName()
        let nameEnd = index
        let (prefix, local) = try split(nameStart..<nameEnd)
        let parent = open.last
        let node = storage.addNode(
            name: local, prefix: prefix, parent: parent?.node ?? -1, previous: parent?.lastChild ?? -1)
        if parent != nil { open[open.count - 1].lastChild = node }
        while true {
            let hadSpace = skipSpace()
            guard index < bytes.count else { throw fail("the document ends inside a start tag") }
            if has("/>") {
                index += 2
                return true
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                open.append(OpenElement(node: node, nameStart: nameStart, nameEnd: nameEnd, textMark: pending.count))
                return false
            }
            guard hadSpace else { throw fail("attributes must be separated by white space") }
            try attribute()
        }
    }

    /// Parses `name="value"` (or single quotes), decoding references in the value, and adds it to the last element.
    mutating func attribute() throws(XMLParseError) {
        let nameStart = index
        try skipName()
        let attribute = intern(nameStart..<index)
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("an attribute has no value") }
        index += 1
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw fail("an attribute value is not quoted")
        }
        let quote = bytes[index]
        index += 1
        value.removeAll(keepingCapacity: true)
        while true {
            guard index < bytes.count else { throw fail("the document ends inside an attribute value") }
            let byte = bytes[index]
            if byte == quote {
                index += 1
                break
            } else if byte == UInt8(ascii: "<") {
                throw fail("an attribute value contains <")
            } else if byte == UInt8(ascii: "&") {
                Self.append(try reference(), to: &value)
            } else {
                guard isCharacter(byte) else { throw fail("a control character appears in an attribute value") }
                value.append(byte)
                index += 1
            }
        }
        let element = storage.nodes[storage.nodes.count - 1]
        let earlier = storage.attributes[Int(element.firstAttribute)...]
        guard !earlier.contains(where: { $0.name == attribute }) else {
            throw fail("the attribute \(storage.names[Int(attribute)]) appears twice")
        }
        storage.addAttribute(name: attribute, value: value)
    }

    /// Parses an end tag, checks it matches the innermost open element, and closes that element, storing its text.
    mutating func endTag() throws(XMLParseError) {
        index += 2
        let nameStart = index
        try skipName()
        let closing = bytes[nameStart..<index]
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("an end tag is not closed") }
        index += 1
        guard let element = open.popLast() else { throw fail("an end tag has no start tag") }
        guard closing.elementsEqual(bytes[element.nameStart..<element.nameEnd]) else {
            throw fail("the end tag </\(String(decoding: closing, as: UTF8.self))> does not match its start tag")
        }
        // The indentation around child elements is not text anyone reads; not keeping it saves a string per parent.
        // No slice of `pending` outlives this line: one would make the removal below copy the buffer.
        let layout = element.lastChild >= 0 && pending[element.textMark...].allSatisfy(isSpace)
        if !layout && pending.count > element.textMark { storeText(of: element.node, from: element.textMark) }
        pending.removeLast(pending.count - element.textMark)
    }

    /// Stores the text `pending` holds from `mark` as `node`'s, once for equal texts of a shared length.
    mutating func storeText(of node: Int32, from mark: Int) {
        let count = pending.count - mark
        var start: Int32
        if ParsedXMLDocument.sharedTextLengths.contains(Int32(count)) {
            var hasher = Hasher()
            pending.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[mark...])) }
            let key = hasher.finalize()
            if let known = texts[key], storage.text[Int(known)..<(Int(known) + count)].elementsEqual(pending[mark...]) {
                start = known
            } else {
                start = storage.addText(pending[mark...])
                if texts[key] == nil { texts[key] = start }
            }
        } else {
            start = storage.addText(pending[mark...])
        }
        storage.nodes[Int(node)].textStart = start
        storage.nodes[Int(node)].textCount = Int32(count)
    }

    /// Appends the UTF-8 bytes of `scalar` to `buffer`.
    static func append(_ scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        UTF8.encode(scalar) { buffer.append($0) }
    }

    /// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#N;` and `&#xH;` into the character they stand for.
    mutating func reference() throws(XMLParseError) -> Unicode.Scalar {
        let start = index
        index += 1
        guard let semicolon = bytes[index..<min(index + 12, bytes.count)].firstIndex(of: UInt8(ascii: ";")) else {
            index = start
            throw fail("an & does not start a valid reference")
        }
        // At most 11 bytes: a `String` stores them inline.
        let body = String(decoding: bytes[index..<semicolon], as: UTF8.self)
        index = semicolon + 1
        switch body {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case let text where text.hasPrefix("#x"):
            return try scalar(UInt32(text.dropFirst(2), radix: 16), at: start)
        case let text where text.hasPrefix("#"):
            return try scalar(UInt32(text.dropFirst(1), radix: 10), at: start)
        default:
            index = start
            throw fail("an unknown entity reference appears (only the five predefined ones are accepted)")
        }
    }

    /// The character a numeric character reference names, which must be one XML allows.
    func scalar(_ value: UInt32?, at start: Int) throws(XMLParseError) -> Unicode.Scalar {
        guard let value, let scalar = Unicode.Scalar(value),
            value == 0x9 || value == 0xA || value == 0xD || (0x20...0xFFFD).contains(value) || value >= 0x10000
        else {
            throw XMLParseError(reason: "a character reference does not name an XML character", offset: start)
        }
        return scalar
    }

    /// Moves past an XML name (ASCII letters, digits, `_ - . :`, and any non-ASCII byte).
    mutating func skipName() throws(XMLParseError) {
        guard index < bytes.count, isNameStart(bytes[index]) else { throw fail("a name is expected") }
        index += 1
        while index < bytes.count, isNameStart(bytes[index]) || isNameTail(bytes[index]) { index += 1 }
    }

    /// The index in `storage.names` of the name spelled by `range` of the input, added when new.
    mutating func intern(_ range: Range<Int>) -> Int32 {
        let spelled = UnsafeBufferPointer(rebasing: bytes[range])
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(spelled))
        let key = hasher.finalize()
        if let known = names[key] {
            if storage.names[Int(known)].utf8.elementsEqual(spelled) { return known }
            // Another name with the same hash: look for this one among all.
            if let found = storage.names.firstIndex(where: { $0.utf8.elementsEqual(spelled) }) { return Int32(found) }
        }
        storage.names.append(String(decoding: spelled, as: UTF8.self))
        let added = Int32(storage.names.count - 1)
        if names[key] == nil { names[key] = added }
        return added
    }

    /// Splits the element name `prefix:local` spelled by `range` into the indexes of its prefix (-1: none) and local
    /// name; a name may have at most one colon with text on both sides.
    mutating func split(_ range: Range<Int>) throws(XMLParseError) -> (prefix: Int32, local: Int32) {
        var colon: Int?
        var colons = 0
        for position in range where bytes[position] == UInt8(ascii: ":") {
            colon = colon ?? position
            colons += 1
        }
        guard let colon else { return (-1, intern(range)) }
        guard colons == 1, colon > range.lowerBound, colon < range.upperBound - 1 else {
            let name = String(decoding: bytes[range], as: UTF8.self)
            throw fail("the name \(name) is not a valid qualified name")
        }
        return (intern(range.lowerBound..<colon), intern((colon + 1)..<range.upperBound))
    }

    /// Moves past the next occurrence of `terminator`, or fails if the document ends first.
    mutating func skip(past terminator: StaticString, what: String) throws(XMLParseError) {
        let pattern = UnsafeBufferPointer(start: terminator.utf8Start, count: terminator.utf8CodeUnitCount)
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
    func has(_ literal: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
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
