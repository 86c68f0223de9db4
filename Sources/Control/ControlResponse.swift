import Foundation
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
        /// Success with the result already compact JSON text with sorted keys, as the wire carries it: a list of
        /// thousands of statuses is written from its records and printed by `aurorad ctl` without a value tree.
        case encodedSuccess([UInt8])
        /// Success with a result sent while it is written (`ResultStream`): the server asks for each piece once the one
        /// before it is out, so a list of 10,000 statuses is never held whole.
        case streamedSuccess(ResultStream)
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
        if case .failure = outcome { return false }
        return true
    }

    /// The result of a success, or the error thrown for a failure (or for an encoded result that is not JSON).
    public func get() throws(ControlError) -> JSONValue {
        switch outcome {
        case .success(let result): return result
        case .encodedSuccess(let text): return try Self.parse(text)
        case .streamedSuccess(let stream): return try Self.parse(try Self.collected(stream))
        case .failure(let error): throw error
        }
    }

    /// The result of a success as indented JSON text (`JSONText.pretty`), or the error thrown for a failure.
    public func prettyResult() throws(ControlError) -> [UInt8] {
        switch outcome {
        case .success(let result):
            do { return try JSONText.pretty(result) } catch { throw Self.unwritable(error) }
        case .encodedSuccess(let text): return try Self.indented(text)
        case .streamedSuccess(let stream): return try Self.indented(try Self.collected(stream))
        case .failure(let error): throw error
        }
    }

    /// Compact result text indented as it is, or, when it is not balanced JSON, parsed (which names the fault).
    private static func indented(_ text: [UInt8]) throws(ControlError) -> [UInt8] {
        if let indented = JSONText.indented(text) { return indented }
        do { return try JSONText.pretty(try parse(text)) } catch { throw unwritable(error) }
    }

    /// Every piece `stream` has left, joined; a stream that fails is the daemon's internal error.
    private static func collected(_ stream: ResultStream) throws(ControlError) -> [UInt8] {
        do {
            return try stream.collected()
        } catch {
            throw ControlError(code: .internal, message: "The daemon could not write its result (\(error)).")
        }
    }

    private static func parse(_ text: [UInt8]) throws(ControlError) -> JSONValue {
        do {
            return try JSONValue(decoding: Data(text))
        } catch {
            throw ControlError(code: .internal, message: "The daemon's result is not valid JSON (\(error)).")
        }
    }

    private static func unwritable(_ error: any Error) -> ControlError {
        ControlError(code: .internal, message: "The daemon's result cannot be written as JSON (\(error)).")
    }

    /// The response as its wire object: `ok`, then `result` or `error` (`code`, `message`, `details` when present),
    /// and `id` when the request had one. An encoded result that is not JSON becomes null here; `get` reports it.
    public var wireValue: JSONValue {
        var members: [String: JSONValue] = [:]
        switch outcome {
        case .success(let result):
            members = ["ok": true, "result": result]
        case .encodedSuccess, .streamedSuccess:
            members = ["ok": true, "result": (try? get()) ?? .null]
        case .failure(let error):
            var fields: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
            fields["details"] = error.details.map { .array($0.map(JSONValue.string)) }
            members = ["ok": false, "error": .object(fields)]
        }
        members["id"] = id
        return .object(members)
    }

    /// Reads a wire object (see `wireValue`); throws `DecodingError` naming what is missing or of the wrong type.
    public init(wire value: JSONValue) throws {
        func failure(_ what: String) -> DecodingError {
            DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: what))
        }
        guard case .object(let members) = value, case .bool(let ok)? = members["ok"] else {
            throw failure("A response is an object with a boolean \"ok\".")
        }
        id = members["id"].flatMap { $0 == .null ? nil : $0 }
        if ok {
            outcome = .success(members["result"] ?? .null)
            return
        }
        guard case .object(let error)? = members["error"], let code = error["code"]?.stringValue,
            let message = error["message"]?.stringValue
        else { throw failure("A failure response has an \"error\" object with string \"code\" and \"message\".") }
        var details: [String]?
        switch error["details"] {
        case nil, .null?: details = nil
        case .array(let items)?:
            details = try items.map { item in
                guard let text = item.stringValue else { throw failure("Error details are strings.") }
                return text
            }
        default: throw failure("Error details are an array of strings.")
        }
        outcome = .failure(ControlError(code: ControlErrorCode(rawValue: code), message: message, details: details))
    }

    /// Decodes the wire object (`init(wire:)`).
    public init(from decoder: any Decoder) throws {
        try self.init(wire: try JSONValue(from: decoder))
    }

    /// Encodes the wire object (`wireValue`).
    public func encode(to encoder: any Encoder) throws {
        try wireValue.encode(to: encoder)
    }
}
