import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Logging
import StatusModel

/// Observes a spec's resources through the typed AWS clients: IAM role (trust, inline and, for a given role,
/// attached policies, tags), the RDS cluster (with the latest event when it failed) and its instances, and the
/// S3 backup preflight, and the spec's security group when it asks for one. "Not found" answers are observations
/// (nil), never errors.
public struct AWSObserver: FleetReading {
    let iam: IAMClient
    let rds: RDSClient
    let s3: S3Client
    let ec2: EC2Client
    let region: String
    let logger: Logger
    /// DescribeDBEngineVersions answers for this daemon run.
    let engineVersions = EngineVersionCatalog()
    /// DescribeDBSubnetGroups answers for the `vpc_id` guard.
    let subnetGroupVPCs = SubnetGroupVPCs()

    /// An observer over `client`, which fixes the region (the bucket must be in it).
    public init(client: AWSClient, logger: Logger) {
        iam = IAMClient(client: client)
        rds = RDSClient(client: client)
        s3 = S3Client(client: client)
        ec2 = EC2Client(client: client)
        region = client.region.name
        self.logger = logger
    }

    /// See `StateObserving.observe(_:)`: the spec's own reads, then those of `completeObservation(_:of:)`.
    public func observe(_ spec: ImportSpec) throws(ObservationError) -> ObservedState {
        let role = try observeRole(named: FleetInterest.roleName(of: spec))
        let cluster = try call("DescribeDBClusters") { try rds.describeDBCluster(identifier: spec.name) }
        var observed = ObservedState(region: region, role: role, cluster: cluster.map(Self.observedCluster))
        if cluster != nil {
            observed.instances = try call("DescribeDBInstances") {
                try rds.describeDBInstances(clusterIdentifiers: [spec.name])
            }.map(Self.observedInstance)
        }
        observed.securityGroup = try observeSecurityGroup(of: spec)
        observed.monitoringRole = try observeMonitoringRole(of: spec)
        return try completeObservation(observed, of: spec)
    }

    /// See `FleetReading.completeObservation(_:of:)`: the documents of the managed policies attached to an
    /// operator's role, the instances whose identifiers the spec wants but another cluster holds (only while one is
    /// missing from the available cluster: the planner creates instances only then), the latest event of a failed
    /// cluster, and the cluster's VPC when the spec names a `vpc_id` to compare it with.
    public func completeObservation(_ observed: ObservedState, of spec: ImportSpec) throws(ObservationError)
        -> ObservedState
    {
        var observed = observed
        if spec.s3Import.ingestionRole != nil, let role = observed.role {
            let documents = try call("GetPolicyVersion") { try iam.attachedPolicyDocuments(roleName: role.name) }
            var parsedDocuments: [String: PolicyDocument] = [:]
            for (policy, document) in documents {
                observed.role?.attachedPolicies[policy.policyName] =
                    parsed(document, what: "attached policy \(policy.policyName)", sharing: &parsedDocuments)
            }
        }
        if let cluster = observed.cluster {
            let missing = Self.missingInstances(
                wanted: FleetInterest(spec).instanceIdentifiers, cluster: observed.cluster,
                instances: observed.instances)
            if observed.conflictingInstances == nil, !missing.isEmpty {
                let found = try call("DescribeDBInstances") { try rds.describeDBInstances(identifiers: missing) }
                observed.conflictingInstances = Self.conflicts(among: found, for: spec.name)
            }
            if ResourceStatus.classifyCluster(cluster.status) == .terminal {
                observed.latestClusterEvent = try call("DescribeEvents") {
                    try rds.describeEvents(sourceIdentifier: spec.name, durationMinutes: 7 * 24 * 60).first?.message
                }
            }
            observed.cluster?.vpcId = try observeClusterVPC(of: spec, subnetGroup: cluster.dbSubnetGroup)
        }
        return observed
    }

    /// See `StateObserving.checkEngineVersion(_:engine:)`; answers are cached for the daemon's run.
    public func checkEngineVersion(_ version: String, engine: String) throws(ObservationError) -> EngineVersionCheck {
        let exists = try engineVersions.exists(engine: engine, version: version) { () throws(ObservationError) in
            try call("DescribeDBEngineVersions") {
                !(try rds.describeDBEngineVersions(engine: engine, engineVersion: version)).isEmpty
            }
        }
        if exists { return .available }
        let offered = try engineVersions.versions(engine: engine) { () throws(ObservationError) in
            try call("DescribeDBEngineVersions") {
                try rds.describeDBEngineVersions(engine: engine).filter { ($0.status ?? "available") == "available" }
                    .map(\.engineVersion)
            }
        }
        return .missing(available: offered)
    }

    /// See `StateObserving.binlogPosition(_:)`. RDS keeps events for 14 days (RDS User Guide, "Viewing Amazon RDS
    /// events"); an older restore falls back to the backup's `xtrabackup_info`.
    public func binlogPosition(_ spec: ImportSpec) throws(ObservationError) -> BinlogPosition {
        let events = try call("DescribeEvents") {
            try rds.describeEvents(sourceIdentifier: spec.name, durationMinutes: 14 * 24 * 60)
        }
        if let found = events.lazy.compactMap({ BinlogRecovery.position(inEvent: $0.message) }).first { return found }
        let s3Import = spec.s3Import
        let base = s3Import.bucketPrefix.map { $0.isEmpty || $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        let info = try call("GetObject") {
            try s3.getObject(
                bucket: s3Import.bucketName, key: base + BackupInspection.infoFile,
                maxBytes: BackupInspection.metadataReadLimit)
        }
        return info.flatMap { BinlogRecovery.position(inXtrabackupInfo: String(decoding: $0.data, as: UTF8.self)) }
            ?? BinlogPosition(source: BinlogPosition.unavailable)
    }

    /// See `StateObserving.preflight(bucket:prefix:)`; the checks are `BackupInspection`'s.
    public func preflight(bucket: String, prefix: String?) throws(ObservationError) -> BackupPreflight {
        let location = "s3://\(bucket)/\(prefix ?? "")"
        guard let bucketRegion = try call("GetBucketLocation", { try s3.getBucketLocation(bucket: bucket) }) else {
            return .failed(
                "Bucket \(bucket) does not exist (or is not visible to aurorad's AWS identity); create it in "
                    + "\(region) and upload the backup, or fix s3_import.bucket_name, then resubmit.")
        }
        guard bucketRegion == region else {
            return .failed(
                "Bucket \(bucket) is in \(bucketRegion) but the cluster is restored in \(region); RDS reads the "
                    + "backup only from a bucket in the cluster's region: copy it to a bucket in \(region), then "
                    + "resubmit.")
        }
        let listing = try listBackup(bucket: bucket, prefix: prefix)
        let verdict = try BackupInspection.judge(location: location, listing: listing) {
            (key: String) throws(ObservationError) -> String? in try readMetadata(bucket: bucket, key: key)
        }
        let kmsKey = try backupKMSKey(bucket: bucket, listing: listing, verdict: verdict)
        logger.debug(
            "backup preflight", metadata: ["bucket": "\(bucket)", "verdict": "\(verdict)", "kms": "\(kmsKey ?? "-")"])
        return verdict.encrypted(withKMSKey: kmsKey)
    }

    /// The listing of the backup, every page, folded as it comes; it stops once Aurora's file limit is passed.
    private func listBackup(bucket: String, prefix: String?) throws(ObservationError) -> BackupListing {
        var listing = BackupListing()
        var token: String?
        for _ in 0...(BackupInspection.maximumFileCount / Self.listPageSize) {
            let page = try call("ListObjectsV2") {
                try s3.listObjectsV2(
                    bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: Self.listPageSize)
            }
            for object in page.objects { listing.add(key: object.key, size: object.size) }
            guard let next = page.nextContinuationToken, next != token, !listing.isOverFileLimit else { break }
            token = next
        }
        return listing
    }

    /// ListObjectsV2's largest page.
    private static let listPageSize = 1000

    /// The start of a metadata file (they are small), or nil when it does not exist.
    private func readMetadata(bucket: String, key: String) throws(ObservationError) -> String? {
        let object = try call("GetObject") {
            try s3.getObject(bucket: bucket, key: key, maxBytes: BackupInspection.metadataReadLimit)
        }
        return object.map { String(decoding: $0.data, as: UTF8.self) }
    }

    /// The KMS key of an SSE-KMS backup, from the HeadObject of its largest file (the data RDS must decrypt);
    /// nil when the backup is refused anyway, or not KMS-encrypted. The preflight's GetObject answers of the small
    /// metadata files do not tell it: S3 encrypts each object as its own upload asked (a PUT without encryption
    /// headers gets the bucket's default of that moment; S3 API reference, ServerSideEncryptionRule), and the data
    /// files are often uploaded apart from them.
    private func backupKMSKey(bucket: String, listing: BackupListing, verdict: BackupPreflight)
        throws(ObservationError) -> String?
    {
        if case .failed = verdict { return nil }
        guard let key = listing.largestKey else { return nil }
        let head = try call("HeadObject") { try s3.headObject(bucket: bucket, key: key) }
        guard let head, head.isKMSEncrypted else { return nil }
        // Without a key id S3 used the AWS managed key aws/s3, whose key policy already lets S3 readers decrypt.
        return head.kmsKeyId
    }

    /// The group aurorad created for the spec, found in `vpc_id` by its ownership tags (tagged in the create call, so
    /// a crash never hides one), with its rules; nil when there is none. A spec that asks for no group costs no EC2
    /// call.
    private func observeSecurityGroup(of spec: ImportSpec) throws(ObservationError) -> ObservedSecurityGroup? {
        guard spec.createsSecurityGroup, let vpcId = spec.vpcId else { return nil }
        let filters = [
            AWSFilter(name: "vpc-id", values: [vpcId]),
            AWSFilter(name: "tag:\(ManagedResources.specTagKey)", values: [spec.name]),
            AWSFilter(name: "tag:\(ManagedResources.managedByTagKey)", values: [ManagedResources.managedByTagValue]),
        ]
        let groups = try call("DescribeSecurityGroups") { try ec2.describeSecurityGroups(filters: filters) }
        guard let group = Self.ownGroup(of: spec, among: groups) else { return nil }
        let rules = try call("DescribeSecurityGroupRules") { try ec2.describeSecurityGroupRules(groupIds: [group.id]) }
        return Self.observedGroup(group, rules: rules)
    }

    /// The VPC the cluster lives in (its DB subnet group's, DescribeDBSubnetGroups, kept for `SubnetGroupVPCs`'s
    /// max age), read only when the spec names a `vpc_id` to compare it with; nil without one, or when the group is
    /// not found.
    private func observeClusterVPC(of spec: ImportSpec, subnetGroup: String?) throws(ObservationError) -> String? {
        guard spec.vpcId != nil, let subnetGroup else { return nil }
        return try subnetGroupVPCs.vpcId(of: subnetGroup) { () throws(ObservationError) in
            try call("DescribeDBSubnetGroups") { try rds.describeDBSubnetGroup(name: subnetGroup) }?.vpcId
        }
    }

    /// The Enhanced Monitoring role aurorad creates for the spec, by its derived name: trust policy, tags, path,
    /// permissions boundary and attached managed policies (GetRole, ListAttachedRolePolicies); nil when absent. Read
    /// for every spec (one GetRole when there is none), so a role a spec no longer needs is found and deleted; not
    /// for a name IAM would refuse (a long spec name's default `<name>-monitor`: no such role can exist).
    private func observeMonitoringRole(of spec: ImportSpec) throws(ObservationError) -> ObservedRole? {
        let name = ManagedResources.monitoringRoleName(for: spec)
        guard name.count <= ManagedResources.maxRoleNameLength else { return nil }
        guard let role = try call("GetRole", { try iam.getRole(roleName: name) }) else { return nil }
        let attached = try call("ListAttachedRolePolicies") { try iam.listAttachedRolePolicies(roleName: name) }
        return observedRole(role, inlinePolicies: [], attachedPolicies: attached)
    }

    /// The spec's group among `groups`: in its `vpc_id`, tagged as aurorad's for the spec. The name is deterministic,
    /// so a repeated create cannot make a second group; should tags have been copied onto another one, the group
    /// named as aurorad names it is the spec's.
    static func ownGroup(of spec: ImportSpec, among groups: [EC2SecurityGroup]) -> EC2SecurityGroup? {
        let candidates = groups.filter { group in
            let tags = group.tags.asMap
            return group.vpcId == spec.vpcId && tags[ManagedResources.specTagKey] == spec.name
                && tags[ManagedResources.managedByTagKey] == ManagedResources.managedByTagValue
        }
        let name = ManagedSecurityGroup.name(for: spec)
        return candidates.first { $0.name == name } ?? candidates.min(by: { $0.id < $1.id })
    }

    static func observedGroup(_ group: EC2SecurityGroup, rules: [EC2SecurityGroupRule]) -> ObservedSecurityGroup {
        ObservedSecurityGroup(id: group.id, name: group.name, vpcId: group.vpcId, tags: group.tags.asMap, rules: rules)
    }

    /// The role with its trust policy, inline policies and tags, or nil (attached policies: see
    /// `completeObservation(_:of:)`).
    private func observeRole(named name: String) throws(ObservationError) -> ObservedRole? {
        // GetRole returns the role's tags (at most 50, IAM's limit), so no ListRoleTags call is needed.
        guard let role = try call("GetRole", { try iam.getRole(roleName: name) }) else { return nil }
        var inline: [IAMInlinePolicy] = []
        for policyName in try call("ListRolePolicies", { try iam.listRolePolicies(roleName: name) }) {
            let policy = try call("GetRolePolicy") { try iam.getRolePolicy(roleName: name, policyName: policyName) }
            if let policy { inline.append(policy) }
        }
        return observedRole(role, inlinePolicies: inline)
    }

    /// The observation of `role` with its inline policies, its path and boundary, and the ARNs of `attachedPolicies`
    /// (their documents are read only for an operator's role, in `completeObservation(_:of:)`).
    func observedRole(
        _ role: IAMRole, inlinePolicies: [IAMInlinePolicy], attachedPolicies: [IAMAttachedPolicy] = []
    ) -> ObservedRole {
        var documents: [String: PolicyDocument] = [:]
        return observedRole(
            role, inlinePolicies: inlinePolicies, attachedPolicies: attachedPolicies, sharing: &documents)
    }

    /// `observedRole(_:inlinePolicies:attachedPolicies:)`, taking the documents parsed already from `documents` (by
    /// their text) and adding those it parses.
    func observedRole(
        _ role: IAMRole, inlinePolicies: [IAMInlinePolicy], attachedPolicies: [IAMAttachedPolicy],
        sharing documents: inout [String: PolicyDocument]
    ) -> ObservedRole {
        var inline: [String: PolicyDocument] = [:]
        for policy in inlinePolicies {
            inline[policy.policyName] = parsed(
                policy.policyDocument, what: "inline policy \(policy.policyName)", sharing: &documents)
        }
        var observed = ObservedRole(
            name: role.roleName, arn: role.arn,
            trustPolicy: role.assumeRolePolicyDocument.map {
                parsed($0, what: "trust policy", sharing: &documents)
            },
            inlinePolicies: inline,
            tags: Dictionary(role.tags.map { ($0.key, $0.value) }) { _, last in last })
        observed.attachedPolicyArns = attachedPolicies.map(\.policyArn)
        observed.path = role.path
        observed.permissionsBoundary = role.permissionsBoundaryArn
        return observed
    }

    /// A policy document, or an empty one (grants nothing, so it reads as drift) when IAM's text does not parse; one
    /// parsed before from the same text is taken from `documents`.
    private func parsed(_ text: String, what: String, sharing documents: inout [String: PolicyDocument])
        -> PolicyDocument
    {
        if let known = documents[text] { return known }
        let document: PolicyDocument
        do {
            document = try PolicyDocument(parsing: text)
        } catch {
            logger.warning("unreadable IAM policy", metadata: ["policy": "\(what)", "error": "\(error)"])
            document = PolicyDocument(statements: [])
        }
        documents[text] = document
        return document
    }

    func call<T>(_ operation: String, _ body: () throws -> T) throws(ObservationError) -> T {
        do {
            return try body()
        } catch {
            throw AWSErrorMapping.observation(error, operation: operation)
        }
    }

    static func observedCluster(_ cluster: RDSCluster) -> ObservedCluster {
        ObservedCluster(
            identifier: cluster.identifier, status: cluster.status, arn: cluster.arn, endpoint: cluster.endpoint,
            engine: cluster.engine, engineVersion: cluster.engineVersion, masterUsername: cluster.masterUsername ?? "",
            associatedRoles: cluster.associatedRoles.map {
                ObservedRoleAssociation(
                    roleArn: $0.roleArn, status: AssociationStatus(rawValue: $0.status) ?? .pending,
                    featureName: $0.featureName)
            },
            tags: Dictionary(cluster.tags.map { ($0.key, $0.value) }) { _, last in last },
            deletionProtection: cluster.deletionProtection, storageEncrypted: cluster.storageEncrypted,
            kmsKeyId: cluster.kmsKeyId, enabledCloudwatchLogsExports: cluster.enabledCloudwatchLogsExports,
            vpcSecurityGroupIds: cluster.vpcSecurityGroups.map(\.id), dbSubnetGroup: cluster.dbSubnetGroup,
            writerIdentifier: cluster.members.first(where: \.isClusterWriter)?.instanceIdentifier,
            settings: ClusterSettings(
                dbClusterParameterGroupName: cluster.settings.dbClusterParameterGroupName,
                backupRetentionPeriod: cluster.settings.backupRetentionPeriod,
                preferredBackupWindow: cluster.settings.preferredBackupWindow,
                preferredMaintenanceWindow: cluster.settings.preferredMaintenanceWindow,
                iamDatabaseAuthenticationEnabled: cluster.settings.enableIAMDatabaseAuthentication,
                copyTagsToSnapshot: cluster.settings.copyTagsToSnapshot, storageType: cluster.settings.storageType,
                networkType: cluster.settings.networkType,
                engineLifecycleSupport: cluster.settings.engineLifecycleSupport))
    }

    static func observedInstance(_ instance: RDSInstance) -> ObservedInstance {
        ObservedInstance(
            identifier: instance.identifier, status: instance.status, instanceClass: instance.instanceClass,
            clusterIdentifier: instance.clusterIdentifier, arn: instance.arn,
            tags: Dictionary(instance.tags.map { ($0.key, $0.value) }) { _, last in last },
            pendingInstanceClass: instance.pendingInstanceClass,
            settings: InstanceSettings(
                dbParameterGroupName: instance.settings.dbParameterGroupName,
                caCertIdentifier: instance.settings.caCertificateIdentifier,
                publiclyAccessible: instance.publiclyAccessible, availabilityZone: instance.availabilityZone,
                promotionTier: instance.promotionTier,
                autoMinorVersionUpgrade: instance.settings.autoMinorVersionUpgrade,
                performanceInsightsEnabled: instance.settings.enablePerformanceInsights,
                performanceInsightsRetentionPeriod: instance.settings.performanceInsightsRetentionPeriod,
                performanceInsightsKmsKeyId: instance.settings.performanceInsightsKMSKeyId,
                monitoringInterval: instance.settings.monitoringInterval,
                monitoringRoleArn: instance.settings.monitoringRoleArn),
            pendingCACertificate: instance.pendingCACertificateIdentifier)
    }
}
