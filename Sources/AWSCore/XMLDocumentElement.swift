import Foundation

/// One element of a parsed XML document: local name, attributes, child elements and its own text.
///
/// Named `AWSXMLElement` (not `XMLElement`) so it never clashes with Foundation's XML classes on macOS.
public struct AWSXMLElement: Sendable, Equatable {
    /// The element name without its namespace prefix (`DBCluster` for `<rds:DBCluster>`).
    public var name: String
    /// The namespace prefix as written (`rds` for `<rds:DBCluster>`), or `nil` when there is none.
    public var prefix: String?
    /// The attributes by their name as written (namespace declarations included, e.g. `xmlns`).
    public var attributes: [String: String]
    /// The child elements, in document order.
    public var children: [AWSXMLElement]
    /// The character data directly inside this element (entities decoded, CDATA included), concatenated; empty for an
    /// element with children and only white space between them (the document's indentation).
    public var text: String

    public init(
        name: String, prefix: String? = nil, attributes: [String: String] = [:],
        children: [AWSXMLElement] = [], text: String = ""
    ) {
        self.name = name
        self.prefix = prefix
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child element called `name` (local name), or `nil`.
    public func child(_ name: String) -> AWSXMLElement? {
        children.first { $0.name == name }
    }

    /// Every child element called `name` (local name), in document order.
    public func children(_ name: String) -> [AWSXMLElement] {
        children.filter { $0.name == name }
    }

    /// The element at a `/`-separated path of local names below this one (`"DescribeDBClustersResult/Marker"`),
    /// taking the first match at each step; the empty path is this element.
    public func element(at path: String) -> AWSXMLElement? {
        var current = self
        for step in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let next = current.child(String(step)) else { return nil }
            current = next
        }
        return current
    }

    /// Every element matching a `/`-separated path: all matches of the last step under the first match of the others
    /// (`"DBClusters/DBCluster"` lists every cluster).
    public func elements(at path: String) -> [AWSXMLElement] {
        var steps = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let last = steps.popLast() else { return [self] }
        return element(at: steps.joined(separator: "/"))?.children(last) ?? []
    }

    /// The text of the element at `path`, or `nil` when there is no such element.
    public func text(at path: String) -> String? {
        element(at: path)?.text
    }

    /// The text of the element at `path` with surrounding white space removed, or `nil` when absent or empty.
    public func trimmedText(at path: String) -> String? {
        guard let text = text(at: path), let first = text.unicodeScalars.first, let last = text.unicodeScalars.last
        else { return nil }
        // Nearly every value has nothing to trim: return the parsed string itself, which the parser may share.
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
}
