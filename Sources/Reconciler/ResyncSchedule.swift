import Foundation

/// When a Ready or Failed spec is looked at again. Without an anchor each spec resyncs one interval after its own
/// last reconcile; with one, every spec's resync lands on the next boundary `anchor + k × interval`, so all the
/// specs of a pass are reconciled together and share one batched observation (`FleetObserver`). Either way no
/// spec goes longer than one interval unobserved, so drift is still seen within one resync.
public struct ResyncSchedule: Sendable, Equatable {
    /// The longest a spec goes between two resyncs.
    public var interval: Duration
    /// The first boundary (the daemon's start); nil: no alignment.
    public var anchor: Date?

    /// A schedule of `interval`, aligned on boundaries counted from `anchor` when given.
    public init(interval: Duration, anchor: Date? = nil) {
        self.interval = interval
        self.anchor = anchor
    }

    /// How long after `now` the next resync is due.
    public func delay(from now: Date) -> Duration {
        guard let next = nextBoundary(after: now) else { return interval }
        return .milliseconds(Int64((next.timeIntervalSince(now) * 1000).rounded(.up)))
    }

    /// Whether a resync fell due between a reconcile at `last` and `now`.
    public func isDue(since last: Date, now: Date) -> Bool {
        guard anchor != nil else { return now.timeIntervalSince(last) >= seconds }
        return pass(at: now) > pass(at: last)
    }

    /// The earliest moment of the pass `now` belongs to: its boundary less the margin a controller timer may fire
    /// early by (so a boundary just ahead counts as reached); nil without alignment.
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
