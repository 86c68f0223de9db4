import AWSCore
import Foundation

/// An Aurora DB cluster as `DescribeDBClusters` and the cluster-changing calls return it (botocore rds `DBCluster`).
public struct RDSCluster: Sendable, Equatable {
    /// The cluster identifier.
    public var identifier: String
    /// The cluster ARN.
    public var arn: String
    /// `creating`, `available`, `migration-failed`, … (lower case, as RDS sends it).
    public var status: String
    /// The writer endpoint host name, once known.
    public var endpoint: String?
    /// The reader endpoint host name, once known.
    public var readerEndpoint: String?
    /// `aurora-mysql`.
    public var engine: String
    /// The Aurora engine version (`8.0.mysql_aurora.3.05.2`).
    public var engineVersion: String?
    /// The master user name.
    public var masterUsername: String?
    /// The IAM roles associated with the cluster.
    public var associatedRoles: [RDSClusterRole]
    /// The cluster's tags.
    public var tags: [AWSTag]
    /// Whether the cluster cannot be deleted.
    public var deletionProtection: Bool
    /// Whether storage is encrypted.
    public var storageEncrypted: Bool
    /// The KMS key of the storage encryption.
    public var kmsKeyId: String?
    /// The log types exported to CloudWatch Logs.
    public var enabledCloudwatchLogsExports: [String]
    /// The VPC security groups and their membership status.
    public var vpcSecurityGroups: [RDSVpcSecurityGroup]
    /// The DB subnet group name.
    public var dbSubnetGroup: String?
    /// The instances of the cluster.
    public var members: [RDSClusterMember]
    /// The module's common settings as RDS reports them (`DBClusterParameterGroup`, `BackupRetentionPeriod`, …).
    public var settings: RDSClusterSettings

    /// Reads a `<DBCluster>`.
    init(element: AWSXMLElement, action: String) throws {
        let reader = ResultReader(service: .rds, action: action)
        identifier = try reader.required(element, "DBClusterIdentifier")
        arn = try reader.required(element, "DBClusterArn")
        status = try reader.required(element, "Status")
        endpoint = element.trimmedText(at: "Endpoint")
        readerEndpoint = element.trimmedText(at: "ReaderEndpoint")
        engine = try reader.required(element, "Engine")
        engineVersion = element.trimmedText(at: "EngineVersion")
        masterUsername = element.trimmedText(at: "MasterUsername")
        associatedRoles = try element.elements(at: "AssociatedRoles/DBClusterRole").map {
            RDSClusterRole(
                roleArn: try reader.required($0, "RoleArn"), status: try reader.required($0, "Status"),
                featureName: $0.trimmedText(at: "FeatureName"))
        }
        tags = try reader.tags(element.elements(at: "TagList/Tag"))
        deletionProtection = element.bool(at: "DeletionProtection") ?? false
        storageEncrypted = element.bool(at: "StorageEncrypted") ?? false
        kmsKeyId = element.trimmedText(at: "KmsKeyId")
        enabledCloudwatchLogsExports = element.elements(at: "EnabledCloudwatchLogsExports/member")
            .compactMap { $0.trimmedText(at: "") }
        vpcSecurityGroups = try element.elements(at: "VpcSecurityGroups/VpcSecurityGroupMembership").map {
            RDSVpcSecurityGroup(id: try reader.required($0, "VpcSecurityGroupId"), status: $0.trimmedText(at: "Status"))
        }
        dbSubnetGroup = element.trimmedText(at: "DBSubnetGroup")
        members = try element.elements(at: "DBClusterMembers/DBClusterMember").map {
            RDSClusterMember(
                instanceIdentifier: try reader.required($0, "DBInstanceIdentifier"),
                isClusterWriter: $0.bool(at: "IsClusterWriter") ?? false)
        }
        settings = RDSClusterSettings(
            dbClusterParameterGroupName: element.trimmedText(at: "DBClusterParameterGroup"),
            backupRetentionPeriod: element.trimmedText(at: "BackupRetentionPeriod").flatMap { Int($0) },
            preferredBackupWindow: element.trimmedText(at: "PreferredBackupWindow"),
            preferredMaintenanceWindow: element.trimmedText(at: "PreferredMaintenanceWindow"),
            enableIAMDatabaseAuthentication: element.bool(at: "IAMDatabaseAuthenticationEnabled"),
            copyTagsToSnapshot: element.bool(at: "CopyTagsToSnapshot"),
            storageType: element.trimmedText(at: "StorageType"), networkType: element.trimmedText(at: "NetworkType"),
            engineLifecycleSupport: element.trimmedText(at: "EngineLifecycleSupport"))
    }
}

/// An IAM role associated with a cluster (botocore rds `DBClusterRole`).
public struct RDSClusterRole: Sendable, Equatable {
    /// The role ARN.
    public var roleArn: String
    /// `PENDING`, `ACTIVE` or `INVALID`.
    public var status: String
    /// The feature name, if the association has one (never for Aurora MySQL S3 import).
    public var featureName: String?

    public init(roleArn: String, status: String, featureName: String? = nil) {
        self.roleArn = roleArn
        self.status = status
        self.featureName = featureName
    }
}

/// A VPC security group of a cluster (botocore rds `VpcSecurityGroupMembership`).
public struct RDSVpcSecurityGroup: Sendable, Equatable {
    /// The security group id (`sg-…`).
    public var id: String
    /// `active`, `adding`, …
    public var status: String?

    public init(id: String, status: String?) {
        self.id = id
        self.status = status
    }
}

/// A DB subnet group (botocore rds `DBSubnetGroup`): the VPC a cluster placed in it lives in.
public struct RDSSubnetGroup: Sendable, Equatable {
    /// `DBSubnetGroupName`.
    public var name: String
    /// `VpcId`.
    public var vpcId: String?

    public init(name: String, vpcId: String?) {
        self.name = name
        self.vpcId = vpcId
    }
}

/// An instance of a cluster (botocore rds `DBClusterMember`).
public struct RDSClusterMember: Sendable, Equatable {
    /// The DB instance identifier.
    public var instanceIdentifier: String
    /// Whether it is the writer.
    public var isClusterWriter: Bool

    public init(instanceIdentifier: String, isClusterWriter: Bool) {
        self.instanceIdentifier = instanceIdentifier
        self.isClusterWriter = isClusterWriter
    }
}

/// A DB instance as `DescribeDBInstances` and the instance calls return it (botocore rds `DBInstance`).
public struct RDSInstance: Sendable, Equatable {
    /// The instance identifier.
    public var identifier: String
    /// The instance ARN.
    public var arn: String?
    /// `creating`, `available`, `deleting`, …
    public var status: String
    /// `db.r6g.large`, …
    public var instanceClass: String
    /// `aurora-mysql`.
    public var engine: String
    /// The cluster it belongs to.
    public var clusterIdentifier: String?
    /// The instance endpoint host, once known.
    public var endpointAddress: String?
    /// The instance's tags.
    public var tags: [AWSTag]
    /// The instance class a modification waits to apply in the next maintenance window
    /// (`PendingModifiedValues.DBInstanceClass`), if any.
    public var pendingInstanceClass: String?
    /// The CA certificate waiting for the next maintenance window (`PendingModifiedValues.CACertificateIdentifier`).
    public var pendingCACertificateIdentifier: String?
    /// `PubliclyAccessible`.
    public var publiclyAccessible: Bool?
    /// `AvailabilityZone`.
    public var availabilityZone: String?
    /// `PromotionTier`.
    public var promotionTier: Int?
    /// The settings CreateDBInstance and ModifyDBInstance share, as RDS reports them (the parameter group is the
    /// first of `DBParameterGroups`).
    public var settings: RDSInstanceSettings

    /// Reads a `<DBInstance>`.
    init(element: AWSXMLElement, action: String) throws {
        let reader = ResultReader(service: .rds, action: action)
        identifier = try reader.required(element, "DBInstanceIdentifier")
        arn = element.trimmedText(at: "DBInstanceArn")
        status = try reader.required(element, "DBInstanceStatus")
        instanceClass = try reader.required(element, "DBInstanceClass")
        engine = try reader.required(element, "Engine")
        clusterIdentifier = element.trimmedText(at: "DBClusterIdentifier")
        endpointAddress = element.trimmedText(at: "Endpoint/Address")
        tags = try reader.tags(element.elements(at: "TagList/Tag"))
        pendingInstanceClass = element.trimmedText(at: "PendingModifiedValues/DBInstanceClass")
        pendingCACertificateIdentifier = element.trimmedText(at: "PendingModifiedValues/CACertificateIdentifier")
        publiclyAccessible = element.bool(at: "PubliclyAccessible")
        availabilityZone = element.trimmedText(at: "AvailabilityZone")
        promotionTier = element.trimmedText(at: "PromotionTier").flatMap { Int($0) }
        settings = RDSInstanceSettings(
            dbParameterGroupName: element.elements(at: "DBParameterGroups/DBParameterGroup").first?
                .trimmedText(at: "DBParameterGroupName"),
            autoMinorVersionUpgrade: element.bool(at: "AutoMinorVersionUpgrade"),
            monitoringInterval: element.trimmedText(at: "MonitoringInterval").flatMap { Int($0) },
            monitoringRoleArn: element.trimmedText(at: "MonitoringRoleArn"),
            enablePerformanceInsights: element.bool(at: "PerformanceInsightsEnabled"),
            performanceInsightsKMSKeyId: element.trimmedText(at: "PerformanceInsightsKMSKeyId"),
            performanceInsightsRetentionPeriod:
                element.trimmedText(at: "PerformanceInsightsRetentionPeriod").flatMap { Int($0) },
            caCertificateIdentifier: element.trimmedText(at: "CACertificateIdentifier"))
    }
}

/// An engine version RDS offers (botocore rds `DBEngineVersion`).
public struct RDSEngineVersion: Sendable, Equatable {
    /// `aurora-mysql`.
    public var engine: String
    /// `8.0.mysql_aurora.3.05.2`.
    public var engineVersion: String
    /// `available` or `deprecated`; nil when RDS does not say.
    public var status: String?

    public init(engine: String, engineVersion: String, status: String? = nil) {
        self.engine = engine
        self.engineVersion = engineVersion
        self.status = status
    }

    /// Reads a `<DBEngineVersion>`.
    init(element: AWSXMLElement) throws {
        let reader = ResultReader(service: .rds, action: "DescribeDBEngineVersions")
        engine = try reader.required(element, "Engine")
        engineVersion = try reader.required(element, "EngineVersion")
        status = element.trimmedText(at: "Status")
    }
}

/// An RDS event (botocore rds `Event`).
public struct RDSEvent: Sendable, Equatable {
    /// The cluster or instance identifier.
    public var sourceIdentifier: String?
    /// `db-cluster`, `db-instance`, …
    public var sourceType: String?
    /// What happened.
    public var message: String
    /// `failure`, `migration`, `creation`, …
    public var categories: [String]
    /// When it happened.
    public var date: Date

    public init(sourceIdentifier: String?, sourceType: String?, message: String, categories: [String], date: Date) {
        self.sourceIdentifier = sourceIdentifier
        self.sourceType = sourceType
        self.message = message
        self.categories = categories
        self.date = date
    }

    /// Reads an `<Event>`.
    init(element: AWSXMLElement) throws {
        let reader = ResultReader(service: .rds, action: "DescribeEvents")
        sourceIdentifier = element.trimmedText(at: "SourceIdentifier")
        sourceType = element.trimmedText(at: "SourceType")
        message = try reader.required(element, "Message")
        categories = element.elements(at: "EventCategories/EventCategory").compactMap { $0.trimmedText(at: "") }
        date = try reader.requiredDate(element, "Date")
    }
}

/// How the cluster's master password is set: kept by RDS in Secrets Manager, or given (redacted everywhere).
public enum RDSMasterPassword: Sendable, Equatable {
    /// `ManageMasterUserPassword=true`, optionally with `MasterUserSecretKmsKeyId`.
    case managedByRDS(secretKmsKeyId: String?)
    /// `MasterUserPassword`.
    case explicit(SecretString)
}

/// The parameters of `RestoreDBClusterFromS3` that aurorad sets (botocore rds `RestoreDBClusterFromS3Message`).
public struct RestoreDBClusterFromS3Request: Sendable, Equatable {
    /// `DBClusterIdentifier`.
    public var dbClusterIdentifier: String
    /// `Engine` (`aurora-mysql`).
    public var engine: String
    /// `EngineVersion`.
    public var engineVersion: String?
    /// `MasterUsername`.
    public var masterUsername: String
    /// `ManageMasterUserPassword` or `MasterUserPassword`.
    public var masterPassword: RDSMasterPassword
    /// `DBSubnetGroupName`.
    public var dbSubnetGroupName: String?
    /// `VpcSecurityGroupIds`.
    public var vpcSecurityGroupIds: [String]?
    /// `EnableCloudwatchLogsExports`.
    public var enableCloudwatchLogsExports: [String]?
    /// `StorageEncrypted`.
    public var storageEncrypted: Bool?
    /// `KmsKeyId`.
    public var kmsKeyId: String?
    /// `DeletionProtection`.
    public var deletionProtection: Bool?
    /// `Tags`.
    public var tags: [AWSTag]?
    /// `S3BucketName`.
    public var s3BucketName: String
    /// `S3Prefix`; nil means the whole bucket.
    public var s3Prefix: String?
    /// `S3IngestionRoleArn`.
    public var s3IngestionRoleArn: String
    /// `SourceEngine` (`mysql`).
    public var sourceEngine: String
    /// `SourceEngineVersion` (`8.0.36`).
    public var sourceEngineVersion: String
    /// `Port`; nil lets RDS use 3306.
    public var port: Int?
    /// The cluster settings sent with the restore (`DBClusterParameterGroupName`, `BackupRetentionPeriod`, …).
    public var settings: RDSClusterSettings

    public init(
        dbClusterIdentifier: String, engine: String = "aurora-mysql", engineVersion: String? = nil,
        masterUsername: String, masterPassword: RDSMasterPassword, dbSubnetGroupName: String? = nil,
        vpcSecurityGroupIds: [String]? = nil, enableCloudwatchLogsExports: [String]? = nil,
        storageEncrypted: Bool? = nil, kmsKeyId: String? = nil, deletionProtection: Bool? = nil,
        tags: [AWSTag]? = nil, s3BucketName: String, s3Prefix: String? = nil, s3IngestionRoleArn: String,
        sourceEngine: String = "mysql", sourceEngineVersion: String, port: Int? = nil,
        settings: RDSClusterSettings = .init()
    ) {
        self.dbClusterIdentifier = dbClusterIdentifier
        self.engine = engine
        self.engineVersion = engineVersion
        self.masterUsername = masterUsername
        self.masterPassword = masterPassword
        self.dbSubnetGroupName = dbSubnetGroupName
        self.vpcSecurityGroupIds = vpcSecurityGroupIds
        self.enableCloudwatchLogsExports = enableCloudwatchLogsExports
        self.storageEncrypted = storageEncrypted
        self.kmsKeyId = kmsKeyId
        self.deletionProtection = deletionProtection
        self.tags = tags
        self.s3BucketName = s3BucketName
        self.s3Prefix = s3Prefix
        self.s3IngestionRoleArn = s3IngestionRoleArn
        self.sourceEngine = sourceEngine
        self.sourceEngineVersion = sourceEngineVersion
        self.port = port
        self.settings = settings
    }

    /// Writes the members in botocore's model order.
    func encode(into params: inout QueryEncoding) {
        params.addList("VpcSecurityGroupIds", vpcSecurityGroupIds, member: QueryListMember.rdsVpcSecurityGroupId)
        params.add("DBClusterIdentifier", dbClusterIdentifier)
        params.add("DBSubnetGroupName", dbSubnetGroupName)
        params.add("Engine", engine)
        params.add("EngineVersion", engineVersion)
        params.add("Port", port)
        params.add("MasterUsername", masterUsername)
        if case .explicit(let password) = masterPassword { params.add("MasterUserPassword", password.revealed) }
        params.addTags(tags, member: QueryListMember.rdsTag)
        params.add("StorageEncrypted", storageEncrypted)
        params.add("KmsKeyId", kmsKeyId)
        params.add("SourceEngine", sourceEngine)
        params.add("SourceEngineVersion", sourceEngineVersion)
        params.add("S3BucketName", s3BucketName)
        params.add("S3Prefix", s3Prefix)
        params.add("S3IngestionRoleArn", s3IngestionRoleArn)
        params.addList("EnableCloudwatchLogsExports", enableCloudwatchLogsExports)
        params.add("DeletionProtection", deletionProtection)
        if case .managedByRDS(let kmsKeyId) = masterPassword {
            params.add("ManageMasterUserPassword", true)
            params.add("MasterUserSecretKmsKeyId", kmsKeyId)
        }
        settings.encode(into: &params)
        params.add("EngineLifecycleSupport", settings.engineLifecycleSupport)
    }
}

/// The parameters of `CreateDBInstance` for an instance of an Aurora cluster.
public struct CreateDBInstanceRequest: Sendable, Equatable {
    /// `DBInstanceIdentifier`.
    public var dbInstanceIdentifier: String
    /// `DBInstanceClass` (`db.r6g.large`).
    public var dbInstanceClass: String
    /// `Engine` (`aurora-mysql`, as the cluster's).
    public var engine: String
    /// `DBClusterIdentifier`.
    public var dbClusterIdentifier: String
    /// `PubliclyAccessible`.
    public var publiclyAccessible: Bool?
    /// `Tags`.
    public var tags: [AWSTag]?
    /// `AvailabilityZone`.
    public var availabilityZone: String?
    /// `PromotionTier` (0–15).
    public var promotionTier: Int?
    /// The settings CreateDBInstance and ModifyDBInstance share.
    public var settings: RDSInstanceSettings

    public init(
        dbInstanceIdentifier: String, dbInstanceClass: String, engine: String = "aurora-mysql",
        dbClusterIdentifier: String, publiclyAccessible: Bool? = nil, tags: [AWSTag]? = nil,
        availabilityZone: String? = nil, promotionTier: Int? = nil, settings: RDSInstanceSettings = .init()
    ) {
        self.dbInstanceIdentifier = dbInstanceIdentifier
        self.dbInstanceClass = dbInstanceClass
        self.engine = engine
        self.dbClusterIdentifier = dbClusterIdentifier
        self.publiclyAccessible = publiclyAccessible
        self.tags = tags
        self.availabilityZone = availabilityZone
        self.promotionTier = promotionTier
        self.settings = settings
    }

    /// Writes the members in botocore's model order.
    func encode(into params: inout QueryEncoding) {
        params.add("DBInstanceIdentifier", dbInstanceIdentifier)
        params.add("DBInstanceClass", dbInstanceClass)
        params.add("Engine", engine)
        params.add("AvailabilityZone", availabilityZone)
        params.add("PubliclyAccessible", publiclyAccessible)
        params.addTags(tags, member: QueryListMember.rdsTag)
        params.add("DBClusterIdentifier", dbClusterIdentifier)
        params.add("PromotionTier", promotionTier)
        settings.encode(into: &params)
    }
}
