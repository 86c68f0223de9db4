import ImportSpec

/// A machine-readable error code on the socket; a struct so the daemon can add codes and old clients still decode.
public struct ControlErrorCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The code as it appears on the wire, e.g. `not_found`.
    public let rawValue: String

    /// Wraps a wire code.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The line is not valid JSON, lacks `command`, names an unknown command or has a field of the wrong type.
    public static let invalidRequest = ControlErrorCode(rawValue: "invalid_request")
    /// The spec failed validation; `details` lists every problem, one per line.
    public static let invalidSpec = ControlErrorCode(rawValue: "invalid_spec")
    /// No spec has the requested name.
    public static let notFound = ControlErrorCode(rawValue: "not_found")
    /// The daemon cannot take the request now (e.g. too many connections); retry later.
    public static let busy = ControlErrorCode(rawValue: "busy")
    /// The request conflicts with the spec's state (e.g. a submit while its deletion is in progress).
    public static let conflict = ControlErrorCode(rawValue: "conflict")
    /// The daemon failed while handling a valid request.
    public static let `internal` = ControlErrorCode(rawValue: "internal")
    /// The peer's uid and groups are not allowed on this socket.
    public static let forbidden = ControlErrorCode(rawValue: "forbidden")
    /// The request line exceeds the server's size limit.
    public static let requestTooLarge = ControlErrorCode(rawValue: "request_too_large")
    /// No complete request arrived within the idle timeout.
    public static let timeout = ControlErrorCode(rawValue: "timeout")

    /// The wire code.
    public var description: String { rawValue }

    /// Decodes the bare wire string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the bare wire string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The error half of a response: a code, a sentence for people, and optional per-item details.
public struct ControlError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: ControlErrorCode
    /// One sentence saying what happened and what to do.
    public var message: String
    /// Itemised problems, e.g. one line per invalid spec field.
    public var details: [String]?

    /// Creates an error reply.
    public init(code: ControlErrorCode, message: String, details: [String]? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// The message followed by the details, one per line.
    public var description: String {
        ([message] + (details ?? []).map { "  \($0)" }).joined(separator: "\n")
    }
}

/// One response line: `{"ok": true, "result": …}` or `{"ok": false, "error": {…}}`, echoing the request's `id`.
public struct ControlResponse: Sendable, Equatable, Codable {
    /// Success with a result, or failure with an error.
    public enum Outcome: Sendable, Equatable {
        case success(JSONValue)
        case failure(ControlError)
    }

    /// What happened.
    public var outcome: Outcome
    /// The request's `id`, echoed so a client can match responses; the server fills it in.
    public var id: JSONValue?

    /// Creates a response.
    public init(_ outcome: Outcome, id: JSONValue? = nil) {
        self.outcome = outcome
        self.id = id
    }

    /// A success response carrying `result`.
    public static func success(_ result: JSONValue) -> ControlResponse { ControlResponse(.success(result)) }

    /// A failure response.
    public static func failure(_ code: ControlErrorCode, _ message: String, details: [String]? = nil)
        -> ControlResponse
    {
        ControlResponse(.failure(ControlError(code: code, message: message, details: details)))
    }

    /// True for a success.
    public var isSuccess: Bool {
        if case .success = outcome { return true }
        return false
    }

    /// The result of a success, or the error thrown for a failure.
    public func get() throws(ControlError) -> JSONValue {
        switch outcome {
        case .success(let result): return result
        case .failure(let error): throw error
        }
    }

    private enum CodingKeys: String, CodingKey { case ok, result, error, id }

    /// Decodes the `ok` discriminated shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(JSONValue.self, forKey: .id)
        if try container.decode(Bool.self, forKey: .ok) {
            outcome = .success(try container.decodeIfPresent(JSONValue.self, forKey: .result) ?? .null)
        } else {
            outcome = .failure(try container.decode(ControlError.self, forKey: .error))
        }
    }

    /// Encodes the `ok` discriminated shape; `id` only when the request had one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch outcome {
        case .success(let result):
            try container.encode(true, forKey: .ok)
            try container.encode(result, forKey: .result)
        case .failure(let error):
            try container.encode(false, forKey: .ok)
            try container.encode(error, forKey: .error)
        }
        try container.encodeIfPresent(id, forKey: .id)
    }
}
