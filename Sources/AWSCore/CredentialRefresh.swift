import Foundation
import Logging

/// Caches credentials from another provider and refreshes them shortly before they expire.
///
/// Credentials without an expiration are fetched once. Temporary ones are refreshed once `now` is within
/// `refreshWindow` of their expiration. Concurrent callers share one refresh: while it runs, callers holding
/// still-valid cached credentials get them at once and the others wait for its outcome. If a refresh fails while the
/// cached credentials have not yet expired, they keep being used (the failure is logged) and the error surfaces
/// only once they expire.
public final class RefreshingCredentialProvider: CredentialProvider, @unchecked Sendable {
    // @unchecked: every mutable field below is read and written only with `condition` locked.
    private let inner: any CredentialProvider
    private let refreshWindow: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let condition = NSCondition()
    private var cached: AWSCredentials?
    private var refreshing = false
    /// Counts finished refreshes, so a waiter knows the one it waited for has ended.
    private var generation = 0
    /// The outcome of the latest refresh; waiters read it once `generation` moves, so the placeholder is never seen.
    private var lastResult: Result<AWSCredentials, any Error> = .failure(
        CredentialError(.retrievalFailed, "The credentials have not been fetched yet."))

    /// Wraps `inner`; `initial` seeds the cache with credentials already fetched (as the chain does after probing).
    public init(
        wrapping inner: any CredentialProvider, refreshWindow: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger, initial: AWSCredentials? = nil
    ) {
        self.inner = inner
        let (seconds, attoseconds) = refreshWindow.components
        self.refreshWindow = TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
        self.now = now
        self.logger = logger
        self.cached = initial
    }

    /// The wrapped provider's description.
    public var sourceDescription: String { inner.sourceDescription }

    /// Cached credentials while fresh, else the result of one shared refresh.
    public func credentials() throws -> AWSCredentials {
        condition.lock()
        defer { condition.unlock() }
        let instant = now()
        if let cached, !isDue(cached, at: instant) { return cached }
        if refreshing {
            if let cached, !isExpired(cached, at: instant) { return cached }
            let awaited = generation
            while generation == awaited { condition.wait() }
            return try outcome(at: now())
        }
        refreshing = true
        condition.unlock()
        let result = Result { try inner.credentials() }
        condition.lock()
        refreshing = false
        generation += 1
        lastResult = result
        if case .success(let fresh) = result { cached = fresh }
        condition.broadcast()
        return try outcome(at: now())
    }

    /// What the refresh that just ended leaves callers with: new credentials, the old ones while still valid, or
    /// the refresh error.
    private func outcome(at instant: Date) throws -> AWSCredentials {
        switch lastResult {
        case .success(let fresh):
            return fresh
        case .failure(let error):
            guard let cached else { throw error }
            guard !isExpired(cached, at: instant) else {
                throw CredentialError(
                    .expired,
                    "The temporary AWS credentials from \(inner.sourceDescription) expired and could not be "
                        + "refreshed: \(error)")
            }
            logger.info(
                "refreshing AWS credentials failed; using the cached ones until they expire",
                metadata: [
                    "credentials.source": "\(inner.sourceDescription)", "error": "\(error)",
                    "credentials.expiration": "\(cached.expiration.map { "\($0)" } ?? "none")",
                ])
            return cached
        }
    }

    private func isDue(_ credentials: AWSCredentials, at instant: Date) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(instant) <= refreshWindow
    }

    private func isExpired(_ credentials: AWSCredentials, at instant: Date) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration <= instant
    }
}
