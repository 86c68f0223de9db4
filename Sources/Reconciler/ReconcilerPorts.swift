import ImportSpec
import StatusModel

/// Reads what exists in AWS for a spec; synchronous, blocking and thread-safe. `AWSObserver` is the real one.
public protocol StateObserving: Sendable {
    /// Observes the spec's ingestion role, cluster (with its latest event) and instances; "not found" is an
    /// observation (`nil` / empty), never an error. The backup is left `.notChecked`.
    func observe(_ spec: ImportSpec) throws(ObservationError) -> ObservedState
    /// Observes the spec with reads of its own, never a shared or kept one: what `ctl plan` and the `ctl delete`
    /// preview show must include what the operator changed in AWS a moment ago.
    func observeLive(_ spec: ImportSpec) throws(ObservationError) -> ObservedState
    /// Runs the S3 backup preflight for the backup under `prefix` of `bucket` (which must be in the observer's region).
    func preflight(bucket: String, prefix: String?) throws(ObservationError) -> BackupPreflight
    /// Asks RDS whether it offers `version` of `engine`, and when not, which versions it offers instead.
    func checkEngineVersion(_ version: String, engine: String) throws(ObservationError) -> EngineVersionCheck
    /// The source's binlog position at the backup of the spec's restored cluster: RDS's event, else the backup's
    /// `xtrabackup_info`, else `unavailable`. Asked once per restored cluster, not at every resync.
    func binlogPosition(_ spec: ImportSpec) throws(ObservationError) -> BinlogPosition
    /// Told after a reconcile of the spec `name` wrote to AWS, with each write's result (`.unknown` for a failed
    /// one): the spec's next observation must show every write, from the result when it tells enough, else by
    /// reading after now.
    func wrote(_ name: String, _ writes: [(action: Action, result: WriteResult)])
}

extension StateObserving {
    /// An observer that reads afresh at every `observe(_:)` sees every write; nothing to remember.
    public func wrote(_ name: String, _ writes: [(action: Action, result: WriteResult)]) {}

    /// An observer that reads afresh at every `observe(_:)` is always live.
    public func observeLive(_ spec: ImportSpec) throws(ObservationError) -> ObservedState { try observe(spec) }
}

/// Carries out one planned action against AWS; synchronous, blocking and thread-safe. `AWSActionExecutor` is the
/// real one. Read-only actions (waits, the preflight) never reach it.
public protocol ActionExecuting: Sendable {
    /// Executes `action` and says what its answer tells of AWS afterwards; "already exists" answers count as
    /// success (the next observation settles them).
    @discardableResult
    func execute(_ action: Action) throws(ReconcileError) -> WriteResult
}

/// Reads every watched spec's resources in a few batched calls, for `FleetObserver`; `AWSObserver` is the real one.
public protocol FleetReading: StateObserving {
    /// One batched read of the clusters, instances and security groups of the specs in `interests` (keyed by spec
    /// name), with the instances of `clusters` (identifiers of specs waiting on their instances alone) in the same
    /// instances read; "not found" leaves a spec's entries out. Roles are left empty (`readRoles(named:)`).
    func readFleet(
        _ interests: [String: FleetInterest], instancesOf clusters: Set<String>
    ) throws(ObservationError) -> FleetView
    /// One read of the instances of `clusters` (identifiers), by lowercased cluster identifier.
    func readInstances(ofClusters clusters: Set<String>) throws(ObservationError) -> [String: [ObservedInstance]]
    /// One account-wide read of the roles, kept for `names` (lowercased), by lowercased name.
    func readRoles(named names: Set<String>) throws(ObservationError) -> KeyedValues<ObservedRole>
    /// One read of the account's recent cluster events (the last hour): the binlog position of each cluster's newest
    /// recovery event, by lowercased cluster identifier, for every spec restored lately at once.
    func readRecentBinlogPositions() throws(ObservationError) -> [String: BinlogPosition]
    /// Adds to an observation taken from a `FleetView` the rare reads that stay per spec.
    func completeObservation(_ observed: ObservedState, of spec: ImportSpec) throws(ObservationError)
        -> ObservedState
}
