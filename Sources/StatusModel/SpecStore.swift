import Foundation

/// Durable storage for specs, their status and their event logs; synchronous, blocking and thread-safe.
///
/// Every write is committed before the call returns, so whatever a caller has acknowledged survives a crash.
/// `SQLiteStore` is the single-host implementation. The protocol speaks only of names, generations and plain
/// values, never of connections or transactions, so a PostgreSQL store can implement it for several daemons
/// sharing the work: it would add per-spec leases (claim with `FOR UPDATE SKIP LOCKED` and a lease expiry) and
/// fence status writes by lease, while `writeStatus` already refuses to go backwards or resurrect removed specs.
public protocol SpecStore: Sendable {
    /// Stores `specJSON` (canonical JSON) under `name`: new specs start at generation 1, different JSON bumps the
    /// generation, byte-identical JSON keeps it. Throws `StoreError.specBeingDeleted` while deletion is pending.
    @discardableResult
    func put(name: String, specJSON: Data) throws -> PutOutcome
    /// The stored spec named `name`, or nil.
    func spec(named name: String) throws -> StoredSpec?
    /// Every stored spec, ordered by name.
    func specs() throws -> [StoredSpec]
    /// Marks `name` for deletion and returns it, or returns nil when there is no such spec.
    func requestDeletion(name: String) throws -> StoredSpec?
    /// Records the operator's intent to restore the vanished cluster of `name` (`aurorad ctl restore`) and returns
    /// the spec, or nil when there is no such spec. Throws `StoreError.specBeingDeleted` while deletion is pending.
    func requestRestore(name: String) throws -> StoredSpec?
    /// Drops the restore intent of `name` made at `requestedAt` (the reconciler observed the restored cluster).
    func consumeRestoreRequest(name: String, requestedAt: Timestamp) throws
    /// Removes `name` with its status and events (the reconciler's last step of deletion); false if it was absent.
    @discardableResult
    func remove(name: String) throws -> Bool
    /// The status of `name` (a synthesized one with `observedGeneration` 0 before the first write), or nil.
    func status(named name: String) throws -> SpecStatus?
    /// How many specs are in each phase (a spec without a written status is Pending, or Deleting once its deletion
    /// was requested); a phase no spec is in is absent.
    func phaseCounts() throws -> [Phase: Int]
    /// A page of the specs' statuses, ordered by name: at most `limit`, those after `after` (from the first when nil),
    /// with their conditions as JSON text (`ListedStatus`). A list is read page by page, so it is never held whole.
    func listedStatuses(after: String?, limit: Int) throws -> [ListedStatus]
    /// Stores `status` unless its spec is gone or the stored status describes a newer generation.
    @discardableResult
    func writeStatus(_ status: SpecStatus) throws -> StatusWriteOutcome
    /// Appends `event` to the bounded log of `name`; false (nothing stored) when the spec is gone.
    @discardableResult
    func appendEvent(name: String, _ event: SpecEvent) throws -> Bool
    /// The newest `limit` events of `name`, newest first.
    func events(name: String, limit: Int) throws -> [SpecEvent]
}
