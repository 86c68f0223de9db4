import Reconciler
import Testing

/// Backups as Percona XtraBackup 2.4 writes them (the emulator's sample backups use the same forms): files by key.
private enum Sample {
    static func checkpoints(_ type: String, from: UInt64 = 0, to: UInt64 = 2_638_151) -> String {
        "backup_type = \(type)\nfrom_lsn = \(from)\nto_lsn = \(to)\nlast_lsn = \(to + 9)\ncompact = 0\n"
            + "recover_binlog_info = 0\n"
    }

    static func info(
        version: String = "5.7.12-log", partial: String = "N", encrypted: String = "N",
        command: String = "--backup --target-dir=/var/backup/full"
    ) -> String {
        """
        uuid = 6b1f3a52-0c4e-11ef-9b7a-0242ac120002
        name =
        tool_name = xtrabackup
        tool_command = \(command)
        tool_version = 2.4.29
        server_version = \(version)
        binlog_pos = filename 'mysql-bin.000003', position '154'
        partial = \(partial)
        incremental = N
        format = file
        compressed = N
        encrypted = \(encrypted)

        """
    }

    static func config(
        pageSize: String = "16384", dataFilePath: String = "ibdata1:12M:autoextend", logFiles: String = "2"
    ) -> String {
        "[mysqld]\ninnodb_checksum_algorithm=crc32\ninnodb_data_file_path=\(dataFilePath)\n"
            + "innodb_log_files_in_group=\(logFiles)\ninnodb_log_file_size=50331648\ninnodb_page_size=\(pageSize)\n"
    }

    /// A full backup in `directory` (under `backup/`), with its data files.
    static func full(
        _ type: String = "full-backuped", directory: String = "", info: String? = Sample.info(),
        config: String = Sample.config()
    ) -> [String: String] {
        var files = [
            "backup/\(directory)xtrabackup_checkpoints": checkpoints(type),
            "backup/\(directory)backup-my.cnf": config,
            "backup/\(directory)ibdata1": "", "backup/\(directory)appdb/orders.ibd": "",
        ]
        files["backup/\(directory)xtrabackup_info"] = info
        return files
    }

    /// An increment in `directory` from `from` to `to`.
    static func increment(_ directory: String, from: UInt64, to: UInt64) -> [String: String] {
        [
            "backup/\(directory)xtrabackup_checkpoints": checkpoints("incremental", from: from, to: to),
            "backup/\(directory)ibdata1.delta": "", "backup/\(directory)xtrabackup_info": info(),
        ]
    }

    /// A full backup in `full/` and increments `inc1/`, `inc2/` continuing it (LSNs 2638151 → 3000000 → 3500000).
    static func incrementalSet(base: String = "full-backuped") -> [String: String] {
        full(base, directory: "full/")
            .merging(increment("inc1/", from: 2_638_151, to: 3_000_000)) { $1 }
            .merging(increment("inc2/", from: 3_000_000, to: 3_500_000)) { $1 }
    }

    static let location = "s3://b/backup/"
}

/// The verdict on `files` (keys to contents), each listed with its content's size unless `sizes` says otherwise.
private func judge(_ files: [String: String], sizes: [String: Int] = [:]) -> BackupPreflight {
    let listing = BackupListing(files.keys.sorted().map { ($0, sizes[$0] ?? $0.utf8.count) })
    return BackupInspection.judge(location: Sample.location, listing: listing) { files[$0] }
}

/// One case of the table: the backup, and what the verdict must be or contain.
struct BackupCase: CustomTestStringConvertible, Sendable {
    enum Expected: Sendable {
        case verified(String)
        case warning([String])
        case failed([String])
    }

    var name: String
    var files: [String: String]
    var sizes: [String: Int] = [:]
    var expected: Expected

    var testDescription: String { name }
}

private let accepted: [BackupCase] = [
    BackupCase(
        name: "full backup as --backup left it", files: Sample.full("full-backuped"),
        expected: .verified("5.7.12-log")),
    BackupCase(name: "prepared full backup", files: Sample.full("full-prepared"), expected: .verified("5.7.12-log")),
    BackupCase(
        name: "full backup prepared with --apply-log-only", files: Sample.full("log-applied"),
        expected: .verified("5.7.12-log")),
    BackupCase(
        name: "full backup and two increments", files: Sample.incrementalSet(),
        expected: .verified("5.7.12-log")),
    BackupCase(
        name: "increments named in any order",
        files: Sample.full(directory: "2026-11-01/")
            .merging(Sample.increment("a-last/", from: 3_000_000, to: 3_500_000)) { $1 }
            .merging(Sample.increment("z-first/", from: 2_638_151, to: 3_000_000)) { $1 },
        expected: .verified("5.7.12-log")),
    BackupCase(
        name: "base prepared with --apply-log-only and increments",
        files: Sample.incrementalSet(base: "log-applied"), expected: .verified("5.7.12-log")),
    BackupCase(
        name: "8.0 backup-my.cnf without innodb_log_files_in_group",
        files: Sample.full(
            info: Sample.info(version: "8.0.36"),
            config: "[mysqld]\ninnodb_page_size=16384\n"
                + "innodb_data_file_path=ibdata1:12M:autoextend\ninnodb_redo_log_capacity=104857600\n"),
        expected: .verified("8.0.36")),
    BackupCase(
        name: "larger ibdata1 is still one ibdata1 file",
        files: Sample.full(config: Sample.config(dataFilePath: "ibdata1:76M:autoextend")),
        expected: .verified("5.7.12-log")),
    BackupCase(
        name: "streamed .xbstream", files: ["backup/backup.xbstream": "XBSTCK01"],
        expected: .warning(["backup/backup.xbstream", "cannot read its xtrabackup_checkpoints"])),
    BackupCase(
        name: "split .tar.gz read in name order",
        files: ["backup/backup.tar.gz00": "x", "backup/backup.tar.gz01": "y"],
        expected: .warning(["backup/backup.tar.gz00", "streamed or archived"])),
    BackupCase(name: "split .tar", files: ["backup/backup.tar00": "x"], expected: .warning(["backup/backup.tar00"])),
    BackupCase(
        name: "no xtrabackup_info", files: Sample.full(info: nil),
        expected: .warning(["no backup/xtrabackup_info", "source_engine_version"])),
    BackupCase(
        name: "no server_version", files: Sample.full(info: "partial = N\nencrypted = N\n"),
        expected: .warning(["names no server_version"])),
]

private let refused: [BackupCase] = [
    BackupCase(name: "empty prefix", files: [:], expected: .failed(["no files under s3://b/backup/"])),
    BackupCase(
        name: "not an XtraBackup", files: ["backup/dump.sql": "CREATE TABLE"],
        expected: .failed(["no xtrabackup_checkpoints"])),
    BackupCase(
        name: "partial = Y", files: Sample.full(info: Sample.info(partial: "Y")),
        expected: .failed(["partial (partial = Y)", "without --tables or --databases"])),
    BackupCase(
        name: "taken with --databases",
        files: Sample.full(
            info: Sample.info(command: "--backup --databases=appdb --target-dir=/var/backup/full")),
        expected: .failed(["partial (taken with --databases)"])),
    BackupCase(
        name: "taken with --tables-file",
        files: Sample.full(
            info: Sample.info(command: "--backup --tables-file=/tmp/t --target-dir=/b")),
        expected: .failed(["partial (taken with --tables-file)"])),
    BackupCase(
        name: "encrypted = Y", files: Sample.full(info: Sample.info(encrypted: "Y")),
        expected: .failed(["backup/xtrabackup_info", "encrypted = Y", "without --encrypt"])),
    BackupCase(
        name: ".xbcrypt files",
        files: ["backup/xtrabackup_checkpoints.xbcrypt": "", "backup/ibdata1.xbcrypt": ""],
        expected: .failed(["backup/ibdata1.xbcrypt", "xtrabackup --encrypt"])),
    BackupCase(
        name: "object over 5 TB", files: ["backup/backup.xbstream": ""],
        sizes: ["backup/backup.xbstream": 5 * 1024 * 1024 * 1024 * 1024 + 1],
        expected: .failed(["backup/backup.xbstream is 5497558138881 bytes", "split -d"])),
    BackupCase(
        name: "innodb_page_size 8K", files: Sample.full(config: Sample.config(pageSize: "8192")),
        expected: .failed(["backup/backup-my.cnf has innodb_page_size=8192", "16K"])),
    BackupCase(
        name: "two data files",
        files: Sample.full(config: Sample.config(dataFilePath: "ibdata1:50M;ibdata2:50M:autoextend")),
        expected: .failed(["innodb_data_file_path=ibdata1:50M;ibdata2:50M:autoextend", "named ibdata1"])),
    BackupCase(
        name: "data file not named ibdata1",
        files: Sample.full(config: Sample.config(dataFilePath: "ibdata01:50M:autoextend")),
        expected: .failed(["innodb_data_file_path=ibdata01:50M:autoextend"])),
    BackupCase(
        name: "three redo log files", files: Sample.full(config: Sample.config(logFiles: "3")),
        expected: .failed(["innodb_log_files_in_group=3", "set innodb_log_files_in_group=2"])),
    BackupCase(
        name: "unknown backup_type", files: Sample.full("differential"),
        expected: .failed(["backup_type = differential"])),
    BackupCase(
        name: "increments without a full backup",
        files: Sample.increment("inc1/", from: 2_638_151, to: 3_000_000),
        expected: .failed(["holds no full backup"])),
    BackupCase(
        name: "two full backups",
        files: Sample.full(directory: "monday/").merging(Sample.full(directory: "tuesday/")) { $1 },
        expected: .failed(["2 full backups", "backup/monday/, backup/tuesday/"])),
    BackupCase(
        name: "a missing increment",
        files: Sample.full(directory: "full/")
            .merging(Sample.increment("inc2/", from: 3_000_000, to: 3_500_000)) { $1 },
        expected: .failed([
            "backup/inc2/ starts at from_lsn = 3000000", "backup/full/ ends at to_lsn = 2638151",
        ])),
    BackupCase(
        name: "base fully prepared before its increments",
        files: Sample.incrementalSet(base: "full-prepared"),
        expected: .failed(["without --apply-log-only", "backup/full/"])),
    BackupCase(
        name: "partial base of an incremental set",
        files: Sample.incrementalSet()
            .merging(["backup/full/xtrabackup_info": Sample.info(partial: "Y")]) { $1 },
        expected: .failed(["partial"])),
]

@Suite("Backup preflight: judging an XtraBackup from its listing and metadata files")
struct BackupInspectionTests {
    @Test(arguments: accepted + refused)
    func verdict(of backup: BackupCase) {
        let verdict = judge(backup.files, sizes: backup.sizes)
        switch (backup.expected, verdict) {
        case (.verified(let expected), .verified(let version)):
            #expect(version == expected)
        case (.warning(let parts), .warning(let message)), (.failed(let parts), .failed(let message)):
            for part in parts { #expect(message.contains(part), "\(message)") }
        default:
            Issue.record("expected \(backup.expected), got \(verdict)")
        }
    }

    @Test func keyValuesReadsXtrabackupLines() {
        let values = BackupInspection.keyValues(Sample.info())
        #expect(values["server_version"] == "5.7.12-log")
        #expect(values["name"] == "")
        #expect(values["binlog_pos"] == "filename 'mysql-bin.000003', position '154'")
        #expect(values["tool_command"] == "--backup --target-dir=/var/backup/full")
    }

    @Test func streamedNamesIncludeSplitPieces() {
        for key in ["b/backup.xbstream", "b/backup.xbstream00", "backup.tar.gz12", "b/x.tgz", "b/x.gz"] {
            #expect(BackupInspection.isStreamed(key), "\(key)")
        }
        for key in ["b/ibdata1", "b/xtrabackup_checkpoints", "b/tar/ibdata1", "b/orders.ibd"] {
            #expect(!BackupInspection.isStreamed(key), "\(key)")
        }
    }

    @Test func listingStopsCountingCheckpointsPastTheReadLimitAndKnowsTheFileLimit() {
        var listing = BackupListing()
        for index in 0..<(BackupInspection.maximumBackupDirectories + 5) {
            listing.add(key: "b/inc\(index)/xtrabackup_checkpoints", size: 100)
        }
        #expect(listing.checkpointKeys.count == BackupInspection.maximumBackupDirectories + 1)
        guard case .warning(let message)? = BackupInspection.judgeListing(location: "s3://b/", listing: listing) else {
            Issue.record("expected a warning")
            return
        }
        #expect(message.contains("more than 100 xtrabackup_checkpoints"))
        #expect(!listing.isOverFileLimit)
    }

    @Test func moreThanAMillionFilesIsRefused() {
        var listing = BackupListing()
        for _ in 0...BackupInspection.maximumFileCount { listing.add(key: "b/appdb/orders.ibd", size: 1) }
        #expect(listing.isOverFileLimit)
        guard case .failed(let message)? = BackupInspection.judgeListing(location: "s3://b/", listing: listing) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(message.contains("more than 1,000,000 files"))
        #expect(message.contains("xtrabackup --stream"))
    }

    @Test func kmsKeyRidesOnUsableVerdictsOnly() {
        let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let verified = BackupPreflight.verified(serverVersion: "5.7.12-log")
        let encrypted = verified.encrypted(withKMSKey: key)
        #expect(encrypted == .kmsEncrypted(verified, kmsKeyId: key))
        #expect(encrypted.verdict == verified)
        #expect(encrypted.kmsKeyId == key)
        #expect(verified.encrypted(withKMSKey: nil) == verified)
        #expect(BackupPreflight.failed("no").encrypted(withKMSKey: key) == .failed("no"))
        #expect(BackupPreflight.warning("w").encrypted(withKMSKey: key).kmsKeyId == key)
    }
}
