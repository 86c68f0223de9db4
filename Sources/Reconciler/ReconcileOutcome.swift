import Foundation

/// What one reconcile asks of the controller; the daemon maps it onto the Controller's `ReconcileResult` (the
/// Reconciler module does not depend on the Controller).
public enum ReconcileOutcome: Sendable {
    /// Converged for good or gone: nothing to do until something wakes the spec.
    case done
    /// Observe again after this delay: the poll interval while AWS works, the resync interval otherwise.
    case requeueAfter(Duration)
    /// A transient failure (throttling, 5xx, network, IAM propagation): retry after the spec's backoff.
    case retryableError(any Error)
    /// A stored spec that no longer decodes: only a resubmit can fix it, so do not retry until the spec is woken.
    /// (Terminal AWS errors are retried at the resync interval instead, through `requeueAfter`.)
    case terminalError(any Error)
}

/// The cadence and tunables of `SpecReconciler`.
public struct ReconcilerOptions: Sendable {
    /// How soon to look again while AWS is working (ACK uses 30 s).
    public var pollInterval: Duration
    /// How soon to look again at a Ready or Failed spec, to repair drift.
    public var resyncInterval: Duration
    /// The planner's tunables (the IAM propagation retry window).
    public var plan: PlanOptions
    /// The first fleet-wide resync boundary (the daemon's start); nil: each spec resyncs on its own clock.
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
    public var resync: ResyncSchedule { ResyncSchedule(interval: resyncInterval, anchor: resyncAnchor) }
}
