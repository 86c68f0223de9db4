import Foundation
import ImportSpec

/// An IAM policy document in normalized form, so two documents compare equal when they mean the same thing.
///
/// IAM hands policies back URL-encoded, with keys and array elements in any order, and with a one-element array
/// often collapsed to a plain string (`"Action": "s3:GetObject"`). Normalizing removes all of that: statements are a
/// multiset, every list is a sorted set, `"Principal": "*"` is `{"AWS": ["*"]}`, action names compare
/// case-insensitively (as IAM matches them) and `Sid` is ignored (it names a statement, it grants nothing).
public struct PolicyDocument: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The policy language version, e.g. `2012-10-17`.
    public var version: String?
    /// The statements, sorted by their canonical form.
    public private(set) var statements: [PolicyStatement]

    /// Creates a document; statements are put in canonical order.
    public init(version: String? = "2012-10-17", statements: [PolicyStatement]) {
        self.version = version
        self.statements = statements.sorted { $0.canonicalKey < $1.canonicalKey }
    }

    /// Parses a policy as IAM returns it: URL-encoded JSON (GetRole, GetRolePolicy, GetAccountAuthorizationDetails)
    /// or plain JSON.
    public init(parsing text: String) throws(PolicyDocumentError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let json: String
        if trimmed.hasPrefix("{") {
            json = trimmed
        } else if let decoded = trimmed.removingPercentEncoding {
            json = decoded
        } else {
            throw PolicyDocumentError("the policy document is neither JSON nor URL-encoded JSON")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw PolicyDocumentError("the policy document is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw PolicyDocumentError("the policy document is not a JSON object")
        }
        let version: String?
        switch object["Version"] {
        case nil: version = nil
        case .string(let text): version = text
        default: throw PolicyDocumentError("the policy's Version is not a string")
        }
        let statementValues: [JSONValue]
        switch object["Statement"] {
        case .array(let items): statementValues = items
        case .object(let single): statementValues = [.object(single)]
        default: throw PolicyDocumentError("the policy has no Statement object or array")
        }
        var statements: [PolicyStatement] = []
        for item in statementValues {
            guard case .object(let fields) = item else {
                throw PolicyDocumentError("a policy statement is not a JSON object")
            }
            statements.append(try PolicyStatement(fields: fields))
        }
        self.init(version: version, statements: statements)
    }

    /// The document as compact JSON with sorted keys: deterministic, suitable for IAM calls and golden tests.
    public var json: String { PolicyDocument.render(jsonValue) }

    /// The document as plain JSON text.
    public var description: String { json }

    var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["Statement": .array(statements.map(\.jsonValue))]
        if let version { object["Version"] = .string(version) }
        return .object(object)
    }

    /// `value` as canonical JSON (keys in byte order). Not `JSONSerialization`: its sorted keys go through ICU's
    /// collation, whose code and data stayed paged in for the daemon's life after the first policy compared.
    static func render(_ value: JSONValue) -> String {
        String(decoding: value.canonicalBytes(), as: UTF8.self)
    }
}

/// One statement of a normalized policy.
public struct PolicyStatement: Equatable, Hashable, Sendable {
    /// `Allow` or `Deny`.
    public var effect: String
    /// Principal type (`Service`, `AWS`, `Federated`, …) to sorted principals; `nil` when absent.
    public var principal: [String: [String]]?
    /// `NotPrincipal`, normalized like `principal`.
    public var notPrincipal: [String: [String]]?
    /// Actions, sorted case-insensitively, original spelling kept for rendering.
    public var actions: [String]
    /// `NotAction` entries.
    public var notActions: [String]
    /// Resources, sorted.
    public var resources: [String]
    /// `NotResource` entries.
    public var notResources: [String]
    /// Condition operator to condition key to sorted values.
    public var condition: [String: [String: [String]]]

    /// Creates a statement, normalizing every list.
    public init(
        effect: String = "Allow", principal: [String: [String]]? = nil, notPrincipal: [String: [String]]? = nil,
        actions: [String] = [], notActions: [String] = [], resources: [String] = [], notResources: [String] = [],
        condition: [String: [String: [String]]] = [:]
    ) {
        self.effect = effect
        self.principal = principal?.mapValues(Self.sortedSet)
        self.notPrincipal = notPrincipal?.mapValues(Self.sortedSet)
        self.actions = Self.sortedActionSet(actions)
        self.notActions = Self.sortedActionSet(notActions)
        self.resources = Self.sortedSet(resources)
        self.notResources = Self.sortedSet(notResources)
        self.condition = condition.mapValues { $0.mapValues(Self.sortedSet) }
    }

    init(fields: [String: JSONValue]) throws(PolicyDocumentError) {
        guard case .string(let effect)? = fields["Effect"] else {
            throw PolicyDocumentError("a policy statement has no Effect string")
        }
        self.init(
            effect: effect,
            principal: try Self.principal(fields["Principal"], field: "Principal"),
            notPrincipal: try Self.principal(fields["NotPrincipal"], field: "NotPrincipal"),
            actions: try Self.strings(fields["Action"], field: "Action"),
            notActions: try Self.strings(fields["NotAction"], field: "NotAction"),
            resources: try Self.strings(fields["Resource"], field: "Resource"),
            notResources: try Self.strings(fields["NotResource"], field: "NotResource"),
            condition: try Self.condition(fields["Condition"]))
    }

    /// Equality by meaning: see `PolicyDocument`.
    public static func == (lhs: PolicyStatement, rhs: PolicyStatement) -> Bool {
        lhs.canonicalKey == rhs.canonicalKey
    }

    /// Hashes the canonical form, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalKey)
    }

    /// The statement as canonical JSON with action names lower-cased: equal keys mean equal statements.
    var canonicalKey: String {
        guard case .object(var object) = jsonValue else { return "" }
        if !actions.isEmpty { object["Action"] = Self.strings(actions.map { $0.lowercased() }) }
        if !notActions.isEmpty { object["NotAction"] = Self.strings(notActions.map { $0.lowercased() }) }
        return PolicyDocument.render(.object(object))
    }

    var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["Effect": .string(effect)]
        if let principal { object["Principal"] = .object(principal.mapValues(Self.strings)) }
        if let notPrincipal { object["NotPrincipal"] = .object(notPrincipal.mapValues(Self.strings)) }
        if !actions.isEmpty { object["Action"] = Self.strings(actions) }
        if !notActions.isEmpty { object["NotAction"] = Self.strings(notActions) }
        if !resources.isEmpty { object["Resource"] = Self.strings(resources) }
        if !notResources.isEmpty { object["NotResource"] = Self.strings(notResources) }
        if !condition.isEmpty {
            object["Condition"] = .object(condition.mapValues { .object($0.mapValues(Self.strings)) })
        }
        return .object(object)
    }

    private static func strings(_ values: [String]) -> JSONValue {
        .array(values.map(JSONValue.string))
    }

    private static func sortedSet(_ values: [String]) -> [String] {
        Array(Set(values)).sorted()
    }

    private static func sortedActionSet(_ values: [String]) -> [String] {
        var seen: [String: String] = [:]
        for value in values where seen[value.lowercased()] == nil { seen[value.lowercased()] = value }
        return seen.keys.sorted().compactMap { seen[$0] }
    }

    private static func strings(_ value: JSONValue?, field: String) throws(PolicyDocumentError) -> [String] {
        switch value {
        case nil: return []
        case .string(let text): return [text]
        case .array(let items):
            var result: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw PolicyDocumentError("the statement's \(field) holds a value that is not a string")
                }
                result.append(text)
            }
            return result
        default: throw PolicyDocumentError("the statement's \(field) is neither a string nor an array of strings")
        }
    }

    private static func principal(_ value: JSONValue?, field: String) throws(PolicyDocumentError)
        -> [String: [String]]?
    {
        switch value {
        case nil: return nil
        case .string("*"): return ["AWS": ["*"]]
        case .object(let object):
            var result: [String: [String]] = [:]
            for (type, entry) in object { result[type] = try strings(entry, field: "\(field).\(type)") }
            return result
        default: throw PolicyDocumentError("the statement's \(field) is neither \"*\" nor an object")
        }
    }

    private static func condition(_ value: JSONValue?) throws(PolicyDocumentError) -> [String: [String: [String]]] {
        guard let value else { return [:] }
        guard case .object(let operators) = value else {
            throw PolicyDocumentError("the statement's Condition is not an object")
        }
        var result: [String: [String: [String]]] = [:]
        for (op, keys) in operators {
            guard case .object(let keyValues) = keys else {
                throw PolicyDocumentError("the Condition operator \(op) does not map keys to values")
            }
            var entry: [String: [String]] = [:]
            for (key, raw) in keyValues {
                // IAM compares condition values as strings, so `true` and `"true"` mean the same.
                let items: [JSONValue]
                if case .array(let list) = raw { items = list } else { items = [raw] }
                entry[key] = try items.map { (item) throws(PolicyDocumentError) -> String in
                    guard let text = item.scalarText else {
                        throw PolicyDocumentError("the Condition key \(key) holds a value that is not a scalar")
                    }
                    return text
                }
            }
            result[op] = entry
        }
        return result
    }
}

/// A policy document that could not be parsed.
public struct PolicyDocumentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the document, as a sentence fragment.
    public let reason: String

    init(_ reason: String) { self.reason = reason }

    /// A full sentence for logs and status.
    public var description: String { "The IAM policy document could not be read: \(reason)." }
}

extension JSONValue {
    /// The text of a string, number or boolean, as IAM compares condition values; `nil` for containers and null.
    fileprivate var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }
}
