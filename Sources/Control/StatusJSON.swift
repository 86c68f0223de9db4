import ImportSpec
import StatusModel
import Synchronization

/// Status records as the JSON values `status` and `list` results carry, built member by member: the members their
/// `Codable` conformances write (a nil optional is left out), without `JSONValue(encoding:)`'s encode-and-decode
/// round trip, which cost a list of 10,000 statuses most of a second. The member names are the types' own
/// `CodingKeys`, so a renamed member cannot diverge; `StatusJSONTests` compares the values with `Codable`'s.
public enum StatusJSON {
    private typealias Status = SpecStatus.CodingKeys
    private typealias Cluster = ClusterFacts.CodingKeys
    private typealias Role = RoleFacts.CodingKeys
    private typealias Binlog = BinlogPosition.CodingKeys

    /// A spec's status.
    public static func value(_ status: SpecStatus) -> JSONValue {
        .object(members(status))
    }

    /// A `status` result: the status's members with the events and managed settings added.
    public static func value(_ result: StatusResult) -> JSONValue {
        var members = members(result.status)
        members[StatusResult.CodingKeys.events.stringValue] = .array(result.events.map(value))
        members[StatusResult.CodingKeys.managedSettings.stringValue] =
            result.managedSettings.map { .array($0.map(JSONValue.string)) }
        return .object(members)
    }

    private static func members(_ status: SpecStatus) -> [String: JSONValue] {
        var cluster: [String: JSONValue] = [
            Cluster.identifier.stringValue: .string(status.cluster.identifier),
            Cluster.status.stringValue: .string(status.cluster.status),
        ]
        cluster[Cluster.arn.stringValue] = status.cluster.arn.map(JSONValue.string)
        cluster[Cluster.endpoint.stringValue] = status.cluster.endpoint.map(JSONValue.string)
        cluster[Cluster.lastSeen.stringValue] = status.cluster.lastSeen.map(value)
        var role: [String: JSONValue] = [:]
        role[Role.name.stringValue] = status.role.name.map(JSONValue.string)
        role[Role.arn.stringValue] = status.role.arn.map(JSONValue.string)
        var members: [String: JSONValue] = [
            Status.name.stringValue: .string(status.name),
            Status.generation.stringValue: .integer(Int(status.generation)),
            Status.observedGeneration.stringValue: .integer(Int(status.observedGeneration)),
            Status.phase.stringValue: .string(status.phase.rawValue),
            Status.conditions.stringValue: .array(status.conditions.map(value)),
            Status.cluster.stringValue: .object(cluster), Status.role.stringValue: .object(role),
            Status.deletionRequested.stringValue: .bool(status.deletionRequested),
            Status.updatedAt.stringValue: value(status.updatedAt),
        ]
        members[Status.message.stringValue] = status.message.map(JSONValue.string)
        members[Status.restoreRequestedAt.stringValue] = status.restoreRequestedAt.map(value)
        if let binlog = status.binlog {
            var position: [String: JSONValue] = [Binlog.source.stringValue: .string(binlog.source)]
            position[Binlog.file.stringValue] = binlog.file.map(JSONValue.string)
            position[Binlog.position.stringValue] = binlog.position.map { .integer(Int($0)) }
            members[Status.binlog.stringValue] = .object(position)
        }
        return members
    }

    /// One condition of a status.
    public static func value(_ condition: Condition) -> JSONValue {
        typealias Key = Condition.CodingKeys
        return [
            Key.type.stringValue: .string(condition.type), Key.status.stringValue: .string(condition.status.rawValue),
            Key.reason.stringValue: .string(condition.reason), Key.message.stringValue: .string(condition.message),
            Key.lastTransitionTime.stringValue: value(condition.lastTransitionTime),
        ]
    }

    /// One event of a spec's log.
    public static func value(_ event: SpecEvent) -> JSONValue {
        typealias Key = SpecEvent.CodingKeys
        return [
            Key.time.stringValue: value(event.time), Key.type.stringValue: .string(event.type.rawValue),
            Key.reason.stringValue: .string(event.reason), Key.message.stringValue: .string(event.message),
        ]
    }

    /// A listed status whose stored conditions text is not a JSON array (the database was changed outside aurorad or
    /// is damaged); the daemon reports it as the store's unreadable value.
    public struct UnreadableConditions: Error, Equatable, CustomStringConvertible {
        /// The spec whose conditions cannot be read.
        public var name: String

        /// Names the spec and what is wrong.
        public var description: String { "the stored conditions of spec '\(name)' are not a JSON array" }
    }

    /// A `list` result as a `ResultStream`: the compact JSON text of the listed statuses' array, members in sorted
    /// order, the bytes `value` then `JSONText.compact` give for the statuses with their conditions, or with `summary`
    /// only the members `ctl list` prints (name, phase, generation, observedGeneration, cluster.status, updatedAt);
    /// only the statuses `including` takes. Each piece of about `ListText.pieceSize` bytes is written from the pages
    /// `readPage` gives (`limit` statuses by name after `after`) when the server asks for it. The conditions are the
    /// text the store keeps (`JSONEncoder` with sorted keys when the status was written), passed on as they are; one
    /// that is not a JSON array throws `UnreadableConditions`. Throws what the first piece's reads throw (nothing of
    /// the response is sent yet); a later error ends the response.
    public static func listStream(
        summary: Bool, including: @escaping @Sendable (SpecStatus) -> Bool,
        readPage: @escaping @Sendable (_ after: String?, _ limit: Int) throws -> [ListedStatus]
    ) throws -> ResultStream {
        let text = ListText(summary: summary, including: including, readPage: readPage)
        let first = try text.nextPiece() ?? []
        guard !text.isFinished else { return ResultStream(first: first, next: nil) }
        return ResultStream(first: first) { () throws -> [UInt8]? in try text.nextPiece() }
    }

    /// The state of one list being written: where the store's pages stand and whether the array is closed.
    final class ListText: Sendable {
        /// A piece ends with the page that takes it past this many bytes.
        static let pieceSize = 256 * 1024
        /// Statuses the first page reads; each later page reads about as many as fill the piece, at the bytes per
        /// status read so far, within `pageSizes`: each page is a store read, and a short list is one (a list of 400
        /// read in pages of 200 took 2.4 ms instead of 1.6).
        static let firstPageSize = 1_000
        static let pageSizes = 50...2_000

        private struct Position {
            var after: String?
            var opened = false
            var written = 0
            var read = 0
            var bytes = 0
            var finished = false

            /// How many statuses to read for `remaining` more bytes of the piece.
            func pageSize(toFill remaining: Int) -> Int {
                guard read > 0 else { return ListText.firstPageSize }
                let perStatus = max(1, bytes / read)
                return min(max(remaining / perStatus + 1, ListText.pageSizes.lowerBound), ListText.pageSizes.upperBound)
            }
        }

        private let summary: Bool
        private let including: @Sendable (SpecStatus) -> Bool
        private let readPage: @Sendable (_ after: String?, _ limit: Int) throws -> [ListedStatus]
        private let position = Mutex(Position())

        init(
            summary: Bool, including: @escaping @Sendable (SpecStatus) -> Bool,
            readPage: @escaping @Sendable (_ after: String?, _ limit: Int) throws -> [ListedStatus]
        ) {
            self.summary = summary
            self.including = including
            self.readPage = readPage
        }

        /// True once the array's closing bracket was written.
        var isFinished: Bool { position.withLock { $0.finished } }

        /// The next piece: the array's opening bracket first, its closing one last; nil once that was given.
        func nextPiece() throws -> [UInt8]? {
            try position.withLock { position throws -> [UInt8]? in
                guard !position.finished else { return nil }
                var writer = JSONText.Writer(pretty: false)
                writer.bytes.reserveCapacity(Self.pieceSize + 64 * 1024)
                if !position.opened {
                    writer.bytes.append(UInt8(ascii: "["))
                    position.opened = true
                }
                while writer.bytes.count < Self.pieceSize {
                    let limit = position.pageSize(toFill: Self.pieceSize - writer.bytes.count)
                    let before = writer.bytes.count
                    let page = try readPage(position.after, limit)
                    for entry in page where including(entry.status) {
                        if position.written > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                        if summary {
                            StatusJSON.writeSummary(entry.status, to: &writer)
                        } else {
                            try StatusJSON.write(entry.status, conditionsJSON: entry.conditionsJSON, to: &writer)
                        }
                        position.written += 1
                    }
                    position.read += page.count
                    position.bytes += writer.bytes.count - before
                    if let last = page.last { position.after = last.status.name }
                    if page.count < limit {
                        writer.bytes.append(UInt8(ascii: "]"))
                        position.finished = true
                        break
                    }
                }
                return writer.bytes
            }
        }
    }

    /// One status with only the members `ctl list` prints, in sorted order.
    private static func writeSummary(_ status: SpecStatus, to writer: inout JSONText.Writer) {
        var object = Members(opening: &writer)
        object.key(Status.cluster, &writer)
        var cluster = Members(opening: &writer)
        cluster.string(Cluster.status, status.cluster.status, &writer)
        Members.close(&writer)
        object.raw(Status.generation, String(status.generation), &writer)
        object.string(Status.name, status.name, &writer)
        object.raw(Status.observedGeneration, String(status.observedGeneration), &writer)
        object.string(Status.phase, status.phase.rawValue, &writer)
        object.string(Status.updatedAt, status.updatedAt.description, &writer)
        Members.close(&writer)
    }

    /// One status with its conditions' JSON text, keys in the order `JSONText` sorts them.
    private static func write(
        _ status: SpecStatus, conditionsJSON: String, to writer: inout JSONText.Writer
    ) throws {
        var object = Members(opening: &writer)
        if let binlog = status.binlog {
            object.key(Status.binlog, &writer)
            var position = Members(opening: &writer)
            position.optionalString(Binlog.file, binlog.file, &writer)
            if let offset = binlog.position { position.raw(Binlog.position, String(offset), &writer) }
            position.string(Binlog.source, binlog.source, &writer)
            Members.close(&writer)
        }
        object.key(Status.cluster, &writer)
        var cluster = Members(opening: &writer)
        cluster.optionalString(Cluster.arn, status.cluster.arn, &writer)
        cluster.optionalString(Cluster.endpoint, status.cluster.endpoint, &writer)
        cluster.string(Cluster.identifier, status.cluster.identifier, &writer)
        cluster.optionalString(Cluster.lastSeen, status.cluster.lastSeen?.description, &writer)
        cluster.string(Cluster.status, status.cluster.status, &writer)
        Members.close(&writer)
        object.key(Status.conditions, &writer)
        guard writer.writeEncoded(array: conditionsJSON) else { throw UnreadableConditions(name: status.name) }
        object.raw(Status.deletionRequested, status.deletionRequested ? "true" : "false", &writer)
        object.raw(Status.generation, String(status.generation), &writer)
        object.optionalString(Status.message, status.message, &writer)
        object.string(Status.name, status.name, &writer)
        object.raw(Status.observedGeneration, String(status.observedGeneration), &writer)
        object.string(Status.phase, status.phase.rawValue, &writer)
        object.optionalString(Status.restoreRequestedAt, status.restoreRequestedAt?.description, &writer)
        object.key(Status.role, &writer)
        var role = Members(opening: &writer)
        role.optionalString(Role.arn, status.role.arn, &writer)
        role.optionalString(Role.name, status.role.name, &writer)
        Members.close(&writer)
        object.string(Status.updatedAt, status.updatedAt.description, &writer)
        Members.close(&writer)
    }

    /// The members of one object being written, in the order given (the caller's order must be the sorted one).
    private struct Members {
        private var count = 0

        /// Opens an object.
        init(opening writer: inout JSONText.Writer) {
            writer.bytes.append(UInt8(ascii: "{"))
        }

        /// Closes the object.
        static func close(_ writer: inout JSONText.Writer) {
            writer.bytes.append(UInt8(ascii: "}"))
        }

        /// Writes the separator and `key`; the caller writes the value next.
        mutating func key(_ key: some CodingKey, _ writer: inout JSONText.Writer) {
            if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            count += 1
            writer.writeString(key.stringValue)
            writer.bytes.append(UInt8(ascii: ":"))
        }

        mutating func string(_ key: some CodingKey, _ text: String, _ writer: inout JSONText.Writer) {
            self.key(key, &writer)
            writer.writeString(text)
        }

        mutating func optionalString(_ key: some CodingKey, _ text: String?, _ writer: inout JSONText.Writer) {
            if let text { string(key, text, &writer) }
        }

        mutating func raw(_ key: some CodingKey, _ text: String, _ writer: inout JSONText.Writer) {
            self.key(key, &writer)
            writer.bytes += text.utf8
        }
    }

    /// A time as its ISO-8601 UTC string, as `Timestamp` encodes itself.
    public static func value(_ time: Timestamp) -> JSONValue {
        .string(time.description)
    }
}
