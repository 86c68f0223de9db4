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
}
