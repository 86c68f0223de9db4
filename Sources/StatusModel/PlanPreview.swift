/// What `ctl plan` shows: the whole projected sequence of action groups, the part of it a submit would run now, and
/// how the spec stands now and would stand at the end. The reconciler computes it; `ctl` reads it from the
/// `plan` result (`PlanResult`).
public struct PlanPreview: Codable, Equatable, Sendable {
    /// Action descriptions of every projected step group, in order (a group's actions run in parallel).
    public var steps: [[String]]
    /// The groups a submit would run now: a prefix of `steps`; the rest follow as AWS settles.
    public var now: [[String]]
    /// The phase the spec would show now.
    public var phase: Phase
    /// The conditions computed from the observation now.
    public var conditions: [Condition]
    /// The phase the spec would show after the last projected step.
    public var projectedPhase: Phase
    /// A sentence about the end of the projection: converged, the failure and what to do, or what it waits for.
    public var projectedMessage: String

    /// Creates a preview.
    public init(
        steps: [[String]], now: [[String]], phase: Phase, conditions: [Condition], projectedPhase: Phase,
        projectedMessage: String
    ) {
        self.steps = steps
        self.now = now
        self.phase = phase
        self.conditions = conditions
        self.projectedPhase = projectedPhase
        self.projectedMessage = projectedMessage
    }
}
