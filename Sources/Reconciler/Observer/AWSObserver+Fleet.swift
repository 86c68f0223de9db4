import AWSCore
import AWSServices
import Foundation
import StatusModel

extension AWSObserver {
    /// See `FleetReading.readFleet(_:instancesOf:)`. The calls: DescribeDBClusters and, for the clusters with
    /// members and `clusters`, DescribeDBInstances with `db-cluster-id` filters of at most 100 values (AWS rejects
    /// more), every page; and when a spec has a managed security group, DescribeSecurityGroups by aurorad's
    /// ownership tag and DescribeSecurityGroupRules of those groups by `group-id` chunks.
    public func readFleet(
        _ interests: [String: FleetInterest], instancesOf clusters: Set<String>
    ) throws(ObservationError) -> FleetView {
        var view = FleetView(region: region)
        guard !interests.isEmpty else { return view }
        let found = try call("DescribeDBClusters") {
            try rds.describeDBClusters(identifiers: interests.keys.sorted())
        }
        view.clusters.reserveCapacity(found.count)
        for cluster in found { view.clusters[cluster.identifier.lowercasedKey] = Self.observedCluster(cluster) }
        // A cluster lists its instances (DBClusterMembers): one with none (a restore still creating) needs no read.
        let withInstances = found.filter { !$0.members.isEmpty }.map(\.identifier)
        view.instances = try readInstances(ofClusters: clusters.union(withInstances))
        try readInstanceConflicts(interests, into: &view)
        if interests.values.contains(where: \.securityGroup) {
            let owned = AWSFilter(
                name: "tag:\(ManagedResources.managedByTagKey)", values: [ManagedResources.managedByTagValue])
            let groups = try call("DescribeSecurityGroups") { try ec2.describeSecurityGroups(filters: [owned]) }
            view.securityGroups = groups.filter { interests[$0.tags.asMap[ManagedResources.specTagKey] ?? ""] != nil }
            if !view.securityGroups.isEmpty {
                let rules = try call("DescribeSecurityGroupRules") {
                    try ec2.describeSecurityGroupRules(groupIds: view.securityGroups.map(\.id))
                }
                view.securityGroupRules = Dictionary(grouping: rules, by: \.groupId)
            }
        }
        return view
    }

    /// The instances that hold identifiers the specs want but their available clusters lack, for every such spec at
    /// once: one DescribeDBInstances with `db-instance-id` filters of at most 100 values (none when no spec lacks
    /// one), instead of one per spec.
    private func readInstanceConflicts(
        _ interests: [String: FleetInterest], into view: inout FleetView
    ) throws(ObservationError) {
        var missing: [String: [String]] = [:]
        for (name, interest) in interests {
            let key = name.lowercased()
            let lacking = Self.missingInstances(
                wanted: interest.instanceIdentifiers, cluster: view.clusters[key], instances: view.instances[key] ?? [])
            if !lacking.isEmpty { missing[key] = lacking }
        }
        guard !missing.isEmpty else { return }
        let found = try call("DescribeDBInstances") {
            try rds.describeDBInstances(identifiers: Set(missing.values.joined()).sorted())
        }
        for (key, lacking) in missing {
            let wanted = Set(lacking)
            view.instanceConflicts[key] = InstanceConflicts(
                identifiers: wanted,
                found: Self.conflicts(among: found.filter { wanted.contains($0.identifier.lowercased()) }, for: key))
        }
    }

    /// The identifiers among `wanted` that `cluster` (with `instances`) lacks, sorted, when the cluster is available
    /// (the planner creates instances only then); none otherwise.
    static func missingInstances(
        wanted: [String], cluster: ObservedCluster?, instances: [ObservedInstance]
    ) -> [String] {
        guard let cluster, ResourceStatus.classifyCluster(cluster.status) == .available else { return [] }
        let present = Set(instances.map { $0.identifier.lowercased() })
        return wanted.filter { !present.contains($0) }.sorted()
    }

    /// The instances of `found` that are not in the spec `name`'s cluster.
    static func conflicts(among found: [RDSInstance], for name: String) -> [ObservedInstance] {
        found.map(observedInstance).filter { $0.clusterIdentifier?.lowercased() != name.lowercased() }
    }

    /// See `FleetReading.readInstances(ofClusters:)`: DescribeDBInstances with `db-cluster-id` filters of at most
    /// 100 values, every page; none for no cluster.
    public func readInstances(
        ofClusters clusters: Set<String>
    ) throws(ObservationError) -> [String: [ObservedInstance]] {
        var found: [String: [ObservedInstance]] = [:]
        guard !clusters.isEmpty else { return found }
        let instances = try call("DescribeDBInstances") {
            try rds.describeDBInstances(clusterIdentifiers: clusters.sorted())
        }
        for instance in instances {
            guard let cluster = instance.clusterIdentifier?.lowercasedKey else { continue }
            found[cluster, default: []].append(Self.observedInstance(instance))
        }
        return found
    }

    /// See `FleetReading.readRoles(named:)`: GetAccountAuthorizationDetails (Filter=Role) in pages of 1,000, IAM's
    /// largest, documents URL-decoded. Documents of the same text are parsed once and shared: the fleet's managed
    /// roles all trust RDS alike, and the roles read are kept until the next IAM read.
    public func readRoles(named names: Set<String>) throws(ObservationError) -> KeyedValues<ObservedRole> {
        var roles = KeyedValues<ObservedRole>()
        guard !names.isEmpty else { return roles }
        let details = try call("GetAccountAuthorizationDetails") {
            try iam.listRoleDetails(maxItems: Self.roleDetailsPageSize)
        }
        var documents: [String: PolicyDocument] = [:]
        let watched = details.filter { names.contains($0.role.roleName.lowercasedKey) }
        roles.reserveCapacity(watched.count)
        for detail in watched {
            roles[detail.role.roleName.lowercasedKey] = observedRole(
                detail.role, inlinePolicies: detail.inlinePolicies, attachedPolicies: detail.attachedPolicies,
                sharing: &documents)
        }
        return roles
    }

    /// See `FleetReading.readRecentBinlogPositions()`: DescribeEvents of every `db-cluster` source over RDS's default
    /// 60 minutes, every page; only the positions are kept, not the messages.
    public func readRecentBinlogPositions() throws(ObservationError) -> [String: BinlogPosition] {
        let events = try call("DescribeEvents") { try rds.describeEvents(sourceIdentifier: nil) }
        var positions: [String: BinlogPosition] = [:]
        for event in events {
            guard let cluster = event.sourceIdentifier?.lowercasedKey, positions[cluster] == nil,
                let position = BinlogRecovery.position(inEvent: event.message)
            else { continue }
            positions[cluster] = position
        }
        return positions
    }

    /// GetAccountAuthorizationDetails' largest page (`MaxItems`, 1 to 1,000 in botocore's iam model).
    static let roleDetailsPageSize = 1000
}
