import Foundation

/// A spec as stored: its canonical JSON bytes and the bookkeeping around them.
public struct StoredSpec: Codable, Sendable, Equatable {
    /// The spec name (the primary key).
    public var name: String
    /// The spec as canonical JSON, byte for byte as it was put.
    public var specJSON: Data
    /// Starts at 1; grows by one each time different JSON is put.
    public var generation: Int64
    /// When the spec was first stored.
    public var createdAt: Timestamp
    /// When the JSON or the deletion flag last changed.
    public var updatedAt: Timestamp
    /// Whether deletion was requested (the reconciler removes the row when AWS is cleaned up).
    public var deletionRequested: Bool
    /// When the operator asked (`aurorad ctl restore`) to restore the cluster again; nil when not asked, or once
    /// the restored cluster was observed.
    public var restoreRequestedAt: Timestamp?

    /// Creates a stored spec.
    public init(
        name: String, specJSON: Data, generation: Int64, createdAt: Timestamp, updatedAt: Timestamp,
        deletionRequested: Bool, restoreRequestedAt: Timestamp? = nil
    ) {
        self.name = name
        self.specJSON = specJSON
        self.generation = generation
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletionRequested = deletionRequested
        self.restoreRequestedAt = restoreRequestedAt
    }
}

/// What a `put` did.
public struct PutOutcome: Codable, Sendable, Equatable {
    /// The spec's generation after the put.
    public var generation: Int64
    /// Whether the spec was new.
    public var created: Bool
    /// Whether the stored JSON changed (true when created).
    public var changed: Bool

    /// Creates an outcome.
    public init(generation: Int64, created: Bool, changed: Bool) {
        self.generation = generation
        self.created = created
        self.changed = changed
    }
}

/// What a `writeStatus` did.
public enum StatusWriteOutcome: Sendable, Equatable {
    /// The status was stored.
    case written
    /// Ignored: the stored status already describes a newer generation (the given one).
    case ignoredStale(storedObservedGeneration: Int64)
    /// Ignored: the spec no longer exists, and a status write must not bring it back.
    case specNotFound
}
