import ArgumentParser
import Daemon
import Foundation
import Logging

/// `aurorad run`: loads the configuration, applies flags over it, and runs the daemon until SIGTERM.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon in the foreground (systemd runs it this way).",
        discussion: """
            Settings come from the config file (default \(DaemonConfig.defaultPath), optional), then these flags. \
            AWS credentials, region and endpoints come from the standard SDK environment: AWS_REGION, \
            AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, web identity, EC2 instance \
            metadata, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_IAM/_RDS/_S3/_STS. SIGTERM or SIGINT stops gracefully \
            (exit 0). SIGHUP re-reads the config file and applies the log level, intervals and AWS request rate \
            (flags still override it); an invalid file is refused and the running settings stay.
            """)

    @Option(help: "Config file (TOML). Default: \(DaemonConfig.defaultPath) when it exists.")
    var config: String?

    @Option(help: "SQLite state file. Default: /var/lib/aurorad/aurorad.db.")
    var database: String?

    @Option(help: "Control socket path. Default: /run/aurorad/aurorad.sock.")
    var socket: String?

    @Option(help: "AWS region. Default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region.")
    var region: String?

    @Option(help: "Seconds between observations of a Ready spec (drift repair). Default: 600.")
    var resyncInterval: Int?

    @Option(help: "Seconds between observations while AWS is working. Default: 15.")
    var pollInterval: Int?

    @Option(help: "Log level: \(LogLevelName.all.joined(separator: ", ")). Default: info.")
    var logLevel: String?

    @Option(
        help: """
            Log format: \(LogFormat.names.joined(separator: ", ")). Default: auto (journal under systemd: no timestamp, \
            a <N> priority prefix; text otherwise). json: one object per line.
            """)
    var logFormat: String?

    func validate() throws {
        if let resyncInterval, !(10...604_800).contains(resyncInterval) {
            throw ValidationError("--resync-interval must be between 10 and 604800 seconds.")
        }
        if let pollInterval, !(1...3_600).contains(pollInterval) {
            throw ValidationError("--poll-interval must be between 1 and 3600 seconds.")
        }
        if let logLevel, !LogLevelName.all.contains(logLevel) {
            throw ValidationError("--log-level must be one of \(LogLevelName.all.joined(separator: ", ")).")
        }
        if let logFormat, LogFormat(rawValue: logFormat) == nil {
            throw ValidationError("--log-format must be one of \(LogFormat.names.joined(separator: ", ")).")
        }
    }

    func run() throws {
        let source = ConfigSource(
            path: config, database: database.map(absolute), socket: socket.map(absolute), region: region,
            resyncInterval: resyncInterval, pollInterval: pollInterval, logLevel: logLevel,
            logFormat: logFormat.flatMap(LogFormat.init(rawValue:)))
        let settings: DaemonConfig
        do {
            settings = try source.load()
        } catch {
            printError("aurorad: \(error)")
            throw ExitCode(2)
        }
        let environment = ProcessInfo.processInfo.environment
        Heap.limitArenas(environment: environment)
        let logSettings = LogSettings(
            level: Logger.Level(rawValue: settings.logLevel) ?? .info,
            format: settings.logFormat.resolved(environment: environment))
        LoggingSystem.bootstrap { _ in LineLogHandler(settings: logSettings) }
        let logger = Logger(label: "aurorad")
        do {
            try DaemonRuntime(
                config: settings, environment: environment, logger: logger, logSettings: logSettings,
                reloadConfig: { try source.load() }
            ).run()
        } catch {
            logger.critical("could not start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }

    private func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

/// Where `aurorad run` gets its settings: the config file (the given path, else the default path when it exists,
/// else the built-in defaults) with the command-line flags over it. Read at start and again on SIGHUP.
struct ConfigSource: Sendable {
    var path: String?
    var database: String?
    var socket: String?
    var region: String?
    var resyncInterval: Int?
    var pollInterval: Int?
    var logLevel: String?
    var logFormat: LogFormat?

    /// The merged settings; throws `ConfigError` when the file is unreadable or invalid.
    func load() throws -> DaemonConfig {
        var settings: DaemonConfig
        if let path {
            settings = try DaemonConfig.load(path: path)
        } else if FileManager.default.fileExists(atPath: DaemonConfig.defaultPath) {
            settings = try DaemonConfig.load(path: DaemonConfig.defaultPath)
        } else {
            settings = DaemonConfig()
        }
        database.map { settings.database = $0 }
        socket.map { settings.socket = $0 }
        region.map { settings.region = $0 }
        resyncInterval.map { settings.resyncInterval = .seconds($0) }
        pollInterval.map { settings.pollInterval = .seconds($0) }
        logLevel.map { settings.logLevel = $0 }
        logFormat.map { settings.logFormat = $0 }
        return settings
    }
}

/// Writes one line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
