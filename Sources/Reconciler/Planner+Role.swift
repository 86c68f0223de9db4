import ImportSpec

/// What the role step found: the ingestion role's ARN if known, and whether RDS could use it for the restore now.
struct RoleOutcome {
    var arn: String?
    var usable: Bool
    /// Actions that create or repair the managed role, as ordered groups.
    var steps: [[Action]]
}

extension PlanDraft {
    /// Plans the ingestion role: create or repair the managed one, or verify (never modify) the given one.
    mutating func planRole() -> RoleOutcome {
        if let given = spec.s3Import.ingestionRole { return verifyGivenRole(arn: given) }
        let name = ManagedResources.roleName(forSpec: spec.name)
        let trust = ManagedResources.trustPolicy()
        // The preflight's KMS key when it ran; once the cluster exists it no longer runs, and the grant the policy
        // already has is kept, so a restore still reading the backup never loses it.
        let kmsKey =
            observed.backup == .notChecked
            ? ManagedResources.kmsKeyArn(in: observed.role?.inlinePolicies[ManagedResources.inlinePolicyName])
            : observed.backup.kmsKeyId
        let policy = ManagedResources.inlinePolicy(
            bucket: spec.s3Import.bucketName, partition: partition, kmsKeyArn: kmsKey)
        guard let role = observed.role else {
            set(.roleReady, .false, "RoleMissing", "IAM role \(name) does not exist yet; aurorad creates it.")
            set(.policyReady, .false, "PolicyMissing", "IAM role \(name) has no S3 read policy yet; aurorad adds it.")
            return RoleOutcome(
                arn: nil, usable: false,
                steps: [
                    [
                        .createRole(
                            name: name, trustPolicy: trust, tags: desiredTags,
                            description: ManagedResources.roleDescription)
                    ],
                    [.putRolePolicy(roleName: name, policyName: ManagedResources.inlinePolicyName, policy: policy)],
                ])
        }
        guard ManagedResources.isOwned(tags: role.tags, bySpec: spec.name) else {
            block(
                .roleReady, reason: "RoleNotOwned",
                message: "IAM role \(name) exists but is not tagged \(ManagedResources.specTagKey)=\(spec.name); "
                    + "aurorad never modifies a role it does not own: delete that role, or name it in "
                    + "s3_import.ingestion_role to use it as is.")
            return RoleOutcome(arn: role.arn, usable: false, steps: [])
        }
        var repairs: [Action] = []
        let trustOK = role.trustPolicy == trust
        let tagDrift = ManagedResources.tagDrift(desired: desiredTags, observed: role.tags)
        if !trustOK {
            repairs.append(.updateAssumeRolePolicy(roleName: name, policy: trust))
            let (reason, what) =
                role.trustPolicy == nil
                ? ("TrustPolicyMissing", "has no")
                : (
                    "TrustPolicyDrifted",
                    "has a changed"
                )
            set(.roleReady, .false, reason, "IAM role \(name) \(what) trust policy; aurorad puts it back.")
        } else if !tagDrift.isEmpty {
            set(.roleReady, .false, "TagsDrifted", "IAM role \(name) lacks some of its tags; aurorad re-tags it.")
        } else {
            set(
                .roleReady, .true, "RoleReady",
                "IAM role \(name) exists and trusts "
                    + "\(ManagedResources.rdsServicePrincipal).")
        }
        let observedPolicy = role.inlinePolicies[ManagedResources.inlinePolicyName]
        let policyOK = observedPolicy == policy
        if !policyOK {
            repairs.append(
                .putRolePolicy(roleName: name, policyName: ManagedResources.inlinePolicyName, policy: policy))
            let (reason, what) =
                observedPolicy == nil
                ? ("PolicyMissing", "lacks")
                : (
                    "PolicyDrifted",
                    "has a changed"
                )
            set(
                .policyReady, .false, reason,
                "IAM role \(name) \(what) inline policy \(ManagedResources.inlinePolicyName); aurorad puts it back.")
        } else {
            set(
                .policyReady, .true, "PolicyReady",
                "IAM role \(name) may list s3://\(spec.s3Import.bucketName) and read its objects.")
        }
        if !tagDrift.isEmpty { repairs.append(.tagRole(roleName: name, tags: tagDrift)) }
        return RoleOutcome(arn: role.arn, usable: trustOK && policyOK, steps: repairs.isEmpty ? [] : [repairs])
    }

    /// Verifies a role the operator gave: it must exist, trust RDS and grant the seed's S3 permissions.
    private mutating func verifyGivenRole(arn: String) -> RoleOutcome {
        guard let role = observed.role else {
            block(
                .roleReady, reason: "RoleNotFound",
                message: "IAM role \(arn) (s3_import.ingestion_role) does not exist; create it as the seed shows, "
                    + "or leave ingestion_role out so aurorad manages a role.")
            set(.policyReady, .unknown, "RoleNotFound", "IAM role \(arn) does not exist, so its policy is unknown.")
            return RoleOutcome(arn: arn, usable: false, steps: [])
        }
        var usable = true
        if let trust = role.trustPolicy,
            PolicyEvaluation.trusts(trust, service: ManagedResources.rdsServicePrincipal)
        {
            set(
                .roleReady, .true, "RoleVerified",
                "IAM role \(arn) trusts \(ManagedResources.rdsServicePrincipal); aurorad does not modify it.")
        } else {
            usable = false
            block(
                .roleReady, reason: "TrustPolicyLacksRDS",
                message: "IAM role \(arn) does not let \(ManagedResources.rdsServicePrincipal) call sts:AssumeRole; "
                    + "add that to its trust policy (aurorad never modifies a role it was given), or leave "
                    + "s3_import.ingestion_role out so aurorad manages a role.")
        }
        let documents = Array(role.inlinePolicies.values) + Array(role.attachedPolicies.values)
        let bucket = ManagedResources.bucketARN(spec.s3Import.bucketName, partition: partition)
        let objects = "\(bucket)/\(spec.s3Import.bucketPrefix ?? "")*"
        let required = [("s3:ListBucket", bucket), ("s3:GetBucketLocation", bucket), ("s3:GetObject", objects)]
        let missing = required.filter { !PolicyEvaluation.allows(documents, action: $0.0, resource: $0.1) }
        if missing.isEmpty {
            set(
                .policyReady, .true, "PermissionsVerified",
                "IAM role \(arn) may list \(bucket) and read the backup's objects.")
        } else {
            usable = false
            let list = missing.map { "\($0.0) on \($0.1)" }.joined(separator: ", ")
            block(
                .policyReady, reason: "PermissionsMissing",
                message: "IAM role \(arn) lacks \(list); grant them in one of its policies (as the seed shows), "
                    + "or leave s3_import.ingestion_role out so aurorad manages a role.")
        }
        return RoleOutcome(arn: role.arn, usable: usable, steps: [])
    }
}
