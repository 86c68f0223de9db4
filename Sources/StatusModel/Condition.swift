/// Whether a condition holds: the Kubernetes-style tri-state.
public enum ConditionStatus: String, Codable, Sendable, CaseIterable {
    /// The condition holds.
    case `true` = "True"
    /// The condition does not hold.
    case `false` = "False"
    /// Not known yet (not observed, or the observation failed).
    case unknown = "Unknown"
}

/// One step of convergence (`RoleReady`, `ClusterRestored`, …) and how it stands.
public struct Condition: Codable, Sendable, Equatable {
    /// The step this condition describes, e.g. `RoleReady`.
    public var type: String
    /// Whether it holds.
    public var status: ConditionStatus
    /// A CamelCase word saying why, e.g. `RoleCreated` or `AccessDenied`.
    public var reason: String
    /// A sentence for the operator: what happened and, when something is wrong, what to do.
    public var message: String
    /// When `status` last changed.
    public var lastTransitionTime: Timestamp

    /// Creates a condition.
    public init(
        type: String, status: ConditionStatus, reason: String, message: String, lastTransitionTime: Timestamp
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    /// The JSON member names of the status contract; `StatusJSON` writes the same ones.
    public enum CodingKeys: String, CodingKey {
        case type, status, reason, message, lastTransitionTime
    }
}

extension Array where Element == Condition {
    /// The condition of the given type, if present.
    public func condition(ofType type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Sets `condition`, replacing the one of the same type; returns whether its status, reason or message changed.
    ///
    /// As Kubernetes' `meta.SetStatusCondition` does, the stored `lastTransitionTime` is kept when the status did not
    /// change, so the time says when the condition last flipped, not when it was last looked at.
    @discardableResult
    public mutating func set(_ condition: Condition) -> Bool {
        guard let index = firstIndex(where: { $0.type == condition.type }) else {
            append(condition)
            return true
        }
        let old = self[index]
        var updated = condition
        if old.status == condition.status {
            updated.lastTransitionTime = old.lastTransitionTime
        }
        self[index] = updated
        return old.status != updated.status || old.reason != updated.reason || old.message != updated.message
    }
}
