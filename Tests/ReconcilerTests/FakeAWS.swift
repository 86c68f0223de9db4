import Controller
import Foundation
import ImportSpec
import Reconciler
import StatusModel
import Store
import Synchronization
import Testing
import TestSupport

/// A simulated AWS for driver tests: observation returns the world, actions change it, errors can be scripted.
/// RDS work finishes when the reconciler next looks after a wait (as the walkthrough test does).
final class FakeAWS: StateObserving, ActionExecuting {
    struct World {
        var observed: ObservedState
        var backup: BackupPreflight = .verified(serverVersion: "5.7.12-log")
        /// Errors the next calls of an action kind throw, first in first out.
        var scripted: [ActionKind: [ReconcileError]] = [:]
        var observationErrors: [ObservationError] = []
        var executed: [ActionKind] = []
        var preflights = 0
        var engineVersion: EngineVersionCheck = .available
        /// Whether role writes answer with their effect known (`WriteResult.expected`, CreateRole's ARN), as
        /// `AWSActionExecutor`'s do; else every write is `.unknown`.
        var tellsRoleEffects = false
        /// Writes that succeed but change nothing (an AWS whose answer and state disagree).
        var ineffective: Set<ActionKind> = []
    }

    let world: Mutex<World>
    let spec: ImportSpec

    init(spec: ImportSpec) {
        self.spec = spec
        world = Mutex(World(observed: ObservedState(region: Fixture.region)))
    }

    var executed: [ActionKind] { world.withLock { $0.executed } }

    func script(_ kind: ActionKind, _ errors: ReconcileError...) {
        world.withLock { $0.scripted[kind, default: []] += errors }
    }

    func observe(_ spec: ImportSpec) throws(ObservationError) -> ObservedState {
        let result: Result<ObservedState, ObservationError> = world.withLock { world in
            if !world.observationErrors.isEmpty { return .failure(world.observationErrors.removeFirst()) }
            // RDS finishes what it was doing between two looks.
            if world.observed.cluster?.status == "creating" { world.observed.cluster?.status = "available" }
            for index in world.observed.cluster?.associatedRoles.indices ?? 0..<0 {
                world.observed.cluster?.associatedRoles[index].status = .active
            }
            for index in world.observed.instances.indices
            where ["creating", "modifying"].contains(world.observed.instances[index].status) {
                world.observed.instances[index].status = "available"
            }
            world.observed.instances.removeAll { $0.status == "deleting" }
            if world.observed.cluster?.status == "deleting" { world.observed.cluster = nil }
            return .success(world.observed)
        }
        return try result.get()
    }

    func preflight(bucket: String, prefix: String?) throws(ObservationError) -> BackupPreflight {
        world.withLock { world in
            world.preflights += 1
            return world.backup
        }
    }

    func binlogPosition(_ spec: ImportSpec) throws(ObservationError) -> BinlogPosition {
        BinlogPosition(source: BinlogPosition.fromEvent, file: "mysql-bin.000003", position: 154)
    }

    func checkEngineVersion(_ version: String, engine: String) throws(ObservationError) -> EngineVersionCheck {
        world.withLock { $0.engineVersion }
    }

    /// Carries `action` out on the world; its result is `.unknown` unless `tellsRoleEffects`.
    func execute(_ action: Action) throws(ReconcileError) -> WriteResult {
        let outcome: Result<WriteResult, ReconcileError> = world.withLock { world in
            world.executed.append(action.kind)
            if var errors = world.scripted[action.kind], !errors.isEmpty {
                let error = errors.removeFirst()
                world.scripted[action.kind] = errors
                return .failure(error)
            }
            if !world.ineffective.contains(action.kind) { apply(action, to: &world.observed) }
            guard world.tellsRoleEffects, action.roleName != nil else { return .success(.unknown) }
            if case .createRole = action { return .success(.createdRole(arn: world.observed.role?.arn ?? "")) }
            return .success(.expected)
        }
        return try outcome.get()
    }

    private func apply(_ action: Action, to observed: inout ObservedState) {
        switch action {
        case .createRole:
            observed.role = Fixture.managedRole(for: spec)
            observed.role?.inlinePolicies = [:]
        case .putRolePolicy(_, let name, let policy): observed.role?.inlinePolicies[name] = policy
        case .restoreCluster: observed.cluster = Fixture.cluster(for: spec, status: "creating", associations: [])
        case .addRoleToCluster(_, let arn, _):
            observed.cluster?.associatedRoles.append(ObservedRoleAssociation(roleArn: arn, status: .pending))
        case .createInstance(let parameters):
            var instance = Fixture.instances(for: spec).first { $0.identifier == parameters.identifier }!
            instance.status = "creating"
            observed.instances.append(instance)
        case .deleteInstance(let identifier):
            if let index = observed.instances.firstIndex(where: { $0.identifier == identifier }) {
                observed.instances[index].status = "deleting"
            }
        case .deleteCluster: observed.cluster?.status = "deleting"
        case .modifyCluster(_, let changes): observed.cluster?.apply(changes)
        case .modifyInstance(let identifier, let changes, let immediately):
            if let index = observed.instances.firstIndex(where: { $0.identifier == identifier }) {
                observed.instances[index].apply(changes, immediately: immediately)
                if immediately && changes.restarts { observed.instances[index].status = "modifying" }
            }
        case .tagRole(_, let tags): observed.role?.tags.merge(tags) { _, new in new }
        case .addTagsToResource(let arn, let tags):
            if observed.cluster?.arn == arn { observed.cluster?.tags.merge(tags) { _, new in new } }
            for index in observed.instances.indices where observed.instances[index].arn == arn {
                observed.instances[index].tags.merge(tags) { _, new in new }
            }
        case .deleteRolePolicy(_, let name): observed.role?.inlinePolicies[name] = nil
        case .deleteRole: observed.role = nil
        default: break
        }
    }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Fixture.now)

    var function: @Sendable () -> Date { { self.current.withLock { $0 } } }

    func advance(seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}

/// A reconciler over a fresh SQLite store with `spec` submitted, a fake AWS and a manual clock.
struct DriverHarness {
    let store: SQLiteStore
    let aws: FakeAWS
    let clock = ManualClock()
    let spec: ImportSpec

    init(directory: String, spec: ImportSpec = Fixture.spec()) throws {
        self.spec = spec
        store = try SQLiteStore(path: directory + "/state/aurorad.db")
        aws = FakeAWS(spec: spec)
        try store.put(name: spec.name, specJSON: spec.canonicalJSON())
    }

    /// A new reconciler over the same store, as after a daemon restart.
    func reconciler(window: TimeInterval = 120) -> SpecReconciler {
        SpecReconciler(
            store: store, observer: aws, executor: aws,
            options: ReconcilerOptions(
                pollInterval: .seconds(5), resyncInterval: .seconds(60),
                plan: PlanOptions(iamPropagationRetryWindow: window)),
            logger: .init(label: "test"), clock: clock.function)
    }

    var status: SpecStatus { get throws { try #require(try store.status(named: spec.name)) } }

    /// Reconciles until the phase is `phase` (at most 20 rounds); returns the last outcome.
    @discardableResult
    func reconcile(_ reconciler: SpecReconciler, until phase: Phase) throws -> ReconcileResult {
        var outcome = reconciler.reconcile(name: spec.name)
        for _ in 0..<20 where try status.phase != phase {
            clock.advance(seconds: 5)
            outcome = reconciler.reconcile(name: spec.name)
        }
        return outcome
    }
}
