/// A coarse evaluation of identity and trust policies, used to verify an ingestion role aurorad does not own.
///
/// It answers "does some Allow statement grant this, and no Deny statement refuse it?" with IAM's wildcard rules
/// (`*` and `?`; action names case-insensitive, resources case-sensitive). Conditions are not evaluated: a conditional
/// Allow counts as granting and a conditional Deny as not refusing, so verification never fails a role that could work;
/// RDS has the final word when it assumes the role.
public enum PolicyEvaluation {
    /// Whether the documents together allow `action` on `resource`.
    public static func allows(_ documents: [PolicyDocument], action: String, resource: String) -> Bool {
        let statements = documents.flatMap(\.statements)
        let denied = statements.contains { statement in
            statement.effect == "Deny" && statement.condition.isEmpty
                && matchesAction(statement, action) && matchesResource(statement, resource)
        }
        if denied { return false }
        return statements.contains { statement in
            statement.effect == "Allow" && matchesAction(statement, action) && matchesResource(statement, resource)
        }
    }

    /// Whether a trust policy lets the AWS service `service` (e.g. `rds.amazonaws.com`) call `sts:AssumeRole`.
    public static func trusts(_ document: PolicyDocument, service: String) -> Bool {
        let action = "sts:AssumeRole"
        let principalMatches: (PolicyStatement) -> Bool = { statement in
            guard let principal = statement.principal else { return false }
            return principal["Service", default: []].contains { wildcardMatch(pattern: $0, value: service) }
                || principal["AWS", default: []].contains("*")
        }
        let denied = document.statements.contains { statement in
            statement.effect == "Deny" && statement.condition.isEmpty && principalMatches(statement)
                && matchesAction(statement, action)
        }
        if denied { return false }
        return document.statements.contains { statement in
            statement.effect == "Allow" && principalMatches(statement) && matchesAction(statement, action)
        }
    }

    /// IAM's wildcard match: `*` is any run of characters, `?` exactly one.
    public static func wildcardMatch(pattern: String, value: String, caseInsensitive: Bool = false) -> Bool {
        let pattern = Array(caseInsensitive ? pattern.lowercased() : pattern)
        let value = Array(caseInsensitive ? value.lowercased() : value)
        // Iterative matcher with one backtrack point: linear in practice, no recursion.
        var p = 0
        var v = 0
        var star: Int?
        var resume = 0
        while v < value.count {
            if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = v
                p += 1
            } else if p < pattern.count, pattern[p] == "?" || pattern[p] == value[v] {
                p += 1
                v += 1
            } else if let starAt = star {
                p = starAt + 1
                resume += 1
                v = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    private static func matchesAction(_ statement: PolicyStatement, _ action: String) -> Bool {
        if !statement.notActions.isEmpty {
            return !statement.notActions.contains { wildcardMatch(pattern: $0, value: action, caseInsensitive: true) }
        }
        return statement.actions.contains { wildcardMatch(pattern: $0, value: action, caseInsensitive: true) }
    }

    private static func matchesResource(_ statement: PolicyStatement, _ resource: String) -> Bool {
        if !statement.notResources.isEmpty {
            return !statement.notResources.contains { wildcardMatch(pattern: $0, value: resource) }
        }
        return statement.resources.contains { wildcardMatch(pattern: $0, value: resource) }
    }
}
