import Daemon
import Foundation
import Logging
import Testing

/// Each log format exactly: text for a terminal, journal lines with a syslog priority, JSON for shippers.
@Suite struct LogLineTests {
    private let line = LogLine(
        time: Date(timeIntervalSince1970: 1_800_000_000.25), level: .error, message: "AWS call failed",
        metadata: [
            "spec": "orders", "action": "RestoreDBClusterFromS3", "aws.request_id": "req-1",
            "error": "InvalidParameterValue: bad \"bucket\"\nsecond line",
        ])

    @Test func textHasTimeLevelMessageAndSortedPairsOnOneLine() {
        #expect(
            line.rendered(.text) == #"2027-01-15T08:00:00.250Z error AWS call failed "#
                + #"action=RestoreDBClusterFromS3 aws.request_id=req-1 error="InvalidParameterValue: bad \"bucket\"\nsecond line" spec=orders"#
        )
    }

    @Test func journalHasThePriorityPrefixAndNoTimestamp() {
        #expect(line.rendered(.journal).hasPrefix("<3>error AWS call failed action=RestoreDBClusterFromS3 "))
        #expect(LogLevelPriorities.all == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func jsonIsOneObjectWithTheFixedKeysAndTheMetadata() throws {
        let rendered = line.rendered(.json)
        #expect(!rendered.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: String])
        #expect(
            object == [
                "time": "2027-01-15T08:00:00.250Z", "level": "error", "message": "AWS call failed", "spec": "orders",
                "action": "RestoreDBClusterFromS3", "aws.request_id": "req-1",
                "error": "InvalidParameterValue: bad \"bucket\"\nsecond line",
            ])
        let shadowing = LogLine(time: line.time, level: .info, message: "m", metadata: ["message": "x"])
        #expect(shadowing.rendered(.json).contains(#""metadata.message":"x""#))
    }

    @Test func autoIsJournalUnderSystemdOnly() {
        #expect(LogFormat.auto.resolved(environment: ["JOURNAL_STREAM": "8:1234"]) == .journal)
        #expect(LogFormat.auto.resolved(environment: ["INVOCATION_ID": "abc"]) == .journal)
        #expect(LogFormat.auto.resolved(environment: [:]) == .text)
        #expect(LogFormat.json.resolved(environment: ["INVOCATION_ID": "abc"]) == .json)
    }
}

/// The syslog priority of every swift-log level, most verbose first.
private enum LogLevelPriorities {
    static let all = Logger.Level.allCases.map(LogLine.syslogPriority)
}
