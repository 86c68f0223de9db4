import Foundation
import Testing

@testable import StatusModel

@Suite("Timestamp")
struct TimestampTests {
    @Test("a timestamp that is not ISO-8601 is a decoding error")
    func badTimestampRejected() {
        let json = Data(#"{"time":"yesterday","type":"Normal","reason":"R","message":"M"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SpecEvent.self, from: json) }
        #expect(Timestamp(iso8601: "2023-11-14T22:13:20Z") == Timestamp(startTime))
        #expect(Timestamp(startTime.addingTimeInterval(0.9)) == Timestamp(startTime))
    }

    @Test("ISO-8601 text with integer arithmetic equals Foundation's format style, both ways")
    func timestampText() throws {
        var seconds: [Int64] = [0, 59, 86_399, 86_400, 951_782_400, 1_700_000_000, 4_107_542_400, 253_402_300_799]
        var generator = SystemRandomNumberGenerator()
        seconds += (0..<2000).map { _ in Int64.random(in: 0...253_402_300_799, using: &generator) }
        for value in seconds {
            let date = Date(timeIntervalSince1970: TimeInterval(value))
            let expected = date.formatted(Date.ISO8601FormatStyle())
            #expect(ISO8601Text.format(value) == expected)
            #expect(ISO8601Text.parse(expected) == value)
            #expect(Timestamp(iso8601: expected)?.secondsSince1970 == value)
        }
        #expect(ISO8601Text.format(-1) == nil)
        for text in [
            "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
            "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+01:00", "1969-12-31T23:59:59Z",
        ] {
            #expect(ISO8601Text.parse(text) == nil, "\(text)")
        }
        #expect(ISO8601Text.parse("2024-02-29T12:00:00Z") == 1_709_208_000)
        #expect(Timestamp(iso8601: "2024-05-01T14:00:00+02:00")?.secondsSince1970 == 1_714_564_800)
    }
}
