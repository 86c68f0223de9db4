import Foundation
import Synchronization

/// The offset between the servers' clock and ours, learned from clock-skew errors, shared by one client's calls so
/// the signer can sign with the server's time (`corrected(Date())`).
public final class ClockSkew: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    /// Starts with no correction.
    public init() {}

    /// The server's clock minus the local clock, in seconds; 0 until a skew error was seen.
    public var currentOffset: TimeInterval { offset.withLock { $0 } }

    /// Records the offset measured from a response's `Date` header.
    public func record(_ newOffset: TimeInterval) {
        offset.withLock { $0 = newOffset }
    }

    /// `date` moved by the recorded offset: the time to sign with.
    public func corrected(_ date: Date) -> Date {
        date.addingTimeInterval(currentOffset)
    }
}
