import Logging
import Synchronization

/// How the daemon writes its log lines to standard error.
public enum LogFormat: String, CaseIterable, Sendable {
    /// `journal` under systemd, `text` otherwise.
    case auto
    /// `TIME LEVEL message key=value…`, for a terminal or a plain file.
    case text
    /// `<N>LEVEL message key=value…` with the sd-daemon(3) syslog priority prefix and no timestamp of our own:
    /// journald adds the time and keeps the level.
    case journal
    /// One JSON object per line (`time`, `level`, `message` and the metadata keys), for log shippers.
    case json

    /// The accepted names, for help texts and errors.
    public static let names = allCases.map(\.rawValue)

    /// The concrete format: `auto` is `journal` when systemd started us (`JOURNAL_STREAM` or `INVOCATION_ID` set).
    public func resolved(environment: [String: String]) -> LogFormat {
        guard self == .auto else { return self }
        let underSystemd =
            environment["JOURNAL_STREAM"].map { !$0.isEmpty } == true
            || environment["INVOCATION_ID"].map { !$0.isEmpty } == true
        return underSystemd ? .journal : .text
    }
}

/// The log settings every handler of the process shares, so a configuration reload (SIGHUP) changes the level of
/// every logger at once.
public final class LogSettings: Sendable {
    private let current: Mutex<Logger.Level>
    /// The line format (fixed for the life of the process).
    public let format: LogFormat

    /// Settings starting at `level`, writing `format` (already resolved: not `auto`).
    public init(level: Logger.Level, format: LogFormat) {
        current = Mutex(level)
        self.format = format
    }

    /// The lowest level written.
    public var level: Logger.Level {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
