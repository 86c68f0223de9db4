import StatusModel

/// Follows one spec's status for `aurorad ctl watch`: the readable changes between two polls, and whether the watch
/// is over. Pure, so the change lines are tested without a daemon.
public struct StatusWatch: Sendable {
    /// How a watch ends.
    public enum Outcome: Sendable, Equatable {
        /// Ready for the spec's current generation.
        case ready
        /// Failed for the spec's current generation: the operator has to act (the message says how).
        case failed
    }

    private var last: SpecStatus?

    /// A watch that has seen nothing yet: the first poll reports the phase and every condition.
    public init() {}

    /// One line per change since the previous poll: the phase (with generations and message), then each condition
    /// whose status, reason or message changed, and the condition types that disappeared.
    public mutating func changes(_ status: SpecStatus) -> [String] {
        defer { last = status }
        var lines: [String] = []
        if last?.phase != status.phase || last?.observedGeneration != status.observedGeneration
            || last?.generation != status.generation || last?.message != status.message
        {
            let message = status.message.map { ": \($0)" } ?? ""
            lines.append(
                "phase \(status.phase.rawValue) (generation \(status.generation), observed "
                    + "\(status.observedGeneration))\(message)")
        }
        let before = Dictionary((last?.conditions ?? []).map { ($0.type, $0) }, uniquingKeysWith: { $1 })
        for condition in status.conditions {
            let previous = before[condition.type]
            guard
                previous?.status != condition.status || previous?.reason != condition.reason
                    || previous?.message != condition.message
            else { continue }
            let transition = previous.map { "\($0.status.rawValue) → " } ?? ""
            lines.append(
                "condition \(condition.type) \(transition)\(condition.status.rawValue) "
                    + "(\(condition.reason))\(condition.message.isEmpty ? "" : ": \(condition.message)")")
        }
        let current = Set(status.conditions.map(\.type))
        for type in before.keys.sorted() where !current.contains(type) { lines.append("condition \(type) removed") }
        return lines
    }

    /// `.ready` or `.failed` once the status describes the spec's current generation in that phase; nil while the
    /// daemon is still working on it (an older generation's Ready or Failed does not end the watch).
    public static func outcome(_ status: SpecStatus) -> Outcome? {
        guard status.observedGeneration >= status.generation else { return nil }
        switch status.phase {
        case .ready: return .ready
        case .failed: return .failed
        case .pending, .converging, .deleting: return nil
        }
    }
}
