/// Values by key, stored densely in insertion order with an index of their positions: a `Dictionary` keeps its
/// values inline in a hash table at most three quarters full, rounded up to a power of two, so large values cost up
/// to 2.7 times their size (1,000 observed clusters of 352 bytes took 736 KB; here about 420 KB).
public struct KeyedValues<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var key: String
        var value: Value
    }

    private var positions: [String: Int] = [:]
    private var entries: [Entry] = []

    /// An empty collection.
    public init() {}

    /// The value stored for `key`; setting nil removes it (the last entry takes its place).
    public subscript(key: String) -> Value? {
        get { positions[key].map { entries[$0].value } }
        set {
            if let position = positions[key] {
                if let newValue {
                    entries[position].value = newValue
                } else {
                    remove(at: position)
                }
            } else if let newValue {
                positions[key] = entries.count
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    /// The keys, in the order their values are stored.
    public var keys: [String] { entries.map(\.key) }

    /// The values, in the order they are stored.
    public var values: [Value] { entries.map(\.value) }

    /// How many values are stored.
    public var count: Int { entries.count }

    /// Whether no value is stored.
    public var isEmpty: Bool { entries.isEmpty }

    /// Makes room for `count` values in all, so that storing them does not double the storage past their count.
    public mutating func reserveCapacity(_ count: Int) {
        positions.reserveCapacity(count)
        entries.reserveCapacity(count)
    }

    /// Stores every value of `other`, replacing those of the same keys.
    public mutating func merge(_ other: KeyedValues) {
        for entry in other.entries { self[entry.key] = entry.value }
    }

    private mutating func remove(at position: Int) {
        positions[entries[position].key] = nil
        let last = entries.removeLast()
        guard position < entries.count else { return }
        entries[position] = last
        positions[last.key] = position
    }
}
