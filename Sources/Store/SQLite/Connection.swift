import CSQLite

/// One SQLite connection: open, run statements, and wrap work in transactions.
///
/// Opened in serialized mode (`SQLITE_OPEN_FULLMUTEX`), so SQLite itself makes every call safe from any thread; the
/// store still hands each connection to one thread at a time (the writer behind a lock, readers from a pool), which
/// keeps `sqlite3_errmsg` and `sqlite3_changes` meaningful for the caller that just failed or wrote.
final class Connection: @unchecked Sendable {
    /// The raw handle; valid until `deinit`.
    let handle: OpaquePointer

    /// Opens the existing database file at `path` for reading and writing.
    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw SQLiteError(extendedCode: rc, message: message, operation: "opening the database at \(path)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters and return no rows we need (pragmas, schema).
    func executeScript(_ sql: String, operation: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard rc == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw SQLiteError(
                extendedCode: sqlite3_extended_errcode(handle), message: message, operation: operation, sql: sql)
        }
    }

    /// Runs one statement with `arguments` to completion and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue] = [], operation: String) throws -> Int {
        let statement = try Statement(connection: self, sql: sql, operation: operation)
        try statement.bind(arguments)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs one query with `arguments` and maps every result row through `decode`.
    func query<T>(
        _ sql: String, _ arguments: [SQLValue] = [], operation: String, decode: (Row) throws -> T
    ) throws -> [T] {
        let statement = try Statement(connection: self, sql: sql, operation: operation)
        try statement.bind(arguments)
        var results: [T] = []
        while try statement.step() {
            results.append(try decode(statement.row))
        }
        return results
    }

    /// Runs one query and maps its first row through `decode`, or returns nil when there is none.
    func queryFirst<T>(
        _ sql: String, _ arguments: [SQLValue] = [], operation: String, decode: (Row) throws -> T
    ) throws -> T? {
        let statement = try Statement(connection: self, sql: sql, operation: operation)
        try statement.bind(arguments)
        return try statement.step() ? decode(statement.row) : nil
    }

    /// Runs `body` in a write transaction, committing when it returns and rolling back when it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, so a second writer (another process) waits in the busy
    /// handler at BEGIN instead of failing with `SQLITE_BUSY` halfway through, after it has read stale data.
    func writeTransaction<T>(operation: String, _ body: () throws -> T) throws -> T {
        try executeScript("BEGIN IMMEDIATE", operation: operation)
        do {
            let result = try body()
            try executeScript("COMMIT", operation: operation)
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 {
                _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            }
            throw error
        }
    }

    /// The error for the last failed call on this connection.
    func lastError(operation: String, sql: String?) -> SQLiteError {
        SQLiteError(
            extendedCode: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)),
            operation: operation, sql: sql)
    }
}
