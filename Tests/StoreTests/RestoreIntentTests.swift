import Foundation
import StatusModel
import Testing
import TestSupport

@testable import Store

@Suite("The restore intent and the cluster's last-seen time")
struct RestoreIntentTests {
    @Test("a version-1 database gains the columns; a status with a cluster ARN counts as seen at its write time")
    func migrationFromVersionOneBackfillsLastSeen() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/aurorad.db"
            do {
                #expect(FileManager.default.createFile(atPath: path, contents: nil))
                let connection = try Connection(path: path)
                try connection.executeScript(
                    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL);"
                        + Schema.migrations[0].sql + "INSERT INTO schema_version VALUES (1, 0);",
                    operation: "test")
                try connection.executeScript(
                    """
                    INSERT INTO specs VALUES ('seen', '{}', 1, 10, 10, 0), ('never', '{}', 1, 10, 10, 0);
                    INSERT INTO status (name, phase, observed_generation, conditions_json, cluster_identifier,
                        cluster_status, cluster_arn, updated_at)
                    VALUES ('seen', 'Ready', 1, '[]', 'seen', 'available', 'arn:aws:rds:x:1:cluster:seen', 1234),
                           ('never', 'Converging', 1, '[]', 'never', 'absent', NULL, 1234);
                    """,
                    operation: "test")
            }
            let store = try SQLiteStore(path: path)
            #expect(try store.status(named: "seen")?.cluster.lastSeen == Timestamp(secondsSince1970: 1234))
            #expect(try store.status(named: "never")?.cluster.lastSeen == nil)
            #expect(try store.spec(named: "seen")?.restoreRequestedAt == nil)
            #expect(try store.withWriter { try Schema.currentVersion($0) } == Schema.latestVersion)
        }
    }

    @Test("a restore request is stored, shown in the status, survives reopening and is consumed once")
    func requestAndConsume() throws {
        let clock = TestClock()
        try withStore(clock: clock) { store, path in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.writeStatus(
                SpecStatus(
                    name: "orders", generation: 1, observedGeneration: 1, phase: .failed,
                    cluster: ClusterFacts(identifier: "orders", status: "absent", lastSeen: Timestamp(startTime)),
                    updatedAt: Timestamp(startTime)))
            let requested = try #require(try store.requestRestore(name: "orders")?.restoreRequestedAt)
            #expect(requested == Timestamp(startTime))
            let reopened = try SQLiteStore(path: path, clock: clock.function)
            let status = try #require(try reopened.status(named: "orders"))
            #expect(status.restoreRequestedAt == requested)
            #expect(status.cluster.lastSeen == Timestamp(startTime))

            // A newer request is not consumed by the older one's observation.
            clock.advance(seconds: 5)
            let newer = try #require(try reopened.requestRestore(name: "orders")?.restoreRequestedAt)
            try reopened.consumeRestoreRequest(name: "orders", requestedAt: requested)
            #expect(try reopened.spec(named: "orders")?.restoreRequestedAt == newer)
            try reopened.consumeRestoreRequest(name: "orders", requestedAt: newer)
            #expect(try reopened.spec(named: "orders")?.restoreRequestedAt == nil)
            #expect(try reopened.requestRestore(name: "missing") == nil)
        }
    }

    @Test("a spec being deleted refuses a restore request")
    func refusedWhileDeleting() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            _ = try store.requestDeletion(name: "orders")
            #expect(throws: StoreError.specBeingDeleted(name: "orders")) { try store.requestRestore(name: "orders") }
            #expect(try store.spec(named: "orders")?.restoreRequestedAt == nil)
        }
    }
}
