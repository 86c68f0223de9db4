import Foundation
import StatusModel
import Testing

@testable import Store

@Suite("Listing")
struct ListingTests {
    @Test("forEachListedStatus: every spec by name, the status without conditions and the conditions as stored")
    func listedMatchesStatuses() throws {
        try withStore { store, _ in
            for name in ["b-orders", "a-users"] { try store.put(name: name, specJSON: specJSON(name)) }
            let condition = Condition(
                type: "RoleReady", status: .true, reason: "RoleCreated", message: "Role arn:aws:iam::1:role/x exists.",
                lastTransitionTime: Timestamp(startTime))
            var written = try #require(try store.status(named: "b-orders"))
            written.observedGeneration = 1
            written.phase = .converging
            written.conditions = [condition]
            try store.writeStatus(written)

            let listed = try store.listedStatuses()
            let statuses = try ["a-users", "b-orders"].map { try #require(try store.status(named: $0)) }
            #expect(listed.map(\.status.name) == ["a-users", "b-orders"])
            #expect(listed.allSatisfy { $0.status.conditions.isEmpty })
            #expect(listed[0].conditionsJSON == "[]")
            let decoded = try JSONDecoder().decode([Condition].self, from: Data(listed[1].conditionsJSON.utf8))
            #expect(decoded == [condition])
            for (entry, status) in zip(listed, statuses) {
                var bare = status
                bare.conditions = []
                #expect(entry.status == bare)
            }
        }
    }

    @Test("forEachListedStatus: an error the visitor throws ends the read and comes back to the caller")
    func visitorErrorEndsTheRead() throws {
        struct Enough: Error {}
        try withStore { store, _ in
            for name in ["a", "b", "c"] { try store.put(name: name, specJSON: specJSON(name)) }
            var visited: [String] = []
            #expect(throws: Enough.self) {
                try store.forEachListedStatus { entry in
                    visited.append(entry.status.name)
                    if visited.count == 2 { throw Enough() }
                }
            }
            #expect(visited == ["a", "b"])
            #expect(try store.listedStatuses().count == 3, "the store reads again after the abandoned read")
        }
    }
}

extension SQLiteStore {
    /// Every listed status, collected from `forEachListedStatus`.
    func listedStatuses() throws -> [ListedStatus] {
        var listed: [ListedStatus] = []
        try forEachListedStatus { listed.append($0) }
        return listed
    }
}
