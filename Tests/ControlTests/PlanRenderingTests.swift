import ImportSpec
import Testing

@testable import Control

@Suite("ctl plan text")
struct PlanRenderingTests {
    @Test func numberedStepsInOrderWithParallelGroupsAndWhatStartsNow() throws {
        let result: JSONValue = [
            "phase": "Pending",
            "steps": [
                ["create role r"], ["put policy p"], ["restore c"], ["associate r"], ["create i1", "create i2"],
            ],
            "now": [["create role r"], ["put policy p"]],
            "conditions": .array([]),
            "projectedPhase": "Ready",
            "projectedMessage": "Cluster c is available with 2 instance(s).",
        ]
        let text = try StatusRendering.plan(result)
        #expect(
            text == """
                Steps a submit would carry out, in order (a step's actions run in parallel):
                  1. create role r
                  2. put policy p
                  3. restore c
                  4. associate r
                  5. in parallel:
                       create i1
                       create i2
                Start now: steps 1-2; the rest follow as AWS settles (each needs what the steps before it create).
                Phase now: Pending; after these steps: Ready: Cluster c is available with 2 instance(s).
                """)
    }

    @Test func oneStepRunnableNowAndTheRestLater() throws {
        let result: JSONValue = [
            "phase": "Converging", "steps": [["wait"], ["associate"]], "now": [["wait"]], "conditions": .array([]),
            "projectedPhase": "Ready", "projectedMessage": "",
        ]
        let text = try StatusRendering.plan(result)
        #expect(text.contains("Start now: step 1; the rest follow as AWS settles"))
        #expect(text.hasSuffix("Phase now: Converging; after these steps: Ready"))
    }

    @Test func everythingRunnableNow() throws {
        let result: JSONValue = [
            "phase": "Converging", "steps": [["create i1", "create i2"]], "now": [["create i1", "create i2"]],
            "conditions": .array([]), "projectedPhase": "Ready", "projectedMessage": "Done.",
        ]
        #expect(try StatusRendering.plan(result).contains("All of them start now."))
    }

    @Test func convergedSpecHasNoActions() throws {
        let result: JSONValue = [
            "phase": "Ready", "steps": .array([]), "now": .array([]), "conditions": .array([]),
            "projectedPhase": "Ready", "projectedMessage": "Done.",
        ]
        #expect(try StatusRendering.plan(result) == "No actions: AWS already matches the spec.\nPhase: Ready")
    }

    @Test func failedSpecShowsTheFailureInsteadOfSteps() throws {
        let result: JSONValue = [
            "phase": "Failed", "steps": .array([]), "now": .array([]), "conditions": .array([]),
            "projectedPhase": "Failed",
            "projectedMessage": "The backup is not prepared: run xtrabackup --prepare.",
        ]
        #expect(
            try StatusRendering.plan(result)
                == "No actions: The backup is not prepared: run xtrabackup --prepare.\nPhase: Failed")
    }
}
