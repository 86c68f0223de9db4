import Foundation
import StatusModel
import Testing

@testable import Store

@Suite("Specs: generations and deletion")
struct SpecTests {
    @Test("a new spec starts at generation 1; identical JSON keeps the generation; changed JSON increments it")
    func generationSemantics() throws {
        let clock = TestClock()
        try withStore(clock: clock) { store, _ in
            #expect(
                try store.put(name: "orders", specJSON: specJSON("orders"))
                    == PutOutcome(generation: 1, created: true, changed: true))
            clock.advance(seconds: 10)
            #expect(
                try store.put(name: "orders", specJSON: specJSON("orders"))
                    == PutOutcome(generation: 1, created: false, changed: false))
            #expect(try store.spec(named: "orders")?.updatedAt == Timestamp(startTime))

            clock.advance(seconds: 10)
            #expect(
                try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
                    == PutOutcome(generation: 2, created: false, changed: true))
            #expect(
                try store.put(name: "orders", specJSON: specJSON("orders", version: 3))
                    == PutOutcome(generation: 3, created: false, changed: true))
            // Going back to earlier bytes is still a change.
            #expect(try store.put(name: "orders", specJSON: specJSON("orders")).generation == 4)

            let spec = try #require(try store.spec(named: "orders"))
            #expect(spec.specJSON == specJSON("orders"))
            #expect(spec.createdAt == Timestamp(startTime))
            #expect(spec.updatedAt == Timestamp(startTime.addingTimeInterval(20)))
            #expect(!spec.deletionRequested)
        }
    }

    @Test("generations are per spec name")
    func generationsPerName() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
            #expect(try store.put(name: "billing", specJSON: specJSON("billing")).generation == 1)
            #expect(try store.put(name: "archive", specJSON: specJSON("archive")).generation == 1)
            #expect(try store.spec(named: "orders")?.generation == 2)
            #expect(try store.specs().map(\.name) == ["archive", "billing", "orders"])
            #expect(try store.specs().map(\.generation) == [1, 1, 2])
            #expect(try store.spec(named: "missing") == nil)
        }
    }

    @Test("deletion: request, re-submit refused while deleting, remove cascades to status and events")
    func deletionFlow() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.put(name: "billing", specJSON: specJSON("billing"))
            try store.writeStatus(
                SpecStatus(
                    name: "orders", generation: 1, observedGeneration: 1, phase: .ready,
                    cluster: ClusterFacts(identifier: "orders", status: "available"), updatedAt: Timestamp(startTime)))
            try store.appendEvent(
                name: "orders", SpecEvent(time: Timestamp(startTime), type: .normal, reason: "Ready", message: "Done."))

            #expect(try store.requestDeletion(name: "missing") == nil)
            let requested = try #require(try store.requestDeletion(name: "orders"))
            #expect(requested.deletionRequested)
            #expect(requested.generation == 1)
            #expect(try store.requestDeletion(name: "orders") == requested)
            #expect(try store.status(named: "orders")?.deletionRequested == true)

            let refused = try #require(throws: StoreError.self) {
                try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
            }
            #expect(refused == .specBeingDeleted(name: "orders"))
            #expect(refused.description.contains("Spec orders is being deleted; wait for deletion to finish"))
            #expect(try store.spec(named: "orders")?.specJSON == specJSON("orders"))

            #expect(try store.remove(name: "orders"))
            #expect(try store.spec(named: "orders") == nil)
            #expect(try store.status(named: "orders") == nil)
            #expect(try store.events(name: "orders", limit: 10).isEmpty)
            #expect(try rowCount(store, table: "status", name: "orders") == 0)
            #expect(try rowCount(store, table: "events", name: "orders") == 0)
            #expect(try !store.remove(name: "orders"))
            #expect(try store.specs().map(\.name) == ["billing"])

            // Once removed, the name is free again and starts over.
            #expect(
                try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
                    == PutOutcome(generation: 1, created: true, changed: true))
        }
    }

    @Test("empty and binary spec bytes are stored exactly")
    func bytesStoredExactly() throws {
        try withStore { store, _ in
            let binary = Data([0, 1, 2, 0xFF, 0, 0x7F])
            try store.put(name: "binary", specJSON: binary)
            try store.put(name: "empty", specJSON: Data())
            #expect(try store.spec(named: "binary")?.specJSON == binary)
            #expect(try store.spec(named: "empty")?.specJSON == Data())
            #expect(try store.put(name: "empty", specJSON: Data()).changed == false)
        }
    }
}
