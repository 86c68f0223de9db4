import ImportSpec

extension PlanDraft {
    /// Deletes what the spec owns, in dependency order: instances, cluster, then the managed roles' policies (the
    /// ingestion role's inline policy, the monitoring role's attached ones) and the roles, then the spec. Nothing
    /// without aurorad's ownership tags is touched. Errors never stop a delete; they are shown and retried with
    /// backoff.
    mutating func planDeletion(failure: ActionFailure?) {
        let retrying = failure.map { " Last error: \($0.error.description)" } ?? ""
        if let cluster = observed.cluster {
            if ManagedResources.isOwned(tags: cluster.tags, bySpec: spec.name) {
                planClusterDeletion(cluster, retrying: retrying)
                return
            }
            leftInPlace.append(
                "cluster \(cluster.identifier) (not tagged \(ManagedResources.specTagKey)=\(spec.name))")
        }
        var policies: [Action] = []
        var roles: [Action] = []
        for role in [managesRole ? observed.role : nil, observed.monitoringRole].compactMap({ $0 }) {
            guard ManagedResources.isOwned(tags: role.tags, bySpec: spec.name) else {
                leftInPlace.append("IAM role \(role.name) (not tagged \(ManagedResources.specTagKey)=\(spec.name))")
                continue
            }
            policies += role.inlinePolicies.keys.sorted().map { .deleteRolePolicy(roleName: role.name, policyName: $0) }
            policies += role.attachedPolicyArns.sorted().map { .detachRolePolicy(roleName: role.name, policyArn: $0) }
            roles.append(.deleteRole(roleName: role.name))
        }
        add(policies)
        add(roles)
        planSecurityGroupDeletion()
        add([.removeSpec(name: spec.name)])
        let kept =
            leftInPlace.isEmpty
            ? ""
            : " Left in place, not owned by aurorad: "
                + leftInPlace.joined(separator: ", ") + "."
        let group = observed.securityGroup.map { ", its security group \($0.id)," } ?? ""
        let roleWord = observed.monitoringRole == nil ? "role" : "roles"
        set(
            .ready, .false, "Deleting",
            "The cluster is gone; aurorad removes its \(roleWord)\(group) and the spec.\(kept)\(retrying)")
    }

    /// The cluster is still there: delete its instances first, then the cluster itself.
    private mutating func planClusterDeletion(_ cluster: ObservedCluster, retrying: String) {
        if cluster.deletionProtection {
            set(
                .ready, .false, "DeletionProtected",
                "Cluster \(cluster.identifier) has deletion protection on; turn it off (aws rds modify-db-cluster "
                    + "--db-cluster-identifier \(cluster.identifier) --no-deletion-protection --apply-immediately) "
                    + "and aurorad continues the delete; nothing was deleted.")
            return
        }
        let all = observed.instances.filter {
            $0.clusterIdentifier == nil || $0.clusterIdentifier == cluster.identifier
        }
        let instances = all.filter { ManagedResources.isOwned(tags: $0.tags, bySpec: spec.name) }
        let foreign = all.filter { !ManagedResources.isOwned(tags: $0.tags, bySpec: spec.name) }
        leftInPlace += foreign.map {
            "instance \($0.identifier) (not tagged \(ManagedResources.specTagKey)=\(spec.name))"
        }
        if !instances.isEmpty {
            add(instances.filter { $0.status != "deleting" }.map { .deleteInstance(identifier: $0.identifier) })
            let going = instances.filter { $0.status == "deleting" }.map(\.identifier)
            if !going.isEmpty { add([.waitForInstances(identifiers: going)]) }
            let waiting = foreign.isEmpty ? "" : " " + foreignInstancesMessage(foreign, cluster: cluster)
            set(
                .ready, .false, "DeletingInstances",
                "Deleting instance(s) \(instances.map(\.identifier).joined(separator: ", ")); the cluster follows."
                    + waiting + retrying)
            return
        }
        if !foreign.isEmpty {
            set(.ready, .false, "ForeignInstances", foreignInstancesMessage(foreign, cluster: cluster) + retrying)
            return
        }
        if cluster.status == "deleting" {
            add([.waitForCluster(identifier: cluster.identifier, status: cluster.status)])
            set(.ready, .false, "DeletingCluster", "Cluster \(cluster.identifier) is being deleted.\(retrying)")
            return
        }
        let snapshot =
            spec.effectiveSkipFinalSnapshot
            ? nil : ManagedResources.finalSnapshotIdentifier(forSpec: spec.name, at: now)
        add([.deleteCluster(identifier: cluster.identifier, finalSnapshotIdentifier: snapshot)])
        set(
            .ready, .false, "DeletingCluster",
            "Deleting cluster \(cluster.identifier) "
                + (snapshot.map { "with final snapshot \($0)." } ?? "without a final snapshot.") + retrying)
    }

    /// Names the instances aurorad did not create that keep the cluster from being deleted, and how to remove them.
    private func foreignInstancesMessage(_ foreign: [ObservedInstance], cluster: ObservedCluster) -> String {
        let commands = foreign.map { "aws rds delete-db-instance --db-instance-identifier \($0.identifier)" }
        return "Cluster \(cluster.identifier) cannot be deleted while it has instance(s) aurorad did not create "
            + "(not tagged \(ManagedResources.specTagKey)=\(spec.name)), which it never deletes: "
            + foreign.map(\.identifier).joined(separator: ", ") + ". Delete them yourself ("
            + commands.joined(separator: "; ") + ") or move them out of the cluster; the delete goes on on its own "
            + "once they are gone."
    }
}
