/// Judges a Percona XtraBackup in S3 from its listing and its two metadata files; pure, no I/O.
///
/// `xtrabackup_checkpoints` holds `backup_type` (full-backuped, full-prepared, incremental, log-applied);
/// `xtrabackup_info` holds `server_version`, `partial`, `encrypted`, … (both `key = value` lines). RDS restores
/// only a prepared full backup of an unencrypted, non-partial source (Aurora user guide, "Migrating data from MySQL
/// by using an Amazon S3 bucket"); streamed files (`.xbstream`, `.tar`, `.gz`) cannot be read without unpacking.
public enum BackupInspection {
    /// The metadata file naming the backup type.
    public static let checkpointsFile = "xtrabackup_checkpoints"
    /// The metadata file naming the source server version and the backup's options.
    public static let infoFile = "xtrabackup_info"
    /// Name endings of streamed or archived backups.
    public static let streamedSuffixes = [".xbstream", ".tar", ".gz", ".tgz"]
    /// How many bytes of a metadata file are read (they are a few hundred bytes).
    public static let metadataReadLimit = 64 * 1024

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

    /// The key of the metadata file `name` closest to the top of the listing (fewest path components), or nil.
    public static func metadataKey(named name: String, in keys: [String]) -> String? {
        keys.filter { $0 == name || $0.hasSuffix("/" + name) }
            .min { ($0.split(separator: "/").count, $0) < ($1.split(separator: "/").count, $1) }
    }

    /// The verdict on the backup at `location` (`s3://bucket/prefix`) given the keys listed under the prefix and
    /// the text of the metadata files (nil: absent).
    public static func judge(location: String, keys: [String], checkpoints: String?, info: String?)
        -> BackupPreflight
    {
        if keys.isEmpty {
            return .failed(
                "There are no files under \(location); upload the prepared backup directory there "
                    + "(aws s3 sync /var/backup/full \(location)) or fix s3_import.bucket_prefix, then resubmit.")
        }
        guard let checkpoints else {
            if let archive = keys.first(where: { key in streamedSuffixes.contains { key.hasSuffix($0) } }) {
                return .warning(
                    "The backup in \(location) is streamed or archived (\(archive)), so aurorad cannot read its "
                        + "\(checkpointsFile) without unpacking it; make sure it was prepared (xtrabackup --prepare) "
                        + "before it was streamed, or RDS fails the restore.")
            }
            return .failed(
                "\(location) holds no \(checkpointsFile), so it is not a Percona XtraBackup directory; upload "
                    + "the whole prepared backup directory there or fix s3_import.bucket_prefix, then resubmit.")
        }
        let backupType = keyValues(checkpoints)["backup_type"] ?? "missing"
        guard backupType == "full-prepared" else {
            return .failed(
                "The backup in \(location) is not prepared (backup_type = \(backupType)): run xtrabackup --prepare "
                    + "--target-dir=<backup directory> on a full backup, upload it again, then resubmit the spec.")
        }
        guard let info else {
            return .warning(
                "The backup in \(location) is prepared but has no \(infoFile), so its MySQL version cannot be "
                    + "checked against s3_import.source_engine_version.")
        }
        let values = keyValues(info)
        if values["partial"]?.uppercased() == "Y" {
            return .failed(
                "The backup in \(location) is partial (taken with --tables or --databases), which RDS cannot "
                    + "restore; take a full backup, prepare it, upload it, then resubmit.")
        }
        if values["encrypted"]?.uppercased() == "Y" {
            return .failed(
                "The backup in \(location) is encrypted, which RDS cannot restore; take an unencrypted backup, "
                    + "prepare it, upload it, then resubmit.")
        }
        guard let version = values["server_version"], !version.isEmpty else {
            return .warning(
                "The \(infoFile) of the backup in \(location) names no server_version, so it cannot be checked "
                    + "against s3_import.source_engine_version.")
        }
        return .verified(serverVersion: version)
    }
}
