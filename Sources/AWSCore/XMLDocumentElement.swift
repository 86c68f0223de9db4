import Foundation

/// One element of a parsed XML document: local name, attributes, child elements and its own text.
///
/// A view into its document (`ParsedXMLDocument`): the text, attributes and children are read from the document when
/// asked for, so a decoder that reads a few values out of a large response makes strings of those values only.
/// Named `AWSXMLElement` (not `XMLElement`) so it never clashes with Foundation's XML classes on macOS.
public struct AWSXMLElement: Sendable, Equatable {
    let document: ParsedXMLDocument
    let index: Int32

    init(document: ParsedXMLDocument, index: Int32) {
        self.document = document
        self.index = index
    }

    /// An element made by hand (a document of its own; `children` are copied into it).
    public init(
        name: String, prefix: String? = nil, attributes: [String: String] = [:],
        children: [AWSXMLElement] = [], text: String = ""
    ) {
        var storage = ParsedXMLDocument.Storage()
        var names: [String: Int32] = [:]
        _ = storage.add(
            name: name, prefix: prefix, attributes: attributes, children: children, text: text, parent: -1,
            previous: -1, names: &names)
        self.init(document: ParsedXMLDocument(storage, sharedTexts: 0), index: 0)
    }

    private var node: ParsedXMLDocument.Node { document.nodes[Int(index)] }

    /// The element name without its namespace prefix (`DBCluster` for `<rds:DBCluster>`).
    public var name: String { document.names[Int(node.name)] }

    /// The namespace prefix as written (`rds` for `<rds:DBCluster>`), or `nil` when there is none.
    public var prefix: String? { node.prefix < 0 ? nil : document.names[Int(node.prefix)] }

    /// The attributes by their name as written (namespace declarations included, e.g. `xmlns`).
    public var attributes: [String: String] {
        let first = Int(node.firstAttribute)
        var attributes: [String: String] = [:]
        for attribute in document.attributes[first..<(first + Int(node.attributeCount))] {
            attributes[document.names[Int(attribute.name)]] = document.string(
                start: attribute.valueStart, count: attribute.valueCount)
        }
        return attributes
    }

    /// The child elements, in document order.
    public var children: [AWSXMLElement] { children(where: { _ in true }) }

    /// The character data directly inside this element (entities decoded, CDATA included), concatenated; empty for an
    /// element with children and only white space between them (the document's indentation).
    public var text: String { document.string(start: node.textStart, count: node.textCount) }

    /// The first child element called `name` (local name), or `nil`.
    public func child(_ name: String) -> AWSXMLElement? {
        document.child(of: index, named: name[...]).map { AWSXMLElement(document: document, index: $0) }
    }

    /// Every child element called `name` (local name), in document order.
    public func children(_ name: String) -> [AWSXMLElement] {
        children(where: { $0 == name })
    }

    /// The children whose local name `matches` accepts, in document order.
    private func children(where matches: (String) -> Bool) -> [AWSXMLElement] {
        var found: [AWSXMLElement] = []
        var child = node.firstChild
        while child >= 0 {
            let node = document.nodes[Int(child)]
            if matches(document.names[Int(node.name)]) { found.append(AWSXMLElement(document: document, index: child)) }
            child = node.nextSibling
        }
        return found
    }

    /// The element at a `/`-separated path of local names below this one (`"DescribeDBClustersResult/Marker"`),
    /// taking the first match at each step; the empty path is this element.
    public func element(at path: String) -> AWSXMLElement? {
        node(at: path[...]).map { AWSXMLElement(document: document, index: $0) }
    }

    /// Every element matching a `/`-separated path: all matches of the last step under the first match of the others
    /// (`"DBClusters/DBCluster"` lists every cluster).
    public func elements(at path: String) -> [AWSXMLElement] {
        let steps = path.utf8
        let slash = UInt8(ascii: "/")
        var end = steps.endIndex
        while end > steps.startIndex, steps[steps.index(before: end)] == slash { end = steps.index(before: end) }
        guard end > steps.startIndex else { return [self] }
        var start = end
        while start > steps.startIndex, steps[steps.index(before: start)] != slash {
            start = steps.index(before: start)
        }
        let last = path[start..<end]
        guard let parent = node(at: path[..<start]) else { return [] }
        return AWSXMLElement(document: document, index: parent).children(where: { $0 == last })
    }

    /// The node at `path` below this one, walking its steps without making strings or arrays of them.
    private func node(at path: Substring) -> Int32? {
        var current = index
        var rest = path
        while let first = rest.utf8.first {
            guard first != UInt8(ascii: "/") else {
                rest = rest[rest.utf8.index(after: rest.startIndex)...]
                continue
            }
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            guard let next = document.child(of: current, named: rest[..<end]) else { return nil }
            current = next
            rest = rest[end...]
        }
        return current
    }

    /// The text of the element at `path`, or `nil` when there is no such element.
    public func text(at path: String) -> String? {
        element(at: path)?.text
    }

    /// The text of the element at `path` with surrounding white space removed, or `nil` when absent or empty.
    public func trimmedText(at path: String) -> String? {
        guard let text = text(at: path), let first = text.unicodeScalars.first, let last = text.unicodeScalars.last
        else { return nil }
        // Nearly every value has nothing to trim: return the parsed string itself, which the document may share.
        let space = CharacterSet.whitespacesAndNewlines
        guard space.contains(first) || space.contains(last) else { return text }
        let value = text.trimmingCharacters(in: space)
        return value.isEmpty ? nil : value
    }

    /// The element at `path` read as an XML Schema boolean (`true`/`1`, `false`/`0`), or `nil` when absent or not one.
    public func bool(at path: String) -> Bool? {
        switch trimmedText(at: path) {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }

    /// Equal when the names, prefixes, attributes, texts and children are, wherever each element is stored.
    public static func == (lhs: AWSXMLElement, rhs: AWSXMLElement) -> Bool {
        if lhs.document === rhs.document && lhs.index == rhs.index { return true }
        return lhs.name == rhs.name && lhs.prefix == rhs.prefix && lhs.text == rhs.text
            && lhs.attributes == rhs.attributes && lhs.children == rhs.children
    }
}
