import Foundation
import StatusModel
import Testing

@testable import Store

@Suite("Status")
struct StatusTests {
    /// A status with every field filled in.
    private func fullStatus(observedGeneration: Int64, phase: Phase = .converging) -> SpecStatus {
        SpecStatus(
            name: "orders", generation: 2, observedGeneration: observedGeneration, phase: phase,
            conditions: [
                Condition(
                    type: "RoleReady", status: .true, reason: "RoleCreated", message: "The role exists.",
                    lastTransitionTime: Timestamp(startTime)),
                Condition(
                    type: "ClusterRestored", status: .unknown, reason: "Restoring", message: "RDS is restoring.",
                    lastTransitionTime: Timestamp(startTime.addingTimeInterval(5))),
            ],
            cluster: ClusterFacts(
                identifier: "orders", status: "creating", arn: "arn:aws:rds:eu-west-1:123456789012:cluster:orders",
                endpoint: "orders.cluster-abc.eu-west-1.rds.amazonaws.com"),
            role: RoleFacts(name: "aurorad-orders", arn: "arn:aws:iam::123456789012:role/aurorad-orders"),
            message: "Waiting for the restore.", deletionRequested: false,
            updatedAt: Timestamp(startTime.addingTimeInterval(7)),
            binlog: BinlogPosition(source: BinlogPosition.fromEvent, file: "mysql-bin.000003", position: 154))
    }

    @Test("before the first write, status is synthesized: Pending, observedGeneration 0, cluster not observed")
    func synthesizedPending() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
            let status = try #require(try store.status(named: "orders"))
            #expect(
                status
                    == SpecStatus(
                        name: "orders", generation: 2, observedGeneration: 0, phase: .pending,
                        cluster: ClusterFacts(identifier: "orders", status: ClusterFacts.notObservedStatus),
                        updatedAt: Timestamp(startTime)))
            _ = try store.requestDeletion(name: "orders")
            #expect(try store.status(named: "orders")?.phase == .deleting)
            #expect(try store.status(named: "missing") == nil)
        }
    }

    @Test("a written status reads back equal, conditions included; listedStatuses() lists every spec by name")
    func roundTrip() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
            try store.put(name: "billing", specJSON: specJSON("billing"))
            let written = fullStatus(observedGeneration: 2)
            #expect(try store.writeStatus(written) == .written)
            #expect(try store.status(named: "orders") == written)

            // Generation and deletionRequested belong to the spec row, whatever the writer passes.
            var misleading = fullStatus(observedGeneration: 2, phase: .ready)
            misleading.generation = 99
            misleading.deletionRequested = true
            misleading.cluster.arn = nil
            misleading.message = nil
            try store.writeStatus(misleading)
            let stored = try #require(try store.status(named: "orders"))
            #expect(stored.generation == 2)
            #expect(!stored.deletionRequested)
            #expect(stored.phase == .ready)
            #expect(stored.cluster.arn == nil)
            #expect(stored.message == nil)

            #expect(try store.listedStatuses().map(\.status.name) == ["billing", "orders"])
            #expect(try store.listedStatuses().map(\.status.observedGeneration) == [0, 2])
        }
    }

    @Test("phaseCounts: written phases, Pending before the first write, Deleting once deletion was requested")
    func phaseCounts() throws {
        try withStore { store, _ in
            #expect(try store.phaseCounts().isEmpty)
            for name in ["orders", "billing", "users", "audit"] { try store.put(name: name, specJSON: specJSON(name)) }
            #expect(try store.phaseCounts() == [.pending: 4])
            try store.writeStatus(fullStatus(observedGeneration: 1, phase: .ready))
            var failed = try #require(try store.status(named: "billing"))
            failed.observedGeneration = 1
            failed.phase = .failed
            try store.writeStatus(failed)
            try store.requestDeletion(name: "audit")
            #expect(try store.phaseCounts() == [.ready: 1, .failed: 1, .pending: 1, .deleting: 1])
        }
    }

    @Test("a write with a lower observedGeneration than stored is ignored")
    func staleWriteIgnored() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.put(name: "orders", specJSON: specJSON("orders", version: 2))
            try store.writeStatus(fullStatus(observedGeneration: 2, phase: .ready))
            #expect(
                try store.writeStatus(fullStatus(observedGeneration: 1, phase: .failed))
                    == .ignoredStale(storedObservedGeneration: 2))
            #expect(try store.status(named: "orders")?.phase == .ready)
            #expect(try store.writeStatus(fullStatus(observedGeneration: 2, phase: .converging)) == .written)
            #expect(try store.status(named: "orders")?.phase == .converging)
        }
    }

    @Test("a status write never resurrects a removed spec")
    func noResurrection() throws {
        try withStore { store, _ in
            try store.put(name: "orders", specJSON: specJSON("orders"))
            try store.remove(name: "orders")
            #expect(try store.writeStatus(fullStatus(observedGeneration: 1)) == .specNotFound)
            #expect(try store.status(named: "orders") == nil)
            #expect(try rowCount(store, table: "status", name: "orders") == 0)
        }
    }

    @Test("status JSON uses the contract's camelCase keys and ISO-8601 UTC times, whatever the encoder's strategy")
    func jsonContract() throws {
        let data = try JSONEncoder().encode(fullStatus(observedGeneration: 2))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys)
                == [
                    "name", "generation", "observedGeneration", "phase", "conditions", "cluster", "role", "message",
                    "deletionRequested", "updatedAt", "binlog",
                ])
        let binlog = try #require(object["binlog"] as? [String: Any])
        #expect(binlog["file"] as? String == "mysql-bin.000003" && binlog["position"] as? Int == 154)
        #expect(binlog["source"] as? String == "rds-event")
        #expect(object["phase"] as? String == "Converging")
        #expect(object["updatedAt"] as? String == "2023-11-14T22:13:27Z")
        let conditions = try #require(object["conditions"] as? [[String: Any]])
        #expect(Set(conditions[0].keys) == ["type", "status", "reason", "message", "lastTransitionTime"])
        #expect(conditions[0]["status"] as? String == "True")
        #expect(conditions[1]["status"] as? String == "Unknown")
        #expect(conditions[0]["lastTransitionTime"] as? String == "2023-11-14T22:13:20Z")
        let cluster = try #require(object["cluster"] as? [String: Any])
        #expect(Set(cluster.keys) == ["identifier", "status", "arn", "endpoint"])
        let role = try #require(object["role"] as? [String: Any])
        #expect(Set(role.keys) == ["name", "arn"])
        #expect(try JSONDecoder().decode(SpecStatus.self, from: data) == fullStatus(observedGeneration: 2))

        let bare = SpecStatus(
            name: "x", generation: 1, observedGeneration: 0, phase: .pending,
            cluster: ClusterFacts(identifier: "x", status: ClusterFacts.notObservedStatus),
            updatedAt: Timestamp(startTime))
        let bareObject = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(bare)) as? [String: Any])
        #expect(Set(try #require(bareObject["cluster"] as? [String: Any]).keys) == ["identifier", "status"])
        #expect(try #require(bareObject["role"] as? [String: Any]).isEmpty)
    }
}
