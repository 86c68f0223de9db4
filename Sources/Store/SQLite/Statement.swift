import CSQLite
import Foundation

/// A value bound to a statement parameter.
enum SQLValue {
    case null
    case integer(Int64)
    case text(String)
    case blob(Data)

    /// Text, or NULL when `string` is nil.
    static func optionalText(_ string: String?) -> SQLValue {
        string.map { .text($0) } ?? .null
    }
}

/// A prepared statement, finalized when released; used by one thread for one operation.
final class Statement {
    private let connection: Connection
    private let handle: OpaquePointer
    private let sql: String
    private let operation: String

    /// Prepares `sql` (one statement) on `connection`.
    init(connection: Connection, sql: String, operation: String) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw connection.lastError(operation: operation, sql: sql)
        }
        self.connection = connection
        self.handle = statement
        self.sql = sql
        self.operation = operation
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to the parameters `?1`, `?2`, … in order.
    func bind(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(handle, index)
            case .integer(let number):
                rc = sqlite3_bind_int64(handle, index, number)
            case .text(let string):
                // A nil pointer would bind NULL, so the empty string gets a real (empty) C string.
                rc = string.utf8CString.withUnsafeBufferPointer {
                    csqlite_bind_text(handle, index, $0.baseAddress, Int32($0.count - 1))
                }
            case .blob(let data):
                rc =
                    data.isEmpty
                    ? sqlite3_bind_zeroblob(handle, index, 0)
                    : data.withUnsafeBytes { csqlite_bind_blob(handle, index, $0.baseAddress, Int32($0.count)) }
            }
            guard rc == SQLITE_OK else { throw connection.lastError(operation: operation, sql: sql) }
        }
    }

    /// Advances to the next row: true when a row is ready to read, false when the statement is done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.lastError(operation: operation, sql: sql)
        }
    }

    /// The current row, for reading its columns after `step()` returned true.
    var row: Row { Row(handle: handle) }
}

/// The current result row of a statement; valid only until the next `step()`.
struct Row {
    fileprivate let handle: OpaquePointer

    /// Whether column `index` (0-based) is NULL.
    func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// Column `index` as an integer (NULL reads as 0).
    func int64(_ index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    /// Column `index` as UTF-8 text (NULL reads as the empty string).
    func text(_ index: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Column `index` as text, or nil when it is NULL.
    func optionalText(_ index: Int32) -> String? {
        isNull(index) ? nil : text(index)
    }

    /// Column `index` as bytes (NULL reads as empty data).
    func data(_ index: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(handle, index) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, index)))
    }
}
