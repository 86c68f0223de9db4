import Foundation
import Logging
import Synchronization

/// Every log record of a logger, message and metadata rendered as text, for asserting what reaches logs.
final class CapturedLogs: Sendable {
    /// One record.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    /// A trace-level logger that writes here.
    var logger: Logger {
        var logger = Logger(label: "aurorad.test") { _ in CapturingHandler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    /// The records so far.
    var all: [Record] { records.withLock { $0 } }

    /// Everything logged, as one text (messages and metadata keys and values).
    var text: String {
        all.map { record in
            record.message + " "
                + record.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ")
        }.joined(separator: "\n")
    }

    fileprivate func append(_ record: Record) {
        records.withLock { $0.append(record) }
    }
}

private struct CapturingHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        sink.append(
            CapturedLogs.Record(
                level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
