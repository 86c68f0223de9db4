import Dispatch
import Foundation
import ImportSpec
import Store
import Synchronization

/// One shared observation of every watched spec, like an informer's cache: a reconcile plans from the last batched
/// read (`FleetReading.readFleet(_:)`) when it is fresh enough for its spec, so the specs of one poll tick or one
/// resync pass share a few describe calls instead of five each.
///
/// A read is fresh for a spec when it covers the spec as it is now (same role, security group), began after the
/// spec's last write (an own write is always seen), and either is at most `maxAge` old or began in the current
/// resync pass (`ResyncSchedule`) while the spec last planned from a read of an earlier pass. Roles change only by
/// aurorad's writes or by drift, which a resync must see: the roles part of a read serves for the whole pass it
/// was read in (after the spec's last write), so a spec polling RDS does not re-read IAM. Otherwise the caller
/// asks for a read: reads are single-flight, so callers arriving while one is in flight wait for it and, when it
/// is not fresh for them, share the one read begun after it. A failed read fails only the reconciles waiting on it,
/// with its `ObservationError`.
/// The watch list holds the specs seeded at start or submitted and every spec observed since; a spec not observed
/// for two resync intervals and at least an hour (removed or forgotten) leaves it. The per-spec reads (conflicting
/// instances, a failed cluster's event, an operator role's attached policies), the preflight, engine versions and
/// the binlog position go to `reader`.
public final class FleetObserver: StateObserving {
    /// How fresh an observation must be.
    public struct Timing: Sendable {
        /// The oldest read a spec plans from outside a resync pass (a fraction of the poll interval).
        public var maxAge: Duration
        /// The resync passes: a read begun in the current pass serves every spec first looked at in it.
        public var resync: ResyncSchedule

        /// Freshness for `pollInterval` (reads serve for half of it) and `resync`.
        public init(pollInterval: Duration, resync: ResyncSchedule) {
            maxAge = pollInterval / 2
            self.resync = resync
        }
    }

    private struct Watched {
        var interest: FleetInterest
        var lastObserved: Date
        /// The `tick` of the spec's last write.
        var lastWrite: UInt64 = 0
        /// The start of the read the spec last planned from.
        var lastReadStart: Date = .distantPast
    }

    private struct Snapshot {
        var view: FleetView
        var interests: [String: FleetInterest]
        var tick: UInt64
        var started: Date
        /// The read the roles (`view.roles`) come from, and the role names it covered (lowercased).
        var rolesTick: UInt64
        var rolesStarted: Date
        var roleNames: Set<String>
    }

    private struct State {
        var watched: [String: Watched] = [:]
        var snapshot: Snapshot?
        /// Orders writes and read starts.
        var tick: UInt64 = 0
        /// The read in flight, and the one asked for since it began.
        var current: Read?
        var next: Read?
        var timing: Timing
    }

    /// One batched read; its callers wait on `done`.
    private final class Read: Sendable {
        let done = DispatchGroup()
        let result = Mutex<Result<Snapshot, ObservationError>?>(nil)
        /// Whether a caller needs the roles read again (else the last read's are kept).
        let needsRoles = Mutex(false)

        init() { done.enter() }

        func finish(_ outcome: Result<Snapshot, ObservationError>) {
            result.withLock { $0 = outcome }
            done.leave()
        }

        /// The outcome, waiting up to `timeout` for it.
        func outcome(within timeout: TimeInterval) -> Result<Snapshot, ObservationError> {
            guard done.wait(timeout: .now() + timeout) == .success, let outcome = result.withLock({ $0 }) else {
                return .failure(ObservationError.network(
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

    /// Watches the specs `names` (the stored ones at the daemon's start, each one submitted), so the next read
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

    /// See `StateObserving.wrote(_:)`.
    public func wrote(_ name: String) {
        state.withLock { state in
            state.tick += 1
            state.watched[name]?.lastWrite = state.tick
        }
    }

    /// See `StateObserving.observe(_:)`.
    public func observe(_ spec: ImportSpec) throws(ObservationError) -> ObservedState {
        let snapshot = try freshSnapshot(for: spec)
        return try reader.completeObservation(snapshot.view.observation(of: spec), of: spec)
    }

    /// See `StateObserving.preflight(bucket:prefix:)`.
    public func preflight(bucket: String, prefix: String?) throws(ObservationError) -> BackupPreflight {
        try reader.preflight(bucket: bucket, prefix: prefix)
    }

    /// See `StateObserving.checkEngineVersion(_:engine:)`.
    public func checkEngineVersion(_ version: String, engine: String) throws(ObservationError) -> EngineVersionCheck {
        try reader.checkEngineVersion(version, engine: engine)
    }

    /// See `StateObserving.binlogPosition(_:)`.
    public func binlogPosition(_ spec: ImportSpec) throws(ObservationError) -> BinlogPosition {
        try reader.binlogPosition(spec)
    }

    private enum Step {
        case use(Snapshot)
        case run(Read)
        case await(Read, after: Read)
    }

    /// A read fresh for `spec`: the kept one, or one begun after this call (run here or awaited).
    private func freshSnapshot(for spec: ImportSpec) throws(ObservationError) -> Snapshot {
        let name = spec.name
        let interest = FleetInterest(spec)
        let step: Step = state.withLock { state in
            // Read under the lock, so the order of the callers' times is the order they see the state in.
            let now = clock()
            if state.watched[name] == nil { state.watched[name] = Watched(interest: interest, lastObserved: now) }
            state.watched[name]?.interest = interest
            state.watched[name]?.lastObserved = now
            if let snapshot = state.snapshot, Self.isFresh(snapshot, for: name, in: state, now: now) {
                Self.markUsed(snapshot, by: name, in: &state)
                return .use(snapshot)
            }
            let rolesStale = !(state.snapshot.map { Self.rolesFresh($0, for: name, in: state, now: now) } ?? false)
            if let current = state.current {
                let next = state.next ?? Read()
                state.next = next
                if rolesStale { next.needsRoles.withLock { $0 = true } }
                return .await(next, after: current)
            }
            let read = state.next ?? Read()
            state.next = nil
            state.current = read
            if rolesStale { read.needsRoles.withLock { $0 = true } }
            return .run(read)
        }
        let outcome: Result<Snapshot, ObservationError>
        switch step {
        case .use(let snapshot):
            return snapshot
        case .run(let read):
            outcome = perform(read)
        case .await(let read, let previous):
            // The read in flight began before this call: its result serves when fresh enough, else the next read
            // (started by whichever of its callers gets here first) is this call's.
            _ = previous.outcome(within: readTimeout)
            let after: Step = state.withLock { state in
                if let snapshot = state.snapshot, Self.isFresh(snapshot, for: name, in: state, now: clock()) {
                    Self.markUsed(snapshot, by: name, in: &state)
                    return .use(snapshot)
                }
                guard state.next === read, state.current == nil else { return .await(read, after: previous) }
                state.next = nil
                state.current = read
                return .run(read)
            }
            switch after {
            case .use(let snapshot): return snapshot
            case .run: outcome = perform(read)
            case .await: outcome = read.outcome(within: readTimeout)
            }
        }
        let snapshot = try outcome.get()
        state.withLock { Self.markUsed(snapshot, by: name, in: &$0) }
        return snapshot
    }

    /// Reads the watched specs' resources (dropping those no longer observed), keeps the result and hands it to the
    /// waiting callers.
    private func perform(_ read: Read) -> Result<Snapshot, ObservationError> {
        let (interests, tick, now, keptRoles) = state.withLock { state in
            let now = clock()
            let forgetAfter = max(2 * (state.timing.resync.interval / .seconds(1)), Self.forgetAfterAtLeast)
            state.watched = state.watched.filter { now.timeIntervalSince($0.value.lastObserved) <= forgetAfter }
            state.tick += 1
            let keptRoles = read.needsRoles.withLock { $0 } ? nil : state.snapshot
            return (state.watched.mapValues(\.interest), state.tick, now, keptRoles)
        }
        let outcome: Result<Snapshot, ObservationError>
        do {
            var view = try reader.readFleet(interests, roles: keptRoles == nil)
            var snapshot = Snapshot(
                view: view, interests: interests, tick: tick, started: now, rolesTick: tick, rolesStarted: now,
                roleNames: Set(interests.values.map { $0.roleName.lowercased() }))
            if let keptRoles {
                view.roles = keptRoles.view.roles
                snapshot.view = view
                snapshot.rolesTick = keptRoles.rolesTick
                snapshot.rolesStarted = keptRoles.rolesStarted
                snapshot.roleNames = keptRoles.roleNames
            }
            outcome = .success(snapshot)
        } catch {
            outcome = .failure(error)
        }
        state.withLock { state in
            if case .success(let snapshot) = outcome, snapshot.tick > state.snapshot?.tick ?? 0 {
                state.snapshot = snapshot
            }
            state.current = nil
        }
        read.finish(outcome)
        return outcome
    }

    /// A spec's reconciles may be held back for long (backoff, a saturated rate budget): the watch list keeps a spec
    /// at least this long (seconds) after its last observation.
    private static let forgetAfterAtLeast: TimeInterval = 3600

    private static func isFresh(_ snapshot: Snapshot, for name: String, in state: State, now: Date) -> Bool {
        guard let watched = state.watched[name], snapshot.interests[name] == watched.interest,
            snapshot.tick > watched.lastWrite, rolesFresh(snapshot, for: name, in: state, now: now)
        else { return false }
        if now.timeIntervalSince(snapshot.started) <= state.timing.maxAge / .seconds(1) { return true }
        guard let pass = state.timing.resync.passStart(at: now) else { return false }
        return snapshot.started >= pass && watched.lastReadStart < pass
    }

    /// Whether the roles of `snapshot` serve the spec: its role was covered, read after the spec's last write, and
    /// in the current resync pass (or at most `maxAge` ago without passes).
    private static func rolesFresh(_ snapshot: Snapshot, for name: String, in state: State, now: Date) -> Bool {
        guard let watched = state.watched[name], snapshot.roleNames.contains(watched.interest.roleName.lowercased()),
            snapshot.rolesTick > watched.lastWrite
        else { return false }
        if now.timeIntervalSince(snapshot.rolesStarted) <= state.timing.maxAge / .seconds(1) { return true }
        guard let pass = state.timing.resync.passStart(at: now) else { return false }
        return snapshot.rolesStarted >= pass
    }

    private static func markUsed(_ snapshot: Snapshot, by name: String, in state: inout State) {
        guard let watched = state.watched[name], snapshot.started > watched.lastReadStart else { return }
        state.watched[name]?.lastReadStart = snapshot.started
    }
}
