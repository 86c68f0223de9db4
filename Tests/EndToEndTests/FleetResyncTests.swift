import Foundation
import Testing
import TestSupport

/// The daemon's resync passes after `Ready`: every spec is reconciled in each pass (so drift on any one is seen
/// within one resync), and a whole pass costs a few batched reads, not five per spec. Calls are counted from the
/// daemon's debug log (one line per AWS attempt), as `Benchmarks/daemon_bench.py` does.
@Suite(.sharedEmulator())
struct FleetResyncTests {
    static let specCount = 5

    @Test func aResyncPassOfSeveralReadySpecsCostsAFewBatchedReads() async throws {
        let emulator = try SharedEmulator.require()
        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            let names = (1...Self.specCount).map { "e2e-fleet-\($0)" }
            for name in names { try daemon.submit(try writeDemoSpec(name: name, directory: directory)) }
            for name in names {
                let ready = try await daemon.waitForPhase(name, "Ready")
                #expect(ready.phase == "Ready", "\(name): \(ready)\n\(daemon.logTail)")
            }
            let readyAt = daemon.process.child.stderr.utf8.count
            // Three passes after Ready (resync 10 s), so the middle one is seen whole.
            var passes: [ResyncPass] = []
            let seen = try await eventually(timeout: 60) {
                passes = ResyncPass.split(String(daemon.process.child.stderr.utf8.dropFirst(readyAt)) ?? "")
                return passes.count >= 3
            }
            #expect(seen, "passes seen: \(passes.count)\n\(daemon.logTail)")
            guard passes.count >= 3 else { return }
            let pass = passes[1]
            #expect(pass.specs == Set(names), "every spec is reconciled in the pass")
            #expect(pass.calls.count <= 5, "AWS calls in one pass of \(Self.specCount) Ready specs: \(pass.calls)")
            #expect(!pass.calls.contains { $0.hasSuffix(":GetRole") || $0.hasSuffix(":ListRolePolicies") })
        }
    }
}

/// The daemon log lines of one resync pass: from its first `Reconciling` line to the next pass's first.
struct ResyncPass {
    var specs: Set<String> = []
    /// `service:Action` of each AWS attempt.
    var calls: [String] = []

    /// Splits a debug log into passes: `Reconciling` lines more than 3 s apart (resync 10 s, no polls after Ready)
    /// start a new pass.
    static func split(_ log: String) -> [ResyncPass] {
        let time = ISO8601DateFormatter()
        time.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var passes: [ResyncPass] = []
        var last: Date?
        for line in log.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 3)
            guard fields.count >= 3 else { continue }
            if fields[2] == "Reconciling", let at = time.date(from: String(fields[0])) {
                if last.map({ at.timeIntervalSince($0) > 3 }) ?? true { passes.append(ResyncPass()) }
                last = at
                if let spec = line.firstMatch(of: /spec=(\S+)/) {
                    passes[passes.count - 1].specs.insert(String(spec.1))
                }
            } else if !passes.isEmpty, let service = line.firstMatch(of: /aws\.service=(\S+)/),
                let action = line.firstMatch(of: /aws\.action=(\S+)/)
            {
                passes[passes.count - 1].calls.append("\(service.1):\(action.1)")
            }
        }
        return passes
    }
}
