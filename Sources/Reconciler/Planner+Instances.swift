import ImportSpec

extension PlanDraft {
    /// Plans instances: create the missing ones (returned, as one parallel group), re-tag drifted ones,
    /// resize available ones whose class differs, delete aurorad's instances the spec no longer lists (only once
    /// every listed one is available at its class, so capacity is replaced before it is removed), and wait for the
    /// rest. An instance of the cluster without aurorad's ownership tags is never touched; the condition names it.
    mutating func planInstances(
        _ cluster: ObservedCluster, mutations: inout [Action], waits: inout [Action]
    ) -> [Action] {
        var creations: [Action] = []
        var resizes: [String] = []
        var busy: [String] = []
        var failed: [String] = []
        for key in spec.instances.keys.sorted() {
            let identifier = spec.instanceIdentifier(forKey: key)
            let instanceClass = spec.instanceClass(forKey: key)
            guard let instance = observed.instances.first(where: { $0.identifier == identifier }) else {
                creations.append(.createInstance(InstanceParameters(
                    identifier: identifier, instanceClass: instanceClass, engine: spec.engine,
                    clusterIdentifier: cluster.identifier, tags: desiredTags)))
                continue
            }
            let drift = ManagedResources.tagDrift(desired: desiredTags, observed: instance.tags)
            if let arn = instance.arn, !drift.isEmpty { mutations.append(.addTagsToResource(arn: arn, tags: drift)) }
            switch ResourceStatus.classifyInstance(instance.status) {
            case .available where instance.instanceClass != instanceClass:
                mutations.append(.modifyInstance(identifier: identifier, instanceClass: instanceClass))
                resizes.append("\(identifier) (\(instance.instanceClass) → \(instanceClass))")
            case .available: continue
            case .terminal: failed.append("\(identifier) is \(instance.status)")
            case .pending, .unknown: busy.append(identifier)
            }
        }
        let listedSettled = creations.isEmpty && resizes.isEmpty && busy.isEmpty && failed.isEmpty
        let extras = extraInstances(cluster)
        var removals: [String] = []
        var deferred: [String] = []
        for instance in extras.owned {
            if instance.status == "deleting" {
                busy.append(instance.identifier)
            } else if listedSettled {
                mutations.append(.deleteInstance(identifier: instance.identifier))
                removals.append(instance.identifier)
            } else {
                deferred.append(instance.identifier)
            }
        }
        if !busy.isEmpty { waits.append(.waitForInstances(identifiers: busy)) }
        setInstancesCondition(
            creations: creations, resizes: resizes, removals: removals + deferred, busy: busy, failed: failed,
            foreign: extras.foreign)
        return creations
    }

    /// The cluster's instances the spec does not list: aurorad's own (tagged for this spec) and foreign ones.
    private func extraInstances(_ cluster: ObservedCluster) -> (owned: [ObservedInstance], foreign: [String]) {
        let listed = Set(spec.instances.keys.map { spec.instanceIdentifier(forKey: $0) })
        let extras = observed.instances.filter {
            !listed.contains($0.identifier)
                && ($0.clusterIdentifier == nil || $0.clusterIdentifier == cluster.identifier)
        }.sorted { $0.identifier < $1.identifier }
        let owned = extras.filter { ManagedResources.isOwned(tags: $0.tags, bySpec: spec.name) }
        let foreign = extras.filter { !ManagedResources.isOwned(tags: $0.tags, bySpec: spec.name) }
        return (owned, foreign.map(\.identifier))
    }

    private mutating func setInstancesCondition(
        creations: [Action], resizes: [String], removals: [String], busy: [String], failed: [String],
        foreign: [String]
    ) {
        let note = foreign.isEmpty ? "" : " Instance(s) \(foreign.joined(separator: ", ")) in the cluster are not in "
            + "the spec and not tagged \(ManagedResources.specTagKey)=\(spec.name) by aurorad; aurorad leaves them "
            + "alone."
        if !failed.isEmpty {
            block(
                .instancesReady, reason: "InstanceFailed",
                message: "Instance \(failed.joined(separator: ", ")); inspect it in the RDS console, delete it, and "
                    + "aurorad creates it again.")
            return
        }
        var problems: [(reason: String, message: String)] = []
        if !creations.isEmpty {
            let names = creations.compactMap { action -> String? in
                if case .createInstance(let parameters) = action { return parameters.identifier }
                return nil
            }
            problems.append(("InstancesMissing",
                "Instance(s) \(names.joined(separator: ", ")) do not exist; aurorad creates them."))
        }
        if !resizes.isEmpty {
            problems.append(("InstanceClassDiffers",
                "Instance(s) \(resizes.joined(separator: ", ")) differ from the spec's class; aurorad modifies them."))
        }
        if !removals.isEmpty {
            problems.append(("InstancesNotInSpec",
                "Instance(s) \(removals.joined(separator: ", ")) are no longer in the spec; aurorad deletes them once "
                    + "the listed instances are available."))
        }
        if !busy.isEmpty {
            problems.append(("InstancesNotAvailable",
                "Instance(s) \(busy.joined(separator: ", ")) are not available yet."))
        }
        if let first = problems.first {
            set(.instancesReady, .false, first.reason, problems.map(\.message).joined(separator: " ") + note)
        } else {
            set(.instancesReady, .true, "InstancesAvailable",
                "All \(spec.instances.count) instance(s) are available.\(note)")
        }
    }
}
