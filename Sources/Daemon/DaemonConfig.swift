import AWSCore
import Foundation
import MetricsEndpoint

/// Everything `aurorad run` needs to know, after merging the defaults, the config file and the command-line flags.
public struct DaemonConfig: Equatable, Sendable {
    /// The SQLite state file.
    public var database = "/var/lib/aurorad/aurorad.db"
    /// The control socket path.
    public var socket = "/run/aurorad/aurorad.sock"
    /// The group that owns the socket and may use it (nil: the daemon's own group).
    public var socketGroup: String?
    /// Extra user ids allowed on the socket, besides root, the daemon's user and the socket's group.
    public var allowedUIDs: [UInt32] = []
    /// Extra group ids allowed on the socket.
    public var allowedGIDs: [UInt32] = []
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel = "info"
    /// `auto` (journal under systemd, else text), `text`, `journal` or `json`.
    public var logFormat = LogFormat.auto
    /// Concurrent reconciles (each spec is reconciled by at most one worker at a time).
    public var workers = 4
    /// AWS region; nil falls back to `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile.
    public var region: String?
    /// How often a converged spec is observed again to repair drift.
    public var resyncInterval: Duration = .seconds(600)
    /// How often a spec is observed while AWS is working on it.
    public var pollInterval: Duration = .seconds(15)
    /// The first retry delay after an error; doubles up to `backoffMax`.
    public var backoffMin: Duration = .seconds(1)
    /// The longest retry delay after repeated errors.
    public var backoffMax: Duration = .seconds(300)
    /// AWS requests across all services and specs (`[aws] requests_per_second`, `burst`): the operator's cap on
    /// aurorad's total rate, above the per-service rates by default.
    public var awsRate = RequestRate.awsTotal
    /// AWS requests per service (`[aws.<service>] requests_per_second`, `burst`).
    public var awsServiceRates = AWSServiceRates()
    /// Attempts per AWS call, including the first (`AWS_MAX_ATTEMPTS` also sets it).
    public var awsMaxAttempts: Int?
    /// A CA bundle for TLS verification instead of the system's.
    public var caFile: String?
    /// Where the Prometheus endpoint listens (loopback only); nil: no endpoint, and metrics are not recorded.
    public var metricsListen: LoopbackAddress?

    public init() {}

    /// The default location of the optional config file.
    public static let defaultPath = "/etc/aurorad/aurorad.toml"

    /// Reads the TOML file at `path` over the defaults. Unknown keys and wrong types are errors naming the key.
    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(path: path, problems: ["cannot be read: \(error.localizedDescription)"])
        }
        guard data.count <= 1 << 20 else { throw ConfigError(path: path, problems: ["is larger than 1 MiB"]) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, problems: ["is not valid UTF-8"])
        }
        return try parse(text, path: path)
    }

    /// Parses config text (named `path` in errors) over the defaults, reporting every problem at once.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> DaemonConfig {
        let table: [String: TOMLValue]
        do {
            table = try TOMLParser.parse(text)
        } catch {
            throw ConfigError(path: path, problems: [error.description])
        }
        var config = DaemonConfig()
        var reader = Reader(table: table)
        for (key, apply) in Self.keys {
            if let value = table[key] { apply(&config, &reader, key, value) }
        }
        for key in table.keys.sorted() where Self.keys.first(where: { $0.0 == key }) == nil {
            reader.problems.append("\(key): unknown key (see config/aurorad.toml for the documented keys)")
        }
        guard reader.problems.isEmpty else { throw ConfigError(path: path, problems: reader.problems) }
        return config
    }

    private typealias Apply = @Sendable (inout DaemonConfig, inout Reader, String, TOMLValue) -> Void

    /// Every documented key and how it lands in the config; config/aurorad.toml documents each one.
    private static let keys = settingKeys + serviceRateKeys

    /// The keys of one setting each.
    private static let settingKeys: [(String, Apply)] = [
        ("daemon.database", { c, r, k, v in r.path(k, v).map { c.database = $0 } }),
        ("daemon.socket", { c, r, k, v in r.path(k, v).map { c.socket = $0 } }),
        ("daemon.socket_group", { c, r, k, v in r.string(k, v).map { c.socketGroup = $0.isEmpty ? nil : $0 } }),
        ("daemon.allowed_uids", { c, r, k, v in r.ids(k, v).map { c.allowedUIDs = $0 } }),
        ("daemon.allowed_gids", { c, r, k, v in r.ids(k, v).map { c.allowedGIDs = $0 } }),
        ("daemon.log_level", { c, r, k, v in r.logLevel(k, v).map { c.logLevel = $0 } }),
        ("daemon.log_format", { c, r, k, v in r.logFormat(k, v).map { c.logFormat = $0 } }),
        ("daemon.workers", { c, r, k, v in r.integer(k, v, in: 1...64).map { c.workers = $0 } }),
        (
            "reconcile.resync_interval",
            { c, r, k, v in r.seconds(k, v, in: 10...604_800).map { c.resyncInterval = $0 } }
        ),
        ("reconcile.poll_interval", { c, r, k, v in r.seconds(k, v, in: 1...3_600).map { c.pollInterval = $0 } }),
        ("reconcile.backoff_min", { c, r, k, v in r.seconds(k, v, in: 1...3_600).map { c.backoffMin = $0 } }),
        ("reconcile.backoff_max", { c, r, k, v in r.seconds(k, v, in: 1...86_400).map { c.backoffMax = $0 } }),
        ("aws.region", { c, r, k, v in r.string(k, v).map { c.region = $0.isEmpty ? nil : $0 } }),
        ("aws.requests_per_second", { c, r, k, v in r.perSecond(k, v).map { c.awsRate.perSecond = $0 } }),
        ("aws.burst", { c, r, k, v in r.burst(k, v).map { c.awsRate.burst = $0 } }),
        ("aws.max_attempts", { c, r, k, v in r.integer(k, v, in: 1...20).map { c.awsMaxAttempts = $0 } }),
        ("aws.ca_file", { c, r, k, v in r.optionalPath(k, v).map { c.caFile = $0 } }),
        ("metrics.listen", { c, r, k, v in r.loopback(k, v).map { c.metricsListen = $0 } }),
    ]

    /// `[aws.<service>]` `requests_per_second` and `burst` of every service.
    private static let serviceRateKeys = AWSService.allCases.flatMap { service -> [(String, Apply)] in
        let perSecond: Apply = { c, r, k, v in r.perSecond(k, v).map { c.awsServiceRates[service].perSecond = $0 } }
        let burst: Apply = { c, r, k, v in r.burst(k, v).map { c.awsServiceRates[service].burst = $0 } }
        return [("aws.\(service.rawValue).requests_per_second", perSecond), ("aws.\(service.rawValue).burst", burst)]
    }

    /// Typed reads that record a problem (and return nil) instead of throwing, so every problem is reported.
    private struct Reader {
        let table: [String: TOMLValue]
        var problems: [String] = []

        mutating func string(_ key: String, _ value: TOMLValue) -> String? {
            guard case .string(let s) = value else { return wrongType(key, value, "a string") }
            return s
        }

        mutating func path(_ key: String, _ value: TOMLValue) -> String? {
            guard let s = string(key, value) else { return nil }
            guard s.hasPrefix("/") else {
                problems.append("\(key): \"\(s)\" must be an absolute path")
                return nil
            }
            return s
        }

        /// A path that may be left empty to mean "not set".
        mutating func optionalPath(_ key: String, _ value: TOMLValue) -> String?? {
            guard case .string(let s) = value, s.isEmpty else { return path(key, value).map { .some($0) } }
            return .some(nil)
        }

        mutating func integer(_ key: String, _ value: TOMLValue, in range: ClosedRange<Int>) -> Int? {
            guard case .integer(let i) = value else { return wrongType(key, value, "an integer") }
            guard range.contains(i) else {
                problems.append("\(key): \(i) is out of range \(range.lowerBound)…\(range.upperBound)")
                return nil
            }
            return i
        }

        mutating func number(_ key: String, _ value: TOMLValue, in range: ClosedRange<Double>) -> Double? {
            let number: Double
            switch value {
            case .integer(let i): number = Double(i)
            case .float(let f): number = f
            default: return wrongType(key, value, "a number")
            }
            guard range.contains(number) else {
                problems.append("\(key): \(number) is out of range \(range.lowerBound)…\(range.upperBound)")
                return nil
            }
            return number
        }

        /// A request rate: tokens a second of a token bucket.
        mutating func perSecond(_ key: String, _ value: TOMLValue) -> Double? {
            number(key, value, in: 0.1...1_000)
        }

        /// A token bucket's burst.
        mutating func burst(_ key: String, _ value: TOMLValue) -> Int? {
            integer(key, value, in: 1...10_000)
        }

        mutating func seconds(_ key: String, _ value: TOMLValue, in range: ClosedRange<Int>) -> Duration? {
            integer(key, value, in: range).map { .seconds($0) }
        }

        mutating func ids(_ key: String, _ value: TOMLValue) -> [UInt32]? {
            guard case .array(let items) = value else { return wrongType(key, value, "an array of integers") }
            var ids: [UInt32] = []
            for item in items {
                guard case .integer(let i) = item, let id = UInt32(exactly: i) else {
                    problems.append("\(key): every entry must be a numeric id (0…\(UInt32.max))")
                    return nil
                }
                ids.append(id)
            }
            return ids
        }

        /// `"HOST:PORT"` or a port (string or integer) on loopback; `""` means off.
        mutating func loopback(_ key: String, _ value: TOMLValue) -> LoopbackAddress?? {
            let text: String
            switch value {
            case .string(let s) where s.isEmpty: return .some(nil)
            case .string(let s): text = s
            case .integer(let i): text = String(i)
            default: return wrongType(key, value, "a string such as \"127.0.0.1:9464\" or a port number")
            }
            do {
                return .some(try LoopbackAddress(parsing: text))
            } catch {
                problems.append("\(key): \(error.description)")
                return nil
            }
        }

        mutating func logLevel(_ key: String, _ value: TOMLValue) -> String? {
            guard let s = string(key, value) else { return nil }
            guard LogLevelName.all.contains(s) else {
                problems.append("\(key): \"\(s)\" is not one of \(LogLevelName.all.joined(separator: ", "))")
                return nil
            }
            return s
        }

        mutating func logFormat(_ key: String, _ value: TOMLValue) -> LogFormat? {
            guard let s = string(key, value) else { return nil }
            guard let format = LogFormat(rawValue: s) else {
                problems.append("\(key): \"\(s)\" is not one of \(LogFormat.names.joined(separator: ", "))")
                return nil
            }
            return format
        }

        private mutating func wrongType<T>(_ key: String, _ value: TOMLValue, _ expected: String) -> T? {
            problems.append("\(key): expected \(expected), found a \(value.typeName)")
            return nil
        }
    }
}

/// The log level names the config and `--log-level` accept (swift-log's, lower case).
public enum LogLevelName {
    /// Every accepted name, most verbose first.
    public static let all = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}

/// A configuration file that cannot be used, with every problem found in it.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// The file the problems are in.
    public let path: String
    /// One sentence per problem, each naming its key or line.
    public let problems: [String]

    public var description: String {
        "configuration file \(path) is invalid:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}
