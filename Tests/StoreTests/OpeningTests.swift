import CSQLite
import Foundation
import StatusModel
import Testing
import TestSupport

@testable import Store

@Suite("Opening and migrating the database")
struct OpeningTests {
    @Test("an empty database is migrated to the latest schema, recorded in schema_version")
    func migrateFromEmpty() throws {
        try withStore { store, _ in
            let versions = try store.withWriter { db in
                try db.query("SELECT version FROM schema_version ORDER BY version", operation: "test") { $0.int64(0) }
            }
            #expect(versions == Schema.migrations.map { Int64($0.version) })
            #expect(try store.withWriter { try Schema.currentVersion($0) } == Schema.latestVersion)
            let tables = try store.withWriter { db in
                try db.query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                    operation: "test"
                ) { $0.text(0) }
            }
            #expect(tables == ["events", "schema_version", "specs", "status"])
            #expect(try store.specs().isEmpty)
        }
    }

    @Test("the writer runs in WAL mode with synchronous=FULL, foreign keys on and a small page cache")
    func pragmas() throws {
        try withStore { store, _ in
            let (mode, synchronous, foreignKeys, cache) = try store.withWriter { db in
                (
                    try db.queryFirst("PRAGMA journal_mode", operation: "test") { $0.text(0) },
                    try db.queryFirst("PRAGMA synchronous", operation: "test") { $0.int64(0) },
                    try db.queryFirst("PRAGMA foreign_keys", operation: "test") { $0.int64(0) },
                    try db.queryFirst("PRAGMA cache_size", operation: "test") { $0.int64(0) }
                )
            }
            #expect(mode == "wal")
            #expect(synchronous == 2)  // FULL
            #expect(foreignKeys == 1)
            #expect(cache == -Int64(SQLiteStore.cacheKiB))
        }
    }

    @Test("readers keep a smaller page cache than the writer")
    func readerCache() throws {
        try withStore { store, _ in
            let cache = try store.withReader { db in
                try db.queryFirst("PRAGMA cache_size", operation: "test") { $0.int64(0) }
            }
            #expect(cache == -Int64(SQLiteStore.readerCacheKiB))
        }
    }

    @Test("releasing memory empties the writer's and the idle readers' page caches; the store reads and writes on")
    func releaseMemory() throws {
        try withStore { store, _ in
            for index in 0..<50 { try store.put(name: "spec-\(index)", specJSON: specJSON("spec-\(index)")) }
            #expect(try store.spec(named: "spec-7")?.name == "spec-7")
            let before = (try store.withWriter(cacheUsed), try store.withReader(cacheUsed))
            #expect(before.0 > 0 && before.1 > 0)
            store.releaseMemory()
            #expect(try store.withWriter(cacheUsed) < before.0)
            #expect(try store.withReader(cacheUsed) < before.1)
            #expect(try store.spec(named: "spec-7")?.name == "spec-7")
            #expect(try store.put(name: "spec-50", specJSON: specJSON("spec-50")).created)
        }
    }

    /// The heap bytes of the connection's page cache (`SQLITE_DBSTATUS_CACHE_USED`).
    private func cacheUsed(_ connection: Connection) -> Int32 {
        var current: Int32 = 0
        var highest: Int32 = 0
        _ = sqlite3_db_status(connection.handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highest, 0)
        return current
    }

    @Test("reopening keeps specs, status and events, and does not migrate again")
    func reopenKeepsData() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/aurorad.db"
            let clock = TestClock()
            do {
                let store = try SQLiteStore(path: path, clock: clock.function)
                try store.put(name: "orders", specJSON: specJSON("orders"))
                try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
                try store.writeStatus(
                    SpecStatus(
                        name: "orders", generation: 2, observedGeneration: 2, phase: .converging,
                        cluster: ClusterFacts(identifier: "orders", status: "creating"),
                        updatedAt: Timestamp(startTime)))
                try store.appendEvent(
                    name: "orders",
                    SpecEvent(
                        time: Timestamp(startTime), type: .normal, reason: "Restoring", message: "Restore began."))
            }
            let reopened = try SQLiteStore(path: path, clock: clock.function)
            let spec = try #require(try reopened.spec(named: "orders"))
            #expect(spec.generation == 2)
            #expect(spec.specJSON == specJSON("orders", version: 2))
            #expect(try reopened.status(named: "orders")?.phase == .converging)
            #expect(try reopened.events(name: "orders", limit: 10).map(\.reason) == ["Restoring"])
            let versionRows = try reopened.withWriter { db in
                try db.queryFirst("SELECT COUNT(*) FROM schema_version", operation: "test") { $0.int64(0) }
            }
            #expect(versionRows == Int64(Schema.migrations.count))
        }
    }

    @Test("a database from a newer schema is refused with a clear error")
    func newerSchemaRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/aurorad.db"
            let future = Schema.latestVersion + 1
            do {
                let store = try SQLiteStore(path: path)
                try store.withWriter { db in
                    try db.execute(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?1, 0)", [.integer(Int64(future))],
                        operation: "test")
                }
            }
            let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
            #expect(error == .newerSchema(path: path, found: future, supported: Schema.latestVersion))
            #expect(error.description.contains("run a newer aurorad"))
        }
    }

    @Test("the database file, its WAL and a missing parent directory are created private")
    func fileModes() throws {
        try withStore { store, path in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            #expect(try permissions(path) == 0o600)
            #expect(try permissions(path + "-wal") == 0o600)
            #expect(try permissions((path as NSString).deletingLastPathComponent) == 0o700)
        }
    }

    @Test("an existing database file with loose permissions is tightened to 0600")
    func existingFileTightened() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/aurorad.db"
            #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
            #expect(try permissions(path) == 0o644)
            _ = try SQLiteStore(path: path)
            #expect(try permissions(path) == 0o600)
        }
    }

    @Test("a file that is not a SQLite database gives a clear error, not a crash")
    func notADatabase() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/aurorad.db"
            let garbage = String(repeating: "this is a text file, not a database\n", count: 100)
            try Data(garbage.utf8).write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
            guard case .notADatabase(let errorPath, _) = error else {
                Issue.record("expected notADatabase, got \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(error.description.contains("is not a usable SQLite database"))
        }
    }

    @Test("SQLite errors carry the result code, SQLite's message, the operation and the statement")
    func sqliteErrorsAreTyped() throws {
        try withStore { store, _ in
            let error = try #require(throws: SQLiteError.self) {
                try store.withWriter { db in
                    try db.execute(
                        "INSERT INTO status (name, phase, observed_generation, conditions_json, cluster_identifier, "
                            + "cluster_status, updated_at) VALUES ('ghost', 'Pending', 0, '[]', 'ghost', 'x', 0)",
                        operation: "inserting an orphan status")
                }
            }
            #expect(error.code == 19)  // SQLITE_CONSTRAINT: foreign keys are enforced
            #expect(error.extendedCode == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
            #expect(error.operation == "inserting an orphan status")
            #expect(error.sql?.hasPrefix("INSERT INTO status") == true)
            #expect(error.description.contains("while inserting an orphan status: FOREIGN KEY constraint failed"))
        }
    }

    /// The permission bits of the file at `path`.
    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }
}
