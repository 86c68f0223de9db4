/// RDS's backup (`hh24:mi-hh24:mi`, daily) and maintenance (`ddd:hh24:mi-ddd:hh24:mi`, weekly) windows, in UTC,
/// as minutes on a week-long ring so that windows wrapping midnight or Sunday compare correctly.
///
/// The rules are the API reference's (ModifyDBCluster `PreferredBackupWindow`, `PreferredMaintenanceWindow`): each
/// at least 30 minutes, and the backup window must not overlap the maintenance window.
struct TimeWindow: Equatable {
    /// Minutes in a day and in a week.
    static let day = 24 * 60
    static let week = 7 * day
    /// The shortest window RDS accepts, in minutes.
    static let minimumMinutes = 30
    /// `ddd` of the maintenance window, Monday first.
    static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// Start, in minutes from Monday 00:00 (a daily window: from 00:00 of any day).
    let start: Int
    /// Length in minutes (the end may wrap past midnight or Sunday).
    let length: Int
    /// Whether the window repeats every day (the backup window) rather than every week.
    let daily: Bool

    /// Parses `hh24:mi-hh24:mi`; nil when malformed.
    static func daily(_ text: String) -> TimeWindow? {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let start = minuteOfDay(ends[0]), let end = minuteOfDay(ends[1]) else { return nil }
        return TimeWindow(start: start, length: (end - start + day) % day, daily: true)
    }

    /// Parses `ddd:hh24:mi-ddd:hh24:mi` (day names in any case); nil when malformed.
    static func weekly(_ text: String) -> TimeWindow? {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let start = minuteOfWeek(ends[0]), let end = minuteOfWeek(ends[1]) else { return nil }
        return TimeWindow(start: start, length: (end - start + week) % week, daily: false)
    }

    /// Whether this window and `other` share a minute in some week.
    func overlaps(_ other: TimeWindow) -> Bool {
        occurrences.contains { mine in other.occurrences.contains { Self.intersect(mine, $0) } }
    }

    /// Each occurrence in one week as (start, length): seven for a daily window.
    private var occurrences: [(Int, Int)] {
        daily ? (0..<7).map { ($0 * Self.day + start, length) } : [(start, length)]
    }

    /// Whether two intervals on the week ring intersect.
    private static func intersect(_ a: (Int, Int), _ b: (Int, Int)) -> Bool {
        let offset = (b.0 - a.0 + week) % week
        let back = (a.0 - b.0 + week) % week
        return offset < a.1 || back < b.1
    }

    private static func minuteOfDay(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    private static func minuteOfWeek(_ text: Substring) -> Int? {
        guard let colon = text.firstIndex(of: ":"),
            let day = days.firstIndex(of: text[..<colon].lowercased()),
            let minute = minuteOfDay(text[text.index(after: colon)...])
        else { return nil }
        return day * Self.day + minute
    }
}
