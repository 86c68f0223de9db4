import Foundation
import StatusModel
import Testing

@Suite("Condition")
struct ConditionTests {
    @Test("setting a condition keeps lastTransitionTime unless the status changes")
    func setCondition() {
        let early = Timestamp(startTime)
        let late = Timestamp(startTime.addingTimeInterval(60))
        func condition(_ status: ConditionStatus, _ reason: String, _ message: String, _ time: Timestamp) -> Condition {
            Condition(type: "RoleReady", status: status, reason: reason, message: message, lastTransitionTime: time)
        }
        var conditions: [Condition] = []
        let added = conditions.set(condition(.false, "Creating", "A", early))
        #expect(added)
        let repeated = conditions.set(condition(.false, "Creating", "A", late))
        #expect(!repeated)
        #expect(conditions.condition(ofType: "RoleReady")?.lastTransitionTime == early)

        let reworded = conditions.set(condition(.false, "Waiting", "B", late))
        #expect(reworded)
        #expect(conditions.condition(ofType: "RoleReady")?.lastTransitionTime == early)
        #expect(conditions.condition(ofType: "RoleReady")?.message == "B")

        let flipped = conditions.set(condition(.true, "Created", "C", late))
        #expect(flipped)
        #expect(conditions.condition(ofType: "RoleReady")?.lastTransitionTime == late)
        #expect(conditions.count == 1)

        conditions.set(
            Condition(type: "Ready", status: .unknown, reason: "Pending", message: "D", lastTransitionTime: late))
        #expect(conditions.map(\.type) == ["RoleReady", "Ready"])
        #expect(conditions.condition(ofType: "Missing") == nil)
    }
}
