import Foundation
import ImportSpec
import Logging

/// One log event rendered as text: pure, so each format is tested exactly.
public struct LogLine: Sendable {
    /// When it happened.
    public var time: Date
    /// Its level.
    public var level: Logger.Level
    /// What happened, one sentence.
    public var message: String
    /// Its data: `spec`, `action`, `aws.request_id`, `error`…
    public var metadata: Logger.Metadata

    /// A line from its parts.
    public init(time: Date, level: Logger.Level, message: String, metadata: Logger.Metadata) {
        self.time = time
        self.level = level
        self.message = message
        self.metadata = metadata
    }

    /// The line in `format` (without the newline); `auto` renders as `text`.
    public func rendered(_ format: LogFormat) -> String {
        switch format {
        case .auto, .text: "\(timestamp) \(level.rawValue) \(flatten(message))\(pairs)"
        case .journal: "<\(Self.syslogPriority(level))>\(level.rawValue) \(flatten(message))\(pairs)"
        case .json: json
        }
    }

    /// The syslog priority journald reads from a `<N>` line prefix (sd-daemon(3)): trace and debug 7, info 6,
    /// notice 5, warning 4, error 3, critical 2.
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private var timestamp: String {
        time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// ` key=value` pairs sorted by key; values with spaces, quotes, `=` or newlines are quoted and escaped.
    private var pairs: String {
        metadata.keys.sorted().map { key in " \(key)=\(Self.quoted(metadata[key]!.description))" }.joined()
    }

    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { " \"=\n".contains($0) }) else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + escaped.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// Keeps one event on one line: a multi-line error (a config problem list) has its newlines escaped.
    private func flatten(_ text: String) -> String {
        text.contains("\n") ? text.replacingOccurrences(of: "\n", with: "\\n") : text
    }

    private var json: String {
        var fields: [String: JSONValue] = [:]
        for (key, value) in metadata { fields[key] = Self.jsonValue(value) }
        // The fixed keys win; metadata that would shadow one keeps its value under `metadata.<key>`.
        for key in ["time", "level", "message"] where fields[key] != nil {
            fields["metadata.\(key)"] = fields.removeValue(forKey: key)
        }
        fields["time"] = .string(timestamp)
        fields["level"] = .string(level.rawValue)
        fields["message"] = .string(message)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(JSONValue.object(fields)) else {
            return #"{"level":"error","message":"log line could not be encoded as JSON"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let items): .array(items.map(jsonValue))
        case .dictionary(let entries): .object(entries.mapValues(jsonValue))
        }
    }
}
