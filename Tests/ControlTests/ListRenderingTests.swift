import ImportSpec
import StatusModel
import Testing

@testable import Control

@Suite("ctl list text")
struct ListRenderingTests {
    private static func status(_ name: String, phase: Phase, generation: Int64, clusterStatus: String) -> SpecStatus {
        SpecStatus(
            name: name, generation: generation, observedGeneration: generation - 1, phase: phase, conditions: [],
            cluster: ClusterFacts(identifier: name, status: clusterStatus), role: RoleFacts(name: nil, arn: nil),
            message: nil, deletionRequested: false, updatedAt: Timestamp(secondsSince1970: 1_714_564_800))
    }

    @Test func aRowPerStatusInAlignedColumnsFromTheStatusContract() throws {
        let listed = try JSONValue(encoding: [
            Self.status("a", phase: .ready, generation: 12, clusterStatus: "available"),
            Self.status("longer-name", phase: .converging, generation: 1, clusterStatus: "creating"),
        ])
        #expect(
            try StatusRendering.list(listed) == """
                NAME         PHASE       GENERATION  OBSERVED  CLUSTER STATUS  UPDATED
                a            Ready       12          11        available       2024-05-01T12:00:00Z
                longer-name  Converging  1           0         creating        2024-05-01T12:00:00Z
                """)
    }

    @Test func noSpecsSaysHowToSubmitOne() throws {
        #expect(try StatusRendering.list(.array([])) == "No specs. Submit one with `aurorad ctl submit FILE`.")
    }

    @Test func anAnswerWithoutAPrintedMemberIsAnErrorNamingIt() throws {
        var member = try JSONValue(encoding: Self.status("a", phase: .ready, generation: 1, clusterStatus: "x"))
        guard case .object(var members) = member else { throw ControlClientError(description: "not an object") }
        members["cluster"] = ["identifier": "a"]
        member = .object(members)
        #expect(throws: ControlClientError.self) { try StatusRendering.list(.array([member])) }
        #expect(throws: ControlClientError.self) { try StatusRendering.list(["name": "a"]) }
        do {
            _ = try StatusRendering.list(.array([member]))
        } catch {
            #expect("\(error)".contains("\"cluster.status\""))
        }
    }
}
