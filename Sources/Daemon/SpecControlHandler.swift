import Control
import Foundation
import ImportSpec
import Logging
import Reconciler
import StatusModel
import Store

/// Answers control-socket requests from the store: submit validates and stores a spec, status, list and events read
/// the store (never AWS), delete marks a spec for deletion (or previews it, or forgets the spec leaving AWS as it is),
/// restore records the operator's intent to restore a vanished cluster, plan asks the reconciler for a dry run.
/// Accepted submits, deletes and restores are passed on to `SpecHooks` so the controller works on the spec at once.
public struct SpecControlHandler: ControlHandler {
    /// What the daemon does around control requests.
    public struct SpecHooks: Sendable {
        /// A spec was stored; `changed` is false for an identical resubmit (an operator retry).
        public var submitted: @Sendable (_ name: String, _ changed: Bool) -> Void
        /// Deletion of a spec was requested.
        public var deletionRequested: @Sendable (_ name: String) -> Void
        /// The actions a spec would cause now, without changing anything; nil when no reconciler is wired.
        public var plan: (@Sendable (ImportSpec) throws -> PlanResult)?
        /// A restore of a vanished cluster was requested.
        public var restoreRequested: @Sendable (_ name: String) -> Void
        /// What deleting a spec would destroy and leave in place, without changing anything; nil: no reconciler.
        public var deletePreview: (@Sendable (ImportSpec) throws -> DeletionPreview)?

        /// Hooks from closures.
        public init(
            submitted: @escaping @Sendable (String, Bool) -> Void,
            deletionRequested: @escaping @Sendable (String) -> Void,
            plan: (@Sendable (ImportSpec) throws -> PlanResult)? = nil,
            restoreRequested: @escaping @Sendable (String) -> Void = { _ in },
            deletePreview: (@Sendable (ImportSpec) throws -> DeletionPreview)? = nil
        ) {
            self.submitted = submitted
            self.deletionRequested = deletionRequested
            self.plan = plan
            self.restoreRequested = restoreRequested
            self.deletePreview = deletePreview
        }
    }

    private let store: any SpecStore
    private let hooks: SpecHooks
    private let logger: Logger
    /// How many recent events `status` returns.
    private let statusEventCount = 20

    /// Serves `store`, calling `hooks` after each accepted change.
    public init(store: any SpecStore, hooks: SpecHooks, logger: Logger) {
        self.store = store
        self.hooks = hooks
        self.logger = logger
    }

    public func handle(_ request: ControlRequest, peer: PeerCredentials) -> ControlResponse {
        do {
            switch request.command {
            case .submit: return try submit(request.spec, peer: peer)
            case .status: return try status(request.name)
            case .list: return try list(phase: request.phase, summary: request.summary)
            case .delete where request.dryRun: return try previewDeletion(request.name)
            case .delete where request.keepResources: return try forget(request.name, peer: peer)
            case .delete: return try delete(request.name, peer: peer)
            case .plan: return try plan(request.spec)
            case .restore: return try restore(request.name, peer: peer)
            case .events: return try events(request.name, limit: request.limit ?? ControlRequest.defaultEventLimit)
            }
        } catch StoreError.specBeingDeleted(let name) {
            return .failure(.conflict, StoreError.specBeingDeleted(name: name).description)
        } catch {
            logger.error(
                "control request failed",
                metadata: [
                    "command": "\(request.command.rawValue)",
                    "error": "\(error)",
                ])
            return .failure(.internal, "The daemon could not complete the request: \(error). See its log.")
        }
    }

    private func decodeSpec(_ value: JSONValue?) throws -> Result<ImportSpec, ControlError> {
        guard let value else {
            return .failure(ControlError(code: .invalidRequest, message: "The request has no spec."))
        }
        do {
            return .success(try ImportSpec.decode(from: try value.encodedData()))
        } catch let error as SpecError {
            return .failure(
                ControlError(
                    code: .invalidSpec, message: "The spec is invalid; nothing was changed.",
                    details: error.problems.map(\.description)))
        }
    }

    private func submit(_ value: JSONValue?, peer: PeerCredentials) throws -> ControlResponse {
        let spec: ImportSpec
        switch try decodeSpec(value) {
        case .success(let decoded): spec = decoded
        case .failure(let error): return .failure(error.code, error.message, details: error.details)
        }
        let outcome = try store.put(name: spec.name, specJSON: spec.canonicalJSON())
        logger.info(
            "spec submitted",
            metadata: [
                "spec": "\(spec.name)", "generation": "\(outcome.generation)", "changed": "\(outcome.changed)",
                "peer.uid": "\(peer.uid)",
            ])
        hooks.submitted(spec.name, outcome.changed)
        return .success(
            try JSONValue(
                encoding: SubmitResult(
                    name: spec.name, generation: outcome.generation, created: outcome.created, changed: outcome.changed)
            ))
    }

    private func requireName(_ name: String?) -> ControlResponse? {
        guard let name, !name.isEmpty else { return .failure(.invalidRequest, "The request has no spec name.") }
        return nil
    }

    private func status(_ name: String?) throws -> ControlResponse {
        if let refusal = requireName(name) { return refusal }
        guard let name, let status = try store.status(named: name) else {
            return .failure(.notFound, "No spec named \(name ?? "") exists; `aurorad ctl list` shows the specs.")
        }
        var managed: [String]?
        if let stored = try store.spec(named: name), let spec = try? ImportSpec.decode(from: stored.specJSON) {
            managed = FieldOwnership.managed(by: spec)
        }
        let events = try store.events(name: name, limit: statusEventCount)
        return .success(StatusJSON.value(StatusResult(status: status, events: events, managedSettings: managed)))
    }

    private func events(_ name: String?, limit: Int) throws -> ControlResponse {
        if let refusal = requireName(name) { return refusal }
        guard let name, try store.spec(named: name) != nil else {
            return .failure(.notFound, "No spec named \(name ?? "") exists; `aurorad ctl list` shows the specs.")
        }
        return .success(try JSONValue(encoding: store.events(name: name, limit: limit)))
    }

    /// Every status, or those in `phase`; `summary`: only the members `ctl list` prints.
    private func list(phase: Phase?, summary: Bool) throws -> ControlResponse {
        let store = store
        do {
            let stream = try StatusJSON.listStream(summary: summary, including: { phase == nil || $0.phase == phase }) {
                after, limit in try store.listedStatuses(after: after, limit: limit)
            }
            return ControlResponse(.streamedSuccess(stream))
        } catch let error as StatusJSON.UnreadableConditions {
            throw StoreError.unreadableValue(
                table: "status", name: error.name, detail: "conditions are not a JSON array")
        }
    }

    private func delete(_ name: String?, peer: PeerCredentials) throws -> ControlResponse {
        if let refusal = requireName(name) { return refusal }
        guard let name, let spec = try store.requestDeletion(name: name) else {
            return .failure(.notFound, "No spec named \(name ?? "") exists; nothing was deleted.")
        }
        logger.notice("spec deletion requested", metadata: ["spec": "\(name)", "peer.uid": "\(peer.uid)"])
        hooks.deletionRequested(name)
        return .success(try JSONValue(encoding: DeleteResult(name: spec.name)))
    }

    private func previewDeletion(_ name: String?) throws -> ControlResponse {
        if let refusal = requireName(name) { return refusal }
        guard let name, let stored = try store.spec(named: name) else {
            return .failure(.notFound, "No spec named \(name ?? "") exists; `aurorad ctl list` shows the specs.")
        }
        guard let preview = hooks.deletePreview else {
            return .failure(.internal, "This daemon has no reconciler to preview the deletion with.")
        }
        let spec: ImportSpec
        do {
            spec = try ImportSpec.decode(from: stored.specJSON)
        } catch {
            return .failure(
                .conflict,
                "The stored spec \(name) no longer passes validation (\(error)), so its "
                    + "deletion cannot be previewed; delete it with --yes, or forget it with --keep-resources.")
        }
        return .success(try JSONValue(encoding: preview(spec)))
    }

    private func forget(_ name: String?, peer: PeerCredentials) throws -> ControlResponse {
        if let refusal = requireName(name) { return refusal }
        guard let name, try store.remove(name: name) else {
            return .failure(.notFound, "No spec named \(name ?? "") exists; nothing was changed.")
        }
        logger.notice(
            "spec forgotten; its AWS resources are left as they are",
            metadata: ["spec": "\(name)", "peer.uid": "\(peer.uid)"])
        return .success(try JSONValue(encoding: ForgetResult(name: name)))
    }

    private func restore(_ name: String?, peer: PeerCredentials) throws -> ControlResponse {
        if let refusal = requireName(name) { return refusal }
        guard let name, let status = try store.status(named: name) else {
            return .failure(.notFound, "No spec named \(name ?? "") exists; nothing was changed.")
        }
        if let refusal = ClusterHistory.restoreRefusal(status: status) { return .failure(.conflict, refusal) }
        guard let stored = try store.requestRestore(name: name), let requestedAt = stored.restoreRequestedAt else {
            return .failure(.notFound, "No spec named \(name) exists; nothing was changed.")
        }
        logger.notice("cluster restore requested", metadata: ["spec": "\(name)", "peer.uid": "\(peer.uid)"])
        hooks.restoreRequested(name)
        return .success(try JSONValue(encoding: RestoreResult(name: name, requestedAt: requestedAt)))
    }

    private func plan(_ value: JSONValue?) throws -> ControlResponse {
        let spec: ImportSpec
        switch try decodeSpec(value) {
        case .success(let decoded): spec = decoded
        case .failure(let error): return .failure(error.code, error.message, details: error.details)
        }
        guard let plan = hooks.plan else {
            return .failure(.internal, "This daemon has no reconciler to plan with.")
        }
        return .success(try JSONValue(encoding: plan(spec)))
    }
}
