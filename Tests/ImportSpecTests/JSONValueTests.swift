import Foundation
import Testing

@testable import ImportSpec

@Suite("JSON values")
struct JSONValueTests {
    @Test("the strict parser keeps integers exact and makes every other number a Double")
    func numbers() throws {
        let text = #"{"a":1,"b":1.5,"c":-0,"d":1e2,"e":10000000000000000000,"f":-9223372036854775808}"#
        let value = try JSONValue(decoding: Data(text.utf8))
        #expect(
            value == [
                "a": 1, "b": .number(1.5), "c": 0, "d": .number(100), "e": .number(1e19),
                "f": .integer(Int.min),
            ])
        #expect(value["a"]?.integerValue == 1 && value["b"]?.integerValue == nil)
    }

    @Test("the strict parser and the Codable conformance read an unambiguous document alike")
    func parserMatchesDecodable() throws {
        let data = Data(#"{"a":[1,2.5,"x",true,null],"b":{"c":{}},"d":"é😀\n"}"#.utf8)
        #expect(try JSONValue(decoding: data) == JSONDecoder().decode(JSONValue.self, from: data))
    }

    @Test("decoding rejects duplicate keys and invalid UTF-8 with a position, and skips a byte-order mark")
    func strictness() throws {
        let duplicate = #expect(throws: JSONSyntaxError.self) {
            try JSONValue(decoding: Data("{\"n\": 1,\n \"n\": 2}".utf8))
        }
        #expect(duplicate?.description == #"line 2, column 2: duplicate key "n""#)
        let badUTF8 = #expect(throws: JSONSyntaxError.self) {
            try JSONValue(decoding: Data("[\n\"a".utf8) + Data([0xFF]) + Data("\"]".utf8))
        }
        #expect(badUTF8 == JSONSyntaxError(line: 2, column: 3, reason: "invalid UTF-8"))
        #expect(try JSONValue(decoding: Data([0xEF, 0xBB, 0xBF]) + Data(#"{"a":"b"}"#.utf8)) == ["a": "b"])
    }

    @Test("canonical bytes sort keys and write integers and doubles as JSON numbers")
    func canonicalNumbers() throws {
        let value: JSONValue = ["b": .number(1.5), "a": [2, .number(-0.25)], "c": nil]
        let canonical = value.canonicalBytes()
        #expect(String(decoding: canonical, as: UTF8.self) == #"{"a":[2,-0.25],"b":1.5,"c":null}"#)
        #expect(try JSONValue(decoding: Data(canonical)) == value)
    }

    @Test("type names, with and without an article, for error messages")
    func typeNames() {
        let values: [JSONValue] = [nil, true, 1, .number(1.5), "s", [], [:]]
        #expect(values.map(\.typeName) == ["null", "boolean", "number", "number", "string", "array", "object"])
        #expect(
            values.map(\.kindDescription)
                == ["null", "a boolean", "a number", "a number", "a string", "an array", "an object"])
    }
}
