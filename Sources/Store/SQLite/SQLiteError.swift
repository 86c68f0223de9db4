import CSQLite

/// A failed SQLite call: the result code, SQLite's message, and what the store was doing when it failed.
///
/// Like GRDB's `DatabaseError`, it names the operation and the SQL text but never the bound values.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY` is 5, `SQLITE_CONSTRAINT` is 19, …).
    public var code: Int32 { extendedCode & 0xFF }
    /// The extended result code, e.g. `SQLITE_CONSTRAINT_FOREIGNKEY` (787).
    public let extendedCode: Int32
    /// SQLite's own message for the failure.
    public let message: String
    /// What the store was doing, e.g. "storing spec 'orders'".
    public let operation: String
    /// The SQL statement that failed, when there was one (bound values are never included).
    public let sql: String?

    /// Creates an error from a result code, SQLite's message and the operation that failed.
    public init(extendedCode: Int32, message: String, operation: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.operation = operation
        self.sql = sql
    }

    /// A full sentence: what failed, SQLite's words, and what the operator can do about it.
    public var description: String {
        let codeName = String(cString: sqlite3_errstr(extendedCode))
        var text = "SQLite error \(code) (\(codeName)) while \(operation): \(message)."
        if let sql { text += " Statement: \(sql)" }
        if let hint { text += " \(hint)" }
        return text
    }

    /// Advice for the result codes an operator can act on.
    private var hint: String? {
        switch code {
        case SQLITE_BUSY, SQLITE_LOCKED:
            "Another process holds the database lock; make sure only one aurorad uses this database file."
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH:
            "Check that the database file and its directory exist and are writable by the aurorad user."
        case SQLITE_FULL:
            "The disk is full; free some space and retry."
        case SQLITE_IOERR:
            "The disk reported an I/O error; check the disk and the file system."
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            "The database file is damaged or is not a SQLite database; restore it from a backup or move it aside."
        default:
            nil
        }
    }
}
