import ImportSpec

extension PlanDraft {
    /// Plans the Enhanced Monitoring role aurorad owns (`create_monitoring_role`, as the module creates it): a role
    /// trusted by `monitoring.rds.amazonaws.com` with the AWS managed policy AmazonRDSEnhancedMonitoringRole attached.
    /// Creates it when missing, puts back its trust policy, policy attachment, permissions boundary (when the spec
    /// names one) and tags, and records its ARN in
    /// `monitoringRoleArn` once RDS may use it (the instances that need it wait until then). Returns the step groups.
    mutating func planMonitoringRole() -> [[Action]] {
        guard spec.createsMonitoringRole else { return planUnneededMonitoringRole() }
        let name = ManagedResources.monitoringRoleName(for: spec)
        let trust = ManagedResources.trustPolicy(service: ManagedResources.monitoringServicePrincipal)
        let policy = ManagedResources.monitoringPolicyArn(partition: partition)
        let boundary = spec.monitoringRole.iamRolePermissionsBoundary
        let users =
            "instance(s) "
            + spec.instancesNeedingMonitoringRole.map(spec.instanceIdentifier(forKey:))
            .joined(separator: ", ")
        guard let role = observed.monitoringRole else {
            set(
                .monitoringRoleReady, .false, "MonitoringRoleMissing",
                "IAM role \(name) does not exist yet; aurorad creates it for the Enhanced Monitoring of \(users).")
            let description = spec.monitoringRole.iamRoleDescription ?? ManagedResources.monitoringRoleDescription
            return [
                [
                    .createRole(
                        name: name, trustPolicy: trust, tags: desiredTags, description: description,
                        path: spec.monitoringRole.iamRolePath, permissionsBoundary: boundary)
                ],
                [.attachRolePolicy(roleName: name, policyArn: policy)],
            ]
        }
        guard ManagedResources.isOwned(tags: role.tags, bySpec: spec.name) else {
            block(
                .monitoringRoleReady, reason: "MonitoringRoleNotOwned",
                message: "IAM role \(name) exists but is not tagged \(ManagedResources.specTagKey)=\(spec.name); "
                    + "aurorad never modifies a role it does not own: set iam_role_name to another name, or give "
                    + "the role as monitoring_role_arn with create_monitoring_role false to use it as is.")
            return []
        }
        guard role.path == spec.monitoringRolePath else {
            block(
                .monitoringRoleReady, reason: "MonitoringRolePathDiffers",
                message: "IAM role \(name) has path \(role.path) but iam_role_path is \(spec.monitoringRolePath); "
                    + "IAM cannot move a role to another path: set iam_role_path back to \(role.path), or set "
                    + "iam_role_name to a new name so aurorad creates a role under the new path.")
            return []
        }
        var repairs: [Action] = []
        var problems: [(reason: String, message: String)] = []
        let trustOK = role.trustPolicy == trust
        if !trustOK {
            repairs.append(.updateAssumeRolePolicy(roleName: name, policy: trust))
            problems.append(
                (
                    "TrustPolicyDrifted",
                    "IAM role \(name) does not have its trust policy for \(ManagedResources.monitoringServicePrincipal); "
                        + "aurorad puts it back."
                ))
        }
        let attached = role.attachedPolicyArns.contains(policy)
        if !attached {
            repairs.append(.attachRolePolicy(roleName: name, policyArn: policy))
            problems.append(
                (
                    "PolicyDetached",
                    "IAM role \(name) lacks the managed policy \(policy); aurorad attaches it again."
                ))
        }
        // A boundary the spec does not name is left as it is (an operator's, or one an SCP requires).
        if let boundary, role.permissionsBoundary != boundary {
            repairs.append(.putRolePermissionsBoundary(roleName: name, policyArn: boundary))
            problems.append(
                (
                    "PermissionsBoundaryDiffers",
                    "IAM role \(name) is not bounded by \(boundary) (iam_role_permissions_boundary); aurorad puts it "
                        + "back."
                ))
        }
        let tagDrift = ManagedResources.tagDrift(desired: desiredTags, observed: role.tags)
        if !tagDrift.isEmpty {
            repairs.append(.tagRole(roleName: name, tags: tagDrift))
            problems.append(("TagsDrifted", "IAM role \(name) lacks some of its tags; aurorad re-tags it."))
        }
        if let first = problems.first {
            set(.monitoringRoleReady, .false, first.reason, problems.map(\.message).joined(separator: " "))
        } else {
            set(
                .monitoringRoleReady, .true, "MonitoringRoleReady",
                "IAM role \(name) trusts \(ManagedResources.monitoringServicePrincipal) and has "
                    + "AmazonRDSEnhancedMonitoringRole attached; \(users) send Enhanced Monitoring metrics with it.")
        }
        if trustOK && attached { monitoringRoleArn = role.arn }
        return repairs.isEmpty ? [] : [repairs]
    }

    /// The spec needs no monitoring role (any more). One aurorad created earlier, found by its name and tags, is
    /// deleted once no instance of the cluster names it (policies detached first); a role of that name that is not
    /// aurorad's is none of its business.
    private mutating func planUnneededMonitoringRole() -> [[Action]] {
        let reason =
            "No instance samples Enhanced Monitoring without a monitoring_role_arn (or create_monitoring_role "
            + "is false), so aurorad needs no monitoring role"
        guard let role = observed.monitoringRole, ManagedResources.isOwned(tags: role.tags, bySpec: spec.name) else {
            set(.monitoringRoleReady, .true, "NotRequested", reason + ".")
            return []
        }
        let users = observed.instances.filter { $0.settings.monitoringRoleArn == role.arn }.map(\.identifier)
        guard users.isEmpty else {
            set(
                .monitoringRoleReady, .true, "NotRequested",
                reason + "; its role \(role.name) stays while instance(s) \(users.joined(separator: ", ")) use it.")
            return []
        }
        set(.monitoringRoleReady, .true, "NotRequested", reason + "; aurorad deletes its role \(role.name).")
        let detach = role.attachedPolicyArns.sorted().map {
            Action.detachRolePolicy(roleName: role.name, policyArn: $0)
        }
        return (detach.isEmpty ? [] : [detach]) + [[.deleteRole(roleName: role.name)]]
    }

    /// The settings of the instance under `key` as aurorad applies them: the spec's, with the managed monitoring
    /// role's ARN for an instance that needs it. While that role is not usable yet the instance's monitoring is left
    /// out (`nil`: neither created with it nor changed), and `waitsForMonitoringRole` says so.
    func effectiveInstanceSettings(forKey key: String) -> InstanceSettings {
        var settings = spec.instanceSettings(forKey: key)
        guard needsMonitoringRole(key) else { return settings }
        if let arn = monitoringRoleArn {
            settings.monitoringRoleArn = arn
        } else {
            settings.monitoringInterval = nil
        }
        return settings
    }

    /// Whether the instance under `key` samples Enhanced Monitoring with the managed role.
    func needsMonitoringRole(_ key: String) -> Bool {
        spec.createsMonitoringRole && spec.instancesNeedingMonitoringRole.contains(key)
    }

    /// Whether the instance under `key` needs the managed monitoring role and it is not usable yet.
    func waitsForMonitoringRole(_ key: String) -> Bool {
        needsMonitoringRole(key) && monitoringRoleArn == nil
    }
}
