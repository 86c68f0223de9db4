import Control
import Daemon
import Foundation
import ImportSpec
import Logging
import StatusModel
import Store
import Synchronization
import Testing
import TestSupport

/// What the handler passed on to the daemon.
private final class HookLog: Sendable {
    let calls = Mutex<[String]>([])

    var hooks: SpecControlHandler.SpecHooks {
        SpecControlHandler.SpecHooks(
            submitted: { name, _ in self.calls.withLock { $0.append("submitted \(name)") } },
            deletionRequested: { name in self.calls.withLock { $0.append("delete \(name)") } },
            restoreRequested: { name in self.calls.withLock { $0.append("restore \(name)") } },
            deletePreview: { spec in
                self.calls.withLock { $0.append("preview \(spec.name)") }
                return DeletionPreview(
                    steps: [["delete cluster \(spec.name)"]], leftInPlace: [], completes: true, message: "")
            })
    }
}

@Suite("SpecControlHandler: restore, delete preview, keep-resources and list")
struct SpecControlHandlerTests {
    private let peer = PeerCredentials(pid: 1, uid: 0, gid: 0)

    /// A handler over a fresh store holding the demo spec (named `demo`), with its hooks recorded.
    private func withHandler(_ body: (SpecControlHandler, SQLiteStore, HookLog) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/aurorad.db")
            let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("config/demo-spec.json")
            var spec = try ImportSpec.decode(from: Data(contentsOf: demo))
            spec.name = "demo"
            try store.put(name: "demo", specJSON: spec.canonicalJSON())
            let log = HookLog()
            try body(SpecControlHandler(store: store, hooks: log.hooks, logger: Logger(label: "test")), store, log)
        }
    }

    /// Writes a status whose cluster is `clusterStatus`, seen before when `seen`.
    private func writeStatus(_ store: SQLiteStore, clusterStatus: String, seen: Bool) throws {
        try store.writeStatus(
            SpecStatus(
                name: "demo", generation: 1, observedGeneration: 1, phase: .failed,
                cluster: ClusterFacts(
                    identifier: "demo", status: clusterStatus, lastSeen: seen ? Timestamp(secondsSince1970: 5) : nil),
                updatedAt: Timestamp(secondsSince1970: 6)))
    }

    @Test func restoreOfAVanishedClusterIsRecordedAndWakesTheSpec() throws {
        try withHandler { handler, store, log throws in
            try writeStatus(store, clusterStatus: "absent", seen: true)
            let response = handler.handle(.restore(name: "demo"), peer: peer)
            #expect(try response.get()["restoreRequested"] == .bool(true))
            #expect(try store.spec(named: "demo")?.restoreRequestedAt != nil)
            #expect(log.calls.withLock { $0 } == ["restore demo"])
        }
    }

    @Test(arguments: [("available", true, "exists"), ("absent", false, "has not been restored yet")])
    func restoreIsRefusedAndChangesNothing(clusterStatus: String, seen: Bool, expected: String) throws {
        try withHandler { handler, store, log throws in
            try writeStatus(store, clusterStatus: clusterStatus, seen: seen)
            let response = handler.handle(.restore(name: "demo"), peer: peer)
            #expect(response.controlError?.code == .conflict)
            #expect(response.controlError?.message.contains(expected) == true, "\(response)")
            #expect(try store.spec(named: "demo")?.restoreRequestedAt == nil)
            #expect(log.calls.withLock { $0 }.isEmpty)
        }
    }

    @Test func restoreOfASpecBeingDeletedOrMissingIsRefused() throws {
        try withHandler { handler, store, _ throws in
            try writeStatus(store, clusterStatus: "absent", seen: true)
            #expect(handler.handle(.restore(name: "nope"), peer: peer).controlError?.code == .notFound)
            _ = handler.handle(.delete(name: "demo"), peer: peer)
            let response = handler.handle(.restore(name: "demo"), peer: peer)
            #expect(response.controlError?.code == .conflict)
            #expect(response.controlError?.message.contains("being deleted") == true)
            #expect(try store.spec(named: "demo")?.restoreRequestedAt == nil)
        }
    }

    @Test func keepResourcesForgetsTheSpecWithoutWakingIt() throws {
        try withHandler { handler, store, log throws in
            let response = handler.handle(.forget(name: "demo"), peer: peer)
            #expect(try response.get()["forgotten"] == .bool(true))
            #expect(try store.spec(named: "demo") == nil)
            #expect(log.calls.withLock { $0 }.isEmpty)
            #expect(handler.handle(.forget(name: "demo"), peer: peer).controlError?.code == .notFound)
        }
    }

    @Test func listFiltersByPhaseAndASummaryHoldsOnlyThePrintedMembers() throws {
        try withHandler { handler, store, _ throws in
            try writeStatus(store, clusterStatus: "absent", seen: true)
            let all = try handler.handle(.list(), peer: peer).get()
            #expect(try all.decode([SpecStatus].self).map(\.name) == ["demo"])
            #expect(try handler.handle(.list(phase: .ready), peer: peer).get() == .array([]))
            let failed = try handler.handle(.list(phase: .failed, summary: true), peer: peer).get()
            #expect(
                failed == [
                    [
                        "name": "demo", "phase": "Failed", "generation": 1, "observedGeneration": 1,
                        "cluster": ["status": "absent"], "updatedAt": "1970-01-01T00:00:06Z",
                    ]
                ])
        }
    }

    @Test func deletePreviewChangesNothing() throws {
        try withHandler { handler, store, log throws in
            let result = try handler.handle(.deletePreview(name: "demo"), peer: peer).get()
            #expect(try result.decode(DeletionPreview.self).steps == [["delete cluster demo"]])
            #expect(try store.spec(named: "demo")?.deletionRequested == false)
            #expect(log.calls.withLock { $0 } == ["preview demo"])
            #expect(handler.handle(.deletePreview(name: "nope"), peer: peer).controlError?.code == .notFound)
        }
    }
}

extension ControlResponse {
    /// The error of a failure, nil for a success.
    fileprivate var controlError: ControlError? {
        if case .failure(let error) = outcome { return error }
        return nil
    }
}
