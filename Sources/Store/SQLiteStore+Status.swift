import Foundation
import StatusModel

extension SQLiteStore {
    /// Specs joined with their status rows; `decodeStatus` reads these columns in order.
    private static let statusQuery = """
        SELECT s.name, s.generation, s.deletion_requested, s.updated_at,
               st.name, st.phase, st.observed_generation, st.conditions_json,
               st.cluster_identifier, st.cluster_status, st.cluster_arn, st.cluster_endpoint,
               st.role_name, st.role_arn, st.message, st.updated_at, s.restore_requested_at, st.cluster_last_seen,
               st.binlog_source, st.binlog_file, st.binlog_position
        FROM specs s LEFT JOIN status st ON st.name = s.name
        """

    /// Builds a `SpecStatus` from a `statusQuery` row, synthesizing one when the reconciler has written none yet.
    ///
    /// The synthesized status has `observedGeneration` 0, no conditions, a cluster not yet observed (its identifier
    /// is the spec name, which is the cluster identifier), and phase Pending, or Deleting once deletion was requested.
    private static func decodeStatus(_ row: Row) throws -> SpecStatus {
        try decodeStatus(row) { name, text in
            do {
                return try JSONDecoder().decode([Condition].self, from: Data(text.utf8))
            } catch {
                throw StoreError.unreadableValue(
                    table: "status", name: name, detail: "conditions are not valid: \(error)")
            }
        }
    }

    /// Builds a `SpecStatus` from a `statusQuery` row, its conditions from their stored JSON text by `conditions`.
    private static func decodeStatus(
        _ row: Row, conditions decodeConditions: (_ name: String, _ text: String) throws -> [Condition]
    ) throws -> SpecStatus {
        let name = row.text(0)
        let generation = row.int64(1)
        let deletionRequested = row.int64(2) != 0
        let restoreRequestedAt = row.isNull(16) ? nil : Timestamp(secondsSince1970: row.int64(16))
        guard !row.isNull(4) else {
            return SpecStatus(
                name: name, generation: generation, observedGeneration: 0,
                phase: deletionRequested ? .deleting : .pending,
                cluster: ClusterFacts(identifier: name, status: ClusterFacts.notObservedStatus),
                deletionRequested: deletionRequested, restoreRequestedAt: restoreRequestedAt,
                updatedAt: Timestamp(secondsSince1970: row.int64(3)))
        }
        let phaseText = row.text(5)
        guard let phase = Phase(rawValue: phaseText) else {
            throw StoreError.unreadableValue(table: "status", name: name, detail: "unknown phase '\(phaseText)'")
        }
        let conditions = try decodeConditions(name, row.text(7))
        return SpecStatus(
            name: name, generation: generation, observedGeneration: row.int64(6), phase: phase,
            conditions: conditions,
            cluster: ClusterFacts(
                identifier: row.text(8), status: row.text(9), arn: row.optionalText(10),
                endpoint: row.optionalText(11),
                lastSeen: row.isNull(17) ? nil : Timestamp(secondsSince1970: row.int64(17))),
            role: RoleFacts(name: row.optionalText(12), arn: row.optionalText(13)), message: row.optionalText(14),
            deletionRequested: deletionRequested, restoreRequestedAt: restoreRequestedAt,
            updatedAt: Timestamp(secondsSince1970: row.int64(15)),
            binlog: row.optionalText(18).map {
                BinlogPosition(source: $0, file: row.optionalText(19), position: row.isNull(20) ? nil : row.int64(20))
            })
    }

    /// The status of `name`, or nil when there is no such spec.
    public func status(named name: String) throws -> SpecStatus? {
        try withReader { db in
            try db.queryFirst(
                "\(Self.statusQuery) WHERE s.name = ?1", [.text(name)],
                operation: "reading the status of spec '\(name)'", decode: Self.decodeStatus)
        }
    }

    /// How many specs are in each phase, counted by SQLite: the service monitor asks every two seconds while
    /// reconciles finish, and decoding 10,000 statuses to count them took half a second of CPU each time.
    public func phaseCounts() throws -> [Phase: Int] {
        let rows = try withReader { db in
            try db.query(
                """
                SELECT CASE WHEN st.name IS NOT NULL THEN st.phase
                            WHEN s.deletion_requested != 0 THEN '\(Phase.deleting.rawValue)'
                            ELSE '\(Phase.pending.rawValue)' END AS phase,
                       COUNT(*)
                FROM specs s LEFT JOIN status st ON st.name = s.name GROUP BY 1
                """, operation: "counting the specs by phase"
            ) { row in (row.text(0), Int(row.int64(1))) }
        }
        var counts: [Phase: Int] = [:]
        for (text, count) in rows {
            guard let phase = Phase(rawValue: text) else {
                throw StoreError.unreadableValue(table: "status", name: "*", detail: "unknown phase '\(text)'")
            }
            counts[phase] = count
        }
        return counts
    }

    /// The statuses of at most `limit` specs ordered by name, those after `after` (from the first when nil), each
    /// with its conditions as stored (JSON text) rather than decoded: `JSONDecoder` on 10,000 condition lists was most
    /// of the time `aurorad ctl list` took. Each page is one read by the primary key, so a list served page by page
    /// holds no read open between pages.
    public func listedStatuses(after: String?, limit: Int) throws -> [ListedStatus] {
        try withReader { db in
            // Two statements rather than `?1 IS NULL OR s.name > ?1`, which the planner cannot serve from the index.
            let (filter, arguments): (String, [SQLValue]) =
                if let after { ("WHERE s.name > ?2", [.integer(Int64(limit)), .text(after)]) } else {
                    ("", [.integer(Int64(limit))])
                }
            return try db.query(
                "\(Self.statusQuery) \(filter) ORDER BY s.name LIMIT ?1", arguments, operation: "listing statuses"
            ) { row in
                let conditionsJSON = row.isNull(4) ? "[]" : row.text(7)
                return ListedStatus(
                    status: try Self.decodeStatus(row) { _, _ in [] }, conditionsJSON: conditionsJSON)
            }
        }
    }

    /// Stores `status` unless its spec is gone or the stored status already describes a newer generation.
    ///
    /// `generation` and `deletionRequested` belong to the spec row and are ignored here. A write with the same
    /// `observedGeneration` as the stored one replaces it (progress within a generation); a lower one is ignored,
    /// so a slow worker finishing late cannot overwrite what a newer reconcile wrote.
    @discardableResult
    public func writeStatus(_ status: SpecStatus) throws -> StatusWriteOutcome {
        let operation = "writing the status of spec '\(status.name)'"
        let conditionsJSON = try Self.conditionsEncoder.encode(status.conditions)
        return try withWriter { db in
            try db.writeTransaction(operation: operation) {
                let specExists = try db.queryFirst(
                    "SELECT 1 FROM specs WHERE name = ?1", [.text(status.name)], operation: operation
                ) { _ in true }
                guard specExists == true else { return .specNotFound }
                let stored = try db.queryFirst(
                    "SELECT observed_generation FROM status WHERE name = ?1", [.text(status.name)],
                    operation: operation
                ) { $0.int64(0) }
                if let stored, stored > status.observedGeneration {
                    return .ignoredStale(storedObservedGeneration: stored)
                }
                try db.execute(
                    """
                    INSERT OR REPLACE INTO status (
                        name, phase, observed_generation, conditions_json, cluster_identifier, cluster_status,
                        cluster_arn, cluster_endpoint, role_name, role_arn, message, updated_at, cluster_last_seen,
                        binlog_source, binlog_file, binlog_position)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                    """,
                    [
                        .text(status.name), .text(status.phase.rawValue), .integer(status.observedGeneration),
                        .text(String(decoding: conditionsJSON, as: UTF8.self)), .text(status.cluster.identifier),
                        .text(status.cluster.status), .optionalText(status.cluster.arn),
                        .optionalText(status.cluster.endpoint), .optionalText(status.role.name),
                        .optionalText(status.role.arn), .optionalText(status.message),
                        .integer(status.updatedAt.secondsSince1970),
                        status.cluster.lastSeen.map { .integer($0.secondsSince1970) } ?? .null,
                        .optionalText(status.binlog?.source), .optionalText(status.binlog?.file),
                        status.binlog?.position.map { .integer($0) } ?? .null,
                    ],
                    operation: operation)
                return .written
            }
        }
    }

    /// Encodes conditions with sorted keys, so equal conditions are stored as equal bytes.
    private static var conditionsEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
