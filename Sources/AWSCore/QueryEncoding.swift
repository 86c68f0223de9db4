import Foundation

/// A key/value tag as the Query APIs take it (`Tags.member.N.Key` in IAM, `Tags.Tag.N.Key` in RDS, `Tag.N.Key` in
/// EC2).
public struct AWSTag: Sendable, Equatable, Hashable {
    /// The tag key.
    public var key: String
    /// The tag value.
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A `Name` plus `Values` filter as RDS and EC2 `Describe*` calls take it.
public struct AWSFilter: Sendable, Equatable {
    /// The filter name, e.g. `db-cluster-id`.
    public var name: String
    /// The values the filter matches.
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// The element names a Query-protocol list uses for its members, from the `locationName` of the list's member shape
/// in botocore's service-2.json models (botocore `QuerySerializer._serialize_type_list`: `Prefix.<name>.N`, where
/// `<name>` is the member's `locationName`, else `member`).
public enum QueryListMember {
    /// The default when the member shape has no `locationName`: every IAM and STS list (`tagListType`,
    /// `entityListType`), and RDS `LogTypeList` (`EnableCloudwatchLogsExports.member.N`) and `StringList`.
    public static let member = "member"
    /// RDS `TagList`: `Tags.Tag.N.Key` / `Tags.Tag.N.Value`.
    public static let rdsTag = "Tag"
    /// RDS `FilterList`: `Filters.Filter.N.Name`.
    public static let rdsFilter = "Filter"
    /// RDS `FilterValueList`: `Filters.Filter.N.Values.Value.M`.
    public static let rdsFilterValue = "Value"
    /// RDS `VpcSecurityGroupIdList`: `VpcSecurityGroupIds.VpcSecurityGroupId.N`.
    public static let rdsVpcSecurityGroupId = "VpcSecurityGroupId"
}

/// Builds an AWS Query-protocol form body (`Action=…&Version=…&…`), serialized deterministically in insertion
/// order with the SigV4 percent-encoding (`AWSURIEncoding`), as botocore does (`percent_encode_sequence`).
public struct QueryEncoding: Sendable, Equatable {
    /// The parameters in the order they will be sent; `Action` and `Version` first.
    public private(set) var parameters: [QueryItem]

    /// Starts a body for `action` of the API `version` (e.g. `DescribeDBClusters`, `2014-10-31`).
    public init(action: String, version: String) {
        parameters = [QueryItem("Action", action), QueryItem("Version", version)]
    }

    /// The content type of the encoded body.
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// Adds `name=value`; a `nil` value adds nothing (the parameter is omitted, as for an unset optional member).
    public mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        parameters.append(QueryItem(name, value))
    }

    /// Adds a boolean as `true` / `false`; `nil` adds nothing.
    public mutating func add(_ name: String, _ value: Bool?) {
        add(name, value.map { $0 ? "true" : "false" })
    }

    /// Adds an integer in decimal; `nil` adds nothing.
    public mutating func add(_ name: String, _ value: Int?) {
        add(name, value.map(String.init))
    }

    /// Adds a string list as `name.<member>.N` (1-based). An empty list is sent as `name=` (botocore serializes empty
    /// lists, which is how a caller clears one); `nil` adds nothing.
    public mutating func addList(_ name: String, _ values: [String]?, member: String = QueryListMember.member) {
        guard let values else { return }
        guard !values.isEmpty else { return add(name, "") }
        for (offset, value) in values.enumerated() {
            add("\(name).\(member).\(offset + 1)", value)
        }
    }

    /// Adds a list of structures as `name.<member>.N.<Field>`; `fields` gives each item's members in model order.
    public mutating func addStructureList<Item>(
        _ name: String, _ items: [Item]?, member: String = QueryListMember.member,
        fields: (Item, inout FieldWriter) -> Void
    ) {
        guard let items else { return }
        guard !items.isEmpty else { return add(name, "") }
        for (offset, item) in items.enumerated() {
            var writer = FieldWriter(prefix: "\(name).\(member).\(offset + 1)")
            fields(item, &writer)
            parameters += writer.items
        }
    }

    /// Adds tags as `name.<member>.N.Key` / `.Value`: `member` is `QueryListMember.member` for IAM and STS,
    /// `QueryListMember.rdsTag` for RDS.
    public mutating func addTags(_ tags: [AWSTag]?, name: String = "Tags", member: String) {
        addStructureList(name, tags, member: member) { tag, fields in
            fields.add("Key", tag.key)
            fields.add("Value", tag.value)
        }
    }

    /// Adds filters as `name.<member>.N.Name` and `name.<member>.N.Values.<valueMember>.M`; the defaults are RDS's
    /// (`Filters.Filter.N.Values.Value.M`).
    public mutating func addFilters(
        _ filters: [AWSFilter]?, name: String = "Filters", member: String = QueryListMember.rdsFilter,
        valueMember: String = QueryListMember.rdsFilterValue
    ) {
        addStructureList(name, filters, member: member) { filter, fields in
            fields.add("Name", filter.name)
            fields.addList("Values", filter.values, member: valueMember)
        }
    }

    /// Adds an EC2 string list (botocore `EC2Serializer`): flattened as `name.N` (1-based) with no member element;
    /// an empty list or `nil` adds nothing, as EC2 sends no empty lists.
    public mutating func addFlattenedList(_ name: String, _ values: [String]?) {
        withRootWriter { $0.addFlattenedList(name, values) }
    }

    /// Adds an EC2 list of structures as `name.N.<Field>`; `fields` gives each item's members in model order.
    public mutating func addFlattenedStructureList<Item>(
        _ name: String, _ items: [Item]?, fields: (Item, inout FieldWriter) -> Void
    ) {
        withRootWriter { $0.addFlattenedStructureList(name, items, fields: fields) }
    }

    /// Adds EC2 tags as `name.N.Key` / `name.N.Value` (EC2 `TagList`, whose `locationName` is `Tag`).
    public mutating func addFlattenedTags(_ tags: [AWSTag]?, name: String = "Tag") {
        withRootWriter { $0.addFlattenedTags(name, tags) }
    }

    /// Adds EC2 filters as `name.N.Name` and `name.N.Value.M` (EC2 `FilterList` and `ValueStringList`, whose
    /// `locationName`s are `Filter` and `Value`).
    public mutating func addFlattenedFilters(_ filters: [AWSFilter]?, name: String = "Filter") {
        withRootWriter { writer in
            writer.addFlattenedStructureList(name, filters) { filter, fields in
                fields.add("Name", filter.name)
                fields.addFlattenedList("Value", filter.values)
            }
        }
    }

    /// Runs `body` with a writer whose fields are top-level parameters, then appends what it wrote.
    private mutating func withRootWriter(_ body: (inout FieldWriter) -> Void) {
        var writer = FieldWriter(prefix: "")
        body(&writer)
        parameters += writer.items
    }

    /// The form-encoded body text.
    public var encoded: String {
        parameters.map { "\(AWSURIEncoding.encode($0.name))=\(AWSURIEncoding.encode($0.value))" }
            .joined(separator: "&")
    }

    /// The form-encoded body as UTF-8 bytes, ready for `HTTPRequest.body`.
    public var body: Data { Data(encoded.utf8) }

    /// Writes the members of one structure inside a list, under its `Prefix.member.N` prefix.
    public struct FieldWriter {
        /// The prefix of every field name, e.g. `Tags.member.1`.
        public let prefix: String
        fileprivate var items: [QueryItem] = []

        fileprivate init(prefix: String) {
            self.prefix = prefix
        }

        /// Adds `prefix.field=value` (`field=value` under the empty prefix); `nil` adds nothing.
        public mutating func add(_ field: String, _ value: String?) {
            guard let value else { return }
            items.append(QueryItem(qualified(field), value))
        }

        /// `prefix.field`, or `field` under the empty prefix of top-level parameters.
        private func qualified(_ field: String) -> String {
            prefix.isEmpty ? field : "\(prefix).\(field)"
        }

        /// Adds an integer in decimal; `nil` adds nothing.
        public mutating func add(_ field: String, _ value: Int?) {
            add(field, value.map(String.init))
        }

        /// Adds a nested string list `prefix.field.<member>.M`; empty sends `prefix.field=`, `nil` adds nothing.
        public mutating func addList(_ field: String, _ values: [String]?, member: String = QueryListMember.member) {
            guard let values else { return }
            guard !values.isEmpty else { return add(field, "") }
            for (offset, value) in values.enumerated() {
                add("\(field).\(member).\(offset + 1)", value)
            }
        }

        /// Adds a nested EC2 string list `prefix.field.M`; empty or `nil` adds nothing.
        public mutating func addFlattenedList(_ field: String, _ values: [String]?) {
            for (offset, value) in (values ?? []).enumerated() {
                add("\(field).\(offset + 1)", value)
            }
        }

        /// Adds a nested EC2 list of structures `prefix.field.M.<Member>`; empty or `nil` adds nothing.
        public mutating func addFlattenedStructureList<Item>(
            _ field: String, _ items: [Item]?, fields: (Item, inout FieldWriter) -> Void
        ) {
            for (offset, item) in (items ?? []).enumerated() {
                var writer = FieldWriter(prefix: qualified("\(field).\(offset + 1)"))
                fields(item, &writer)
                self.items += writer.items
            }
        }

        /// Adds nested EC2 tags `prefix.field.M.Key` / `.Value` (e.g. `TagSpecification.1.Tag.M.Key`).
        public mutating func addFlattenedTags(_ field: String, _ tags: [AWSTag]?) {
            addFlattenedStructureList(field, tags) { tag, fields in
                fields.add("Key", tag.key)
                fields.add("Value", tag.value)
            }
        }
    }
}
