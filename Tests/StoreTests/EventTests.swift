import Foundation
import StatusModel
import Testing

@testable import Store

@Suite("Events")
struct EventTests {
    /// The event numbered `index`.
    private func event(_ index: Int) -> SpecEvent {
        SpecEvent(
            time: Timestamp(startTime.addingTimeInterval(Double(index))),
            type: index.isMultiple(of: 2) ? .normal : .warning,
            reason: "Step\(index)", message: "Event number \(index).")
    }

    @Test("the log is bounded per spec: 250 appended, the newest 200 kept, returned newest first")
    func bounded() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.put(name: "billing", specJSON: specJSON("billing"))
            try store.appendEvent(name: "billing", event(0))
            for index in 0..<250 {
                #expect(try store.appendEvent(name: "orders", event(index)))
            }
            let events = try store.events(name: "orders", limit: 1000)
            #expect(events.count == 200)
            #expect(events.first == event(249))
            #expect(events.last == event(50))
            #expect(events.map(\.reason) == (50..<250).reversed().map { "Step\($0)" })
            #expect(try rowCount(store, table: "events", name: "orders") == 200)
            #expect(try store.events(name: "billing", limit: 10) == [event(0)])
            #expect(try store.events(name: "orders", limit: 3).map(\.reason) == ["Step249", "Step248", "Step247"])
        }
    }

    @Test("the bound is configurable")
    func configurableBound() throws {
        try withStore(eventLimit: 3) { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            for index in 0..<5 {
                try store.appendEvent(name: "orders", event(index))
            }
            #expect(try store.events(name: "orders", limit: 10) == [event(4), event(3), event(2)])
        }
    }

    @Test("an event for a missing spec is not stored and does not create the spec")
    func missingSpec() throws {
        try withStore { store, _ throws in
            #expect(try !store.appendEvent(name: "ghost", event(1)))
            #expect(try store.events(name: "ghost", limit: 10).isEmpty)
            #expect(try store.spec(named: "ghost") == nil)
        }
    }
}
