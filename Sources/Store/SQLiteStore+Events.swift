import StatusModel

extension SQLiteStore {
    /// Appends `event` to the log of `name` and trims the log to the newest `eventLimit` entries.
    ///
    /// Returns false, storing nothing, when the spec is gone (a late event must not fail the reconcile that removed
    /// it, nor bring it back).
    @discardableResult
    public func appendEvent(name: String, _ event: SpecEvent) throws -> Bool {
        let operation = "appending an event for spec '\(name)'"
        let limit = Int64(eventLimit)
        return try withWriter { db in
            try db.writeTransaction(operation: operation) {
                let inserted = try db.execute(
                    """
                    INSERT INTO events (name, time, type, reason, message)
                    SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM specs WHERE name = ?1)
                    """,
                    [
                        .text(name), .integer(event.time.secondsSince1970), .text(event.type.rawValue),
                        .text(event.reason), .text(event.message),
                    ],
                    operation: operation)
                guard inserted > 0 else { return false }
                // Everything at or below the (limit+1)-th newest id goes; the index on (name, id) keeps this cheap.
                try db.execute(
                    """
                    DELETE FROM events WHERE name = ?1 AND id <= (
                        SELECT id FROM events WHERE name = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)
                    """,
                    [.text(name), .integer(limit)], operation: operation)
                return true
            }
        }
    }

    /// The newest `limit` events of `name`, newest first (empty when the spec or its events are absent).
    public func events(name: String, limit: Int) throws -> [SpecEvent] {
        let operation = "reading the events of spec '\(name)'"
        return try withReader { db in
            try db.query(
                "SELECT time, type, reason, message FROM events WHERE name = ?1 ORDER BY id DESC LIMIT ?2",
                [.text(name), .integer(Int64(max(limit, 0)))], operation: operation
            ) { row in
                let typeText = row.text(1)
                guard let type = EventType(rawValue: typeText) else {
                    throw StoreError.unreadableValue(
                        table: "events", name: name, detail: "unknown event type '\(typeText)'")
                }
                return SpecEvent(
                    time: Timestamp(secondsSince1970: row.int64(0)), type: type, reason: row.text(2),
                    message: row.text(3))
            }
        }
    }
}
