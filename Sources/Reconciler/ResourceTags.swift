/// A resource's tags as observed, sorted by key in one array. The fleet observation keeps a cluster's, its
/// instances' and its roles' tags for a whole resync pass: as `[String: String]` the seven tags of a cluster took a
/// 16-bucket hash table (about 580 bytes), here 256; lookups search the sorted keys.
public struct ResourceTags: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    private struct Tag: Equatable, Sendable {
        var key: String
        var value: String
    }

    private var tags: [Tag]

    /// The tags of `dictionary`.
    public init(_ dictionary: [String: String]) {
        tags = dictionary.map { Tag(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// The tags of the literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements) { _, last in last })
    }

    /// The value tagged with `key`; setting nil removes the tag.
    public subscript(key: String) -> String? {
        get {
            let index = position(of: key)
            return index < tags.count && tags[index].key == key ? tags[index].value : nil
        }
        set {
            let index = position(of: key)
            let found = index < tags.count && tags[index].key == key
            switch (found, newValue) {
            case (true, let value?): tags[index].value = value
            case (true, nil): tags.remove(at: index)
            case (false, let value?): tags.insert(Tag(key: key, value: value), at: index)
            case (false, nil): break
            }
        }
    }

    /// Whether there are no tags.
    public var isEmpty: Bool { tags.isEmpty }

    /// The tags as a dictionary.
    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: tags.map { ($0.key, $0.value) })
    }

    /// Adds the tags of `other`; for a key already tagged, `combine` gets the current and the new value.
    public mutating func merge(_ other: [String: String], uniquingKeysWith combine: (String, String) -> String) {
        for (key, value) in other { self[key] = self[key].map { combine($0, value) } ?? value }
    }

    /// Removes the tag `key`, returning its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> String? {
        defer { self[key] = nil }
        return self[key]
    }

    /// The index of `key`, or where it would be inserted: the first tag whose key is not less (a binary search).
    private func position(of key: String) -> Int {
        var low = 0
        var high = tags.count
        while low < high {
            let middle = (low + high) / 2
            if tags[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
