import Foundation
import Logging

/// Runs a call with the SDKs' standard retry behaviour: bounded attempts, exponential backoff with full jitter,
/// a shared retry quota, and one immediate re-signed retry after a clock-skew error.
///
/// Backoff before retry `n` (1-based attempt that failed) is `random(0, 1) * min(2^(n-1) s, 20 s)`: botocore
/// `retries/standard.py` `ExponentialBackoff.delay_amount` (base 1 s, growth 2, `_MAX_BACKOFF = 20`). Quota costs
/// follow `RetryQuotaChecker`: 5 per retry, 10 after a timeout, and a success returns what its retry took (or 1).
/// One policy is shared by all the calls of a client, from any thread.
public final class RetryPolicy: Sendable {
    /// The attempt and backoff settings.
    public let configuration: RetryConfiguration
    /// The retry budget shared by this policy's calls.
    public let quota: RetryQuota
    /// The server clock offset that clock-skew errors teach; the caller's signer reads it.
    public let clockSkew: ClockSkew
    private let sleeper: @Sendable (Duration) -> Void
    private let random: @Sendable () -> Double
    private let logger: Logger

    /// Creates a policy. `sleeper` waits (tests record instead); `random` returns a value in `[0, 1)`.
    public init(
        configuration: RetryConfiguration = RetryConfiguration(), quota: RetryQuota = RetryQuota(),
        clockSkew: ClockSkew = ClockSkew(), logger: Logger,
        sleeper: @escaping @Sendable (Duration) -> Void = { delay in
            let (seconds, attoseconds) = delay.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
        },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.quota = quota
        self.clockSkew = clockSkew
        self.logger = logger
        self.sleeper = sleeper
        self.random = random
    }

    /// Calls `attempt` with the 1-based attempt number until it returns, throws a terminal error, or the attempts
    /// or the retry quota run out; the last error is rethrown. `attempt` must sign afresh on each call (reading
    /// `clockSkew`), because a retry after a clock-skew error only helps with a new signature.
    public func execute<T>(_ attempt: (Int) throws -> T) throws -> T {
        var attemptNumber = 1
        var lastRetryCost: Int?
        var correctedClock = false
        while true {
            do {
                let value = try attempt(attemptNumber)
                if configuration.usesRetryQuota { quota.release(lastRetryCost ?? RetryQuota.successRefund) }
                return value
            } catch {
                let (kind, isTimeout) = Self.classify(error)
                guard kind != .terminal, attemptNumber < configuration.maxAttempts else { throw error }
                if kind == .clockSkew {
                    guard !correctedClock, let offset = (error as? AWSError)?.clockOffset else { throw error }
                    correctedClock = true
                    clockSkew.record(offset)
                    logger.info(
                        "Clock skew detected; re-signing with the server's time",
                        metadata: ["attempt": "\(attemptNumber)", "clock_offset_s": "\(Int(offset))"])
                } else {
                    let cost = isTimeout ? RetryQuota.timeoutRetryCost : RetryQuota.retryCost
                    if configuration.usesRetryQuota {
                        guard quota.acquire(cost) else {
                            logger.debug(
                                "Retry quota exhausted; not retrying",
                                metadata: ["attempt": "\(attemptNumber)"])
                            throw error
                        }
                        lastRetryCost = cost
                    }
                    let delay = backoff(afterAttempt: attemptNumber)
                    logger.debug(
                        "Retrying after a retryable error",
                        metadata: [
                            "attempt": "\(attemptNumber)", "kind": "\(kind.rawValue)",
                            "delay_ms": "\(Int(seconds(delay) * 1000))",
                        ])
                    sleeper(delay)
                }
                attemptNumber += 1
            }
        }
    }

    /// The jittered delay before the retry that follows failed attempt `attempt` (1-based).
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(pow(2, Double(min(attempt - 1, 62))), seconds(configuration.maxBackoff))
        return .seconds(random() * ceiling)
    }

    /// The retry kind of any error a call may throw (service, transport or other), and whether it was a timeout.
    public static func classify(_ error: any Error) -> (AWSErrorKind, isTimeout: Bool) {
        switch error {
        case let error as AWSError:
            return (error.kind, false)
        case let error as TransportError:
            return (error.isTransient ? .transient : .terminal, error.kind == .timedOut)
        default:
            return (.terminal, false)
        }
    }
}

/// `duration` in (fractional) seconds.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
