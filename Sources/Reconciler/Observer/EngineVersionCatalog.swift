import Synchronization

/// RDS's answers about engine versions, kept for the daemon's run: they change rarely (a new minor version every
/// few weeks), so a spec's reconciles ask DescribeDBEngineVersions once per version, not at every preflight.
final class EngineVersionCatalog: Sendable {
    /// Whether each `engine version` exists.
    private let exists = Mutex<[String: Bool]>([:])
    /// Every version of each engine.
    private let versions = Mutex<[String: [String]]>([:])

    /// Whether `version` of `engine` exists, from the cache or `fetch` (whose answer is then kept).
    func exists(
        engine: String, version: String, fetch: () throws(ObservationError) -> Bool
    ) throws(ObservationError) -> Bool {
        try cached(exists, key: "\(engine) \(version)", fetch: fetch)
    }

    /// Every version of `engine`, from the cache or `fetch` (whose answer is then kept).
    func versions(
        engine: String, fetch: () throws(ObservationError) -> [String]
    ) throws(ObservationError) -> [String] {
        try cached(versions, key: engine, fetch: fetch)
    }

    /// Two reconciles asking at once may both fetch; the second answer simply replaces the first.
    private func cached<Value: Sendable>(
        _ cache: borrowing Mutex<[String: Value]>, key: String, fetch: () throws(ObservationError) -> Value
    ) throws(ObservationError) -> Value {
        if let known = cache.withLock({ $0[key] }) { return known }
        let value = try fetch()
        cache.withLock { $0[key] = value }
        return value
    }
}
