import Synchronization

/// The retry budget shared by every call of one client, as in botocore `retries/quota.py`: retries spend tokens,
/// successes give some back, and when the bucket is empty failures are returned at once instead of retried, so an
/// outage does not multiply the load on the service.
public final class RetryQuota: Sendable {
    /// The capacity a quota starts with and never exceeds.
    public let maxCapacity: Int
    private let available: Mutex<Int>

    /// Tokens a retry costs (botocore `RetryQuotaChecker._RETRY_COST`).
    public static let retryCost = 5
    /// Tokens a retry after a timeout costs (`_TIMEOUT_RETRY_REQUEST`).
    public static let timeoutRetryCost = 10
    /// Tokens a success without retries gives back (`_NO_RETRY_INCREMENT`).
    public static let successRefund = 1

    /// Creates a full quota of `capacity` tokens (500 in the SDKs).
    public init(capacity: Int = 500) {
        maxCapacity = capacity
        available = Mutex(capacity)
    }

    /// The tokens left.
    public var availableCapacity: Int { available.withLock { $0 } }

    /// Takes `amount` tokens if that many are left; says whether it did.
    public func acquire(_ amount: Int) -> Bool {
        available.withLock { tokens in
            guard amount <= tokens else { return false }
            tokens -= amount
            return true
        }
    }

    /// Gives back `amount` tokens, never beyond the capacity.
    public func release(_ amount: Int) {
        available.withLock { tokens in tokens = min(maxCapacity, tokens + amount) }
    }
}
