import Foundation
import Synchronization
import TestSupport

@testable import Store

/// 2023-11-14T22:13:20Z, the time every fixed-clock test starts at.
let startTime = Date(timeIntervalSince1970: 1_700_000_000)

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex(startTime)

    /// The clock as the store takes it.
    var function: @Sendable () -> Date { { self.current.withLock { $0 } } }

    /// Moves the clock forward.
    func advance(seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}

/// Runs `body` with a fresh store in a temporary directory (the store creates the `state` subdirectory itself).
func withStore<T>(
    eventLimit: Int = SQLiteStore.defaultEventLimit, clock: TestClock = TestClock(),
    _ body: (SQLiteStore, _ path: String) throws -> T
) throws -> T {
    try withTemporaryDirectory { directory in
        let path = directory + "/state/aurorad.db"
        let store = try SQLiteStore(path: path, eventLimit: eventLimit, clock: clock.function)
        return try body(store, path)
    }
}

/// Canonical-looking spec JSON whose bytes differ with `version`.
func specJSON(_ name: String, version: Int = 1) -> Data {
    Data(#"{"engine":"aurora-mysql","name":"\#(name)","tags":{"v":"\#(version)"}}"#.utf8)
}

/// How many rows `table` holds for spec `name`, read straight from SQLite.
func rowCount(_ store: SQLiteStore, table: String, name: String) throws -> Int64 {
    try store.withReader { db in
        try db.queryFirst("SELECT COUNT(*) FROM \(table) WHERE name = ?1", [.text(name)], operation: "counting") {
            $0.int64(0)
        } ?? 0
    }
}
