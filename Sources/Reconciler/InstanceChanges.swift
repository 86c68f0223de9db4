import ImportSpec

/// The instance settings a ModifyDBInstance puts back to the spec; a nil member changes nothing.
///
/// The class and the CA certificate restart the instance, so they follow `apply_immediately` (see
/// `PlanDraft.planClassChanges`); the other settings apply without a restart. `availabilityZone` is never
/// changed: RDS places an instance in its zone only at the create.
public struct InstanceChanges: Equatable, Sendable, CustomStringConvertible {
    /// `DBInstanceClass`.
    public var instanceClass: String?
    /// The per-instance settings that differ, with their new values.
    public var settings: InstanceSettings

    /// Creates a set of changes.
    public init(instanceClass: String? = nil, settings: InstanceSettings = InstanceSettings()) {
        self.instanceClass = instanceClass
        self.settings = settings
    }

    /// Whether nothing would change.
    public var isEmpty: Bool { instanceClass == nil && settings == InstanceSettings() }

    /// Whether applying the changes restarts the instance (a new class or CA certificate).
    public var restarts: Bool { instanceClass != nil || settings.caCertIdentifier != nil }

    /// These changes and `other`'s, `other` winning where both set a member.
    func merging(_ other: InstanceChanges) -> InstanceChanges {
        InstanceChanges(
            instanceClass: other.instanceClass ?? instanceClass, settings: other.settings.merged(over: settings))
    }

    /// The settings that differ without restarting the instance: everything the spec sets except the zone (create
    /// only) and the CA certificate (a restart, planned with the class).
    static func settingsDrift(desired: InstanceSettings, observed: ObservedInstance) -> InstanceSettings {
        func differ<T: Equatable>(_ wanted: T?, _ actual: T?) -> T? {
            guard let wanted, wanted != actual else { return nil }
            return wanted
        }
        let actual = observed.settings
        var drift = InstanceSettings(
            dbParameterGroupName: differ(desired.dbParameterGroupName, actual.dbParameterGroupName),
            publiclyAccessible: differ(desired.publiclyAccessible, actual.publiclyAccessible),
            promotionTier: differ(desired.promotionTier, actual.promotionTier),
            autoMinorVersionUpgrade: differ(desired.autoMinorVersionUpgrade, actual.autoMinorVersionUpgrade),
            performanceInsightsEnabled: differ(desired.performanceInsightsEnabled, actual.performanceInsightsEnabled),
            performanceInsightsRetentionPeriod:
                differ(desired.performanceInsightsRetentionPeriod, actual.performanceInsightsRetentionPeriod),
            performanceInsightsKmsKeyId:
                differ(desired.performanceInsightsKmsKeyId, actual.performanceInsightsKmsKeyId),
            monitoringInterval: differ(desired.monitoringInterval, actual.monitoringInterval ?? 0),
            monitoringRoleArn: differ(desired.monitoringRoleArn, actual.monitoringRoleArn))
        // RDS wants the role with a non-zero interval in the same call.
        if let interval = drift.monitoringInterval, interval > 0 { drift.monitoringRoleArn = desired.monitoringRoleArn }
        return drift
    }

    /// What changes, e.g. `to class db.r8g.xlarge; promotion_tier 1`.
    public var description: String {
        let parts = (instanceClass.map { ["to class \($0)"] } ?? []) + settings.setFields
        return parts.isEmpty ? "nothing" : parts.joined(separator: "; ")
    }
}
