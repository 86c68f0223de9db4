/// Judges a Percona XtraBackup in S3 from its listing and its metadata files, read through a given reader.
///
/// The rules are AWS's, from the Aurora user guide: "Physical migration from MySQL by using Percona XtraBackup and
/// Amazon S3" (AuroraMySQL.Migrating.ExtMySQL.S3, "Backup considerations": full and incremental backups, no partial
/// ones, plain or streamed `.xbstream` / `.tar` / `.gz` files read in name order, at most 5 TB per file and 1,000,000
/// files, no encrypted source) and "Migrating data to an Amazon Aurora MySQL DB cluster" (AuroraMySQL.Migrating,
/// the physical-migration limitations on `innodb_page_size`, `innodb_data_file_path`, `innodb_log_files_in_group`).
/// Neither says the backup must be prepared: AWS's own procedure uploads what `xtrabackup --backup` wrote.
public enum BackupInspection {
    /// The metadata file naming a backup directory's type and LSN range.
    public static let checkpointsFile = "xtrabackup_checkpoints"
    /// The metadata file naming the source server version and the backup's options.
    public static let infoFile = "xtrabackup_info"
    /// The source server's InnoDB settings, as xtrabackup saved them.
    public static let configFile = "backup-my.cnf"
    /// Name endings of streamed or archived backups (a piece of a split one adds digits: `backup.xbstream00`).
    public static let streamedSuffixes = [".xbstream", ".tar", ".gz", ".tgz"]
    /// Name ending of a file that xtrabackup `--encrypt` wrote.
    public static let xbcryptSuffix = ".xbcrypt"
    /// How many bytes of a metadata file are read (they are a few hundred bytes).
    public static let metadataReadLimit = 64 * 1024
    /// Aurora restores at most this many files (AuroraMySQL.Migrating.ExtMySQL.S3, "Backup considerations").
    public static let maximumFileCount = 1_000_000
    /// S3's, and so Aurora's, largest object: 5 TB (5 TiB, as S3 counts it).
    public static let maximumObjectSize = 5 * 1024 * 1024 * 1024 * 1024
    /// How many backup directories (one full, the rest increments) aurorad reads the checkpoints of.
    public static let maximumBackupDirectories = 100
    /// The `backup_type` values of a full backup: as `--backup` left it, prepared, prepared with `--apply-log-only`.
    public static let fullBackupTypes: Set<String> = ["full-backuped", "full-prepared", "log-applied"]
    /// The `backup_type` of an incremental backup.
    public static let incrementalBackupType = "incremental"

    /// The `key = value` lines of a metadata file; other lines are ignored, the last of a repeated key wins.
    public static func keyValues(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            if key.isEmpty { continue }
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }

    /// Whether `key` names a streamed or archived backup file, whole or one numbered piece of a split one.
    public static func isStreamed(_ key: String) -> Bool {
        let unsplit = key.utf8.reversed().drop { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return streamedSuffixes.contains { unsplit.starts(with: $0.utf8.reversed()) }
    }

    /// The verdict on the backup at `location` (`s3://bucket/prefix`) given its listing; `read` returns the text
    /// of a metadata file by key (nil: absent). The source version is left to the planner, which knows the spec.
    public static func judge<Failure: Error>(
        location: String, listing: BackupListing, read: (String) throws(Failure) -> String?
    ) throws(Failure) -> BackupPreflight {
        if let verdict = judgeListing(location: location, listing: listing) { return verdict }
        var directories: [BackupCheckpoints] = []
        for key in listing.checkpointKeys {
            guard let text = try read(key) else { continue }
            directories.append(BackupCheckpoints(key: key, text: text))
        }
        let chain: BackupChain
        do {
            chain = try BackupChain(location: location, directories: directories)
        } catch {
            return .failed(error.message)
        }
        let base = chain.base.directory
        return judgeSource(
            location: location, chain: chain, info: try read(base + infoFile), config: try read(base + configFile))
    }

    /// What the listing alone decides: nothing to restore, too many or too large files, xtrabackup encryption, or
    /// no readable checkpoints. Nil when the checkpoints are to be read.
    public static func judgeListing(location: String, listing: BackupListing) -> BackupPreflight? {
        if listing.fileCount == 0 {
            return .failed(
                "There are no files under \(location); upload the backup directory there "
                    + "(aws s3 sync /var/backup/full \(location)) or fix s3_import.bucket_prefix, then resubmit.")
        }
        if listing.fileCount > maximumFileCount {
            return .failed(
                "The backup under \(location) has more than 1,000,000 files, more than "
                    + "Aurora restores; stream it into .tar.gz or .xbstream files (xtrabackup --stream) and upload "
                    + "those instead, then resubmit.")
        }
        if let largest = listing.largestKey, listing.largestSize > maximumObjectSize {
            return .failed(
                "\(largest) is \(listing.largestSize) bytes, over the 5 TB limit of one backup file; split it "
                    + "(split -d --bytes=500MB) and upload the numbered pieces instead, then resubmit.")
        }
        if let encrypted = listing.xbcryptKey {
            return .failed(
                "\(encrypted) shows the backup in \(location) was encrypted by xtrabackup --encrypt, which Aurora "
                    + "cannot restore; take the backup without --encrypt (S3 server-side encryption is fine), "
                    + "upload it, then resubmit.")
        }
        if listing.checkpointKeys.count > maximumBackupDirectories {
            return .warning(
                "The backup in \(location) has more than \(maximumBackupDirectories) \(checkpointsFile) files, "
                    + "more than aurorad reads, so its backup chain, source version and settings are unchecked.")
        }
        guard listing.checkpointKeys.isEmpty else { return nil }
        if let archive = listing.streamedKey {
            return .warning(
                "The backup in \(location) is streamed or archived (\(archive)), so aurorad cannot read its "
                    + "\(checkpointsFile), \(infoFile) or \(configFile) without unpacking it: its type, source "
                    + "version and settings are unchecked, and RDS reports any problem with them as a failed "
                    + "migration.")
        }
        return .failed(
            "\(location) holds no \(checkpointsFile), so it is not a Percona XtraBackup directory; upload "
                + "the whole backup directory there or fix s3_import.bucket_prefix, then resubmit.")
    }

    /// What the full backup's `xtrabackup_info` and `backup-my.cnf` decide: partial or encrypted backups and the
    /// source settings physical migration needs are refused; a missing file or version is a warning.
    static func judgeSource(location: String, chain: BackupChain, info: String?, config: String?) -> BackupPreflight {
        let base = chain.base.directory
        let values = info.map(keyValues) ?? [:]
        if let refusal = partialRefusal(location: location, info: values) ?? encryptedRefusal(base: base, info: values)
            ?? SourceSettings(config ?? "").refusal(file: base + configFile)
        {
            return .failed(refusal)
        }
        guard info != nil else {
            return .warning(
                "The backup in \(location) has no \(base)\(infoFile), so its MySQL version cannot be checked "
                    + "against s3_import.source_engine_version.")
        }
        guard let version = values["server_version"], !version.isEmpty else {
            return .warning(
                "\(base)\(infoFile) names no server_version, so it cannot be checked against "
                    + "s3_import.source_engine_version.")
        }
        return .verified(serverVersion: version)
    }

    /// The refusal of a partial backup: `partial = Y`, or a `tool_command` with the options that make one.
    static func partialRefusal(location: String, info: [String: String]) -> String? {
        // The options AuroraMySQL.Migrating.ExtMySQL.S3 ("Backup considerations") lists, with -exclude and -file.
        let option = (info["tool_command"] ?? "").split(separator: " ")
            .first { $0.hasPrefix("--tables") || $0.hasPrefix("--databases") }
        guard info["partial"]?.uppercased() == "Y" || option != nil else { return nil }
        let how = option.map { " (taken with \($0.split(separator: "=")[0]))" } ?? " (partial = Y)"
        return "The backup in \(location) is partial\(how), which Aurora cannot restore; take a full backup "
            + "without --tables or --databases options, upload it, then resubmit."
    }

    /// The refusal of a backup `xtrabackup --encrypt` wrote (`encrypted = Y`).
    static func encryptedRefusal(base: String, info: [String: String]) -> String? {
        guard info["encrypted"]?.uppercased() == "Y" else { return nil }
        return "\(base)\(infoFile) says the backup is encrypted (encrypted = Y), which Aurora cannot restore; take "
            + "the backup without --encrypt (S3 server-side encryption is fine), upload it, then resubmit."
    }
}

/// What the listing of a backup prefix shows, folded page by page so that a million keys are never held at once.
public struct BackupListing: Equatable, Sendable {
    /// How many files were listed (listing stops once this passes `BackupInspection.maximumFileCount`).
    public private(set) var fileCount = 0
    /// The largest file's key.
    public private(set) var largestKey: String?
    /// The largest file's size in bytes.
    public private(set) var largestSize = 0
    /// Every `xtrabackup_checkpoints` key in listing order, at most one more than the directories aurorad reads.
    public private(set) var checkpointKeys: [String] = []
    /// The first streamed or archived file.
    public private(set) var streamedKey: String?
    /// The first `.xbcrypt` file.
    public private(set) var xbcryptKey: String?

    /// An empty listing.
    public init() {}

    /// A listing of the given keys and sizes, in order.
    public init(_ files: [(key: String, size: Int)]) {
        for file in files { add(key: file.key, size: file.size) }
    }

    /// Folds one listed file in.
    public mutating func add(key: String, size: Int) {
        fileCount += 1
        if size > largestSize || largestKey == nil { (largestKey, largestSize) = (key, size) }
        let name = BackupInspection.checkpointsFile
        let room = checkpointKeys.count <= BackupInspection.maximumBackupDirectories
        if room, key.hasSuffix(name), key.count == name.count || key.dropLast(name.count).last == "/" {
            checkpointKeys.append(key)
        }
        if streamedKey == nil, BackupInspection.isStreamed(key) { streamedKey = key }
        if xbcryptKey == nil, key.hasSuffix(BackupInspection.xbcryptSuffix) { xbcryptKey = key }
    }

    /// Whether the listing has seen enough: more files than Aurora restores.
    public var isOverFileLimit: Bool { fileCount > BackupInspection.maximumFileCount }
}

/// One backup directory's `xtrabackup_checkpoints`: its type and LSN range.
public struct BackupCheckpoints: Equatable, Sendable {
    /// The key prefix of the directory (`backup/inc1/`; empty at the bucket's root).
    public var directory: String
    /// `backup_type`: full-backuped, full-prepared, log-applied or incremental.
    public var backupType: String
    /// `from_lsn`: where an increment starts (0 for a full backup).
    public var fromLSN: UInt64?
    /// `to_lsn`: where the backup ends, and the next increment must start.
    public var toLSN: UInt64?

    /// The checkpoints read from the file at `key`.
    public init(key: String, text: String) {
        directory = String(key.dropLast(BackupInspection.checkpointsFile.count))
        let values = BackupInspection.keyValues(text)
        backupType = values["backup_type"] ?? "missing"
        fromLSN = values["from_lsn"].flatMap { UInt64($0) }
        toLSN = values["to_lsn"].flatMap { UInt64($0) }
    }

    /// Whether this is a full backup, prepared or not.
    public var isFull: Bool { BackupInspection.fullBackupTypes.contains(backupType) }
}

/// A refusal of the backup: the message says what is wrong and what to change on the source.
public struct BackupRefusal: Error, Equatable {
    /// One sentence for the operator.
    public var message: String
}

/// A full backup and the increments Aurora applies on it, in LSN order.
///
/// Aurora "uses the xtrabackup_checkpoints file included with each incremental backup to identify the base
/// directory and to order incremental backups by log sequence number (LSN) range" (AuroraMySQL.Migrating.ExtMySQL.S3,
/// "Using incremental backups"), so directory names do not matter; each increment must start where the one before
/// it ends (Percona XtraBackup, "Incremental backup").
public struct BackupChain: Equatable, Sendable {
    /// The full backup.
    public var base: BackupCheckpoints
    /// The increments, from the base's `to_lsn` on.
    public var increments: [BackupCheckpoints]

    /// The chain of `directories`, or the refusal saying why they do not form one.
    public init(location: String, directories: [BackupCheckpoints]) throws(BackupRefusal) {
        let incremental = BackupInspection.incrementalBackupType
        if let odd = directories.first(where: { !$0.isFull && $0.backupType != incremental }) {
            throw BackupRefusal(
                message: "\(odd.directory)\(BackupInspection.checkpointsFile) has backup_type = \(odd.backupType), "
                    + "which is not a Percona XtraBackup full or incremental backup; upload the backup directory "
                    + "as xtrabackup wrote it, then resubmit.")
        }
        let fulls = directories.filter(\.isFull)
        guard fulls.count <= 1 else {
            throw BackupRefusal(
                message: "\(location) holds \(fulls.count) full backups "
                    + "(\(fulls.map(\.directory).joined(separator: ", "))); Aurora restores one full backup and its "
                    + "increments: keep one set under the prefix or point s3_import.bucket_prefix at one, then "
                    + "resubmit.")
        }
        guard let base = fulls.first else {
            throw BackupRefusal(
                message: "\(location) holds no full backup (no \(BackupInspection.checkpointsFile) with backup_type "
                    + "full-backuped, full-prepared or log-applied); upload the full backup directory (next to its "
                    + "incremental ones), then resubmit.")
        }
        let increments = directories.filter { !$0.isFull }.sorted { ($0.fromLSN ?? 0) < ($1.fromLSN ?? 0) }
        if !increments.isEmpty, base.backupType == "full-prepared" {
            throw BackupRefusal(
                message: "\(base.directory) was prepared without --apply-log-only (backup_type = full-prepared), so "
                    + "its increments can no longer be applied; upload the full backup as xtrabackup --backup left "
                    + "it (or prepared with --apply-log-only), then resubmit.")
        }
        try Self.checkLinks(base: base, increments: increments)
        self.base = base
        self.increments = increments
    }

    /// Each increment must start at the `to_lsn` of the backup before it; the first gap is refused, named.
    private static func checkLinks(base: BackupCheckpoints, increments: [BackupCheckpoints]) throws(BackupRefusal) {
        var previous = base
        for increment in increments {
            guard let end = previous.toLSN, let start = increment.fromLSN, increment.toLSN != nil else {
                let unreadable = previous.toLSN == nil ? previous : increment
                throw BackupRefusal(
                    message: "\(unreadable.directory)\(BackupInspection.checkpointsFile) has no readable from_lsn "
                        + "and to_lsn, so the incremental chain cannot be ordered; upload the directory as "
                        + "xtrabackup wrote it, then resubmit.")
            }
            guard start == end else {
                throw BackupRefusal(
                    message: "The incremental backups do not form a chain: \(increment.directory) starts at "
                        + "from_lsn = \(start) but \(previous.directory) ends at to_lsn = \(end); upload the "
                        + "missing increment (xtrabackup --backup --incremental-basedir=<\(previous.directory)>) "
                        + "or remove the ones after the gap, then resubmit.")
            }
            previous = increment
        }
    }
}

/// The source server's settings from `backup-my.cnf` that physical migration constrains (AuroraMySQL.Migrating,
/// "Physical migration has the following limitations"). A setting the file does not name is not checked: MySQL
/// 8.0.30 and later replace `innodb_log_files_in_group` with `innodb_redo_log_capacity`.
struct SourceSettings {
    /// The settings by name, dashes read as underscores as MySQL does in option files.
    var values: [String: String]

    init(_ text: String) {
        values = Dictionary(
            BackupInspection.keyValues(text).map { ($0.key.replacingOccurrences(of: "-", with: "_"), $0.value) }
        ) { _, last in last }
    }

    /// The first broken rule as a refusal naming `file`, the setting and what to change on the source; nil if none.
    func refusal(file: String) -> String? {
        if let size = values["innodb_page_size"], !["16384", "16k"].contains(size.lowercased()) {
            return "\(file) has innodb_page_size=\(size); Aurora restores only the default 16K (16384) page size: "
                + "migrate with mysqldump instead, or rebuild the source with innodb_page_size=16384, take a new "
                + "backup, upload it, then resubmit."
        }
        if let path = values["innodb_data_file_path"], !Self.isOneIbdata1(path) {
            return "\(file) has innodb_data_file_path=\(path); Aurora restores only one system tablespace file "
                + "named ibdata1 (the default ibdata1:12M:autoextend): migrate with mysqldump instead, or rebuild "
                + "the source with that setting, take a new backup, upload it, then resubmit."
        }
        if let count = values["innodb_log_files_in_group"], count != "2" {
            return "\(file) has innodb_log_files_in_group=\(count); Aurora restores only the default of 2: set "
                + "innodb_log_files_in_group=2 on the source, restart it, take a new backup, upload it, then "
                + "resubmit."
        }
        return nil
    }

    /// Whether an `innodb_data_file_path` names one file called ibdata1 (its size and autoextend are free).
    static func isOneIbdata1(_ path: String) -> Bool {
        let files = path.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return files.count == 1 && files[0].split(separator: ":").first == "ibdata1"
    }
}
