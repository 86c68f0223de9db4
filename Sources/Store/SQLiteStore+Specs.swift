import Foundation
import StatusModel

extension SQLiteStore {
    /// The columns `decodeSpec` reads, in order.
    private static let specColumns =
        "name, spec_json, generation, created_at, updated_at, deletion_requested, restore_requested_at"

    /// Builds a `StoredSpec` from a row selected with `specColumns`.
    private static func decodeSpec(_ row: Row) -> StoredSpec {
        StoredSpec(
            name: row.text(0), specJSON: row.data(1), generation: row.int64(2),
            createdAt: Timestamp(secondsSince1970: row.int64(3)), updatedAt: Timestamp(secondsSince1970: row.int64(4)),
            deletionRequested: row.int64(5) != 0,
            restoreRequestedAt: row.isNull(6) ? nil : Timestamp(secondsSince1970: row.int64(6)))
    }

    /// Stores `specJSON` under `name`; identical bytes keep the generation, different bytes increment it.
    ///
    /// Throws `StoreError.specBeingDeleted` when deletion of `name` is pending: the reconciler is tearing its AWS
    /// resources down, and quietly reviving the spec halfway through would leave them in an undefined state.
    @discardableResult
    public func put(name: String, specJSON: Data) throws -> PutOutcome {
        let operation = "storing spec '\(name)'"
        let now = now()
        return try withWriter { db in
            try db.writeTransaction(operation: operation) {
                let existing = try Self.specRow(named: name, in: db, operation: operation)
                guard let existing else {
                    try db.execute(
                        """
                        INSERT INTO specs (name, spec_json, generation, created_at, updated_at, deletion_requested)
                        VALUES (?1, ?2, 1, ?3, ?3, 0)
                        """,
                        [.text(name), .blob(specJSON), .integer(now)], operation: operation)
                    return PutOutcome(generation: 1, created: true, changed: true)
                }
                if existing.deletionRequested {
                    throw StoreError.specBeingDeleted(name: name)
                }
                if existing.specJSON == specJSON {
                    return PutOutcome(generation: existing.generation, created: false, changed: false)
                }
                let generation = existing.generation + 1
                try db.execute(
                    "UPDATE specs SET spec_json = ?2, generation = ?3, updated_at = ?4 WHERE name = ?1",
                    [.text(name), .blob(specJSON), .integer(generation), .integer(now)], operation: operation)
                return PutOutcome(generation: generation, created: false, changed: true)
            }
        }
    }

    /// The stored spec named `name`, or nil.
    public func spec(named name: String) throws -> StoredSpec? {
        try withReader { db in try Self.specRow(named: name, in: db, operation: "reading spec '\(name)'") }
    }

    /// The row of spec `name` read on `db` (inside the caller's transaction, if any), or nil.
    private static func specRow(named name: String, in db: Connection, operation: String) throws -> StoredSpec? {
        try db.queryFirst(
            "SELECT \(specColumns) FROM specs WHERE name = ?1", [.text(name)], operation: operation, decode: decodeSpec)
    }

    /// Every stored spec, ordered by name.
    public func specs() throws -> [StoredSpec] {
        try withReader { db in
            try db.query(
                "SELECT \(Self.specColumns) FROM specs ORDER BY name", operation: "listing specs",
                decode: Self.decodeSpec)
        }
    }

    /// Marks `name` for deletion (idempotent: a second request changes nothing) and returns it; nil when absent.
    public func requestDeletion(name: String) throws -> StoredSpec? {
        let operation = "requesting deletion of spec '\(name)'"
        let now = now()
        return try withWriter { db in
            try db.writeTransaction(operation: operation) {
                try db.execute(
                    """
                    UPDATE specs SET deletion_requested = 1, updated_at = ?2
                    WHERE name = ?1 AND deletion_requested = 0
                    """,
                    [.text(name), .integer(now)], operation: operation)
                return try Self.specRow(named: name, in: db, operation: operation)
            }
        }
    }

    /// Records the operator's intent to restore the cluster of `name` again and returns the spec; nil when absent.
    /// Throws `StoreError.specBeingDeleted` when deletion is pending.
    public func requestRestore(name: String) throws -> StoredSpec? {
        let operation = "requesting a restore of spec '\(name)'"
        let now = now()
        return try withWriter { db in
            try db.writeTransaction(operation: operation) {
                let existing = try Self.specRow(named: name, in: db, operation: operation)
                guard let existing else { return nil }
                if existing.deletionRequested { throw StoreError.specBeingDeleted(name: name) }
                try db.execute(
                    "UPDATE specs SET restore_requested_at = ?2 WHERE name = ?1", [.text(name), .integer(now)],
                    operation: operation)
                return try Self.specRow(named: name, in: db, operation: operation)
            }
        }
    }

    /// Drops the restore intent of `name` if it is still the one made at `requestedAt` (a newer one stays).
    public func consumeRestoreRequest(name: String, requestedAt: Timestamp) throws {
        let operation = "consuming the restore request of spec '\(name)'"
        try withWriter { db in
            try db.writeTransaction(operation: operation) {
                _ = try db.execute(
                    "UPDATE specs SET restore_requested_at = NULL WHERE name = ?1 AND restore_requested_at = ?2",
                    [.text(name), .integer(requestedAt.secondsSince1970)], operation: operation)
            }
        }
    }

    /// Removes `name`; its status and events go with it (foreign keys cascade). Returns false if it was absent.
    @discardableResult
    public func remove(name: String) throws -> Bool {
        let operation = "removing spec '\(name)'"
        return try withWriter { db in
            try db.writeTransaction(operation: operation) {
                try db.execute("DELETE FROM specs WHERE name = ?1", [.text(name)], operation: operation) > 0
            }
        }
    }
}
