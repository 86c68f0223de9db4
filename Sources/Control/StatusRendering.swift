import Foundation
import ImportSpec
import StatusModel

/// Renders control-socket results as the readable text `aurorad ctl` prints by default.
public enum StatusRendering {
    /// A status result (`StatusResult`: a `SpecStatus` plus its recent events) as a block of text.
    public static func status(_ result: JSONValue) throws -> String {
        let answer = try result.decode(StatusResult.self)
        let status = answer.status
        var lines = [
            "Name:                \(status.name)",
            "Phase:               \(status.phase.rawValue)",
            "Generation:          \(status.generation) (observed \(status.observedGeneration))",
            "Cluster:             \(status.cluster.identifier) (\(status.cluster.status))",
        ]
        if let arn = status.cluster.arn { lines.append("Cluster ARN:         \(arn)") }
        if let endpoint = status.cluster.endpoint { lines.append("Endpoint:            \(endpoint)") }
        if let lastSeen = status.cluster.lastSeen { lines.append("Cluster last seen:   \(lastSeen)") }
        if let role = status.role.arn ?? status.role.name { lines.append("Ingestion role:      \(role)") }
        if let binlog = status.binlog {
            if let file = binlog.file, let position = binlog.position {
                lines.append(
                    "Source binlog:       \(file) position \(position) (from \(binlog.source); see the "
                        + "README's cutover)")
            } else {
                lines.append("Source binlog:       unknown (neither RDS's event nor xtrabackup_info names it)")
            }
        }
        if status.deletionRequested { lines.append("Deletion requested:  yes") }
        if let restore = status.restoreRequestedAt {
            lines.append("Restore requested:   \(restore) (the next reconcile restores the cluster from the backup)")
        }
        if let message = status.message { lines.append("Message:             \(message)") }
        if let managed = answer.managedSettings {
            lines.append("Managed settings:    \(managed.joined(separator: ", "))")
        }
        lines.append("Updated:             \(status.updatedAt)")
        if !status.conditions.isEmpty {
            lines.append("")
            lines += table(
                header: ["CONDITION", "STATUS", "REASON", "SINCE", "MESSAGE"],
                rows: status.conditions.map {
                    [$0.type, $0.status.rawValue, $0.reason, $0.lastTransitionTime.description, $0.message]
                })
        }
        if !answer.events.isEmpty {
            lines.append("")
            lines += eventTable(answer.events)
        }
        return lines.joined(separator: "\n")
    }

    /// An events result (an array of `SpecEvent`, newest first) as a table.
    public static func events(_ result: JSONValue) throws -> String {
        let events = try result.decode([SpecEvent].self)
        guard !events.isEmpty else { return "No events yet." }
        return eventTable(events).joined(separator: "\n")
    }

    private static func eventTable(_ events: [SpecEvent]) -> [String] {
        table(
            header: ["TIME", "TYPE", "REASON", "MESSAGE"],
            rows: events.map { [$0.time.description, $0.type.rawValue, $0.reason, $0.message] })
    }

    /// A plan result (`PlanResult`) as numbered steps in order, saying which run now.
    public static func plan(_ result: JSONValue) throws -> String {
        let plan = try result.decode(PlanResult.self)
        let steps = plan.preview.steps
        let runnable = plan.preview.now.count
        let phase = plan.preview.phase.rawValue
        let projected = plan.preview.projectedPhase.rawValue
        let message = plan.preview.projectedMessage
        guard !steps.isEmpty else {
            let head =
                plan.preview.projectedPhase == .ready
                ? "No actions: AWS already matches the spec." : "No actions: \(message)"
            return ([head, "Phase: \(phase)"] + ownership(plan)).joined(separator: "\n")
        }
        var lines = ["Steps a submit would carry out, in order (a step's actions run in parallel):"]
        for (index, group) in steps.enumerated() {
            let number = "  \(index + 1). "
            if group.count == 1 {
                lines.append(number + group[0])
            } else {
                lines.append(number + "in parallel:")
                lines += group.map { String(repeating: " ", count: number.count + 2) + $0 }
            }
        }
        if runnable >= steps.count {
            lines.append("All of them start now.")
        } else {
            let now = runnable == 1 ? "step 1" : "steps 1-\(runnable)"
            lines.append(
                "Start now: \(now); the rest follow as AWS settles (each needs what the steps before it "
                    + "create).")
        }
        let outcome = message.isEmpty ? projected : "\(projected): \(message)"
        lines.append("Phase now: \(phase); after these steps: \(outcome)")
        return (lines + ownership(plan)).joined(separator: "\n")
    }

    /// The lines of a plan result saying which settings aurorad manages after the restore and which it leaves as
    /// they are in AWS; none when the result has no such lists.
    private static func ownership(_ plan: PlanResult) -> [String] {
        var lines: [String] = []
        if !plan.managedSettings.isEmpty {
            lines.append("Managed after the restore: \(plan.managedSettings.joined(separator: ", ")).")
        }
        if !plan.unmanagedSettings.isEmpty {
            let unmanaged = plan.unmanagedSettings
            lines.append("Not in the spec, so left as they are in AWS: \(unmanaged.joined(separator: ", ")).")
        }
        return lines
    }

    /// A deletion preview (`DeletionPreview`) of spec `name`: what `aurorad ctl delete` destroys, in order, and
    /// what it leaves in place.
    public static func deletionPreview(_ result: JSONValue, name: String) throws -> String {
        let preview = try result.decode(DeletionPreview.self)
        var lines = ["Deleting spec \(name) would, in order:"]
        let actions = preview.steps.flatMap { $0 }
        lines += actions.isEmpty ? ["  (nothing in AWS)"] : actions.map { "  - \($0)" }
        if preview.completes { lines.append("  - forget the spec") }
        if !preview.leftInPlace.isEmpty {
            lines.append("Left in place, because aurorad did not create them:")
            lines += preview.leftInPlace.map { "  - \($0)" }
        }
        if !preview.completes { lines.append("Then it waits: \(preview.message)") }
        return lines.joined(separator: "\n")
    }

    /// A list result (an array of `SpecStatus`) as a table, one spec per row.
    public static func list(_ result: JSONValue) throws -> String {
        guard case .array(let statuses) = result else { throw listError("is not an array of statuses") }
        guard !statuses.isEmpty else { return "No specs. Submit one with `aurorad ctl submit FILE`." }
        return table(
            header: ["NAME", "PHASE", "GENERATION", "OBSERVED", "CLUSTER STATUS", "UPDATED"],
            rows: try statuses.map(listRow)
        ).joined(separator: "\n")
    }

    /// The printed columns of one status, read from its JSON members (not decoded whole: 10,000 of them must print
    /// fast); the member names come from the model's `CodingKeys`.
    private static func listRow(_ status: JSONValue) throws -> [String] {
        typealias Keys = SpecStatus.CodingKeys
        func text(_ value: JSONValue?, _ key: String) throws -> String {
            if let string = value?.stringValue { return string }
            if let integer = value?.integerValue { return String(integer) }
            throw listError("has a status without a usable \"\(key)\" member")
        }
        let cluster = status[Keys.cluster.stringValue]
        let clusterStatus = ClusterFacts.CodingKeys.status.stringValue
        return [
            try text(status[Keys.name.stringValue], Keys.name.stringValue),
            try text(status[Keys.phase.stringValue], Keys.phase.stringValue),
            try text(status[Keys.generation.stringValue], Keys.generation.stringValue),
            try text(status[Keys.observedGeneration.stringValue], Keys.observedGeneration.stringValue),
            try text(cluster?[clusterStatus], "cluster.\(clusterStatus)"),
            try text(status[Keys.updatedAt.stringValue], Keys.updatedAt.stringValue),
        ]
    }

    private static func listError(_ problem: String) -> ControlClientError {
        ControlClientError(
            description: "The daemon's list answer \(problem): are `aurorad ctl` and the daemon the same version?")
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded.
    static func table(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
    }
}
