/// The MySQL major versions S3 import supports, and how engine version strings map to them.
enum MySQLMajor: String, Sendable {
    case v57 = "5.7"
    case v80 = "8.0"

    /// The Aurora MySQL major release matching this MySQL major (Aurora MySQL 2 is 5.7, 3 is 8.0).
    var auroraMajor: String {
        switch self {
        case .v57: "2"
        case .v80: "3"
        }
    }

    /// The MySQL major of an Aurora engine version: `5.7.mysql_aurora.2.x.y`, `8.0.mysql_aurora.3.x.y`, or the
    /// legacy MySQL-style `5.7.N` the rds-aurora module's examples still use; nil for anything else.
    static func ofAuroraEngineVersion(_ version: String) -> MySQLMajor? {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "5", parts[1] == "7", isNumber(parts[2]) { return .v57 }
        guard parts.count == 6, parts[2] == "mysql_aurora", isNumber(parts[4]), isNumber(parts[5]),
            let major = MySQLMajor(rawValue: "\(parts[0]).\(parts[1])"), parts[3] == major.auroraMajor
        else { return nil }
        return major
    }

    /// The MySQL major of a source server version `5.7.N` or `8.0.N`; nil for anything else.
    static func ofSourceVersion(_ version: String) -> MySQLMajor? {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, isNumber(parts[2]) else { return nil }
        return MySQLMajor(rawValue: "\(parts[0]).\(parts[1])")
    }

    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 6 && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }
}
