import Foundation
import StatusModel

/// Reads the source's binary log position for the cutover from what RDS and the backup say.
///
/// After an S3 restore RDS reports the position in a cluster event that the Aurora User Guide ("Synchronizing the
/// Amazon Aurora MySQL DB cluster with the MySQL database using replication", AuroraMySQL.Migrating.ExtMySQL.S3) names
/// only by its opening words, "Recovered from Binary log filename", telling the reader to note the file and position
/// it gives (the whole message appears only in a screenshot there). The file and position are therefore read with or
/// without quotes: `… filename 'mysql-bin.000003', position '154'.` as the emulator words it, or unquoted. XtraBackup
/// writes the position in `xtrabackup_info` as `binlog_pos = filename 'mysql-bin.000003', position '154'`, followed
/// by the GTID set on a GTID source.
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

    /// `filename F, position P` in `text`, F and P each quoted or not; nil unless F is one word and P a number.
    private static func parse(_ text: String, source: String) -> BinlogPosition? {
        guard let filename = text.range(of: "filename "),
            let position = text.range(of: "position", range: filename.upperBound..<text.endIndex)
        else { return nil }
        let punctuation = CharacterSet.whitespaces.union(CharacterSet(charactersIn: "'\",:"))
        let file = text[filename.upperBound..<position.lowerBound].trimmingCharacters(in: punctuation)
        let digits = text[position.upperBound...].drop { " '\":".contains($0) }.prefix { $0.isASCII && $0.isNumber }
        guard !file.isEmpty, !file.contains(where: { $0.isWhitespace || $0 == "'" }), let number = Int64(digits) else {
            return nil
        }
        return BinlogPosition(source: source, file: file, position: number)
    }
}
