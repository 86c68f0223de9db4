import CSQLite
import Foundation
import StatusModel
import Synchronization

/// The single-host `SpecStore`: one SQLite file in WAL mode, one writer connection, a pool of reader connections.
///
/// WAL lets readers run while the writer commits, so `status` and `list` never wait for a reconcile to finish.
/// Writes go through one connection behind a lock, each in a `BEGIN IMMEDIATE` transaction with
/// `synchronous=FULL`: when a write returns, it is on disk and survives `kill -9` or a power loss.
public final class SQLiteStore: SpecStore {
    /// How many events each spec keeps unless told otherwise.
    public static let defaultEventLimit = 200
    /// How long a connection waits for a lock held by another connection before failing with `SQLITE_BUSY`.
    static let busyTimeoutMilliseconds = 5000
    /// Idle reader connections kept open for reuse; more are opened under load and closed afterwards.
    private static let maxIdleReaders = 4
    /// The writer's page cache, in KiB (`PRAGMA cache_size` = minus this). SQLite's default is 2,000 KiB per
    /// connection, which the writer and the idle readers kept full (about 4.6 MB at 1,000 specs, heaptrack in
    /// Benchmarks/fleet-bench.sh --p6); the file's pages stay in the kernel's page cache either way, and
    /// `releaseMemory()` empties it when the daemon's work has drained.
    static let cacheKiB = 512
    /// Each reader connection's page cache, in KiB: in WAL mode a reader drops its cached pages whenever the writer
    /// has committed since its last read (a reconcile's status write), so a large cache seldom serves a second read,
    /// while the daemon's status line rescans every status after each burst of reconciles, just after the drain trim:
    /// at 512 KiB a reader held 445 KB of it at 300 specs (heaptrack, Benchmarks/fleet-bench.sh --p6 300).
    static let readerCacheKiB = 64

    /// The database file path.
    public let path: String
    /// How many events each spec keeps; older ones are trimmed on insert.
    public let eventLimit: Int
    /// The clock stamping `createdAt` and `updatedAt` of specs.
    let clock: @Sendable () -> Date
    /// The one connection that writes.
    let writer: Mutex<Connection>
    /// Idle read-only connections.
    private let readers: Mutex<[Connection]>

    /// Opens (creating if needed) the database at `path`, secures it, and migrates its schema.
    ///
    /// Throws `StoreError.notADatabase` for a file that is not SQLite, `StoreError.newerSchema` for a database from a
    /// newer aurorad, `StoreError.fileSystem` when the path cannot be created or secured, and `SQLiteError` otherwise.
    public init(
        path: String, eventLimit: Int = SQLiteStore.defaultEventLimit,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        precondition(eventLimit > 0, "eventLimit must be positive")
        self.path = path
        self.eventLimit = eventLimit
        self.clock = clock
        try DatabaseFile.prepare(path: path)
        let connection = try Self.openWriter(path: path, now: Timestamp(clock()).secondsSince1970)
        writer = Mutex(connection)
        readers = Mutex([])
    }

    /// Opens the writer connection, sets its pragmas and migrates, naming a non-database file as such.
    private static func openWriter(path: String, now: Int64) throws -> Connection {
        do {
            let connection = try Connection(path: path)
            try connection.executeScript(
                "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)", operation: "setting the busy timeout")
            let mode = try connection.queryFirst("PRAGMA journal_mode = WAL", operation: "enabling WAL") {
                $0.text(0)
            }
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(
                    extendedCode: SQLITE_ERROR, message: "journal_mode is \(mode ?? "unknown"), not wal",
                    operation: "enabling WAL on \(path) (WAL needs a local file system with shared memory)")
            }
            try connection.executeScript(
                "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -\(cacheKiB)",
                operation: "setting durability, foreign keys and the cache size")
            try Schema.migrate(connection, path: path, now: now)
            return connection
        } catch let error as SQLiteError where error.code == SQLITE_NOTADB || error.code == SQLITE_CORRUPT {
            throw StoreError.notADatabase(path: path, detail: error.message)
        }
    }

    /// Runs `body` on the writer connection, holding the writer lock.
    @discardableResult
    func withWriter<T: Sendable>(_ body: (Connection) throws -> T) throws -> T {
        try writer.withLock { connection throws -> T in try body(connection) }
    }

    /// Runs `body` on a reader connection taken from the pool (or newly opened), then returns it to the pool.
    func withReader<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try readers.withLock { $0.popLast() } ?? openReader()
        defer {
            readers.withLock { idle in
                if idle.count < Self.maxIdleReaders { idle.append(connection) }
            }
        }
        return try body(connection)
    }

    /// Empties the page caches of the writer and the idle readers (`sqlite3_db_release_memory`), waiting for the
    /// writer's lock; a reader in use keeps its cache. Call it when the daemon's work has drained: the writer's cache
    /// fills to `cacheKiB` in a burst of reconciles and would otherwise hold that heap until the process ends, while
    /// the pages the next burst reads again come from the kernel's page cache.
    public func releaseMemory() {
        writer.withLock { connection in _ = sqlite3_db_release_memory(connection.handle) }
        readers.withLock { idle in
            for connection in idle { _ = sqlite3_db_release_memory(connection.handle) }
        }
    }

    /// Opens a connection that may only read.
    private func openReader() throws -> Connection {
        let connection = try Connection(path: path)
        try connection.executeScript(
            "PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds); PRAGMA query_only = ON; "
                + "PRAGMA cache_size = -\(Self.readerCacheKiB)",
            operation: "configuring a reader connection")
        return connection
    }

    /// The current time in whole seconds, from the injected clock.
    func now() -> Int64 {
        Timestamp(clock()).secondsSince1970
    }
}
