/// A request the store refused, or a database it cannot use; SQLite failures themselves are `SQLiteError`s.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A put for a spec whose deletion is still in progress.
    case specBeingDeleted(name: String)
    /// The database was written by a newer aurorad with a schema this build does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The file exists but is not a SQLite database, or is damaged.
    case notADatabase(path: String, detail: String)
    /// A stored value cannot be read back (the database was edited outside aurorad, or is damaged).
    case unreadableValue(table: String, name: String, detail: String)
    /// Creating or securing the database file or its directory failed.
    case fileSystem(path: String, operation: String, detail: String)

    /// A full sentence: what happened and what to do.
    public var description: String {
        switch self {
        case .specBeingDeleted(let name):
            "Spec \(name) is being deleted; wait for deletion to finish, then submit it again."
        case .newerSchema(let path, let found, let supported):
            "The database at \(path) has schema version \(found), but this aurorad supports only up to version "
                + "\(supported); run a newer aurorad, or point --database at another file."
        case .notADatabase(let path, let detail):
            "The file at \(path) is not a usable SQLite database (\(detail)); move it aside or restore it from a "
                + "backup, or point --database at another file."
        case .unreadableValue(let table, let name, let detail):
            "A stored value in table \(table) for spec \(name) cannot be read (\(detail)); the database was changed "
                + "outside aurorad or is damaged: delete the spec and submit it again, or restore a backup."
        case .fileSystem(let path, let operation, let detail):
            "Could not \(operation) \(path): \(detail); check that the aurorad user owns that path."
        }
    }
}
