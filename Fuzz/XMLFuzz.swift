import Foundation

// Compiled into a module named AWSCore together with the XML parser's sources (see scripts/fuzz), so it reaches the
// same internal document the daemon's AWS responses are parsed into.

/// libFuzzer entry point for the AWS response parser: bytes must become a document or an `XMLParseError` whose offset
/// lies within the input; never a crash, an out-of-bounds read or a hang.
///
/// Also checked on every input: parsing is deterministic; every element of an accepted document reads back (name,
/// prefix, attributes, text, children, paths to its children); the document written back as XML (escaped, with one
/// text run before the children) parses to an equal document, unless a CDATA section brought in a control character
/// no XML text can spell (the parser copies CDATA as it is, as it always has); and a hand-made copy is equal too.
@_cdecl("LLVMFuzzerTestOneInput")
public func xmlFuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Data(UnsafeBufferPointer(start: bytes, count: count))
    let answer = parse(input)
    switch (answer, parse(input)) {
    case (.success(let first), .success(let second)):
        invariant(first == second, "parsing the same bytes twice gave different documents")
    case (.failure(let first), .failure(let second)):
        invariant(first == second, "parsing the same bytes twice gave different errors")
    default:
        invariant(false, "parsing the same bytes twice gave a document once and an error once")
    }
    switch answer {
    case .success(let root):
        var written = ""
        write(root, to: &written)
        if !written.unicodeScalars.contains(where: { $0.value < 0x20 && !["\t", "\n", "\r"].contains($0) }) {
            let reread = parse(Data(written.utf8))
            invariant(reread == .success(root), "the document written back as XML parses to something else: \(written)")
        }
        invariant(copy(root) == root, "a hand-made copy of the document differs from it")
    case .failure(let error):
        invariant((0...count).contains(error.offset), "an error's offset \(error.offset) is past the input")
    }
    return 0
}

private func parse(_ input: Data) -> Result<AWSXMLElement, XMLParseError> {
    Result { () throws(XMLParseError) in try AWSXMLParser(maxBytes: 1 << 16, maxElements: 4096).parse(input) }
}

/// `element` as XML: its text escaped and before its children, so an equal document comes back.
private func write(_ element: AWSXMLElement, to out: inout String) {
    let name = element.prefix.map { "\($0):\(element.name)" } ?? element.name
    out += "<\(name)"
    for (attribute, value) in element.attributes.sorted(by: { $0.key < $1.key }) {
        out += " \(attribute)=\"\(escaped(value))\""
    }
    out += ">" + escaped(element.text)
    for child in element.children {
        invariant(element.child(child.name) != nil, "a child is not found by its own name")
        invariant(element.children(child.name).contains(child), "a child is not among the children of its name")
        write(child, to: &out)
    }
    out += "</\(name)>"
}

private func escaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "\r": out += "&#13;"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

private func copy(_ element: AWSXMLElement) -> AWSXMLElement {
    AWSXMLElement(
        name: element.name, prefix: element.prefix, attributes: element.attributes,
        children: element.children.map(copy), text: element.text)
}
