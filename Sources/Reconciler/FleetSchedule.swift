import Foundation

/// When specs are looked at again on a grid the whole fleet shares: the resync passes of Ready and Failed specs, and
/// the poll ticks of specs waiting on AWS. Without an anchor each spec waits one interval after its own last
/// reconcile; with one, it wakes on a boundary `anchor + k × interval`, so the specs of a pass or a tick are
/// reconciled together and share one batched observation (`FleetObserver`). Either way no spec waits much longer
/// than one interval, so drift is still seen within one resync.
public struct FleetSchedule: Sendable, Equatable {
    /// The longest a spec goes between two passes (or ticks).
    public var interval: Duration
    /// The first boundary (the daemon's start); nil: no alignment.
    public var anchor: Date?

    /// A schedule of `interval`, aligned on boundaries counted from `anchor` when given.
    public init(interval: Duration, anchor: Date? = nil) {
        self.interval = interval
        self.anchor = anchor
    }

    /// How long after `now` the next boundary at least `minimum` away is; `interval` without an anchor.
    public func delay(from now: Date, atLeast minimum: Duration = .zero) -> Duration {
        guard var next = nextBoundary(after: now) else { return interval }
        if next.timeIntervalSince(now) < minimum / .seconds(1) { next += seconds }
        return .milliseconds(Int64((next.timeIntervalSince(now) * 1000).rounded(.up)))
    }

    /// How long after a look at `now` a spec waiting on AWS is polled: on the next tick at least half an interval
    /// away, so a spec reconciled just before a tick skips it (AWS had no time to move) and waits between half an
    /// interval and one and a half, one on average as without alignment; after a write, at least a whole interval
    /// away, as RDS works on what it was asked longer than that and an earlier look would only cost a read.
    public func pollDelay(from now: Date, afterWrite: Bool) -> Duration {
        delay(from: now, atLeast: afterWrite ? interval : interval / 2)
    }

    /// Whether a boundary fell between a reconcile at `last` and `now`.
    public func isDue(since last: Date, now: Date) -> Bool {
        guard anchor != nil else { return now.timeIntervalSince(last) >= seconds }
        return pass(at: now) > pass(at: last)
    }

    /// The earliest moment of the pass (or tick) `now` belongs to: its boundary less the margin a controller timer
    /// may fire early by (so a boundary just ahead counts as reached); nil without alignment.
    public func passStart(at now: Date) -> Date? {
        anchor.map { $0.addingTimeInterval(Double(pass(at: now)) * seconds - earliness) }
    }

    private func nextBoundary(after now: Date) -> Date? {
        anchor.map { $0.addingTimeInterval(Double(pass(at: now) + 1) * seconds) }
    }

    /// The number of boundaries passed at `date`, counting a boundary less than `earliness` ahead as passed.
    private func pass(at date: Date) -> Int64 {
        guard let anchor, seconds > 0 else { return 0 }
        return Int64(((date.timeIntervalSince(anchor) + earliness) / seconds).rounded(.down))
    }

    /// How early a timer may fire and still count as on the boundary: a tenth of the interval, at most 1 s.
    private var earliness: TimeInterval { min(1, seconds / 10) }

    private var seconds: TimeInterval { interval / .seconds(1) }
}
