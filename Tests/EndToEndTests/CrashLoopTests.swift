import AWSServices
import Foundation
import Synchronization
import Testing
import TestSupport

/// Twenty `kill -9`s at random moments while ten specs converge, each followed by a restart on the same database and
/// socket, while an operator submits the specs one by one, whatever the daemon is going through. Afterwards every
/// spec is Ready, the emulator holds each resource exactly once, the database passes `PRAGMA integrity_check` after
/// every kill and at the end, and every acknowledged submit is stored.
///
/// The emulator's RDS delays (restore 3.5 s, instances 2.5 s, association 1 s) are long enough for kills to land in
/// the middle of each step. The kills and restarts run on a thread of their own, so a busy test pool (a parallel
/// run) neither keeps the daemon down nor lets it run past a kill's moment; the operator paces its submits by the
/// kills, not by the clock, so however long each round takes, specs keep entering those steps until about two thirds
/// of the kills are done. The seed is printed and in every failure message; `CRASHLOOP_SEED=<n>` repeats a run's
/// random choices (the moments they lead to still depend on the machine's speed).
@Suite(.sharedEmulator(restoreSeconds: 3.5, instanceSeconds: 2.5, associationSeconds: 1))
struct CrashLoopTests {
    /// Specs converging at once.
    static let specCount = 10
    /// SIGKILLs, each followed by a restart.
    static let killCount = 20
    /// Seconds from a restart (the socket answers) to the earliest moment of the next kill.
    static let killDelays = 0.2...2.5
    /// Longest extra wait, after that moment, for the activity a kill targets; the kill comes then anyway.
    static let targetWait = 3.0
    /// Every this many kills, if a convergence stage some kill must land in (`KillLoop.stagesToCover`) has none yet,
    /// the kill waits for an acknowledged spec in such a stage and for nothing else. At the other kills such a stage,
    /// when a read sees it after the kill's moment, triggers the kill as the targeted activity does; once every stage
    /// is covered (usually within the first few kills) the kills are random only.
    static let stageKillEvery = 5
    /// Longest extra wait for a stage a kill targets alone; the kill comes then anyway.
    static let stageWait = 30.0
    /// Seconds between two reads of the specs' stages while a kill, its moment come, looks for a stage to cover.
    static let stageReadInterval = 0.2
    /// Spec `i` is submitted no earlier than after kill ⌊i × killsPerSubmit⌋ (the first at once, the last after kill
    /// 13): later kills still find specs restoring and creating instances however long the rounds take.
    static let killsPerSubmit = 1.5
    /// Seconds the operator pauses, once a spec's kills have come, before its first attempt.
    static let submitPauses = 0.0...2.0
    /// Longest time the operator waits for a spec's kills to come (two rounds take well under a minute even on a
    /// loaded machine); it submits then anyway, so a stuck kill loop cannot hold it forever.
    static let killWaitTimeout = 180.0
    /// Longest time the operator keeps retrying one submit.
    static let submitTimeout = 60.0
    /// Longest wait, after the last restart, for every spec to be Ready.
    static let readyTimeout = 180.0

    @Test func twentyKillsWhileTenSpecsConverge() async throws {
        let seed =
            ProcessInfo.processInfo.environment["CRASHLOOP_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        let started = Date()
        try await withTemporaryDirectory { directory in
            let loop = try CrashLoop(seed: seed, directory: directory, environment: emulator.environment)
            let submitter = loop.submitter
            // Not an `async let`: a failing kill loop must not wait for the operator, only stop it.
            let submitting = Task { try await offPool { try submitter.submitAll() } }
            defer {
                submitter.stop()
                loop.daemon.process.kill()
            }
            try await loop.runKills(inspector: inspector)
            try await submitting.value
            try await loop.convergeAndCheck(inspector: inspector)
            print("CrashLoopTests: seed \(seed), \(loop.summary), \(Int(Date().timeIntervalSince(started))) s")
        }
    }
}

/// One run of the crash loop: the daemon under test, the seeded choices, and what the run has seen so far.
private final class CrashLoop {
    let daemon: DaemonUnderTest
    /// Submits the specs, concurrently with the kills.
    let submitter: SubmittingOperator
    private let seed: UInt64
    private let specs: [SpecFile]
    /// Each kill's drawn delay and target, in order.
    private let plans: [KillPlan]
    /// When the first daemon's socket answered: the first kill's delay counts from here.
    private let started: Date
    /// Every daemon process of the run, oldest first.
    private var lives: [DaemonProcess]
    private var kills: [KillRecord] = []

    /// Writes the specs, starts the daemon in `directory` and draws the operator's pauses and the kills' plans.
    init(seed: UInt64, directory: String, environment: [String: String]) throws {
        self.seed = seed
        var random = SplitMix64(seed: seed)
        specs = try (0..<CrashLoopTests.specCount).map { index in
            let name = String(format: "crashloop-%02d", index)
            return SpecFile(name: name, path: try writeDemoSpec(name: name, directory: directory))
        }
        daemon = try DaemonUnderTest(directory: directory, environment: environment)
        started = Date()
        lives = [daemon.process]
        submitter = SubmittingOperator(
            specs: specs, killsBefore: specs.indices.map { Int(Double($0) * CrashLoopTests.killsPerSubmit) },
            pauses: specs.map { _ in Double.random(in: CrashLoopTests.submitPauses, using: &random) },
            socket: daemon.process)
        plans = (1...CrashLoopTests.killCount).map { _ in
            KillPlan(
                delay: Double.random(in: CrashLoopTests.killDelays, using: &random),
                target: DaemonActivity.allCases.randomElement(using: &random) ?? .idle)
        }
    }

    /// The spec names, in submit order.
    private var names: [String] { specs.map(\.name) }

    /// The kills and submits so far, for the report and for failure messages.
    var summary: String { "\(kills.count) kills, \(KillRecord.summary(kills)); \(submitter.summary)" }

    /// A failure message: what failed, the seed that repeats the run, and the running daemon's log tail.
    private func failure(_ what: String) -> Comment {
        Comment(rawValue: "seed \(seed): \(what)\n\(daemon.logTail)")
    }

    /// Every kill and restart, on a thread of their own (`KillLoop`), so a busy test pool can keep the daemon
    /// neither up past a kill's moment nor down after a kill; then checks what each kill found: the daemon was
    /// alive until the kill, and the database it left is sound and holds every submit acknowledged before it.
    func runKills(inspector: EmulatorInspector) async throws {
        let loop = KillLoop(
            plans: plans, start: daemon.starter(), databasePath: daemon.process.databasePath, submitter: submitter,
            names: names, inspector: inspector)
        let (first, started) = (daemon.process, started)
        let (records, restarted) = try await offPool { try loop.run(from: first, startedAt: started) }
        kills = records
        lives += restarted
        if let last = restarted.last { daemon.adopt(last) }
        for (round, kill) in zip(1..., kills) {
            #expect(
                kill.deathLog == nil,
                "seed \(seed): the daemon died on its own before kill \(round):\n\(kill.deathLog ?? "")")
            #expect(
                kill.integrity == ["ok"], "seed \(seed): PRAGMA integrity_check after kill \(round): \(kill.integrity)")
            #expect(
                kill.lost.isEmpty,
                "seed \(seed): after kill \(round), acknowledged submits are not stored: \(kill.lost)")
        }
    }

    /// After the last restart and every submit: waits until every spec is Ready, checks the emulator's world resource
    /// by resource, stops the daemon and checks the database; and that the kills spread over the convergence.
    func convergeAndCheck(inspector: EmulatorInspector) async throws {
        var statuses: [SpecStatusView] = []
        let allReady = try await eventually(timeout: CrashLoopTests.readyTimeout, interval: 1) {
            statuses = try daemon.listedStatuses()
            return statuses.count == specs.count && statuses.allSatisfy { $0.phase == "Ready" }
        }
        let notReady = statuses.filter { $0.phase != "Ready" }.map(\.description).joined(separator: "\n")
        #expect(allReady, failure("not Ready \(CrashLoopTests.readyTimeout) s after the last restart:\n\(notReady)"))

        for name in names {
            ConvergeChecks.readyStatus(try daemon.status(name))
            try ConvergeChecks.noDuplicates(
                inspector, spec: name,
                context: "(seed \(seed)); its actions over \(lives.count) daemon lives:\n\(actionHistory(of: name))")
        }
        let roles = try inspector.roleNames(prefix: "aurorad-").sorted()
        #expect(
            roles == names.map(EmulatorInspector.managedRoleName),
            "seed \(seed): the emulator's aurorad- roles are \(roles)")
        let restored = try inspector.allRestores().compactMap { $0["DBClusterIdentifier"] as? String }.sorted()
        #expect(restored == names, "seed \(seed): accepted restores by cluster: \(restored)")

        let exit = daemon.process.stop()
        #expect(exit == 0, failure("on SIGTERM the daemon exited \(exit.map(String.init) ?? "late")"))
        let database = try daemon.readDatabase()
        #expect(database.integrity == ["ok"], "seed \(seed): PRAGMA integrity_check: \(database.integrity)")
        #expect(database.specNames == names, "seed \(seed): the specs table holds \(database.specNames)")

        for stage in KillLoop.stagesToCover {
            let landed = kills.contains { $0.stages.contains(stage) }
            #expect(landed, "seed \(seed): no kill landed during \(stage.rawValue): \(summary)")
        }
        #expect(kills.contains { $0.activity != .idle }, "seed \(seed): no kill during a reconcile: \(summary)")
    }

    /// The lines of every daemon life's log where `spec` executes an action or something fails, oldest life first.
    private func actionHistory(of spec: String) -> String {
        lives.enumerated().flatMap { life, process in
            process.child.stderr.split(separator: "\n")
                .filter { $0.contains("spec=\(spec)") && ($0.contains("executing") || $0.contains("failed")) }
                .map { "life \(life + 1): \($0)" }
        }.joined(separator: "\n")
    }
}

/// One kill's random choices, drawn from the seed before the kills start.
private struct KillPlan: Sendable {
    /// Seconds from the restart before it (or the first start) to the kill's earliest moment.
    let delay: Double
    /// The daemon activity the kill waits for after that moment, at most `targetWait` seconds.
    let target: DaemonActivity
}

/// The kills and restarts of one run, on the calling thread (never the test pool): each kill comes at its moment,
/// and the daemon is back as soon as the crashed database is read.
private struct KillLoop: Sendable {
    let plans: [KillPlan]
    /// Starts a daemon on the run's database and socket (`DaemonUnderTest.starter()`).
    let start: @Sendable () throws -> DaemonProcess
    let databasePath: String
    let submitter: SubmittingOperator
    /// The spec names, in submit order.
    let names: [String]
    let inspector: EmulatorInspector

    /// The stages some kill must land in.
    static let stagesToCover: [ConvergenceStage] = [.restoring, .instances]

    /// Runs every plan against `first`, whose socket answered at `startedAt`: each kill's watch SIGKILLs the daemon
    /// at the plan's moment, or at the first moment after it in which the plan's activity runs (at most `targetWait`
    /// seconds later) or an acknowledged spec is in a stage no kill has landed in yet (see `stageKillEvery`); then
    /// notes where the kill landed, reads the database as the crash left it and restarts the daemon. Returns what
    /// each kill found and the restarted daemons, oldest first. On an error, kills the daemon it started last.
    func run(from first: DaemonProcess, startedAt: Date) throws -> (kills: [KillRecord], restarted: [DaemonProcess]) {
        var kills: [KillRecord] = []
        var restarted: [DaemonProcess] = []
        var (process, started) = (first, startedAt)
        do {
            for (round, plan) in zip(1..., plans) {
                let uncovered = Set(
                    Self.stagesToCover.filter { stage in !kills.contains { $0.stages.contains(stage) } })
                let stageOnly = round.isMultiple(of: CrashLoopTests.stageKillEvery) && !uncovered.isEmpty
                var record = try kill(
                    process, at: started.addingTimeInterval(plan.delay), plan: plan, stages: uncovered,
                    stageOnly: stageOnly)
                let checked = Date()
                process = try start()
                started = Date()
                restarted.append(process)
                submitter.noteKill()
                record.startSeconds = started.timeIntervalSince(checked)
                kills.append(record)
            }
        } catch {
            process.kill()
            throw error
        }
        return (kills, restarted)
    }

    /// One kill of `process` (see `run`), and what it found.
    private func kill(
        _ process: DaemonProcess, at moment: Date, plan: KillPlan, stages uncovered: Set<ConvergenceStage>,
        stageOnly: Bool
    ) throws -> KillRecord {
        // The stages the read that triggered a stage kill saw: the emulator goes on after the kill (an instance
        // finishes creating), so a read after it can miss the stage the kill landed in.
        var seenAtKill: [String: ConvergenceStage] = [:]
        var nextStageRead = moment
        try blockingCrash(
            process, interval: 0.02,
            timeout: max(0, moment.timeIntervalSinceNow)
                + (stageOnly ? CrashLoopTests.stageWait : CrashLoopTests.targetWait)
        ) {
            let now = Date()
            guard now >= moment else { return false }
            if !stageOnly && DaemonActivity(log: process.child.stderr) >= plan.target { return true }
            guard !uncovered.isEmpty, now >= nextStageRead else { return false }
            nextStageRead = now.addingTimeInterval(CrashLoopTests.stageReadInterval)
            let stages = try ConvergenceStage.read(inspector, specs: names.filter(submitter.acknowledged.contains))
            guard !uncovered.isDisjoint(with: stages.values) else { return false }
            seenAtKill = stages
            return true
        }
        let killed = Date()
        let acknowledged = submitter.acknowledged
        let stages = try ConvergenceStage.read(inspector, specs: names.filter(acknowledged.contains))
            .merging(seenAtKill.map { ($0.key + " at the kill", $0.value) }) { $1 }
        let activity = DaemonActivity(log: process.child.stderr)
        let killedBySignal =
            process.child.process.terminationReason == .uncaughtSignal
            && process.child.process.terminationStatus == SIGKILL
        let database = try DaemonUnderTest.readDatabase(at: databasePath)
        return KillRecord(
            stages: Set(stages.values), activity: activity, byStage: !seenAtKill.isEmpty,
            deathLog: killedBySignal ? nil : String(process.child.stderr.suffix(4000)),
            integrity: database.integrity, lost: acknowledged.subtracting(database.specNames).sorted(),
            checkSeconds: Date().timeIntervalSince(killed))
    }
}

/// An operator who submits the specs one after another, each once a number of kills have come and after a pause,
/// whatever the daemon is going through: a submit refused because the daemon is down (or went down answering it)
/// is retried after a short pause. A submit is acknowledged when `ctl submit` exits 0.
private final class SubmittingOperator: Sendable {
    private let specs: [SpecFile]
    /// For each spec, the kills that must have come before its first attempt.
    private let killsBefore: [Int]
    /// For each spec, the pause after those kills.
    private let pauses: [Double]
    /// Any of the daemon's lives: `ctl` talks to the socket path they all share.
    private let socket: DaemonProcess
    private let state = Mutex(State())

    private struct State {
        var acknowledged: Set<String> = []
        var refused = 0
        /// What the refused attempts said (the first line of `ctl`'s error), counted.
        var refusals: [String: Int] = [:]
        /// Acknowledged submits whose spec a refused attempt had already stored (`unchanged`).
        var storedBeforeRefusal = 0
        /// Kills so far (`noteKill()`).
        var kills = 0
        var stopped = false
    }

    init(specs: [SpecFile], killsBefore: [Int], pauses: [Double], socket: DaemonProcess) {
        self.specs = specs
        self.killsBefore = killsBefore
        self.pauses = pauses
        self.socket = socket
    }

    /// The specs acknowledged so far.
    var acknowledged: Set<String> { state.withLock { $0.acknowledged } }

    /// The submits so far, for the report.
    var summary: String {
        state.withLock {
            let reasons = $0.refusals.sorted { $0.value > $1.value }.prefix(3).map { "\($0.value)× \($0.key)" }
            return "submits: \($0.acknowledged.count) acknowledged, \($0.refused) refused and retried"
                + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))")
                + ", \($0.storedBeforeRefusal) stored although refused"
        }
    }

    /// Submits every spec in order, each once its kills have come (at most `killWaitTimeout` seconds) and after its
    /// pause, retrying each for at most `submitTimeout` seconds; returns early after `stop()`. Throws when a submit
    /// is never acknowledged or is not at generation 1.
    func submitAll() throws {
        for (index, spec) in specs.enumerated() {
            let killsDue = Date().addingTimeInterval(CrashLoopTests.killWaitTimeout)
            for _ in 0..<Int(CrashLoopTests.killWaitTimeout / 0.1) where Date() < killsDue {
                let (kills, stopped) = state.withLock { ($0.kills, $0.stopped) }
                if stopped { return }
                if kills >= killsBefore[index] { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            Thread.sleep(forTimeInterval: pauses[index])
            let deadline = Date().addingTimeInterval(CrashLoopTests.submitTimeout)
            var lastError = ""
            for _ in 0..<Int(CrashLoopTests.submitTimeout / 0.2) where Date() < deadline {
                if state.withLock({ $0.stopped }) { return }
                let result = try socket.ctl(["submit", spec.path])
                if result.status == 0 {
                    // A retry of what a refused attempt stored must not make a new generation.
                    guard result.stdout.contains("\(spec.name) generation 1 ") else {
                        throw EndToEndError(description: "ctl submit \(spec.path) said \(result.stdout)")
                    }
                    state.withLock {
                        $0.acknowledged.insert(spec.name)
                        if result.stdout.contains("(unchanged)") { $0.storedBeforeRefusal += 1 }
                    }
                    break
                }
                lastError = result.stderr
                let reason = String(lastError.split(separator: "\n").first?.prefix(120) ?? "exit \(result.status)")
                state.withLock {
                    $0.refused += 1
                    $0.refusals[reason, default: 0] += 1
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
            guard acknowledged.contains(spec.name) else {
                throw EndToEndError(
                    description: "ctl submit \(spec.path) failed for \(CrashLoopTests.submitTimeout) s: \(lastError)")
            }
        }
    }

    /// Counts a kill, after the daemon is back: the next spec may be due.
    func noteKill() {
        state.withLock { $0.kills += 1 }
    }

    /// Makes `submitAll` return at its next attempt.
    func stop() {
        state.withLock { $0.stopped = true }
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
    case beforeRestore = "role, policy or restore call"
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
        return Dictionary(
            uniqueKeysWithValues: specs.map { spec in
                guard let cluster = clusters.first(where: { $0.identifier == spec }) else {
                    return (spec, .beforeRestore)
                }
                if cluster.status != "available" { return (spec, .restoring) }
                if cluster.associatedRoles.isEmpty || cluster.associatedRoles.contains(where: { $0.status != "ACTIVE" })
                {
                    return (spec, .associating)
                }
                let mine = instances[spec] ?? []
                if mine.count < ConvergeChecks.demoInstances.count || mine.contains(where: { $0.status != "available" })
                {
                    return (spec, .instances)
                }
                return (spec, .ready)
            })
    }
}

/// What a daemon was doing when its log ends, per the controller's `Reconciling` and `Reconciled…` / `Reconcile
/// failed…` lines around every reconcile and the reconciler's `executing` line before every action: the busiest
/// spec's activity. Lines are `TIME LEVEL message key=value…` (the daemon's text log format).
private enum DaemonActivity: Int, CaseIterable, Comparable {
    /// No reconcile running.
    case idle
    /// A reconcile observing or planning (or recording after an action).
    case reconciling
    /// A reconcile that has started an action (an AWS write) and not finished.
    case acting

    init(log: String) {
        var activity: [Substring: DaemonActivity] = [:]
        for line in log.split(separator: "\n") {
            guard let key = line.firstRange(of: "spec=") else { continue }
            let spec = line[key.upperBound...].prefix { $0 != " " }
            guard let message = line.split(separator: " ", maxSplits: 2).dropFirst(2).first else { continue }
            if message.hasPrefix("Reconciling ") {
                activity[spec] = .reconciling
            } else if message.hasPrefix("executing ") {
                activity[spec] = .acting
            } else if message.hasPrefix("Reconciled") || message.hasPrefix("Reconcile failed") {
                activity[spec] = .idle
            }
        }
        self = activity.values.max() ?? .idle
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// What one kill found: the stages of the acknowledged specs, what the daemon was doing, and the database it left.
private struct KillRecord: Sendable {
    let stages: Set<ConvergenceStage>
    let activity: DaemonActivity
    /// Whether a stage no kill had landed in yet triggered the kill (rather than its drawn moment and activity).
    let byStage: Bool
    /// The daemon's log tail when it had died before the kill (nil when the kill's SIGKILL ended it).
    let deathLog: String?
    /// The database's `PRAGMA integrity_check` rows as the crash left it.
    let integrity: [String]
    /// Submits acknowledged before the kill that the database does not hold.
    let lost: [String]
    /// Seconds the daemon stayed down for the test's own checks (emulator read, database copy and integrity check).
    let checkSeconds: Double
    /// Seconds from the restart to a socket that answers `ctl list`.
    var startSeconds = 0.0

    /// How many kills found some spec in each unfinished stage, how many a stage still to cover triggered, how many
    /// found the daemon doing what, and how long it was down.
    static func summary(_ kills: [KillRecord]) -> String {
        let stages = ConvergenceStage.allCases.filter { $0 != .ready }.map { stage in
            "\(stage.rawValue) \(kills.count { $0.stages.contains(stage) })"
        }
        let activities = DaemonActivity.allCases.map { activity in
            "\(activity) \(kills.count { $0.activity == activity })"
        }
        let checks = kills.reduce(0) { $0 + $1.checkSeconds }
        let starts = kills.reduce(0) { $0 + $1.startSeconds }
        return "kills during: \(stages.joined(separator: ", ")) (\(kills.count(where: \.byStage)) triggered by the "
            + "stage); daemon: \(activities.joined(separator: ", ")); "
            + String(format: "down %.1f s in all: checks %.1f s, restarts %.1f s", checks + starts, checks, starts)
    }
}
