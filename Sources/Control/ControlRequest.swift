import Foundation
import ImportSpec
import StatusModel

/// The commands the socket understands.
public enum ControlCommand: String, Sendable, Codable, CaseIterable {
    case submit, status, list, delete, plan, restore, events

    /// The fields this command cannot do without.
    var requiredFields: [String] {
        switch self {
        case .submit, .plan: ["spec"]
        case .status, .delete, .restore, .events: ["name"]
        case .list: []
        }
    }
}

/// One request line: `{"command": …, "name"?: String, "spec"?: {…}, "dryRun"?: Bool, "keepResources"?: Bool,
/// "limit"?: Int, "phase"?: String, "summary"?: Bool, "id"?: any}`; the two flags are for `delete` only, and
/// exclusive; `limit` is for `events` only; `phase` and `summary` are for `list` only.
public struct ControlRequest: Sendable, Equatable, Encodable {
    /// What to do.
    public var command: ControlCommand
    /// The spec name, for status and delete.
    public var name: String?
    /// The spec as a JSON object, for submit and plan; the daemon decodes and validates it.
    public var spec: JSONValue?
    /// Any value the client wants echoed back in the response.
    public var id: JSONValue?
    /// For delete: answer what the deletion would destroy and leave in place, and change nothing.
    public var dryRun: Bool
    /// For delete: forget the spec (remove it from the store) and leave every AWS resource as it is.
    public var keepResources: Bool
    /// For events: how many of the newest events to answer (1…`maximumEventLimit`; nil: `defaultEventLimit`).
    public var limit: Int?
    /// For list: only the specs in this phase.
    public var phase: Phase?
    /// For list: each status with only the members `ctl list` prints (name, phase, generation, observedGeneration,
    /// cluster.status, updatedAt), a tenth of the bytes at 10,000 specs.
    public var summary: Bool

    /// The most events one `events` request may ask for.
    public static let maximumEventLimit = 10_000
    /// How many events an `events` request without `limit` answers.
    public static let defaultEventLimit = 50

    /// Creates a request; prefer the static constructors, which set the fields each command needs.
    public init(
        command: ControlCommand, name: String? = nil, spec: JSONValue? = nil, id: JSONValue? = nil,
        dryRun: Bool = false, keepResources: Bool = false, limit: Int? = nil, phase: Phase? = nil,
        summary: Bool = false
    ) {
        self.command = command
        self.name = name
        self.spec = spec
        self.id = id
        self.dryRun = dryRun
        self.keepResources = keepResources
        self.limit = limit
        self.phase = phase
        self.summary = summary
    }

    /// Create or update a spec.
    public static func submit(spec: JSONValue) -> ControlRequest { ControlRequest(command: .submit, spec: spec) }
    /// Dry run: the actions the daemon would take for a spec.
    public static func plan(spec: JSONValue) -> ControlRequest { ControlRequest(command: .plan, spec: spec) }
    /// The status of one spec.
    public static func status(name: String) -> ControlRequest { ControlRequest(command: .status, name: name) }
    /// Every spec with its status, or only those in `phase`; `summary`: only the members `ctl list` prints.
    public static func list(phase: Phase? = nil, summary: Bool = false) -> ControlRequest {
        ControlRequest(command: .list, phase: phase, summary: summary)
    }
    /// Request deletion of a spec.
    public static func delete(name: String) -> ControlRequest { ControlRequest(command: .delete, name: name) }
    /// What deleting a spec would destroy and leave in place, from live observation; changes nothing.
    public static func deletePreview(name: String) -> ControlRequest {
        ControlRequest(command: .delete, name: name, dryRun: true)
    }
    /// Forget a spec and leave its AWS resources untouched.
    public static func forget(name: String) -> ControlRequest {
        ControlRequest(command: .delete, name: name, keepResources: true)
    }
    /// Ask for the vanished cluster of a spec to be restored again from its backup.
    public static func restore(name: String) -> ControlRequest { ControlRequest(command: .restore, name: name) }

    /// The newest `limit` events of a spec (default 50), newest first.
    public static func events(name: String, limit: Int? = nil) -> ControlRequest {
        ControlRequest(command: .events, name: name, limit: limit)
    }

    private static let knownFields: Set<String> = [
        "command", "name", "spec", "id", "dryRun", "keepResources", "limit", "phase", "summary",
    ]

    /// Parses one request line, reporting what is wrong with it as an `invalid_request` error.
    ///
    /// The checks are done by hand on a `JSONValue` rather than by `Decodable` so that every message names the
    /// offending field the way the client wrote it.
    public init(parsing line: Data) throws(ControlError) {
        try self.init(validating: Self.parseJSON(line))
    }

    /// Decodes a request line into a JSON value, or throws `invalid_request` when it is not JSON.
    static func parseJSON(_ line: Data) throws(ControlError) -> JSONValue {
        do {
            return try JSONValue(decoding: line)
        } catch {
            throw invalid("The request is not valid JSON; send one JSON object per line.")
        }
    }

    /// Checks a decoded request line field by field.
    init(validating value: JSONValue) throws(ControlError) {
        guard case .object(let fields) = value else {
            throw Self.invalid("The request must be a JSON object, not \(value.typeName).")
        }
        id = fields["id"]
        let unknown = fields.keys.filter { !Self.knownFields.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw Self.invalid(
                "Unknown field \(unknown.map { "`\($0)`" }.joined(separator: ", ")) in the request; "
                    + "known fields are command, name, spec, dryRun, keepResources, limit, phase, summary and id.")
        }
        guard let commandValue = fields["command"] else {
            throw Self.invalid("The request has no `command`; use one of \(Self.commandList).")
        }
        guard let commandText = commandValue.stringValue else {
            throw Self.invalid("`command` must be a string, not \(commandValue.typeName).")
        }
        guard let command = ControlCommand(rawValue: commandText) else {
            throw Self.invalid("Unknown command `\(commandText)`; use one of \(Self.commandList).")
        }
        self.command = command
        switch fields["name"] {
        case nil, .null?: name = nil
        case .string(let text)?:
            guard !text.isEmpty else { throw Self.invalid("`name` must not be empty.") }
            name = text
        case let other?: throw Self.invalid("`name` must be a string, not \(other.typeName).")
        }
        switch fields["spec"] {
        case nil, .null?: spec = nil
        case let object? where object.typeName == "object": spec = object
        case let other?: throw Self.invalid("`spec` must be a JSON object, not \(other.typeName).")
        }
        for field in command.requiredFields where (field == "name" ? name == nil : spec == nil) {
            throw Self.invalid("The \(command.rawValue) command needs `\(field)`.")
        }
        dryRun = try Self.flag("dryRun", in: fields, command: command, only: .delete)
        keepResources = try Self.flag("keepResources", in: fields, command: command, only: .delete)
        if dryRun && keepResources {
            throw Self.invalid("`dryRun` and `keepResources` exclude each other; send at most one of them.")
        }
        limit = try Self.eventLimit(fields["limit"], command: command)
        phase = try Self.listPhase(fields["phase"], command: command)
        summary = try Self.flag("summary", in: fields, command: command, only: .list)
    }

    /// The `phase` field: list only, one of the phases' names; absent or null is nil.
    private static func listPhase(_ value: JSONValue?, command: ControlCommand) throws(ControlError) -> Phase? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)? where command == .list:
            guard let phase = Phase(rawValue: text) else {
                throw invalid(
                    "`phase` must be one of \(Phase.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"."
                )
            }
            return phase
        case .string?: throw invalid("`phase` is only for the list command, not \(command.rawValue).")
        case let other?: throw invalid("`phase` must be a string, not \(other.typeName).")
        }
    }

    /// The `limit` field: events only, an integer in 1…`maximumEventLimit`; absent or null is nil.
    private static func eventLimit(_ value: JSONValue?, command: ControlCommand) throws(ControlError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .integer(let limit)? where command == .events:
            guard (1...maximumEventLimit).contains(limit) else {
                throw invalid("`limit` must be between 1 and \(maximumEventLimit), not \(limit).")
            }
            return limit
        case .integer?: throw invalid("`limit` is only for the events command, not \(command.rawValue).")
        case let other?: throw invalid("`limit` must be an integer, not \(other.typeName).")
        }
    }

    /// A boolean field only the `only` command takes; absent or null is false.
    private static func flag(
        _ field: String, in fields: [String: JSONValue], command: ControlCommand, only: ControlCommand
    ) throws(ControlError) -> Bool {
        switch fields[field] {
        case nil, .null?: return false
        case .bool(let value)? where command == only: return value
        case .bool?: throw invalid("`\(field)` is only for the \(only.rawValue) command, not \(command.rawValue).")
        case let other?: throw invalid("`\(field)` must be a boolean, not \(other.typeName).")
        }
    }

    private static var commandList: String { ControlCommand.allCases.map(\.rawValue).joined(separator: ", ") }

    private static func invalid(_ message: String) -> ControlError {
        ControlError(code: .invalidRequest, message: message)
    }

    private enum CodingKeys: String, CodingKey {
        case command, name, spec, id, dryRun, keepResources, limit, phase, summary
    }

    /// Encodes only the fields that are set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(spec, forKey: .spec)
        try container.encodeIfPresent(id, forKey: .id)
        if dryRun { try container.encode(true, forKey: .dryRun) }
        if keepResources { try container.encode(true, forKey: .keepResources) }
        try container.encodeIfPresent(limit, forKey: .limit)
        try container.encodeIfPresent(phase?.rawValue, forKey: .phase)
        if summary { try container.encode(true, forKey: .summary) }
    }
}
