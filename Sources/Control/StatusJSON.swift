import ImportSpec
import StatusModel

/// Status records as the JSON values `status` and `list` results carry, built member by member: the members their
/// `Codable` conformances write (a nil optional is left out), without `JSONValue(encoding:)`'s encode-and-decode
/// round trip, which cost a list of 10,000 statuses most of a second. `StatusJSONTests` compares the two.
public enum StatusJSON {
    /// A spec's status.
    public static func value(_ status: SpecStatus) -> JSONValue {
        var cluster: [String: JSONValue] = [
            "identifier": .string(status.cluster.identifier), "status": .string(status.cluster.status),
        ]
        cluster["arn"] = status.cluster.arn.map(JSONValue.string)
        cluster["endpoint"] = status.cluster.endpoint.map(JSONValue.string)
        cluster["lastSeen"] = status.cluster.lastSeen.map(value)
        var role: [String: JSONValue] = [:]
        role["name"] = status.role.name.map(JSONValue.string)
        role["arn"] = status.role.arn.map(JSONValue.string)
        var members: [String: JSONValue] = [
            "name": .string(status.name), "generation": .integer(Int(status.generation)),
            "observedGeneration": .integer(Int(status.observedGeneration)), "phase": .string(status.phase.rawValue),
            "conditions": .array(status.conditions.map(value)), "cluster": .object(cluster), "role": .object(role),
            "deletionRequested": .bool(status.deletionRequested), "updatedAt": value(status.updatedAt),
        ]
        members["message"] = status.message.map(JSONValue.string)
        members["restoreRequestedAt"] = status.restoreRequestedAt.map(value)
        if let binlog = status.binlog {
            var position: [String: JSONValue] = ["source": .string(binlog.source)]
            position["file"] = binlog.file.map(JSONValue.string)
            position["position"] = binlog.position.map { .integer(Int($0)) }
            members["binlog"] = .object(position)
        }
        return .object(members)
    }

    /// One condition of a status.
    public static func value(_ condition: Condition) -> JSONValue {
        [
            "type": .string(condition.type), "status": .string(condition.status.rawValue),
            "reason": .string(condition.reason), "message": .string(condition.message),
            "lastTransitionTime": value(condition.lastTransitionTime),
        ]
    }

    /// One event of a spec's log.
    public static func value(_ event: SpecEvent) -> JSONValue {
        [
            "time": value(event.time), "type": .string(event.type.rawValue), "reason": .string(event.reason),
            "message": .string(event.message),
        ]
    }

    /// A listed status whose stored conditions text is not a JSON array (the database was changed outside aurorad or
    /// is damaged); the daemon reports it as the store's unreadable value.
    public struct UnreadableConditions: Error, Equatable {
        /// The spec whose conditions cannot be read.
        public var name: String
    }

    /// Listed statuses as the compact JSON text of their array, members in sorted order: the bytes `value` then
    /// `JSONText.compact` give for the statuses with their conditions, written straight from the records, so
    /// `list` of 10,000 specs builds no value tree. The conditions are the text the store keeps (`JSONEncoder`
    /// with sorted keys when the status was written), passed on as they are; throws `UnreadableConditions` when one
    /// is not a JSON array.
    public static func encodedList(_ listed: [ListedStatus]) throws -> [UInt8] {
        var writer = JSONText.Writer(pretty: false)
        writer.bytes.reserveCapacity(listed.count * 1200)
        writer.bytes.append(UInt8(ascii: "["))
        for (index, entry) in listed.enumerated() {
            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            try write(entry.status, conditionsJSON: entry.conditionsJSON, to: &writer)
        }
        writer.bytes.append(UInt8(ascii: "]"))
        return writer.bytes
    }

    /// One status with its conditions' JSON text, keys in the order `JSONText` sorts them.
    private static func write(
        _ status: SpecStatus, conditionsJSON: String, to writer: inout JSONText.Writer
    ) throws {
        var object = Members(opening: &writer)
        if let binlog = status.binlog {
            object.key("binlog", &writer)
            var position = Members(opening: &writer)
            position.optionalString("file", binlog.file, &writer)
            if let offset = binlog.position { position.raw("position", String(offset), &writer) }
            position.string("source", binlog.source, &writer)
            Members.close(&writer)
        }
        object.key("cluster", &writer)
        var cluster = Members(opening: &writer)
        cluster.optionalString("arn", status.cluster.arn, &writer)
        cluster.optionalString("endpoint", status.cluster.endpoint, &writer)
        cluster.string("identifier", status.cluster.identifier, &writer)
        cluster.optionalString("lastSeen", status.cluster.lastSeen?.description, &writer)
        cluster.string("status", status.cluster.status, &writer)
        Members.close(&writer)
        object.key("conditions", &writer)
        guard writer.writeEncoded(array: conditionsJSON) else { throw UnreadableConditions(name: status.name) }
        object.raw("deletionRequested", status.deletionRequested ? "true" : "false", &writer)
        object.raw("generation", String(status.generation), &writer)
        object.optionalString("message", status.message, &writer)
        object.string("name", status.name, &writer)
        object.raw("observedGeneration", String(status.observedGeneration), &writer)
        object.string("phase", status.phase.rawValue, &writer)
        object.optionalString("restoreRequestedAt", status.restoreRequestedAt?.description, &writer)
        object.key("role", &writer)
        var role = Members(opening: &writer)
        role.optionalString("arn", status.role.arn, &writer)
        role.optionalString("name", status.role.name, &writer)
        Members.close(&writer)
        object.string("updatedAt", status.updatedAt.description, &writer)
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
        mutating func key(_ key: String, _ writer: inout JSONText.Writer) {
            if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
            count += 1
            writer.writeString(key)
            writer.bytes.append(UInt8(ascii: ":"))
        }

        mutating func string(_ key: String, _ text: String, _ writer: inout JSONText.Writer) {
            self.key(key, &writer)
            writer.writeString(text)
        }

        mutating func optionalString(_ key: String, _ text: String?, _ writer: inout JSONText.Writer) {
            if let text { string(key, text, &writer) }
        }

        mutating func raw(_ key: String, _ text: String, _ writer: inout JSONText.Writer) {
            self.key(key, &writer)
            writer.bytes += text.utf8
        }
    }

    /// A time as its ISO-8601 UTC string, as `Timestamp` encodes itself.
    public static func value(_ time: Timestamp) -> JSONValue {
        .string(time.description)
    }
}
