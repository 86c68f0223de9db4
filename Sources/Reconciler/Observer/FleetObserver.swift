import Dispatch
import Foundation
import ImportSpec
import StatusModel
import Synchronization

/// One shared observation of every watched spec, like an informer's cache: a reconcile plans from a batched read
/// (`FleetReading.readFleet(_:instancesOf:)`) when it is fresh enough for its spec, so the specs of one poll tick or
/// one resync pass share a few describe calls instead of five each.
///
/// A read is fresh for a spec when it covers the spec as it is now (same role, security group), began after the spec's
/// last RDS or EC2 write (an own write is always seen), and either is at most `maxAge` old, or began on or after the
/// poll tick the spec is due on (however late a busy worker gets to it), or began in the current poll tick or resync
/// pass (`FleetSchedule`) while the spec last planned from a read of an earlier one. The first look of a pass (and any
/// look without a full read yet) asks for a full read of every watched spec, which the rest of the pass shares. Other
/// looks (polls, a new spec) ask for a read of the spec asking and of every spec observed lately whose newest kept read
/// shows it waiting on AWS (cluster not available, role association pending, instances being created, or a write
/// since): `SpecReconciler` requeues waiting specs onto the poll ticks, so the first look of a tick reads every spec of
/// the tick in one batch and the others plan from it, whenever the workers get to them; a Ready spec is not re-read by
/// another's poll. A spec waiting on its instances alone (its cluster available, no role association pending) is read
/// with DescribeDBInstances only, in the same call as the other specs' instances, its cluster kept as last read; a tick
/// where every spec waits so costs no DescribeDBClusters. Roles change only by aurorad's writes or by drift, which a
/// resync must see: IAM is read account-wide, and that read serves for the whole pass it was made in, so a spec polling
/// RDS does not re-read IAM. A role write whose answer tells its effect (`WriteResult`) is laid over the kept roles for
/// the spec that made it, so it needs no IAM read either; a role write of unknown effect (or a failed one) makes the
/// spec's next look read IAM again.
///
/// Reads are single-flight: callers arriving while one is in flight wait for it and, when it is not fresh for them,
/// share the one read begun after it. A failed read fails the reconciles waiting on it with its `ObservationError`,
/// and so do the looks of the next `Timing.failureHold` (the read queued behind it included) instead of a new
/// attempt. The watch list holds the specs seeded at start or submitted and every spec observed since; a spec not
/// observed for two resync intervals and at least an hour (removed or forgotten) leaves it at the next sweep (once a
/// minute). The per-spec
/// reads (conflicting instances, a failed cluster's event, an operator role's attached policies), the preflight,
/// engine versions and the binlog position go to `reader`.
public final class FleetObserver: StateObserving {
    /// How fresh an observation must be.
    public struct Timing: Sendable {
        /// The oldest read a spec plans from outside a resync pass (a fraction of the poll interval).
        public var maxAge: Duration
        /// How long a failed read answers the looks after it with its error instead of a new attempt (the smaller
        /// of `maxAge` and one second): while AWS is unreachable, thousands of specs retrying on their backoffs
        /// make about one attempt a second between them, not one per reconcile.
        public var failureHold: Duration
        /// The resync passes: a read begun in the current pass serves every spec first looked at in it.
        public var resync: FleetSchedule
        /// The poll ticks (every `pollInterval` from the resync anchor): a read begun in the current tick serves
        /// every spec first looked at in it.
        public var poll: FleetSchedule

        /// Freshness for `pollInterval` (reads serve for half of it, and for the tick they began in) and `resync`.
        public init(pollInterval: Duration, resync: FleetSchedule) {
            maxAge = pollInterval / 2
            failureHold = min(maxAge, .seconds(1))
            poll = FleetSchedule(interval: pollInterval, anchor: resync.anchor)
            self.resync = resync
        }
    }

    private struct Watched {
        var interest: FleetInterest
        var lastObserved: Date
        /// The start of the look before the last one.
        var previousObserved: Date = .distantPast
        /// The `tick` of the spec's last write to its cluster, instances or security group.
        var lastWrite: UInt64 = 0
        /// The `tick` of the spec's last role write whose result did not tell its effect.
        var lastRoleWrite: UInt64 = 0
        /// The spec's roles as its role writes with a known effect left them (lowercased name; nil: deleted), as of
        /// `writtenRolesTick`: laid over the kept roles of a read begun before then.
        var writtenRoles: [String: ObservedRole?] = [:]
        var writtenRolesTick: UInt64 = 0
        /// The start of the read the spec last planned from.
        var lastReadStart: Date = .distantPast
    }

    /// The RDS and EC2 part of one read: of every watched spec (full), or of the specs asking and those waiting on
    /// AWS (partial).
    private struct Snapshot {
        var view: FleetView
        var interests: [String: FleetInterest]
        var tick: UInt64
        var started: Date
        var full: Bool
    }

    /// The roles of the last account-wide IAM read, kept for the watched specs it covered.
    private struct Roles {
        var roles: KeyedValues<ObservedRole>
        /// The interests of the specs whose roles the read covered, by spec name: their role names are made for an
        /// IAM read only, where every read (a poll tick's too) hashed two names per watched spec into a kept set.
        var covered: [String: FleetInterest]
        var tick: UInt64
        var started: Date
    }

    /// The binlog positions of the last read of the account's recent cluster events, by lowercased cluster
    /// identifier; dropped by the sweep after `sweepEvery` (a spec uses it in the reconcile that finds its cluster
    /// available; the messages and per-cluster arrays of 1,000 restores, kept until the next events read, were about
    /// 2,000 long-lived blocks).
    private struct RecentEvents {
        var positions: [String: BinlogPosition]
        var started: Date
    }

    private struct State {
        var watched: [String: Watched] = [:]
        var events: RecentEvents?
        /// The last full read, and the last partial one begun after it.
        var full: Snapshot?
        var partial: Snapshot?
        /// When the last full read began (kept when the read itself is released).
        var lastFullStart: Date?
        var roles: Roles?
        /// The kept reads, newest first.
        var kept: [Snapshot] { [partial, full].compactMap { $0 }.sorted { $0.tick > $1.tick } }
        /// Orders writes and read starts.
        var tick: UInt64 = 0
        /// The last read's error and when it came, while no read has succeeded since.
        var failure: (error: ObservationError, at: Date)?
        /// When the watch list was last swept of specs no longer observed.
        var swept: Date = .distantPast
        /// The read in flight, and the one asked for since it began.
        var current: Read?
        var next: Read?
        var timing: Timing
    }

    /// What one batched read covers, as its callers asked: every watched spec (`full`), or the specs asking
    /// (`names`) and those waiting on AWS; and the roles.
    private struct Scope {
        var full = false
        var names: Set<String> = []
        var roles = false
    }

    /// What a spec waits on in AWS, as its newest kept read shows it.
    private enum Waiting {
        /// Its cluster (not available, a role association pending, not found), or what it wrote since that read:
        /// read in full.
        case cluster
        /// Its instances alone (its cluster available, no association pending): the kept read's slice of the spec.
        case instances(FleetView)
    }

    /// The specs one partial read covers: those read in full (DescribeDBClusters, their members' instances), and
    /// those waiting on their instances alone with what the kept read holds of each (their clusters' instances are
    /// read in the same DescribeDBInstances).
    private struct Coverage {
        var clusters: [String: FleetInterest] = [:]
        var instancesOnly: [String: (interest: FleetInterest, kept: FleetView)] = [:]

        var interests: [String: FleetInterest] { clusters.merging(instancesOnly.mapValues(\.interest)) { a, _ in a } }
    }

    /// One batched read; its callers wait on `done`.
    private final class Read: Sendable {
        let done = DispatchGroup()
        let result = Mutex<Result<Snapshot, ObservationError>?>(nil)
        let scope = Mutex(Scope())

        init() { done.enter() }

        func finish(_ outcome: Result<Snapshot, ObservationError>) {
            result.withLock { $0 = outcome }
            done.leave()
        }

        /// The outcome, waiting up to `timeout` for it.
        func outcome(within timeout: TimeInterval) -> Result<Snapshot, ObservationError> {
            guard done.wait(timeout: .now() + timeout) == .success, let outcome = result.withLock({ $0 }) else {
                return .failure(
                    ObservationError.network(
                        operation: "batched observation",
                        detail: "the shared read of the fleet did not finish within \(Int(timeout)) s"))
            }
            return outcome
        }
    }

    private let reader: any FleetReading
    private let clock: @Sendable () -> Date
    private let readTimeout: TimeInterval
    private let state: Mutex<State>
    /// Held while the account's recent cluster events are read (`readEvents(for:)`).
    private let eventsReading = NSLock()

    /// An observer reading through `reader` with `timing`; a reconcile waits at most `readTimeout` for a read.
    public init(
        reader: any FleetReading, timing: Timing, readTimeout: Duration = .seconds(300),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.reader = reader
        self.clock = clock
        self.readTimeout = readTimeout / .seconds(1)
        state = Mutex(State(timing: timing))
    }

    /// Watches the specs `names` (the stored ones at the daemon's start, each one submitted), so the next full read
    /// covers them before they are first observed.
    public func watch(_ names: [String]) {
        let now = clock()
        state.withLock { state in
            for name in names where state.watched[name] == nil {
                state.watched[name] = Watched(interest: FleetInterest(specNamed: name), lastObserved: now)
            }
        }
    }

    /// Applies new intervals (a configuration reload).
    public func reconfigure(_ timing: Timing) {
        state.withLock { $0.timing = timing }
    }

    /// See `StateObserving.wrote(_:_:)`. A role write whose result tells its effect updates the spec's kept roles
    /// (`ObservedState.applyExpectedEffect(of:)`, with CreateRole's ARN), so its next look needs no IAM read; any
    /// other write makes the spec's next look read what it changed: RDS and EC2 writes the clusters, instances and
    /// security groups, IAM writes the roles (a write to one service never changes the other's resources).
    public func wrote(_ name: String, _ writes: [(action: Action, result: WriteResult)]) {
        state.withLock { state in
            state.tick += 1
            guard var watched = state.watched[name] else { return }
            let roles = state.roles
            if watched.writtenRolesTick <= roles?.tick ?? 0 { watched.writtenRoles = [:] }
            for (action, result) in writes {
                guard let roleName = action.roleName?.lowercased() else {
                    watched.lastWrite = state.tick
                    continue
                }
                guard result != .unknown, let roles,
                    roles.covered[name]?.roleNames.contains(where: { $0.lowercased() == roleName }) == true,
                    roles.tick > watched.lastRoleWrite
                else {
                    watched.lastRoleWrite = state.tick
                    continue
                }
                let before = watched.writtenRoles[roleName] ?? roles.roles[roleName]
                watched.writtenRoles[roleName] = Self.role(before, after: action, result: result)
                watched.writtenRolesTick = state.tick
            }
            state.watched[name] = watched
        }
    }

    /// The role after a successful `action` with a known effect, from the role before it (nil: absent).
    private static func role(_ before: ObservedRole?, after action: Action, result: WriteResult) -> ObservedRole? {
        var observed = ObservedState(region: "", role: before)
        observed.applyExpectedEffect(of: action)
        var after = observed.monitoringRole ?? observed.role
        if case .createdRole(let arn) = result { after?.arn = arn }
        return after
    }

    /// The kept roles as the spec `name` sees them: with its own role writes laid over a read that began before.
    private static func roles(for name: String, in state: State) -> KeyedValues<ObservedRole> {
        var roles = state.roles?.roles ?? KeyedValues()
        if let watched = state.watched[name], watched.writtenRolesTick > state.roles?.tick ?? 0 {
            for (role, written) in watched.writtenRoles { roles[role] = written }
        }
        return roles
    }

    /// Keeps of the kept reads and roles only what the specs waiting on AWS use (their slices of the newest read
    /// covering them, which the next poll tick's batch is made from, and their roles), when no read is in flight.
    /// Call it when the daemon's work has drained: a fleet of Ready specs then keeps no observation between resync
    /// passes (the last pass's clusters, instances and roles were most of the daemon's long-lived heap, about 15
    /// blocks per spec scattered among the pass's freed ones). A spec looked at later in the pass (a retry, a
    /// resubmit) reads itself and IAM alone; the next pass reads the fleet anew. Returns how many specs' slices were
    /// released and kept, or nil when nothing was held or a read is in flight.
    @discardableResult
    public func releaseSettledReads() -> (released: Int, kept: Int)? {
        state.withLock { state -> (released: Int, kept: Int)? in
            // A `next` read may stay asked for when the read before it served its callers: only one running counts.
            guard state.current == nil, state.full != nil || state.partial != nil || state.roles != nil
            else { return nil }
            let kept = state.kept
            let held = Set(kept.flatMap(\.interests.keys)).count
            var view = FleetView(region: (state.full ?? state.partial)?.view.region ?? "")
            var interests: [String: FleetInterest] = [:]
            var tick = UInt64.max
            var started = Date.distantFuture
            for name in state.watched.keys where Self.waiting(name, in: state) != nil {
                guard let snapshot = kept.first(where: { $0.interests[name] != nil }),
                    let interest = snapshot.interests[name]
                else { continue }
                view.add(snapshot.view.slice(for: name))
                interests[name] = interest
                tick = min(tick, snapshot.tick)
                started = min(started, snapshot.started)
            }
            state.full = nil
            state.partial =
                interests.isEmpty
                ? nil : Snapshot(view: view, interests: interests, tick: tick, started: started, full: false)
            let counts = (released: held - interests.count, kept: interests.count)
            guard var roles = state.roles else { return counts }
            roles.covered = roles.covered.filter { interests[$0.key] != nil }
            var keptRoles = KeyedValues<ObservedRole>()
            for name in roles.covered.values.flatMap({ $0.roleNames.map(\.lowercasedKey) }) {
                if let role = roles.roles[name] { keptRoles[name] = role }
            }
            roles.roles = keptRoles
            state.roles = roles.covered.isEmpty ? nil : roles
            return counts
        }
    }

    /// See `StateObserving.observe(_:)`.
    public func observe(_ spec: ImportSpec) throws(ObservationError) -> ObservedState {
        try reader.completeObservation(freshView(for: spec).observation(of: spec), of: spec)
    }

    /// See `StateObserving.observeLive(_:)`: the reader's per-spec reads, outside the shared observation.
    public func observeLive(_ spec: ImportSpec) throws(ObservationError) -> ObservedState {
        try reader.observe(spec)
    }

    /// See `StateObserving.preflight(bucket:prefix:)`.
    public func preflight(bucket: String, prefix: String?) throws(ObservationError) -> BackupPreflight {
        try reader.preflight(bucket: bucket, prefix: prefix)
    }

    /// See `StateObserving.checkEngineVersion(_:engine:)`.
    public func checkEngineVersion(_ version: String, engine: String) throws(ObservationError) -> EngineVersionCheck {
        try reader.checkEngineVersion(version, engine: engine)
    }

    /// See `StateObserving.binlogPosition(_:)`. The position is looked for in one read of the account's recent
    /// cluster events, shared by the specs whose last observation (which showed their cluster available, so RDS's
    /// event about the restore came before it) began before that read, so the specs becoming available in one poll
    /// tick share one; a spec whose event it does not hold (an older restore), or when the shared read fails, reads
    /// its own events, then the backup's `xtrabackup_info`.
    public func binlogPosition(_ spec: ImportSpec) throws(ObservationError) -> BinlogPosition {
        let name = spec.name
        // A policy that scopes DescribeEvents to named clusters refuses the account-wide read: read the spec's.
        guard let events = keptEvents(for: name) ?? readEvents(for: name) else {
            return try reader.binlogPosition(spec)
        }
        if let found = events.positions[name.lowercasedKey] { return found }
        return try reader.binlogPosition(spec)
    }

    /// The kept events read when it began after the spec's last observation (which showed its cluster available).
    private func keptEvents(for name: String) -> RecentEvents? {
        state.withLock { state in
            guard let events = state.events, let watched = state.watched[name], events.started >= watched.lastReadStart
            else { return nil }
            return events
        }
    }

    /// The account's recent cluster events, read one read at a time, so the specs of a poll tick asking together
    /// wait for the first and share it; nil when AWS refuses the read.
    private func readEvents(for name: String) -> RecentEvents? {
        eventsReading.lock()
        defer { eventsReading.unlock() }
        if let kept = keptEvents(for: name) { return kept }
        let started = clock()
        guard let positions = try? reader.readRecentBinlogPositions() else { return nil }
        let events = RecentEvents(positions: positions, started: started)
        state.withLock { state in
            if started > state.events?.started ?? .distantPast { state.events = events }
        }
        return events
    }

    private enum Step {
        case use(FleetView)
        case fail(ObservationError)
        case run(Read)
        case await(Read, after: Read)
    }

    /// A view fresh for `spec`: from the kept reads, or from one begun after this call (run here or awaited).
    private func freshView(for spec: ImportSpec) throws(ObservationError) -> FleetView {
        let name = spec.name
        let interest = FleetInterest(spec)
        let step: Step = state.withLock { state in
            // Read under the lock, so the order of the callers' times is the order they see the state in.
            let now = clock()
            var watched = state.watched[name] ?? Watched(interest: interest, lastObserved: now)
            // The kept interest stays when the spec asks the same (nearly every look): replacing it would allocate the
            // watch list's long-lived strings anew among each reconcile's short-lived blocks, pinning heap pages.
            if !watched.interest.asksTheSame(as: interest) { watched.interest = interest }
            watched.previousObserved = watched.lastObserved
            watched.lastObserved = now
            state.watched[name] = watched
            if let view = Self.freshView(for: name, in: &state, now: now) { return .use(view) }
            if let error = Self.heldFailure(in: state, now: now) { return .fail(error) }
            let read: Read
            if let current = state.current {
                read = state.next ?? Read()
                state.next = read
                Self.ask(read, for: name, in: state, now: now)
                return .await(read, after: current)
            }
            read = state.next ?? Read()
            state.next = nil
            state.current = read
            Self.ask(read, for: name, in: state, now: now)
            return .run(read)
        }
        let outcome: Result<Snapshot, ObservationError>
        switch step {
        case .use(let view):
            return view
        case .fail(let error):
            throw error
        case .run(let read):
            outcome = perform(read)
        case .await(let read, let previous):
            // The read in flight began before this call: its result serves when fresh enough, else the next read
            // (started by whichever of its callers gets here first) is this call's.
            _ = previous.outcome(within: readTimeout)
            let after: Step = state.withLock { state in
                if let view = Self.freshView(for: name, in: &state, now: clock()) { return .use(view) }
                guard state.next === read, state.current == nil else { return .await(read, after: previous) }
                state.next = nil
                if let error = Self.heldFailure(in: state, now: clock()) { return .fail(error) }
                state.current = read
                return .run(read)
            }
            switch after {
            case .use(let view):
                return view
            case .fail(let error):
                // The read in flight failed just now: the read queued behind it fails with its error for all of
                // its callers instead of trying again at once.
                outcome = .failure(error)
                read.finish(outcome)
            case .run:
                outcome = perform(read)
            case .await:
                outcome = read.outcome(within: readTimeout)
            }
        }
        let snapshot = try outcome.get()
        return state.withLock { state in
            Self.markUsed(snapshot, by: name, in: &state)
            var view = snapshot.view
            view.roles = Self.roles(for: name, in: state)
            return view
        }
    }

    /// Adds what `name` needs to `read`'s scope: every watched spec on its first look in a pass that has no full
    /// read yet (or before any full read), else itself (a spec polling, submitted, written or changed since the
    /// pass's full read); and the roles when the kept ones do not serve it.
    private static func ask(_ read: Read, for name: String, in state: State, now: Date) {
        let pass = state.timing.resync.passStart(at: now)
        let firstLookInPass = pass.map { (state.watched[name]?.lastReadStart ?? .distantPast) < $0 } ?? false
        let rolesStale = !rolesFresh(for: name, in: state, now: now)
        read.scope.withLock { scope in
            if state.lastFullStart == nil || (firstLookInPass && !passReadWhole(in: state, now: now)) {
                scope.full = true
            }
            scope.names.insert(name)
            if rolesStale { scope.roles = true }
        }
    }

    /// The last read's error while it still answers new looks (`Timing.failureHold`).
    private static func heldFailure(in state: State, now: Date) -> ObservationError? {
        guard let failure = state.failure, now.timeIntervalSince(failure.at) < state.timing.failureHold / .seconds(1)
        else { return nil }
        return failure.error
    }

    /// Whether the last full read began in the current resync pass.
    private static func passReadWhole(in state: State, now: Date) -> Bool {
        guard let pass = state.timing.resync.passStart(at: now), let started = state.lastFullStart else { return false }
        return started >= pass
    }

    /// What the spec `name` waits on, from its newest kept read: nil when that read shows it waiting on nothing
    /// (its cluster and instances available or failed), or when no kept read covers it.
    private static func waiting(_ name: String, in state: State) -> Waiting? {
        guard let watched = state.watched[name], let snapshot = state.kept.first(where: { $0.interests[name] != nil })
        else { return nil }
        guard snapshot.interests[name] == watched.interest, snapshot.tick > watched.lastWrite else { return .cluster }
        let key = name.lowercased()
        guard let cluster = snapshot.view.clusters[key],
            ResourceStatus.classifyCluster(cluster.status) == .available,
            !cluster.associatedRoles.contains(where: { $0.status == .pending })
        else { return .cluster }
        let instancesPending = (snapshot.view.instances[key] ?? []).contains {
            [.pending, .unknown].contains(ResourceStatus.classifyInstance($0.status))
        }
        return instancesPending ? .instances(snapshot.view.slice(for: name)) : nil
    }

    /// The specs a partial read of `scope` covers: the specs asking, and every spec observed lately (within ten
    /// poll intervals: a poll waits at most one and a half, more when the workers are busy) that waits on AWS, so the
    /// first look of a poll tick reads every spec of the tick. A spec waiting on its instances alone is read with
    /// DescribeDBInstances only.
    private static func coverage(of scope: Scope, in state: State, now: Date) -> Coverage {
        var coverage = Coverage()
        let lately = 10 * (state.timing.poll.interval / .seconds(1))
        for (name, watched) in state.watched {
            let asked = scope.names.contains(name)
            guard asked || now.timeIntervalSince(watched.lastObserved) <= lately else { continue }
            switch waiting(name, in: state) {
            case .instances(let kept): coverage.instancesOnly[name] = (watched.interest, kept)
            case .cluster: coverage.clusters[name] = watched.interest
            case nil: if asked { coverage.clusters[name] = watched.interest }
            }
        }
        return coverage
    }

    /// Reads the specs of `read`'s scope (dropping specs no longer observed from the watch list), keeps the result
    /// and hands it to the waiting callers: every watched spec, or the specs of `coverage(of:in:now:)`.
    private func perform(_ read: Read) -> Result<Snapshot, ObservationError> {
        var scope = read.scope.withLock { $0 }
        let (coverage, rolesCovered, tick, now) = state.withLock { state in
            let now = clock()
            // Asked for before the pass's whole read was kept, by callers it then served: the askers left suffice.
            if scope.full, Self.passReadWhole(in: state, now: now) { scope.full = false }
            Self.sweep(&state, now: now)
            state.tick += 1
            let coverage =
                scope.full
                ? Coverage(clusters: state.watched.mapValues(\.interest))
                : Self.coverage(of: scope, in: state, now: now)
            let rolesCovered = scope.roles ? state.watched.mapValues(\.interest) : [:]
            return (coverage, rolesCovered, state.tick, now)
        }
        let outcome: Result<Snapshot, ObservationError>
        do {
            let view = try self.read(coverage)
            if scope.roles {
                // IAM is read account-wide, so the roles of every watched spec are kept, whatever the scope.
                let roleNames = Set(rolesCovered.values.flatMap { $0.roleNames.map(\.lowercasedKey) })
                let roles = try reader.readRoles(named: roleNames)
                state.withLock { state in
                    if tick > state.roles?.tick ?? 0 {
                        state.roles = Roles(roles: roles, covered: rolesCovered, tick: tick, started: now)
                    }
                }
            }
            outcome = .success(
                Snapshot(view: view, interests: coverage.interests, tick: tick, started: now, full: scope.full))
        } catch {
            outcome = .failure(error)
        }
        state.withLock { state in
            switch outcome {
            case .failure(let error): state.failure = (error, clock())
            case .success: state.failure = nil
            }
            if case .success(let snapshot) = outcome {
                if snapshot.full, tick > state.full?.tick ?? 0 {
                    state.full = snapshot
                    state.lastFullStart = max(state.lastFullStart ?? .distantPast, snapshot.started)
                    if tick > state.partial?.tick ?? 0 { state.partial = nil }
                } else if !snapshot.full, tick > state.partial?.tick ?? 0 {
                    state.partial = snapshot
                }
            }
            state.current = nil
        }
        read.finish(outcome)
        return outcome
    }

    /// The view of `coverage`: DescribeDBClusters of the specs read in full with one DescribeDBInstances for their
    /// clusters with members and the clusters of the specs waiting on their instances alone, whose clusters and
    /// security groups are kept as last read; DescribeDBInstances alone when every spec waits on its instances.
    private func read(_ coverage: Coverage) throws(ObservationError) -> FleetView {
        let kept = coverage.instancesOnly.values.map(\.kept)
        let waitingClusters = Set(kept.flatMap { $0.clusters.values.map(\.identifier) })
        var view: FleetView
        let instances: [String: [ObservedInstance]]
        if coverage.clusters.isEmpty {
            view = FleetView(region: kept.first?.region ?? "")
            instances = try reader.readInstances(ofClusters: waitingClusters)
        } else {
            view = try reader.readFleet(coverage.clusters, instancesOf: waitingClusters)
            instances = view.instances
        }
        for slice in kept { view.add(slice) }
        for key in kept.flatMap(\.clusters.keys) { view.instances[key] = instances[key] ?? [] }
        return view
    }

    /// A spec's reconciles may be held back for long (backoff, a saturated rate budget): the watch list keeps a spec
    /// at least this long (seconds) after its last observation.
    private static let forgetAfterAtLeast: TimeInterval = 3600

    /// The watch list is swept at most this often (seconds): a sweep visits every watched spec.
    private static let sweepEvery: TimeInterval = 60

    /// Drops the specs not observed for two resync intervals and at least `forgetAfterAtLeast`, and the recent events
    /// read `sweepEvery` ago, at most once every `sweepEvery` (a spec leaves up to a minute late; reads come many
    /// times a second while AWS fails them).
    private static func sweep(_ state: inout State, now: Date) {
        guard now.timeIntervalSince(state.swept) >= sweepEvery else { return }
        state.swept = now
        if let events = state.events, now.timeIntervalSince(events.started) >= sweepEvery { state.events = nil }
        let forgetAfter = max(2 * (state.timing.resync.interval / .seconds(1)), forgetAfterAtLeast)
        let forgotten = state.watched.filter { now.timeIntervalSince($0.value.lastObserved) > forgetAfter }.keys
        for name in forgotten { state.watched[name] = nil }
    }

    /// The newest kept read fresh for `name`, with the kept roles, marked as used by it; nil when none is.
    private static func freshView(for name: String, in state: inout State, now: Date) -> FleetView? {
        guard rolesFresh(for: name, in: state, now: now) else { return nil }
        for snapshot in state.kept {
            guard isFresh(snapshot, for: name, in: state, now: now) else { continue }
            markUsed(snapshot, by: name, in: &state)
            var view = snapshot.view
            view.roles = roles(for: name, in: state)
            return view
        }
        return nil
    }

    private static func isFresh(_ snapshot: Snapshot, for name: String, in state: State, now: Date) -> Bool {
        guard let watched = state.watched[name], snapshot.interests[name] == watched.interest,
            snapshot.tick > watched.lastWrite
        else { return false }
        if now.timeIntervalSince(snapshot.started) <= state.timing.maxAge / .seconds(1) { return true }
        // A poll plans from a read begun on or after the tick it was due on, however late a busy worker gets to it;
        // in the current resync pass, so a resync look (due long ago) still plans from a read of its pass.
        if let due = pollDue(watched, timing: state.timing), snapshot.started >= due,
            snapshot.started >= state.timing.resync.passStart(at: now) ?? due
        {
            return true
        }
        // The spec's first look in a poll tick or a resync pass plans from a read begun in it.
        return [state.timing.poll, state.timing.resync].contains { schedule in
            guard let start = schedule.passStart(at: now) else { return false }
            return snapshot.started >= start && watched.lastReadStart < start
        }
    }

    /// The start of the earliest poll tick the spec can be due on if its previous look asked for a poll (the one
    /// `FleetSchedule.pollDelay(from:afterWrite:)` gives without a write; after one it is later); nil without ticks.
    private static func pollDue(_ watched: Watched, timing: Timing) -> Date? {
        let poll = timing.poll
        guard watched.previousObserved > .distantPast else { return nil }
        let delay = poll.pollDelay(from: watched.previousObserved, afterWrite: false)
        return poll.passStart(at: watched.previousObserved.addingTimeInterval(delay / .seconds(1)))
    }

    /// Whether the kept roles serve the spec: its role was covered, read after the spec's last write, and in the
    /// current resync pass (or at most `maxAge` ago without passes).
    private static func rolesFresh(for name: String, in state: State, now: Date) -> Bool {
        guard let roles = state.roles, let watched = state.watched[name],
            roles.covered[name]?.asksTheSameRoles(as: watched.interest) == true,
            roles.tick > watched.lastRoleWrite
        else { return false }
        if now.timeIntervalSince(roles.started) <= state.timing.maxAge / .seconds(1) { return true }
        guard let pass = state.timing.resync.passStart(at: now) else { return false }
        return roles.started >= pass
    }

    private static func markUsed(_ snapshot: Snapshot, by name: String, in state: inout State) {
        guard let watched = state.watched[name], snapshot.started > watched.lastReadStart else { return }
        state.watched[name]?.lastReadStart = snapshot.started
    }
}
