import ImportSpec

extension PlanDraft {
    /// No cluster yet: preflight first (nothing is created before it), then the role, then the restore.
    mutating func planRestore(role: RoleOutcome, securityGroup: SecurityGroupOutcome) {
        let s3 = spec.s3Import
        let location = "s3://\(s3.bucketName)/\(s3.bucketPrefix ?? "")"
        set(
            .clusterRestored, .false, "ClusterNotFound",
            "Cluster \(spec.name) does not exist yet; aurorad restores it from \(location).")
        let waiting = "Cluster \(spec.name) does not exist yet."
        set(.roleAssociated, .unknown, "WaitingForCluster", waiting)
        set(.instancesReady, .unknown, "WaitingForCluster", waiting)
        // A KMS-encrypted backup needs kms:Decrypt for the ingestion role ("Creating an IAM policy to access Amazon S3
        // resources", AuroraMySQL.Integrating.Authorizing.IAM.S3CreatePolicy): the managed role's policy grants it.
        let kmsNote =
            observed.backup.kmsKeyId.map { key in
                " Its files are SSE-KMS encrypted with \(key): "
                    + (s3.ingestionRole.map {
                        "the ingestion role \($0) needs kms:Decrypt on that key (in its policy or the key policy), or RDS "
                            + "fails the migration."
                    } ?? "aurorad grants its managed role kms:Decrypt on that key.")
            } ?? ""
        switch observed.backup.verdict {
        case .notChecked, .kmsEncrypted:  // `verdict` is never .kmsEncrypted
            set(.backupVerified, .unknown, "NotChecked", "The backup in \(location) has not been checked yet.")
            add([
                .verifyBackup(
                    bucket: s3.bucketName, prefix: s3.bucketPrefix,
                    sourceEngineVersion: s3.sourceEngineVersion)
            ])
            return
        case .failed(let message):
            block(.backupVerified, reason: "BackupInvalid", message: message)
            return
        case .warning(let message):
            set(.backupVerified, .unknown, "BackupNotInspectable", message + kmsNote)
        case .verified(let serverVersion):
            guard let source = Planner.majorMinor(s3.sourceEngineVersion),
                Planner.majorMinor(serverVersion) == source
            else {
                block(
                    .backupVerified, reason: "SourceVersionMismatch",
                    message: "The backup in \(location) was taken from MySQL \(serverVersion) but "
                        + "s3_import.source_engine_version is \(s3.sourceEngineVersion); set it to the backup's "
                        + "version and resubmit.")
                return
            }
            set(
                .backupVerified, .true, "BackupVerified",
                "The backup in \(location) is a Percona XtraBackup of MySQL \(serverVersion)." + kmsNote)
        }
        if halted { return }
        if case .missing(let available) = observed.engineVersion, let version = spec.engineVersion {
            block(
                .clusterRestored, reason: "EngineVersionNotFound",
                message: Self.missingEngineVersionMessage(
                    version, source: s3.sourceEngineVersion, available: available))
            return
        }
        for group in role.steps { add(group) }
        for group in securityGroup.steps { add(group) }
        // The managed security group goes in VpcSecurityGroupIds, so it must exist first.
        guard role.usable, let roleArn = role.arn, role.steps.isEmpty,
            let groups = securityGroup.restoreSecurityGroups(spec: spec)
        else { return }
        add([.restoreCluster(restoreParameters(roleArn: roleArn, securityGroups: groups))])
    }

    /// Why a missing `engine_version` stops the restore, with what RDS offers instead and which Aurora major the
    /// source needs (the seed's `5.7.12` is a MySQL-style version RDS has never offered for aurora-mysql).
    static func missingEngineVersionMessage(_ version: String, source: String, available: [String]) -> String {
        let nearest = EngineVersionCheck.nearest(to: version, sourceVersion: source, among: available)
        let major = Planner.majorMinor(source) ?? source
        let aurora =
            major == "5.7"
            ? "Aurora MySQL 2 (5.7.mysql_aurora.2.x.y)" : "Aurora MySQL 3 (8.0.mysql_aurora.3.x.y)"
        let offer =
            nearest.isEmpty
            ? "RDS offers no aurora-mysql version for a MySQL \(major) source in this region"
            : "the nearest versions RDS offers are \(nearest.joined(separator: " and "))"
        return "RDS has no aurora-mysql engine version \(version); \(offer). A MySQL \(major) backup "
            + "(s3_import.source_engine_version \(source)) restores only into \(aurora): set engine_version to one of "
            + "them, or leave it out for RDS's default, and resubmit. Nothing was created."
    }

    /// Every RestoreDBClusterFromS3 input from the spec; the tags record the restore facts (see `RestoreFacts`).
    /// `securityGroups`: the managed group and `vpc_security_group_ids`.
    func restoreParameters(roleArn: String, securityGroups: [String]) -> RestoreParameters {
        RestoreParameters(
            clusterIdentifier: spec.name, engine: spec.engine, engineVersion: spec.engineVersion,
            masterUsername: spec.masterUsername, manageMasterUserPassword: spec.effectiveManageMasterUserPassword,
            masterPasswordFile: spec.effectiveManageMasterUserPassword ? nil : spec.masterPasswordFile,
            dbSubnetGroupName: spec.dbSubnetGroupName, vpcSecurityGroupIds: securityGroups,
            enabledCloudwatchLogsExports: spec.enabledCloudwatchLogsExports ?? [],
            storageEncrypted: spec.effectiveStorageEncrypted, kmsKeyId: spec.kmsKeyId,
            deletionProtection: spec.effectiveDeletionProtection,
            tags: desiredTags.merging(RestoreFacts.tags(for: spec)) { current, _ in current },
            s3BucketName: spec.s3Import.bucketName, s3Prefix: spec.s3Import.bucketPrefix,
            s3IngestionRoleArn: roleArn, sourceEngine: "mysql",
            sourceEngineVersion: spec.s3Import.sourceEngineVersion, port: spec.port,
            clusterSettings: spec.clusterSettings)
    }

    /// The cluster exists: repair the role and tags, then associate roles and create instances once it is available.
    mutating func planExistingCluster(
        _ cluster: ObservedCluster, role: RoleOutcome, securityGroup: SecurityGroupOutcome
    ) {
        let changed = RestoreFacts.changedImmutableFields(spec: spec, cluster: cluster)
        switch ResourceStatus.classifyCluster(cluster.status) {
        case .terminal:
            let event = observed.latestClusterEvent.map { "latest RDS event: \($0)" } ?? "RDS reported no event"
            block(
                .clusterRestored, reason: "ClusterFailed",
                message: "Cluster \(cluster.identifier) is \(cluster.status) (\(event)); inspect it in the RDS "
                    + "console, then delete the spec and resubmit it.")
            return
        case .pending, .unknown:
            if ResourceStatus.clusterRestoring.contains(cluster.status) {
                set(
                    .clusterRestored, .false, "Restoring",
                    "Cluster \(cluster.identifier) is \(cluster.status): RDS is restoring it from the backup.")
            } else {
                set(
                    .clusterRestored, .true, "ClusterBusy",
                    "Cluster \(cluster.identifier) was restored and is \(cluster.status).")
            }
            let waiting = "Cluster \(cluster.identifier) is \(cluster.status), not yet available."
            set(.roleAssociated, .unknown, "WaitingForCluster", waiting)
            set(.instancesReady, .unknown, "WaitingForCluster", waiting)
        case .available:
            set(.clusterRestored, .true, "ClusterAvailable", "Cluster \(cluster.identifier) is available.")
        }
        if !changed.isEmpty {
            let fields = changed.map { "field \($0) cannot change after restore" }.joined(separator: "; ")
            // Nothing is acted on: the managed role's policy, for one, derives from s3_import.bucket_name.
            block(.clusterRestored, reason: "ImmutableFieldChanged", message: "\(fields); delete and resubmit.")
        }
        for group in role.steps { add(group) }
        for group in securityGroup.steps { add(group) }
        var mutations: [Action] = []
        let clusterDrift = ManagedResources.tagDrift(desired: desiredTags, observed: cluster.tags)
        if !clusterDrift.isEmpty { mutations.append(.addTagsToResource(arn: cluster.arn, tags: clusterDrift)) }
        var waits: [Action] = []
        if ResourceStatus.classifyCluster(cluster.status) == .available {
            if changed.isEmpty {
                planClusterSettings(
                    cluster, securityGroups: securityGroup.clusterSecurityGroups(spec: spec), mutations: &mutations)
            }
            planAssociations(cluster, roleArn: role.arn, mutations: &mutations, waits: &waits)
            let creations = planInstances(cluster, mutations: &mutations, waits: &waits)
            add(mutations)
            add(creations)
        } else {
            add(mutations)
            waits.append(.waitForCluster(identifier: cluster.identifier, status: cluster.status))
        }
        add(waits)
    }

    /// Puts the cluster settings the spec sets back with one ModifyDBCluster: deletion protection, log exports (as
    /// a set), security groups (as a set: `securityGroups`, the managed group and `vpc_security_group_ids`) and the
    /// module's common settings, each only when the spec sets it (see `FieldOwnership`). None of them restarts an
    /// instance (a new cluster parameter group's static parameters wait for the operator's reboot), so they are
    /// applied immediately; RDS shows the cluster `modifying` meanwhile.
    private mutating func planClusterSettings(
        _ cluster: ObservedCluster, securityGroups: [String]?, mutations: inout [Action]
    ) {
        let changes = ClusterChanges.needed(
            for: cluster, deletionProtection: spec.deletionProtection,
            logExports: spec.enabledCloudwatchLogsExports, desiredSecurityGroups: securityGroups,
            settings: spec.clusterSettings)
        guard !changes.isEmpty else { return }
        mutations.append(.modifyCluster(identifier: cluster.identifier, changes: changes))
        set(
            .clusterRestored, .false, "SettingsDiffer",
            "Cluster \(cluster.identifier) differs from the spec; aurorad modifies it: \(changes).")
    }

    /// The role associations the spec wants: its `role_associations` (an entry without `role_arn` means the
    /// ingestion role), or, when it gives none, the ingestion role as the seed associates it. `nil` ARN: not known yet.
    func desiredAssociations(ingestionRoleArn: String?) -> [(key: String, arn: String?)] {
        guard let associations = spec.roleAssociations else { return [("ingestion", ingestionRoleArn)] }
        var seen = Set<String>()
        return associations.sorted { $0.key < $1.key }.compactMap { key, entry in
            let arn = entry.roleArn ?? ingestionRoleArn
            if let arn, !seen.insert(arn).inserted { return nil }
            return (key, arn)
        }
    }

    private mutating func planAssociations(
        _ cluster: ObservedCluster, roleArn: String?, mutations: inout [Action], waits: inout [Action]
    ) {
        let desired = desiredAssociations(ingestionRoleArn: roleArn)
        // One AddRoleToDBCluster at a time: RDS refuses another while an association is being set up.
        var canAdd = !cluster.associatedRoles.contains { $0.status == .pending }
        var problems: [(reason: String, message: String)] = []
        for (key, arn) in desired {
            guard let arn else {
                problems.append(("WaitingForRole", "The ingestion role does not exist yet, so it is not associated."))
                continue
            }
            switch cluster.associatedRoles.first(where: { $0.roleArn == arn })?.status {
            case nil:
                problems.append(("RoleNotAssociated", "IAM role \(arn) is not associated with the cluster yet."))
                if canAdd {
                    mutations.append(
                        .addRoleToCluster(
                            clusterIdentifier: cluster.identifier, roleArn: arn,
                            featureName: Planner.featureName(engine: spec.engine, associationKey: key)))
                    canAdd = false
                }
            case .pending:
                problems.append(("AssociationPending", "The association of \(arn) is PENDING."))
                waits.append(.waitForRoleAssociation(clusterIdentifier: cluster.identifier, roleArn: arn))
            case .invalid:
                problems.append(
                    (
                        "AssociationInvalid",
                        "The association of \(arn) is INVALID: RDS cannot assume the role; make sure it trusts "
                            + "\(ManagedResources.rdsServicePrincipal)."
                    ))
            case .active:
                continue
            }
        }
        if let first = problems.first {
            set(.roleAssociated, .false, first.reason, problems.map(\.message).joined(separator: " "))
        } else {
            set(
                .roleAssociated, .true, "RolesActive",
                desired.isEmpty
                    ? "The spec asks for no role association."
                    : "Every role association of cluster \(cluster.identifier) is ACTIVE.")
        }
    }
}
