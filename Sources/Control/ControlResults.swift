import StatusModel

// The result of each command, as the daemon writes it and `aurorad ctl` reads it: one Codable type per answer, so a
// renamed or retyped field is a compile error on both sides. `list` answers `[SpecStatus]`, `events` `[SpecEvent]`
// and a `delete` dry run a `DeletionPreview` (StatusModel); the rest are here.

/// What `submit` did: the spec's generation after the put, and whether the spec was new or its JSON changed.
public struct SubmitResult: Codable, Equatable, Sendable {
    /// The spec name.
    public var name: String
    /// The spec's generation after the put.
    public var generation: Int64
    /// Whether the spec was new.
    public var created: Bool
    /// Whether the stored JSON changed (true when created).
    public var changed: Bool

    /// Creates a submit result.
    public init(name: String, generation: Int64, created: Bool, changed: Bool) {
        self.name = name
        self.generation = generation
        self.created = created
        self.changed = changed
    }
}

/// What `status` answers: the spec's status with its recent events and the settings aurorad manages for it.
public struct StatusResult: Codable, Equatable, Sendable {
    /// The status; its members are the result's top-level members.
    public var status: SpecStatus
    /// The newest events, newest first (absent is read as none).
    public var events: [SpecEvent]
    /// The settings aurorad keeps as the spec says; nil when the stored spec no longer decodes.
    public var managedSettings: [String]?

    /// The members added to the status's own.
    public enum CodingKeys: String, CodingKey {
        case events, managedSettings
    }

    /// Creates a status result.
    public init(status: SpecStatus, events: [SpecEvent], managedSettings: [String]?) {
        self.status = status
        self.events = events
        self.managedSettings = managedSettings
    }

    /// Reads the status's members and the added ones from one object.
    public init(from decoder: any Decoder) throws {
        status = try SpecStatus(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        events = try container.decodeIfPresent([SpecEvent].self, forKey: .events) ?? []
        managedSettings = try container.decodeIfPresent([String].self, forKey: .managedSettings)
    }

    /// Writes the status's members and the added ones into one object.
    public func encode(to encoder: any Encoder) throws {
        try status.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encodeIfPresent(managedSettings, forKey: .managedSettings)
    }
}

/// What `plan` answers: the reconciler's preview and which settings aurorad manages after the restore.
public struct PlanResult: Codable, Equatable, Sendable {
    /// The projected steps and phases; its members are the result's top-level members.
    public var preview: PlanPreview
    /// The settings aurorad keeps as the spec says after the restore (absent is read as none).
    public var managedSettings: [String]
    /// The settings the spec leaves out, so aurorad leaves them as they are in AWS (absent is read as none).
    public var unmanagedSettings: [String]

    /// The members added to the preview's own.
    public enum CodingKeys: String, CodingKey {
        case managedSettings, unmanagedSettings
    }

    /// Creates a plan result.
    public init(preview: PlanPreview, managedSettings: [String], unmanagedSettings: [String]) {
        self.preview = preview
        self.managedSettings = managedSettings
        self.unmanagedSettings = unmanagedSettings
    }

    /// Reads the preview's members and the added ones from one object.
    public init(from decoder: any Decoder) throws {
        preview = try PlanPreview(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        managedSettings = try container.decodeIfPresent([String].self, forKey: .managedSettings) ?? []
        unmanagedSettings = try container.decodeIfPresent([String].self, forKey: .unmanagedSettings) ?? []
    }

    /// Writes the preview's members and the added ones into one object.
    public func encode(to encoder: any Encoder) throws {
        try preview.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(managedSettings, forKey: .managedSettings)
        try container.encode(unmanagedSettings, forKey: .unmanagedSettings)
    }
}

/// What `delete` answers once deletion was requested.
public struct DeleteResult: Codable, Equatable, Sendable {
    /// The spec name.
    public var name: String
    /// Always true: deletion was requested.
    public var deletionRequested: Bool

    /// A result for `name`, deletion requested.
    public init(name: String) {
        self.name = name
        deletionRequested = true
    }
}

/// What `delete` with `keepResources` answers: the spec was forgotten, its AWS resources left as they are.
public struct ForgetResult: Codable, Equatable, Sendable {
    /// The spec name.
    public var name: String
    /// Always true: the spec was removed from the store.
    public var forgotten: Bool

    /// A result for `name`, forgotten.
    public init(name: String) {
        self.name = name
        forgotten = true
    }
}

/// What `restore` answers: the operator's intent to restore the vanished cluster was recorded.
public struct RestoreResult: Codable, Equatable, Sendable {
    /// The spec name.
    public var name: String
    /// Always true: the restore was requested.
    public var restoreRequested: Bool
    /// When it was requested.
    public var restoreRequestedAt: Timestamp

    /// A result for `name`, restore requested at `requestedAt`.
    public init(name: String, requestedAt: Timestamp) {
        self.name = name
        restoreRequested = true
        restoreRequestedAt = requestedAt
    }
}
