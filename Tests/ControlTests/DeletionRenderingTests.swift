import ImportSpec
import StatusModel
import Testing

@testable import Control

@Suite("ctl delete preview and restore text")
struct DeletionRenderingTests {
    @Test func previewListsWhatIsDestroyedInOrderAndWhatIsLeft() throws {
        let preview = DeletionPreview(
            steps: [
                ["delete instance c-1", "delete instance c-2"], ["delete cluster c with final snapshot c-final-1"],
            ],
            leftInPlace: ["instance r (not tagged aurorad:spec=c)"], completes: false,
            message: "Cluster c cannot be deleted while it has instance(s) aurorad did not create.")
        let text = try StatusRendering.deletionPreview(JSONValue(encoding: preview), name: "c")
        #expect(
            text == """
                Deleting spec c would, in order:
                  - delete instance c-1
                  - delete instance c-2
                  - delete cluster c with final snapshot c-final-1
                Left in place, because aurorad did not create them:
                  - instance r (not tagged aurorad:spec=c)
                Then it waits: Cluster c cannot be deleted while it has instance(s) aurorad did not create.
                """)
        let nothing = DeletionPreview(steps: [], leftInPlace: [], completes: true, message: "")
        #expect(
            try StatusRendering.deletionPreview(JSONValue(encoding: nothing), name: "c")
                == "Deleting spec c would, in order:\n  (nothing in AWS)\n  - forget the spec")
    }

    @Test func statusShowsWhenTheClusterWasLastSeenAndAPendingRestore() throws {
        let status = SpecStatus(
            name: "c", generation: 1, observedGeneration: 1, phase: .failed,
            cluster: ClusterFacts(identifier: "c", status: "absent", lastSeen: Timestamp(secondsSince1970: 0)),
            restoreRequestedAt: Timestamp(secondsSince1970: 60), updatedAt: Timestamp(secondsSince1970: 60))
        let text = try StatusRendering.status(JSONValue(encoding: status))
        #expect(text.contains("Cluster last seen:   1970-01-01T00:00:00Z"), "\(text)")
        #expect(text.contains("Restore requested:   1970-01-01T00:01:00Z"), "\(text)")
    }
}
