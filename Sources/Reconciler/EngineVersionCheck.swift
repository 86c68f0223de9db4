import ImportSpec

/// What RDS says about the spec's `engine_version`, asked before anything is created (DescribeDBEngineVersions).
public enum EngineVersionCheck: Equatable, Sendable {
    /// Not asked in this observation (the spec sets no version, or nothing needed the preflight).
    case notChecked
    /// RDS offers the version.
    case available
    /// RDS does not offer the version; these are every version of the engine it does offer.
    case missing(available: [String])

    /// The versions of `available` to suggest instead of `requested` for a backup of MySQL `sourceVersion`: the
    /// Aurora major that restores it (5.7 → `5.7.mysql_aurora.2.*`, 8.0 → `8.0.mysql_aurora.3.*`), the one just
    /// below and the one just above `requested` (an Aurora-style version), or the newest two for a MySQL-style
    /// `5.7.12`, newest first.
    public static func nearest(to requested: String, sourceVersion: String, among available: [String]) -> [String] {
        guard let major = Planner.majorMinor(sourceVersion) else { return [] }
        let family = available.filter { $0.hasPrefix(major + ".mysql_aurora.") }.sorted { order($0) < order($1) }
        guard requested.contains(".mysql_aurora.") else { return Array(family.suffix(2).reversed()) }
        let below = family.last { order($0) < order(requested) }
        let above = family.first { order($0) > order(requested) }
        return [above, below].compactMap { $0 }
    }

    /// The numbers of a version (`5.7.mysql_aurora.2.11.2` → 5, 7, 2, 11, 2), compared element by element.
    private static func order(_ version: String) -> [Int] {
        version.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }
}

extension Array where Element == Int {
    /// Lexicographic order of version numbers.
    fileprivate static func < (left: [Int], right: [Int]) -> Bool { left.lexicographicallyPrecedes(right) }
    fileprivate static func > (left: [Int], right: [Int]) -> Bool { right.lexicographicallyPrecedes(left) }
}
