import AWSServices
import Foundation
import ImportSpec

/// What a spec asks of the fleet's batched read besides its cluster and instances (found by the spec's name): the
/// IAM roles it uses, and whether aurorad manages a security group for it. Two interests are equal when a read for
/// one serves the other: the instance identifiers only say which lacking instances to look for, and a read that did
/// not look for them leaves them to the spec's own read (`FleetView.observation(of:)`).
public struct FleetInterest: Hashable, Sendable {
    /// A name that is either made from the spec's name or given by the spec.
    private enum Name: Hashable, Sendable {
        case derived
        case given(String)
        case none
    }

    /// The spec's name. The names aurorad derives from it (the managed roles, instances without an `identifier`) are
    /// made when asked, not kept: the watch list keeps an interest per spec for the daemon's life, made at the spec's
    /// first look among that reconcile's short-lived blocks, where a kept role name and identifier array were two
    /// long-lived blocks per spec scattered over the heap's pages.
    private let specName: String
    private let ingestionRole: Name
    private let monitoringRole: Name
    /// Whether aurorad creates a security group for the spec (`vpc_id` with rules).
    public let securityGroup: Bool
    /// The spec's instances, by key order, joined by `entrySeparator`: `k` and the key of an instance named
    /// `<name>-<key>`, or `i` and the `identifier` given (a typical spec's fits in a string stored inline).
    private let instanceEntries: String

    /// What `spec` asks.
    public init(_ spec: ImportSpec) {
        specName = spec.name
        ingestionRole =
            spec.s3Import.ingestionRole.flatMap(ManagedResources.roleName(fromARN:)).map(Name.given) ?? .derived
        let monitoring = Self.validRoleName(ManagedResources.monitoringRoleName(for: spec))
        monitoringRole =
            monitoring == Self.defaultMonitoringRoleName(specNamed: spec.name)
            ? .derived : monitoring.map(Name.given) ?? .none
        securityGroup = spec.createsSecurityGroup
        instanceEntries = spec.instances.keys.sorted().map { key in
            spec.instances[key]?.identifier.map { "i" + $0 } ?? "k" + key
        }.joined(separator: String(Self.entrySeparator))
    }

    /// What a stored spec named `name` most likely asks before it is read: its managed role, the monitoring role's
    /// default name, no security group, no instances.
    public init(specNamed name: String) {
        specName = name
        ingestionRole = .derived
        monitoringRole = .derived
        securityGroup = false
        instanceEntries = ""
    }

    /// The role the spec restores with: the operator's (`ingestion_role`) or the one aurorad manages for it.
    public var roleName: String {
        if case .given(let name) = ingestionRole { return name }
        return ManagedResources.roleName(forSpec: specName)
    }

    /// The Enhanced Monitoring role aurorad would manage for the spec, read whether or not the spec needs it now (a
    /// role it no longer needs is found and deleted); nil when the name is longer than IAM allows.
    public var monitoringRoleName: String? {
        switch monitoringRole {
        case .derived: Self.defaultMonitoringRoleName(specNamed: specName)
        case .given(let name): name
        case .none: nil
        }
    }

    /// The identifiers of the instances the spec wants, lowercased and sorted (empty when not known yet): those its
    /// available cluster lacks are looked for in other clusters by the batched read.
    public var instanceIdentifiers: [String] {
        guard !instanceEntries.isEmpty else { return [] }
        return instanceEntries.split(separator: Self.entrySeparator).map { entry in
            let value = entry.dropFirst()
            return (entry.first == "i" ? String(value) : "\(specName)-\(value)").lowercased()
        }.sorted()
    }

    /// Every role the spec asks for.
    public var roleNames: [String] { [roleName] + (monitoringRoleName.map { [$0] } ?? []) }

    /// Equal when a read for one serves the other: the same roles and security group (interests of one spec).
    public static func == (lhs: FleetInterest, rhs: FleetInterest) -> Bool {
        lhs.asksTheSameRoles(as: rhs) && lhs.securityGroup == rhs.securityGroup
    }

    /// Whether `other` asks for the same roles (interests of one spec).
    func asksTheSameRoles(as other: FleetInterest) -> Bool {
        specName == other.specName && ingestionRole == other.ingestionRole && monitoringRole == other.monitoringRole
    }

    /// Whether `other` asks exactly this: `==` and the same instances.
    func asksTheSame(as other: FleetInterest) -> Bool {
        self == other && instanceEntries == other.instanceEntries
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(specName)
        hasher.combine(ingestionRole)
        hasher.combine(monitoringRole)
        hasher.combine(securityGroup)
    }

    /// Separates `instanceEntries`' entries: the ASCII unit separator, which no spec's key or identifier holds.
    private static let entrySeparator: Character = "\u{1F}"

    /// `<name>-monitor` when IAM accepts it.
    private static func defaultMonitoringRoleName(specNamed name: String) -> String? {
        validRoleName(ImportSpec.defaultMonitoringRoleName(specNamed: name))
    }

    /// `name`, or nil when it is longer than IAM allows (no such role can exist).
    private static func validRoleName(_ name: String) -> String? {
        name.count <= ManagedResources.maxRoleNameLength ? name : nil
    }

    /// The role the spec restores with.
    static func roleName(of spec: ImportSpec) -> String {
        spec.s3Import.ingestionRole.flatMap(ManagedResources.roleName(fromARN:))
            ?? ManagedResources.roleName(forSpec: spec.name)
    }
}

/// The instance identifiers a spec lacked that one read looked for in other clusters, and what it found.
public struct InstanceConflicts: Sendable, Equatable {
    /// The identifiers looked for, lowercased.
    public var identifiers: Set<String>
    /// The instances holding some of them outside the spec's cluster.
    public var found: [ObservedInstance]
}

/// One batched read of every watched spec's resources: clusters and instances by the specs' names, the roles they
/// use, and the security groups aurorad manages, each with its rules. Keys are lowercased (RDS identifiers and IAM
/// role names are case-insensitive).
public struct FleetView: Sendable {
    /// The region read.
    public var region: String
    /// The clusters found, by identifier (kept densely: a resync pass's read holds one per spec until the next).
    public var clusters = KeyedValues<ObservedCluster>()
    /// The instances of each cluster found, by cluster identifier.
    public var instances: [String: [ObservedInstance]] = [:]
    /// The watched roles found, by name; attached policies are left empty (read per spec, only for given roles).
    public var roles = KeyedValues<ObservedRole>()
    /// The security groups tagged as aurorad's, with their rules.
    public var securityGroups: [EC2SecurityGroup] = []
    /// The rules of `securityGroups`, by group id.
    public var securityGroupRules: [String: [EC2SecurityGroupRule]] = [:]
    /// By spec name, for the specs whose available cluster lacked an instance they want: the identifiers looked
    /// for and the instances found holding them elsewhere; a spec not here was not looked for.
    public var instanceConflicts: [String: InstanceConflicts] = [:]

    /// An empty view of `region`.
    public init(region: String) {
        self.region = region
    }

    /// What this view holds of the spec `name` alone: its cluster and the cluster's instances, and the security
    /// groups tagged for it with their rules (not its instance conflicts, which hold only with the instances read
    /// with them).
    func slice(for name: String) -> FleetView {
        let key = name.lowercased()
        var slice = FleetView(region: region)
        slice.clusters[key] = clusters[key]
        slice.instances[key] = instances[key]
        slice.securityGroups = securityGroups.filter { $0.tags.asMap[ManagedResources.specTagKey] == name }
        for group in slice.securityGroups { slice.securityGroupRules[group.id] = securityGroupRules[group.id] }
        return slice
    }

    /// Adds `other`'s entries (a slice of another spec).
    mutating func add(_ other: FleetView) {
        clusters.merge(other.clusters)
        instances.merge(other.instances) { _, new in new }
        securityGroups += other.securityGroups
        securityGroupRules.merge(other.securityGroupRules) { _, new in new }
    }

    /// The observation of `spec` this view holds, before the per-spec reads `FleetReading.completeObservation`
    /// adds.
    public func observation(of spec: ImportSpec) -> ObservedState {
        let name = spec.name.lowercased()
        let interest = FleetInterest(spec)
        var observed = ObservedState(
            region: region, role: roles[interest.roleName.lowercased()], cluster: clusters[name])
        // The ingestion role's attached policies are the operator's business (AWSObserver.observe reads none either).
        observed.role?.attachedPolicyArns = []
        observed.monitoringRole = interest.monitoringRoleName.flatMap { roles[$0.lowercased()] }
        if observed.cluster != nil { observed.instances = instances[name] ?? [] }
        let missing = AWSObserver.missingInstances(
            wanted: interest.instanceIdentifiers, cluster: observed.cluster, instances: observed.instances)
        if !missing.isEmpty, let looked = instanceConflicts[name], looked.identifiers.isSuperset(of: missing) {
            observed.conflictingInstances = looked.found.filter { missing.contains($0.identifier.lowercased()) }
        }
        if interest.securityGroup, let group = AWSObserver.ownGroup(of: spec, among: securityGroups) {
            observed.securityGroup = AWSObserver.observedGroup(group, rules: securityGroupRules[group.id] ?? [])
        }
        return observed
    }
}
