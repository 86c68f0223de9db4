import Reconciler
import Testing

/// Metadata files as Percona XtraBackup 2.4 writes them (the emulator's sample backups use the same form).
private enum Sample {
    static func checkpoints(_ type: String) -> String {
        "backup_type = \(type)\nfrom_lsn = 0\nto_lsn = 2638151\nlast_lsn = 2638160\ncompact = 0\n"
            + "recover_binlog_info = 0\n"
    }

    static func info(version: String = "5.7.12-log", partial: String = "N", encrypted: String = "N") -> String {
        """
        uuid = 6b1f3a52-0c4e-11ef-9b7a-0242ac120002
        name =
        tool_name = xtrabackup
        tool_command = --backup --target-dir=/var/backup/full
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

    static let keys = [
        "backup/appdb/orders.frm", "backup/ibdata1", "backup/xtrabackup_checkpoints", "backup/xtrabackup_info",
    ]
    static let location = "s3://b/backup/"
}

@Suite("Backup preflight: judging an XtraBackup from its metadata files")
struct BackupInspectionTests {
    @Test func keyValuesReadsXtrabackupLines() {
        let values = BackupInspection.keyValues(Sample.info())
        #expect(values["server_version"] == "5.7.12-log")
        #expect(values["name"] == "")
        #expect(values["binlog_pos"] == "filename 'mysql-bin.000003', position '154'")
        #expect(values["tool_command"] == "--backup --target-dir=/var/backup/full")
    }

    @Test func preparedBackupIsVerifiedWithItsServerVersion() {
        let verdict = BackupInspection.judge(
            location: Sample.location, keys: Sample.keys, checkpoints: Sample.checkpoints("full-prepared"),
            info: Sample.info())
        #expect(verdict == .verified(serverVersion: "5.7.12-log"))
    }

    @Test(arguments: ["full-backuped", "incremental", "log-applied"])
    func unpreparedBackupFailsWithThePrepareInstruction(type: String) throws {
        let verdict = BackupInspection.judge(
            location: Sample.location, keys: Sample.keys, checkpoints: Sample.checkpoints(type), info: Sample.info())
        guard case .failed(let message) = verdict else {
            Issue.record("expected a failure, got \(verdict)")
            return
        }
        #expect(message.contains("run xtrabackup --prepare"))
        #expect(message.contains("backup_type = \(type)"))
    }

    @Test func partialAndEncryptedBackupsFail() {
        let partial = BackupInspection.judge(
            location: Sample.location, keys: Sample.keys, checkpoints: Sample.checkpoints("full-prepared"),
            info: Sample.info(partial: "Y"))
        let encrypted = BackupInspection.judge(
            location: Sample.location, keys: Sample.keys, checkpoints: Sample.checkpoints("full-prepared"),
            info: Sample.info(encrypted: "Y"))
        guard case .failed(let p) = partial, case .failed(let e) = encrypted else {
            Issue.record("expected failures, got \(partial) and \(encrypted)")
            return
        }
        #expect(p.contains("partial"))
        #expect(e.contains("encrypted"))
    }

    @Test func streamedBackupIsAWarning() {
        let verdict = BackupInspection.judge(
            location: Sample.location, keys: ["backup/backup.xbstream"], checkpoints: nil, info: nil)
        guard case .warning(let message) = verdict else {
            Issue.record("expected a warning, got \(verdict)")
            return
        }
        #expect(message.contains("backup/backup.xbstream"))
    }

    @Test func emptyPrefixAndMissingCheckpointsFail() {
        let empty = BackupInspection.judge(location: Sample.location, keys: [], checkpoints: nil, info: nil)
        let plain = BackupInspection.judge(
            location: Sample.location, keys: ["backup/dump.sql"], checkpoints: nil, info: nil)
        guard case .failed(let e) = empty, case .failed(let p) = plain else {
            Issue.record("expected failures, got \(empty) and \(plain)")
            return
        }
        #expect(e.contains("no files under s3://b/backup/"))
        #expect(p.contains("no xtrabackup_checkpoints"))
    }

    @Test func metadataKeyPrefersTheTopOfTheBackup() {
        let keys = ["b/x/nested/xtrabackup_checkpoints", "b/x/xtrabackup_checkpoints", "b/x/not_xtrabackup_checkpoints"]
        #expect(BackupInspection.metadataKey(named: "xtrabackup_checkpoints", in: keys) == "b/x/xtrabackup_checkpoints")
        #expect(BackupInspection.metadataKey(named: "xtrabackup_info", in: keys) == nil)
    }
}
