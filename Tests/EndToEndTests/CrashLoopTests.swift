import AWSServices
import Foundation
import Testing
import TestSupport

/// Twenty `kill -9`s at random moments while ten specs converge, each followed by a restart on the same database and
/// socket, with the submits interleaved among the kills. Afterwards every spec is Ready, the emulator holds each
/// resource exactly once, the database passes `PRAGMA integrity_check`, and no acknowledged submit is lost.
///
/// The emulator's RDS delays (restore 3.5 s, instances 2.5 s, association 1 s) are long enough for kills to land in
/// the middle of each step. The seed is printed and in every failure message; `CRASHLOOP_SEED=<n>` repeats a run's
/// random choices (the kill moments still depend on the machine's speed).
@Suite(.sharedEmulator(restoreSeconds: 3.5, instanceSeconds: 2.5, associationSeconds: 1))
struct CrashLoopTests {
    /// Specs converging at once.
    static let specCount = 10
    /// SIGKILLs, each followed by a restart.
    static let killCount = 20
    /// Seconds from a restart (the socket answers) to the next kill.
    static let killDelays = 0.2...2.5
    /// Longest wait, after the last restart, for every spec to be Ready.
    static let readyTimeout = 180.0

    @Test func twentyKillsWhileTenSpecsConverge() async throws {
        let seed = ProcessInfo.processInfo.environment["CRASHLOOP_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        let started = Date()
        try await withTemporaryDirectory { directory in
            let specs = try (0..<Self.specCount).map { index in
                let name = String(format: "crashloop-%02d", index)
                return SpecFile(name: name, path: try writeDemoSpec(name: name, directory: directory))
            }
            let names = specs.map(\.name)
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }
            var lives = [daemon.process]
            /// A failure message: what failed, the seed that repeats the run, and the running daemon's log tail.
            func failure(_ what: String) -> Comment {
                Comment(rawValue: "seed \(seed): \(what)\n\(daemon.logTail)")
            }
            var acknowledged: Set<String> = []
            var kills: [KillRecord] = []

            for round in 0..<Self.killCount {
                // Spec `round` becomes due now; a due spec whose submit failed (daemon down) is retried.
                let due = specs.prefix(round + 1).filter { !acknowledged.contains($0.name) }
                let delay = Double.random(in: Self.killDelays, using: &random)
                // Up to 0.3 s past the kill, so some submits race it or find the daemon down.
                let submitAfter = Double.random(in: 0...(delay + 0.3), using: &random)
                let process = daemon.process
                let killAt = Date().addingTimeInterval(delay)
                async let submitted = offPool { try Self.submit(due, to: process, after: submitAfter) }
                _ = try await crash(process, when: { Date() >= killAt }, timeout: delay + 1)
                let answers = try await submitted
                for answer in answers {
                    #expect(answer.output.contains("\(answer.name) generation 1 "),
                            "seed \(seed), kill \(round + 1): ctl submit said \(answer.output)")
                }
                acknowledged.formUnion(answers.map(\.name))
                let stages = try ConvergenceStage.read(inspector, specs: names.filter(acknowledged.contains))
                kills.append(KillRecord(stages: stages, midReconcile: Self.isMidReconcile(log: process.child.stderr)))

                try daemon.restart()
                lives.append(daemon.process)
                let lost = acknowledged.subtracting(try daemon.listedNames()).sorted()
                #expect(lost.isEmpty, failure("after kill \(round + 1), acknowledged submits are lost: \(lost)"))
            }

            for spec in specs where !acknowledged.contains(spec.name) {
                try daemon.submit(spec.path)
                acknowledged.insert(spec.name)
            }
            var statuses: [SpecStatusView] = []
            let allReady = try await eventually(timeout: Self.readyTimeout, interval: 1) {
                statuses = try daemon.listedStatuses()
                return statuses.count == names.count && statuses.allSatisfy { $0.phase == "Ready" }
            }
            let notReady = statuses.filter { $0.phase != "Ready" }.map(\.description).joined(separator: "\n")
            #expect(allReady, failure("not Ready \(Self.readyTimeout) s after the last restart:\n\(notReady)"))

            for name in names {
                ConvergeChecks.readyStatus(try daemon.status(name))
                try ConvergeChecks.noDuplicates(
                    inspector, spec: name,
                    context: "(seed \(seed)); its actions over \(lives.count) daemon lives:\n"
                        + Self.actionHistory(of: name, in: lives))
            }
            let roles = try inspector.roleNames(prefix: "aurorad-").sorted()
            #expect(roles == names.map(EmulatorInspector.managedRoleName),
                    "seed \(seed): the emulator's aurorad- roles are \(roles)")
            let restored = try inspector.allRestores().compactMap { $0["DBClusterIdentifier"] as? String }.sorted()
            #expect(restored == names, "seed \(seed): accepted restores by cluster: \(restored)")

            let exit = daemon.process.stop()
            #expect(exit == 0, failure("on SIGTERM the daemon exited \(exit.map(String.init) ?? "late")"))
            let database = try daemon.readDatabase()
            #expect(database.integrity == ["ok"], "seed \(seed): PRAGMA integrity_check: \(database.integrity)")
            #expect(database.specNames == names, "seed \(seed): the specs table holds \(database.specNames)")

            let summary = KillRecord.summary(kills)
            print("CrashLoopTests: seed \(seed), \(kills.count) kills, \(summary), "
                  + "\(Int(Date().timeIntervalSince(started))) s")
            for stage in [ConvergenceStage.restoring, .instances] {
                let landed = kills.contains { $0.stages.contains(stage) }
                #expect(landed, "seed \(seed): no kill landed during \(stage.rawValue): \(summary)")
            }
        }
    }

    /// `ctl submit`s `specs` in order, `delay` seconds from now, stopping at the first that fails (the daemon is
    /// down or went down meanwhile); returns the acknowledged ones (exit status 0) with what `ctl` printed.
    private static func submit(
        _ specs: [SpecFile], to daemon: DaemonProcess, after delay: Double
    ) throws -> [(name: String, output: String)] {
        Thread.sleep(forTimeInterval: delay)
        var acknowledged: [(name: String, output: String)] = []
        for spec in specs {
            let result = try daemon.ctl(["submit", spec.path])
            guard result.status == 0 else { break }
            acknowledged.append((spec.name, result.stdout))
        }
        return acknowledged
    }

    /// Whether a daemon's log ends with a reconcile started (`Reconciling`) and not finished (`Reconciled…` or
    /// `Reconcile failed…`): the controller logs both around every reconcile.
    private static func isMidReconcile(log: String) -> Bool {
        let lines = log.split(separator: "\n")
        let started = lines.count { $0.hasSuffix("] Reconciling") }
        let finished = lines.count { $0.contains("] Reconciled") || $0.contains("] Reconcile failed") }
        return started > finished
    }

    /// The lines of every daemon life's log where `spec` executes an action or something fails, oldest life first.
    private static func actionHistory(of spec: String, in lives: [DaemonProcess]) -> String {
        lives.enumerated().flatMap { life, process in
            process.child.stderr.split(separator: "\n")
                .filter { $0.contains("spec=\(spec)") && ($0.contains("executing") || $0.contains("failed")) }
                .map { "life \(life + 1): \($0)" }
        }.joined(separator: "\n")
    }
}

/// A spec's name and the file `ctl submit` reads.
private struct SpecFile: Sendable {
    let name: String
    let path: String
}

/// How far a spec has come in the emulator's world, read from the outside: tells where a kill landed.
private enum ConvergenceStage: String, CaseIterable, Hashable {
    /// No cluster yet: the role, its policy or the restore call.
    case creatingRole = "role/restore call"
    /// The cluster is `creating`.
    case restoring = "restore in flight"
    /// The cluster is `available`, its role not yet `ACTIVE`.
    case associating = "role association"
    /// The cluster and role are done; an instance is missing or `creating`.
    case instances = "instance creation"
    /// Everything exists and is available.
    case ready

    /// The stage of each of `specs` now, in two RDS reads.
    static func read(_ inspector: EmulatorInspector, specs: [String]) throws -> [String: ConvergenceStage] {
        guard !specs.isEmpty else { return [:] }
        let clusters = try inspector.rds.describeDBClusters(identifiers: specs)
        let instances = Dictionary(grouping: try inspector.rds.describeDBInstances(clusterIdentifiers: specs)) {
            $0.clusterIdentifier ?? ""
        }
        return Dictionary(uniqueKeysWithValues: specs.map { spec in
            guard let cluster = clusters.first(where: { $0.identifier == spec }) else { return (spec, .creatingRole) }
            if cluster.status != "available" { return (spec, .restoring) }
            if cluster.associatedRoles.isEmpty || cluster.associatedRoles.contains(where: { $0.status != "ACTIVE" }) {
                return (spec, .associating)
            }
            let mine = instances[spec] ?? []
            if mine.count < ConvergeChecks.demoInstances.count || mine.contains(where: { $0.status != "available" }) {
                return (spec, .instances)
            }
            return (spec, .ready)
        })
    }
}

/// Where one kill landed: the stage of every acknowledged spec, and whether a reconcile was running.
private struct KillRecord {
    let stages: Set<ConvergenceStage>
    let midReconcile: Bool

    init(stages: [String: ConvergenceStage], midReconcile: Bool) {
        self.stages = Set(stages.values)
        self.midReconcile = midReconcile
    }

    /// How many kills found some spec in each unfinished stage, and how many landed mid-reconcile.
    static func summary(_ kills: [KillRecord]) -> String {
        let stages = ConvergenceStage.allCases.filter { $0 != .ready }.map { stage in
            "\(stage.rawValue) \(kills.count { $0.stages.contains(stage) })"
        }
        let midReconcile = kills.count(where: \.midReconcile)
        return "kills during: " + stages.joined(separator: ", ") + "; mid-reconcile \(midReconcile)"
    }
}
