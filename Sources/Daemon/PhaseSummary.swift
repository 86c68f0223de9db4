import StatusModel

/// The one-line summary of every spec's phase that `systemctl status aurorad` shows (`STATUS=`), e.g.
/// "12 specs: 10 Ready, 1 Converging, 1 Failed".
public enum PhaseSummary {
    /// The summary of the specs counted by phase, one count per phase present, in lifecycle order.
    public static func line(_ counts: [Phase: Int]) -> String {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return "0 specs; submit one with `aurorad ctl submit FILE`" }
        let present = Phase.allCases.compactMap { phase -> String? in
            let count = counts[phase] ?? 0
            return count > 0 ? "\(count) \(phase.rawValue)" : nil
        }
        return "\(total) spec\(total == 1 ? "" : "s"): " + present.joined(separator: ", ")
    }
}
