import Testing

@testable import Reconciler

@Suite("Values by key, stored densely")
struct KeyedValuesTests {
    @Test("values are read, replaced and listed by key, in the order they were first stored")
    func storeAndReplace() {
        var values = KeyedValues<Int>()
        values["b"] = 2
        values["a"] = 1
        values["c"] = 3
        values["a"] = 10
        #expect(values["a"] == 10 && values["b"] == 2 && values["c"] == 3 && values["d"] == nil)
        #expect(values.keys == ["b", "a", "c"])
        #expect(values.values == [2, 10, 3])
        #expect(values.count == 3)
    }

    @Test("removing a value moves the last one into its place; the others stay found")
    func remove() {
        var values = KeyedValues<String>()
        for key in ["a", "b", "c", "d"] { values[key] = key.uppercased() }
        values["b"] = nil
        values["x"] = nil
        #expect(values.keys == ["a", "d", "c"])
        #expect(values["a"] == "A" && values["b"] == nil && values["c"] == "C" && values["d"] == "D")
        values["d"] = nil
        values["c"] = nil
        values["e"] = "E"
        #expect(values.keys == ["a", "e"] && values["e"] == "E" && values["a"] == "A")
        values["a"] = nil
        values["e"] = nil
        #expect(values.count == 0 && values.keys.isEmpty)
    }

    @Test("reserving room keeps what is stored")
    func reserve() {
        var values = KeyedValues<Int>()
        values["a"] = 1
        values.reserveCapacity(100)
        for index in 0..<100 { values["k\(index)"] = index }
        #expect(values.count == 101 && values["a"] == 1 && values["k99"] == 99)
    }

    @Test("merging stores the other's values, which replace those of the same keys")
    func merge() {
        var values = KeyedValues<Int>()
        values["a"] = 1
        values["b"] = 2
        var other = KeyedValues<Int>()
        other["b"] = 20
        other["c"] = 30
        values.merge(other)
        #expect(values.keys == ["a", "b", "c"])
        #expect(values.values == [1, 20, 30])
    }

    /// A value compared by content whose storage can be told apart (`===`).
    final class Box: Equatable, Sendable {
        let text: String
        init(_ text: String) { self.text = text }
        static func == (lhs: Box, rhs: Box) -> Bool { lhs.text == rhs.text }
    }

    @Test("an equal value is taken from the first kept collection holding it; a changed or new one stays")
    func keepEqualValues() {
        var older = KeyedValues<Box>()
        older["a"] = Box("a")
        older["b"] = Box("b")
        var newer = KeyedValues<Box>()
        newer["b"] = Box("b")
        var read = KeyedValues<Box>()
        for (key, text) in [("a", "a"), ("b", "b"), ("c", "c"), ("d", "changed")] { read[key] = Box(text) }
        older["d"] = Box("d")
        let changed = read["d"]
        read.keepEqualValues(of: [newer, older])
        #expect(read.keys == ["a", "b", "c", "d"])
        #expect(read["a"] === older["a"] && read["b"] === newer["b"] && read["b"] !== older["b"])
        #expect(read["c"]?.text == "c" && read["d"] === changed)
    }

    @Test("a read equal to a kept collection, key for key in the same order, takes the kept one whole")
    func keepEqualCollection() {
        var kept = KeyedValues<Box>()
        kept["a"] = Box("a")
        kept["b"] = Box("b")
        var read = KeyedValues<Box>()
        read["a"] = Box("a")
        read["b"] = Box("b")
        read.keepEqualValues(of: [KeyedValues(), kept])
        #expect(read["a"] === kept["a"] && read["b"] === kept["b"])
        // The same values in another order are taken one by one, in the read's order.
        var reordered = KeyedValues<Box>()
        reordered["b"] = Box("b")
        reordered["a"] = Box("a")
        reordered.keepEqualValues(of: [kept])
        #expect(reordered.keys == ["b", "a"] && reordered["a"] === kept["a"] && reordered["b"] === kept["b"])
    }
}

