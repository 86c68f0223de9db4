import Foundation
import StatusModel
import Testing

@testable import Store

@Suite("Listing")
struct ListingTests {
    @Test("listedStatuses: every spec by name, the status without conditions and the conditions as stored")
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

    @Test("listedStatuses(after:limit:): pages by name that together are the whole list, each page one read")
    func pagesMakeTheWholeList() throws {
        try withStore { store, _ in
            let names = (0..<7).map { "spec-\($0)" }
            for name in names.shuffled() { try store.put(name: name, specJSON: specJSON(name)) }
            var pages: [[String]] = []
            var after: String?
            for _ in 0..<10 {
                let page = try store.listedStatuses(after: after, limit: 3).map(\.status.name)
                pages.append(page)
                guard page.count == 3, let last = page.last else { break }
                after = last
            }
            #expect(pages == [["spec-0", "spec-1", "spec-2"], ["spec-3", "spec-4", "spec-5"], ["spec-6"]])
            #expect(try store.listedStatuses(after: "spec-6", limit: 3).isEmpty)
            // A spec added behind the position is not in the rest; one ahead of it is.
            try store.put(name: "spec-00", specJSON: specJSON("spec-00"))
            try store.put(name: "spec-7", specJSON: specJSON("spec-7"))
            #expect(
                try store.listedStatuses(after: "spec-4", limit: 10).map(\.status.name) == [
                    "spec-5", "spec-6", "spec-7",
                ])
        }
    }
}

extension SQLiteStore {
    /// Every listed status, in one page.
    func listedStatuses() throws -> [ListedStatus] {
        try listedStatuses(after: nil, limit: Int(Int32.max))
    }
}
