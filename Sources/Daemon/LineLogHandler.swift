import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler writing one line per event to standard error in the shared `LogSettings`' format, with a
/// single `write(2)` per line so lines from concurrent threads never interleave.
public struct LineLogHandler: LogHandler {
    private let settings: LogSettings
    private let write: @Sendable (String) -> Void
    private var levelOverride: Logger.Level?
    /// Metadata set on this handler's logger (for example `spec`).
    public var metadata: Logger.Metadata = [:]
    /// Adds metadata from the task context; unused by aurorad, kept for the protocol.
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler following `settings`, writing each finished line (newline included) with `write`.
    public init(settings: LogSettings, write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        self.settings = settings
        self.write = write
    }

    /// Writes `line` to standard error in one system call.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        var offset = 0
        for _ in 0..<64 where offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 || errno == EINTR else { return }
            offset += max(0, written)
        }
    }

    /// The shared level, unless this logger's copy set its own.
    public var logLevel: Logger.Level {
        get { levelOverride ?? settings.level }
        set { levelOverride = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        let line = LogLine(time: Date(), level: event.level, message: event.message.description, metadata: merged)
        write(line.rendered(settings.format) + "\n")
    }
}
