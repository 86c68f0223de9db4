import Foundation
import ImportSpec
import StatusModel
import Testing

@testable import Control

@Suite("Command results on the wire")
struct ControlResultsTests {
    private let time = Timestamp(secondsSince1970: 1_700_000_000)

    @Test("submit, delete, forget and restore results are the flat objects ctl has always read")
    func flatResults() throws {
        let submit = SubmitResult(name: "db1", generation: 2, created: false, changed: true)
        #expect(
            try JSONText.compact(JSONValue(encoding: submit))
                == Array(#"{"changed":true,"created":false,"generation":2,"name":"db1"}"#.utf8))
        #expect(
            try JSONText.compact(JSONValue(encoding: DeleteResult(name: "db1")))
                == Array(#"{"deletionRequested":true,"name":"db1"}"#.utf8))
        #expect(
            try JSONText.compact(JSONValue(encoding: ForgetResult(name: "db1")))
                == Array(#"{"forgotten":true,"name":"db1"}"#.utf8))
        let restore = RestoreResult(name: "db1", requestedAt: time)
        #expect(
            try JSONText.compact(JSONValue(encoding: restore))
                == Array(#"{"name":"db1","restoreRequested":true,"restoreRequestedAt":"2023-11-14T22:13:20Z"}"#.utf8))
        #expect(try JSONValue(encoding: submit).decode(SubmitResult.self) == submit)
        #expect(try JSONValue(encoding: restore).decode(RestoreResult.self) == restore)
    }

    @Test("a plan result is the preview's members with the two ownership lists beside them")
    func planResult() throws {
        let condition = Condition(
            type: "RoleReady", status: .false, reason: "NotFound", message: "No role yet.", lastTransitionTime: time)
        let plan = PlanResult(
            preview: PlanPreview(
                steps: [["create role r"], ["restore c"]], now: [["create role r"]], phase: .pending,
                conditions: [condition], projectedPhase: .ready, projectedMessage: "Done."),
            managedSettings: ["tags"], unmanagedSettings: ["port"])
        let value = try JSONValue(encoding: plan)
        guard case .object(let members) = value else {
            Issue.record("a plan result is not an object: \(value)")
            return
        }
        #expect(
            Set(members.keys)
                == [
                    "steps", "now", "phase", "conditions", "projectedPhase", "projectedMessage", "managedSettings",
                    "unmanagedSettings",
                ])
        #expect(members["phase"] == "Pending" && members["projectedPhase"] == "Ready")
        #expect(try value.decode(PlanResult.self) == plan)
    }
}
