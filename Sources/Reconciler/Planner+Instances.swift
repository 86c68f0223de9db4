import ImportSpec

extension PlanDraft {
    /// Plans instances: create the missing ones (returned, as one parallel group), re-tag drifted ones, change the
    /// class of available ones whose class differs (see `planClassChanges`), delete aurorad's instances the spec no
    /// longer lists (only once every listed one is settled, so capacity is replaced before it is removed), and wait
    /// for the rest. An instance of the cluster without aurorad's ownership tags is never touched; the condition
    /// names it. Identifiers compare case-insensitively, as RDS stores them in lower case.
    mutating func planInstances(
        _ cluster: ObservedCluster, mutations: inout [Action], waits: inout [Action]
    ) -> [Action] {
        var creations: [Action] = []
        var classChanges: [ClassChange] = []
        var settingsDrift: [(identifier: String, settings: InstanceSettings)] = []
        var busy: [String] = []
        var failed: [String] = []
        var waitingForRole: [String] = []
        for key in spec.instances.keys.sorted() {
            let identifier = spec.instanceIdentifier(forKey: key)
            let instanceClass = spec.instanceClass(forKey: key)
            // Managed after the create only as the spec sets it; `publicly_accessible` is sent false at the create.
            let settings = effectiveInstanceSettings(forKey: key)
            var createSettings = settings
            createSettings.publiclyAccessible = settings.publiclyAccessible ?? false
            guard let instance = observed.instances.first(where: { $0.identifier.lowercased() == identifier }) else {
                if let taken = (observed.conflictingInstances ?? []).first(where: {
                    $0.identifier.lowercased() == identifier
                }) {
                    let owner = taken.clusterIdentifier.map { "cluster \($0)" } ?? "no cluster (a standalone instance)"
                    block(
                        .instancesReady, reason: "InstanceIdentifierTaken",
                        message: "Instance \(identifier) (instances.\(key)) cannot be created in cluster "
                            + "\(cluster.identifier): the identifier is already used by an instance of \(owner); "
                            + "set instances.\(key).identifier to a free name, or delete that instance.")
                    continue
                }
                if waitsForMonitoringRole(key) {
                    waitingForRole.append(identifier)
                    continue
                }
                creations.append(
                    .createInstance(
                        InstanceParameters(
                            identifier: identifier, instanceClass: instanceClass, engine: spec.engine,
                            clusterIdentifier: cluster.identifier, tags: desiredTags, settings: createSettings)))
                continue
            }
            let drift = ManagedResources.tagDrift(desired: desiredTags, observed: instance.tags)
            if let arn = instance.arn, !drift.isEmpty { mutations.append(.addTagsToResource(arn: arn, tags: drift)) }
            switch ResourceStatus.classifyInstance(instance.status) {
            case .available:
                let drift = InstanceChanges.settingsDrift(desired: settings, observed: instance)
                if drift != InstanceSettings() { settingsDrift.append((instance.identifier, drift)) }
                let certificate = settings.caCertIdentifier.flatMap {
                    $0 == instance.settings.caCertIdentifier ? nil : $0
                }
                guard instance.instanceClass != instanceClass || certificate != nil else { continue }
                let classPending =
                    instance.instanceClass == instanceClass || instance.pendingInstanceClass == instanceClass
                classChanges.append(
                    ClassChange(
                        identifier: instance.identifier, from: instance.instanceClass, to: instanceClass,
                        certificate: certificate,
                        pendingInWindow:
                            classPending && (certificate == nil || instance.pendingCACertificate == certificate),
                        isWriter: cluster.writerIdentifier?.lowercased() == instance.identifier.lowercased()))
            case .terminal: failed.append("\(identifier) is \(instance.status)")
            case .pending, .unknown: busy.append(instance.identifier)
            }
        }
        let extras = extraInstances(cluster)
        for instance in extras.owned where instance.status == "deleting" { busy.append(instance.identifier) }
        let classPlan = planClassChanges(classChanges, othersBusy: !busy.isEmpty || !creations.isEmpty)
        mutations += merge(settingsDrift, into: classPlan.actions)
        let listedSettled =
            creations.isEmpty && classPlan.outstanding.isEmpty && busy.isEmpty && failed.isEmpty
            && waitingForRole.isEmpty
        var removals: [String] = []
        var deferred: [String] = []
        for instance in extras.owned where instance.status != "deleting" {
            if listedSettled {
                mutations.append(.deleteInstance(identifier: instance.identifier))
                removals.append(instance.identifier)
            } else {
                deferred.append(instance.identifier)
            }
        }
        if !busy.isEmpty { waits.append(.waitForInstances(identifiers: busy)) }
        setInstancesCondition(
            creations: creations, classPlan: classPlan, drift: settingsDrift, removals: removals + deferred, busy: busy,
            failed: failed, foreign: extras.foreign, waitingForRole: waitingForRole)
        return creations
    }

    /// The restart actions with each instance's settings drift folded into its own call (one ModifyDBInstance per
    /// instance), then one call per remaining drifted instance. Settings that do not restart apply whatever
    /// `ApplyImmediately` says, so the drift rides along with the spec's `apply_immediately`.
    private func merge(
        _ drift: [(identifier: String, settings: InstanceSettings)], into restarts: [Action]
    ) -> [Action] {
        var remaining = drift
        let merged = restarts.map { action -> Action in
            guard case .modifyInstance(let identifier, let changes, let immediately) = action,
                let index = remaining.firstIndex(where: { $0.identifier == identifier })
            else { return action }
            let extra = remaining.remove(at: index).settings
            return .modifyInstance(
                identifier: identifier, changes: InstanceChanges(settings: extra).merging(changes),
                applyImmediately: immediately)
        }
        return merged
            + remaining.map {
                .modifyInstance(
                    identifier: $0.identifier, changes: InstanceChanges(settings: $0.settings),
                    applyImmediately: spec.effectiveApplyImmediately)
            }
    }

    /// One available instance whose class or CA certificate differs from the spec's: a change that restarts it.
    struct ClassChange {
        let identifier: String
        let from: String
        let to: String
        /// The spec's CA certificate when the instance has another one.
        let certificate: String?
        /// RDS already holds this change for the next maintenance window (`PendingModifiedValues`).
        let pendingInWindow: Bool
        let isWriter: Bool

        var text: String {
            let parts =
                (from == to ? [] : ["\(from) → \(to)"])
                + (certificate.map { ["CA certificate → \($0)"] } ?? [])
            return "\(identifier) (\(parts.joined(separator: ", ")))"
        }

        /// What the ModifyDBInstance changes.
        var changes: InstanceChanges {
            InstanceChanges(
                instanceClass: from == to ? nil : to, settings: InstanceSettings(caCertIdentifier: certificate))
        }
    }

    /// What to do about class changes, which restart instances: the actions now, the changes still to make, those
    /// waiting for the maintenance window, and a sentence on how they go.
    struct ClassPlan {
        var actions: [Action] = []
        var outstanding: [ClassChange] = []
        var inWindow: [ClassChange] = []
        var how = ""
    }

    /// With `apply_immediately` false (the module's default) every change is handed to RDS for the instance's next
    /// maintenance window, once: a change already in `PendingModifiedValues` is not sent again. With it true, one
    /// instance at a time, readers first and the writer last, and only while every other instance is available, so
    /// the cluster never loses more than one instance to a restart.
    func planClassChanges(_ changes: [ClassChange], othersBusy: Bool) -> ClassPlan {
        var plan = ClassPlan()
        guard spec.effectiveApplyImmediately else {
            plan.inWindow = changes.filter(\.pendingInWindow)
            plan.outstanding = changes.filter { !$0.pendingInWindow }
            plan.actions = plan.outstanding.map {
                .modifyInstance(identifier: $0.identifier, changes: $0.changes, applyImmediately: false)
            }
            plan.how =
                "aurorad hands the change to RDS for the instance's next maintenance window (apply_immediately "
                + "is false)."
            return plan
        }
        plan.outstanding = changes.sorted {
            ($0.isWriter ? 1 : 0, $0.identifier) < ($1.isWriter ? 1 : 0, $1.identifier)
        }
        guard let next = plan.outstanding.first else { return plan }
        if othersBusy {
            plan.how =
                "aurorad changes one instance at a time, readers first and the writer last, once every other "
                + "instance is available."
        } else {
            plan.actions = [.modifyInstance(identifier: next.identifier, changes: next.changes, applyImmediately: true)]
            plan.how =
                "aurorad changes one instance at a time, readers first and the writer last: now \(next.identifier)."
        }
        return plan
    }

    /// The cluster's instances the spec does not list: aurorad's own (tagged for this spec) and foreign ones.
    private func extraInstances(_ cluster: ObservedCluster) -> (owned: [ObservedInstance], foreign: [String]) {
        let listed = Set(spec.instances.keys.map { spec.instanceIdentifier(forKey: $0) })
        let extras = observed.instances.filter {
            !listed.contains($0.identifier.lowercased())
                && ($0.clusterIdentifier == nil
                    || $0.clusterIdentifier?.lowercased() == cluster.identifier.lowercased())
        }.sorted { $0.identifier < $1.identifier }
        let owned = extras.filter { ManagedResources.isOwned(tags: $0.tags, bySpec: spec.name) }
        let foreign = extras.filter { !ManagedResources.isOwned(tags: $0.tags, bySpec: spec.name) }
        return (owned, foreign.map(\.identifier))
    }

    private mutating func setInstancesCondition(
        creations: [Action], classPlan: ClassPlan, drift: [(identifier: String, settings: InstanceSettings)],
        removals: [String], busy: [String], failed: [String], foreign: [String], waitingForRole: [String]
    ) {
        let note =
            foreign.isEmpty
            ? ""
            : " Instance(s) \(foreign.joined(separator: ", ")) in the cluster are not in "
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
            problems.append(
                (
                    "InstancesMissing",
                    "Instance(s) \(names.joined(separator: ", ")) do not exist; aurorad creates them."
                ))
        }
        if !classPlan.outstanding.isEmpty {
            problems.append(
                (
                    "InstanceClassDiffers",
                    "Instance(s) \(classPlan.outstanding.map(\.text).joined(separator: ", ")) differ from the spec's "
                        + "class or CA certificate; \(classPlan.how)"
                ))
        }
        if !drift.isEmpty {
            let texts = drift.map { "\($0.identifier) (\(InstanceChanges(settings: $0.settings)))" }
            problems.append(
                (
                    "InstanceSettingsDiffer",
                    "Instance(s) \(texts.joined(separator: ", ")) differ from the spec; aurorad modifies them (no "
                        + "restart)."
                ))
        }
        if !removals.isEmpty {
            problems.append(
                (
                    "InstancesNotInSpec",
                    "Instance(s) \(removals.joined(separator: ", ")) are no longer in the spec; aurorad deletes them once "
                        + "the listed instances are available."
                ))
        }
        if !waitingForRole.isEmpty {
            problems.append(
                (
                    "WaitingForMonitoringRole",
                    "Instance(s) \(waitingForRole.joined(separator: ", ")) wait for the Enhanced Monitoring role "
                        + "\(ManagedResources.monitoringRoleName(for: spec)) to be ready before aurorad creates them."
                ))
        }
        if !busy.isEmpty {
            problems.append(
                (
                    "InstancesNotAvailable",
                    "Instance(s) \(busy.joined(separator: ", ")) are not available yet."
                ))
        }
        let window =
            classPlan.inWindow.isEmpty
            ? ""
            : " Class change(s) "
                + "\(classPlan.inWindow.map(\.text).joined(separator: ", ")) wait for the next maintenance window "
                + "(apply_immediately is false; set it to true to apply them now, one instance at a time)."
        if let first = problems.first {
            set(.instancesReady, .false, first.reason, problems.map(\.message).joined(separator: " ") + window + note)
        } else if !window.isEmpty {
            set(
                .instancesReady, .true, "ChangesPendingMaintenance",
                "All \(spec.instances.count) instance(s) are available.\(window)\(note)")
        } else {
            set(
                .instancesReady, .true, "InstancesAvailable",
                "All \(spec.instances.count) instance(s) are available.\(note)")
        }
    }
}
