import Synchronization

/// One parsed XML document stored flat: a few arrays instead of a tree of elements, each holding its own children
/// array, attributes dictionary and strings.
///
/// Why: the daemon keeps a handful of strings out of each AWS response (identifiers, ARNs, statuses) for its whole
/// life. Parsed into a tree (per element a children array, an attributes dictionary and strings: about 24,000
/// allocations for a page of 100 clusters), the kept strings were made among the tree's blocks and stayed scattered
/// over its pages once it was freed, which glibc then could not hand back. Here that page takes about 100 allocations
/// (the arrays growing, one string per distinct name), freed together, and a text becomes a `String` only when a
/// decoder reads it. Elements are `AWSXMLElement` views (this document and a node index).
final class ParsedXMLDocument: Sendable {
    /// One element: its names by index into `names`, its first child and next sibling by node index (-1: none), its
    /// text as a range of `text`, its attributes as a range of `attributes`.
    struct Node: Sendable {
        var name: Int32
        var prefix: Int32
        var firstChild: Int32 = -1
        var nextSibling: Int32 = -1
        var textStart: Int32 = 0
        var textCount: Int32 = 0
        var firstAttribute: Int32
        var attributeCount: Int32 = 0
    }

    /// One attribute: its name as written by index into `names`, its decoded value as a range of `text`.
    struct Attribute: Sendable {
        var name: Int32
        var valueStart: Int32
        var valueCount: Int32
    }

    /// The elements in document order (the root first): a node's index is its position here.
    let nodes: [Node]
    /// Every element and attribute name, once each.
    let names: [String]
    let attributes: [Attribute]
    /// The decoded texts and attribute values, back to back (UTF-8).
    let text: [UInt8]
    /// The texts of `sharedTextLengths` bytes made into strings so far, by their start in `text`: the parser stores
    /// equal texts of these lengths once, so the clusters of a page share one string per repeated tag key, engine
    /// version or group name (the daemon keeps them for its life). Shorter texts are stored inline in a `String`, and
    /// longer ones (ARNs, endpoints, policy documents) are seldom repeated.
    private let shared: Mutex<[Int32: String]>
    static let sharedTextLengths: ClosedRange<Int32> = 16...64

    init(_ storage: Storage, sharedTexts: Int) {
        nodes = storage.nodes
        names = storage.names
        attributes = storage.attributes
        text = storage.text
        shared = Mutex(Dictionary(minimumCapacity: sharedTexts))
    }

    /// The decoded text at `start` of `count` bytes, shared when of a shared length.
    func string(start: Int32, count: Int32) -> String {
        guard count > 0 else { return "" }
        guard Self.sharedTextLengths.contains(count) else { return makeString(start: start, count: count) }
        return shared.withLock { made in
            if let known = made[start] { return known }
            let string = makeString(start: start, count: count)
            made[start] = string
            return string
        }
    }

    private func makeString(start: Int32, count: Int32) -> String {
        String(decoding: text[Int(start)..<Int(start + count)], as: UTF8.self)
    }

    /// The first child of `node` whose local name is `name`.
    func child(of node: Int32, named name: Substring) -> Int32? {
        var child = nodes[Int(node)].firstChild
        while child >= 0 {
            if names[Int(nodes[Int(child)].name)] == name { return child }
            child = nodes[Int(child)].nextSibling
        }
        return nil
    }

    /// The arrays of a document being built, by the parser or from hand-made elements.
    struct Storage {
        var nodes: [Node] = []
        var names: [String] = []
        var attributes: [Attribute] = []
        var text: [UInt8] = []

        /// Adds an element with no children yet as the last child of `parent` (-1 for the root), after its
        /// `previous` sibling (-1 when it is the first); returns its index.
        mutating func addNode(name: Int32, prefix: Int32, parent: Int32, previous: Int32) -> Int32 {
            let index = Int32(nodes.count)
            nodes.append(Node(name: name, prefix: prefix, firstAttribute: Int32(attributes.count)))
            if previous >= 0 {
                nodes[Int(previous)].nextSibling = index
            } else if parent >= 0 {
                nodes[Int(parent)].firstChild = index
            }
            return index
        }

        /// Appends `bytes` to `text`; returns where they start.
        mutating func addText(_ bytes: some Collection<UInt8>) -> Int32 {
            let start = Int32(text.count)
            text.append(contentsOf: bytes)
            return start
        }

        /// Adds an attribute to the last element added.
        mutating func addAttribute(name: Int32, value: some Collection<UInt8>) {
            let start = addText(value)
            attributes.append(Attribute(name: name, valueStart: start, valueCount: Int32(value.count)))
            nodes[nodes.count - 1].attributeCount += 1
        }
    }
}

extension ParsedXMLDocument.Storage {
    /// Copies a hand-made element and its subtree in as the last child of `parent` (-1 for the root), after
    /// `previous`; `names` finds the index of a name already added.
    mutating func add(
        name: String, prefix: String?, attributes: some Sequence<(key: String, value: String)>,
        children: [AWSXMLElement], text: String, parent: Int32, previous: Int32, names known: inout [String: Int32]
    ) -> Int32 {
        func index(_ name: String) -> Int32 {
            if let found = known[name] { return found }
            names.append(name)
            known[name] = Int32(names.count - 1)
            return Int32(names.count - 1)
        }
        let node = addNode(name: index(name), prefix: prefix.map(index) ?? -1, parent: parent, previous: previous)
        for (attribute, value) in attributes { addAttribute(name: index(attribute), value: value.utf8) }
        let start = addText(text.utf8)
        nodes[Int(node)].textStart = start
        nodes[Int(node)].textCount = Int32(text.utf8.count)
        var last: Int32 = -1
        for child in children {
            last = add(
                name: child.name, prefix: child.prefix, attributes: child.attributes, children: child.children,
                text: child.text, parent: node, previous: last, names: &known)
        }
        return node
    }
}
