import StatusModel

/// The one-line summary of every spec's phase that `systemctl status aurorad` shows (`STATUS=`), e.g.
/// "12 specs: 10 Ready, 1 Converging, 1 Failed".
public enum PhaseSummary {
    /// The summary of `phases`, one count per phase present, in lifecycle order.
    public static func line(_ phases: [Phase]) -> String {
        guard !phases.isEmpty else { return "0 specs; submit one with `aurorad ctl submit FILE`" }
        let counts = Phase.allCases.compactMap { phase -> String? in
            let count = phases.count { $0 == phase }
            return count > 0 ? "\(count) \(phase.rawValue)" : nil
        }
        return "\(phases.count) spec\(phases.count == 1 ? "" : "s"): " + counts.joined(separator: ", ")
    }
}
