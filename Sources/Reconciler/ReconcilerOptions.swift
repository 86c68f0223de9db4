import Foundation

/// The cadence and tunables of `SpecReconciler`.
public struct ReconcilerOptions: Sendable {
    /// How soon to look again while AWS is working (ACK uses 30 s).
    public var pollInterval: Duration
    /// How soon to look again at a Ready or Failed spec, to repair drift.
    public var resyncInterval: Duration
    /// The planner's tunables (the IAM propagation retry window).
    public var plan: PlanOptions
    /// The first fleet-wide resync and poll boundary (the daemon's start); nil: each spec resyncs and polls on its
    /// own clock.
    public var resyncAnchor: Date?

    /// Options with aurorad's defaults: poll every 30 s, resync every 10 minutes, not aligned.
    public init(
        pollInterval: Duration = .seconds(30), resyncInterval: Duration = .seconds(600),
        plan: PlanOptions = PlanOptions(), resyncAnchor: Date? = nil
    ) {
        self.pollInterval = pollInterval
        self.resyncInterval = resyncInterval
        self.plan = plan
        self.resyncAnchor = resyncAnchor
    }

    /// When Ready and Failed specs are looked at again.
    public var resync: FleetSchedule { FleetSchedule(interval: resyncInterval, anchor: resyncAnchor) }

    /// When specs waiting on AWS are looked at again: on the poll ticks, so they share one read per tick.
    public var poll: FleetSchedule { FleetSchedule(interval: pollInterval, anchor: resyncAnchor) }
}
