/// The store's schema as an ordered list of migrations, applied in one transaction and recorded in `schema_version`.
enum Schema {
    /// One step of the schema; `version` numbers are consecutive from 1 and never reused.
    struct Migration {
        let version: Int
        let sql: String
    }

    /// Every migration, oldest first. Append new ones; never edit one that has shipped.
    static let migrations: [Migration] = [
        Migration(
            version: 1,
            sql: """
                CREATE TABLE specs (
                    name TEXT PRIMARY KEY NOT NULL,
                    spec_json BLOB NOT NULL,
                    generation INTEGER NOT NULL CHECK (generation >= 1),
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    deletion_requested INTEGER NOT NULL DEFAULT 0 CHECK (deletion_requested IN (0, 1))
                );
                CREATE TABLE status (
                    name TEXT PRIMARY KEY NOT NULL REFERENCES specs(name) ON DELETE CASCADE,
                    phase TEXT NOT NULL,
                    observed_generation INTEGER NOT NULL,
                    conditions_json TEXT NOT NULL,
                    cluster_identifier TEXT NOT NULL,
                    cluster_status TEXT NOT NULL,
                    cluster_arn TEXT,
                    cluster_endpoint TEXT,
                    role_name TEXT,
                    role_arn TEXT,
                    message TEXT,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL REFERENCES specs(name) ON DELETE CASCADE,
                    time INTEGER NOT NULL,
                    type TEXT NOT NULL CHECK (type IN ('Normal', 'Warning')),
                    reason TEXT NOT NULL,
                    message TEXT NOT NULL
                );
                CREATE INDEX events_by_name ON events(name, id);
                """),
        // The operator's `ctl restore` intent, and when the cluster was last observed (a cluster that disappears
        // after being seen is never restored again without that intent). A status with a cluster ARN was written
        // while the cluster existed, so its write time is the best last-seen time an older build left.
        Migration(
            version: 2,
            sql: """
                ALTER TABLE specs ADD COLUMN restore_requested_at INTEGER;
                ALTER TABLE status ADD COLUMN cluster_last_seen INTEGER;
                UPDATE status SET cluster_last_seen = updated_at WHERE cluster_arn IS NOT NULL;
                """),
        // The source's binlog position read once after the restore (`SpecStatus.binlog`); NULL source: not read.
        Migration(
            version: 3,
            sql: """
                ALTER TABLE status ADD COLUMN binlog_source TEXT;
                ALTER TABLE status ADD COLUMN binlog_file TEXT;
                ALTER TABLE status ADD COLUMN binlog_position INTEGER;
                """),
    ]

    /// The newest schema version this build knows.
    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database on `connection` to `latestVersion`; refuses a database from a newer build.
    static func migrate(_ connection: Connection, path: String, now: Int64) throws {
        try connection.writeTransaction(operation: "migrating the schema") {
            try connection.executeScript(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version INTEGER PRIMARY KEY NOT NULL,
                    applied_at INTEGER NOT NULL
                )
                """,
                operation: "creating the schema_version table")
            let current = try currentVersion(connection)
            guard current <= latestVersion else {
                throw StoreError.newerSchema(path: path, found: current, supported: latestVersion)
            }
            for migration in migrations where migration.version > current {
                try connection.executeScript(
                    migration.sql, operation: "applying schema migration \(migration.version)")
                try connection.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
                    [.integer(Int64(migration.version)), .integer(now)],
                    operation: "recording schema migration \(migration.version)")
            }
        }
    }

    /// The highest applied migration (0 for an empty database).
    static func currentVersion(_ connection: Connection) throws -> Int {
        let version = try connection.queryFirst(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version", operation: "reading the schema version"
        ) { Int($0.int64(0)) }
        return version ?? 0
    }
}
