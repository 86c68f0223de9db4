import AWSCore

/// What a configuration reload (SIGHUP) changes: the settings applied at once, and those that only a restart applies.
public struct ConfigChanges: Equatable, Sendable {
    /// `key: old → new` for each changed setting the running daemon applies (log level, intervals, rate limits).
    public var applied: [String]
    /// `key: old → new` for each changed setting read only at start-up (paths, socket access, workers, AWS client,
    /// metrics endpoint).
    public var needRestart: [String]

    /// The differences from `old` to `new`, in the config file's key order.
    public init(from old: DaemonConfig, to new: DaemonConfig) {
        func describe<T: Equatable>(_ key: String, _ value: (DaemonConfig) -> T) -> String? {
            let (before, after) = (value(old), value(new))
            return before == after ? nil : "\(key): \(before) → \(after)"
        }
        let serviceRates = AWSService.allCases.flatMap { service in
            [
                describe("aws.\(service.rawValue).requests_per_second") { $0.awsServiceRates[service].perSecond },
                describe("aws.\(service.rawValue).burst") { $0.awsServiceRates[service].burst },
            ]
        }
        applied =
            ([
                describe("daemon.log_level") { $0.logLevel },
                describe("reconcile.resync_interval") { $0.resyncInterval },
                describe("reconcile.poll_interval") { $0.pollInterval },
                describe("reconcile.backoff_min") { $0.backoffMin },
                describe("reconcile.backoff_max") { $0.backoffMax },
                describe("aws.requests_per_second") { $0.awsRate.perSecond },
                describe("aws.burst") { $0.awsRate.burst },
            ] + serviceRates).compactMap { $0 }
        needRestart = [
            describe("daemon.database") { $0.database },
            describe("daemon.socket") { $0.socket },
            describe("daemon.socket_group") { $0.socketGroup ?? "" },
            describe("daemon.allowed_uids") { $0.allowedUIDs },
            describe("daemon.allowed_gids") { $0.allowedGIDs },
            describe("daemon.log_format") { $0.logFormat.rawValue },
            describe("daemon.workers") { $0.workers },
            describe("aws.region") { $0.region ?? "" },
            describe("aws.max_attempts") { $0.awsMaxAttempts.map(String.init) ?? "unset" },
            describe("aws.ca_file") { $0.caFile ?? "" },
            describe("metrics.listen") { $0.metricsListen?.description ?? "off" },
        ].compactMap { $0 }
    }

    /// The settings the running daemon adopts from `new`; everything else keeps the value it started with.
    public static func adoptable(from new: DaemonConfig, keeping running: DaemonConfig) -> DaemonConfig {
        var merged = running
        merged.logLevel = new.logLevel
        merged.resyncInterval = new.resyncInterval
        merged.pollInterval = new.pollInterval
        merged.backoffMin = new.backoffMin
        merged.backoffMax = new.backoffMax
        merged.awsRate = new.awsRate
        merged.awsServiceRates = new.awsServiceRates
        return merged
    }
}
