/// Where a spec stands in its life: Pending → Converging → Ready (or Failed); Deleting once deletion was requested.
public enum Phase: String, Codable, Sendable, CaseIterable {
    /// Accepted, not yet worked on.
    case pending = "Pending"
    /// The reconciler is creating or changing AWS resources.
    case converging = "Converging"
    /// Every condition holds for the observed generation.
    case ready = "Ready"
    /// A terminal error needs the operator; a new spec generation clears it.
    case failed = "Failed"
    /// Deletion was requested and is in progress.
    case deleting = "Deleting"
}

/// What aurorad last observed about the spec's Aurora cluster.
public struct ClusterFacts: Codable, Sendable, Equatable {
    /// The `status` used before the cluster has been observed at all.
    public static let notObservedStatus = "not-observed"

    /// The DB cluster identifier.
    public var identifier: String
    /// The RDS cluster status (`creating`, `available`, …), or `notObservedStatus`.
    public var status: String
    /// The cluster ARN, once it exists.
    public var arn: String?
    /// The writer endpoint, once RDS has assigned it.
    public var endpoint: String?
    /// When aurorad last observed the cluster it restored; kept after the cluster disappears, so a vanished
    /// cluster is told apart from one never restored.
    public var lastSeen: Timestamp?

    /// Creates cluster facts.
    public init(
        identifier: String, status: String, arn: String? = nil, endpoint: String? = nil, lastSeen: Timestamp? = nil
    ) {
        self.identifier = identifier
        self.status = status
        self.arn = arn
        self.endpoint = endpoint
        self.lastSeen = lastSeen
    }

    /// The JSON member names of the status contract; `StatusJSON` writes the same ones.
    public enum CodingKeys: String, CodingKey {
        case identifier, status, arn, endpoint, lastSeen
    }
}

/// What aurorad last observed about the ingestion role.
public struct RoleFacts: Codable, Sendable, Equatable {
    /// The role name, once known.
    public var name: String?
    /// The role ARN, once known.
    public var arn: String?

    /// Creates role facts.
    public init(name: String? = nil, arn: String? = nil) {
        self.name = name
        self.arn = arn
    }

    /// The JSON member names of the status contract; `StatusJSON` writes the same ones.
    public enum CodingKeys: String, CodingKey {
        case name, arn
    }
}

/// Where replication from the source starts for the cutover: the source's binary log file and position at the
/// backup, read once after the restore.
public struct BinlogPosition: Codable, Sendable, Equatable {
    /// `rds-event` (RDS's "Recovered from Binary log filename …" event), `xtrabackup_info` (the backup's
    /// `binlog_pos`, when the event is not found), or `unavailable` (neither says: the source had no binary log).
    public var source: String
    /// The binary log file, e.g. `mysql-bin.000003`; nil when unavailable.
    public var file: String?
    /// The position in that file; nil when unavailable.
    public var position: Int64?

    /// Where the position came from, as `source` says.
    public static let fromEvent = "rds-event"
    public static let fromBackup = "xtrabackup_info"
    public static let unavailable = "unavailable"

    /// Creates a binlog position.
    public init(source: String, file: String? = nil, position: Int64? = nil) {
        self.source = source
        self.file = file
        self.position = position
    }

    /// The JSON member names of the status contract; `StatusJSON` writes the same ones.
    public enum CodingKeys: String, CodingKey {
        case source, file, position
    }
}

/// The status of one spec, as `aurorad ctl status --json` prints it (the status contract).
///
/// `generation` and `deletionRequested` come from the stored spec; the other fields are what the reconciler last
/// wrote, and `observedGeneration` says which spec generation they describe.
public struct SpecStatus: Codable, Sendable, Equatable {
    /// The spec name.
    public var name: String
    /// The stored spec's generation.
    public var generation: Int64
    /// The generation this status describes (0: not reconciled yet).
    public var observedGeneration: Int64
    /// The overall phase.
    public var phase: Phase
    /// One condition per convergence step.
    public var conditions: [Condition]
    /// The cluster as last observed.
    public var cluster: ClusterFacts
    /// The ingestion role as last observed.
    public var role: RoleFacts
    /// A summary sentence for the operator (the failure and what to do, when failed).
    public var message: String?
    /// Whether deletion was requested.
    public var deletionRequested: Bool
    /// When the operator asked to restore the vanished cluster again (`aurorad ctl restore`); nil when not pending.
    public var restoreRequestedAt: Timestamp?
    /// When this status was last written.
    public var updatedAt: Timestamp
    /// The source's binlog position for starting replication into the restored cluster; nil until read.
    public var binlog: BinlogPosition?

    /// Creates a status.
    public init(
        name: String, generation: Int64, observedGeneration: Int64, phase: Phase, conditions: [Condition] = [],
        cluster: ClusterFacts, role: RoleFacts = RoleFacts(), message: String? = nil, deletionRequested: Bool = false,
        restoreRequestedAt: Timestamp? = nil, updatedAt: Timestamp, binlog: BinlogPosition? = nil
    ) {
        self.name = name
        self.generation = generation
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.conditions = conditions
        self.cluster = cluster
        self.role = role
        self.message = message
        self.deletionRequested = deletionRequested
        self.restoreRequestedAt = restoreRequestedAt
        self.updatedAt = updatedAt
        self.binlog = binlog
    }

    /// The JSON member names of the status contract; `StatusJSON` writes the same ones.
    public enum CodingKeys: String, CodingKey {
        case name, generation, observedGeneration, phase, conditions, cluster, role, message, deletionRequested
        case restoreRequestedAt, updatedAt, binlog
    }
}
