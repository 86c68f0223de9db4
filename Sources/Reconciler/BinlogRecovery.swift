import Foundation
import StatusModel

/// Reads the source's binary log position for the cutover from what RDS and the backup say.
///
/// After an S3 restore RDS reports the position in a cluster event, "Recovered from Binary log filename
/// 'mysql-bin.000003', position '154'." (Aurora User Guide, "Synchronizing the Amazon Aurora MySQL DB cluster with the
/// MySQL database using replication"); XtraBackup writes the same in `xtrabackup_info` as
/// `binlog_pos = filename 'mysql-bin.000003', position '154'`.
public enum BinlogRecovery {
    /// The prefix of RDS's event message.
    static let eventPrefix = "Recovered from Binary log filename"

    /// The position in an RDS event message, or nil when the message is another one.
    public static func position(inEvent message: String) -> BinlogPosition? {
        guard message.hasPrefix(eventPrefix) else { return nil }
        return parse(message, source: BinlogPosition.fromEvent)
    }

    /// The position of `xtrabackup_info`'s `binlog_pos` line, or nil when it has none.
    public static func position(inXtrabackupInfo text: String) -> BinlogPosition? {
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "binlog_pos" else { continue }
            return parse(String(parts[1]), source: BinlogPosition.fromBackup)
        }
        return nil
    }

    /// `filename 'F', position 'P'` anywhere in `text`.
    private static func parse(_ text: String, source: String) -> BinlogPosition? {
        let quoted = text.split(separator: "'", omittingEmptySubsequences: false)
        // filename '<1>', position '<3>'
        guard quoted.count >= 4, quoted[0].hasSuffix("filename "), quoted[2].contains("position"),
            !quoted[1].isEmpty, let position = Int64(quoted[3])
        else { return nil }
        return BinlogPosition(source: source, file: String(quoted[1]), position: position)
    }
}
