import Foundation
import Reconciler
import Testing

/// `deploy/iam-policy.json` and the README's permission table against `RequiredPermissions.daemonOperations`, and
/// that list against the calls the observer and the executor make: any of the four drifting fails a test that names
/// the difference.
@Suite("The least-privilege IAM policy matches the daemon's AWS calls")
struct IAMPolicyTests {
    /// The checkout's root, from this file's path (`Tests/ReconcilerTests/IAMPolicyTests.swift`).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The text of `path` under the checkout's root.
    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func thePolicyAllowsExactlyThePermissionsOfTheDaemonsOperations() throws {
        let policy = Self.root.appendingPathComponent("deploy/iam-policy.json")
        let allowed = try IAMPolicyActions.allowed(inPolicyAt: policy)
        let needed = Set(RequiredPermissions.daemonPermissions)
        let missing = needed.subtracting(allowed).sorted()
        let extra = allowed.subtracting(needed).sorted()
        #expect(missing.isEmpty, "deploy/iam-policy.json lacks permissions the daemon needs: \(missing)")
        #expect(extra.isEmpty, "deploy/iam-policy.json allows what no daemon operation needs: \(extra)")
    }

    @Test func theListNamesExactlyTheOperationsTheObserverAndExecutorCall() throws {
        let listed = RequiredPermissions.daemonOperations.flatMap(\.operations)
        #expect(Set(listed).count == listed.count, "an operation is listed twice: \(listed)")
        for operation in listed {
            #expect(!RequiredPermissions.forOperation(operation).isEmpty, "\(operation) has no permission")
        }
        // The observer (both files) names every read it makes (`call("DescribeDBClusters") { … }`, for its error
        // mapping); `attachedPolicyDocuments`, named after its last call, also calls ListAttachedRolePolicies and
        // GetPolicy.
        let observer =
            try Self.read("Sources/Reconciler/Observer/AWSObserver.swift")
            + Self.read("Sources/Reconciler/Observer/AWSObserver+Fleet.swift")
        let pattern = try Regex(#"call\("([A-Za-z0-9]+)""#)
        let reads = observer.matches(of: pattern).map { String($0.output[1].substring ?? "") }
        let writes = ActionKind.allCases.map(\.operationName).filter { !RequiredPermissions.forOperation($0).isEmpty }
        let called = Set(reads + writes + ["ListAttachedRolePolicies", "GetPolicy", "GetCallerIdentity"])
        #expect(!reads.isEmpty)
        let unlisted = called.subtracting(listed).sorted()
        let uncalled = Set(listed).subtracting(called).sorted()
        #expect(unlisted.isEmpty, "RequiredPermissions.daemonOperations misses operations called: \(unlisted)")
        #expect(uncalled.isEmpty, "RequiredPermissions.daemonOperations lists operations nothing calls: \(uncalled)")
    }

    @Test func theReadmeTableIsTheOneTheListRenders() throws {
        let readme = try Self.read("README.md")
        let table = IAMPolicyActions.readmeTable()
        #expect(readme.contains(table), "README.md's permission table differs; it should read:\n\(table)")
    }
}

/// Reading a policy's allowed actions and rendering the README's permission table.
enum IAMPolicyActions {
    /// Every action the Allow statements of the policy document at `url` name (`Action` as a string or a list).
    static func allowed(inPolicyAt url: URL) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let statements = object?["Statement"] as? [[String: Any]] ?? []
        var actions: Set<String> = []
        for statement in statements where statement["Effect"] as? String == "Allow" {
            #expect(statement["NotAction"] == nil, "NotAction allows more than it names: \(statement)")
            if let one = statement["Action"] as? String { actions.insert(one) }
            actions.formUnion(statement["Action"] as? [String] ?? [])
        }
        return actions
    }

    /// The README's table: one row per service of `RequiredPermissions.daemonOperations`, the permissions its
    /// operations need in the list's order, each once (a companion such as `iam:PassRole` under its own service).
    static func readmeTable() -> String {
        var rows: [(service: String, permissions: [String])] =
            RequiredPermissions.daemonOperations.map { ($0.service, []) }
        for (_, operations) in RequiredPermissions.daemonOperations {
            for permission in operations.flatMap(RequiredPermissions.forOperation) {
                let prefix = permission.prefix { $0 != ":" }.uppercased()
                guard let row = rows.firstIndex(where: { $0.service == prefix }),
                    !rows[row].permissions.contains(permission)
                else { continue }
                rows[row].permissions.append(permission)
            }
        }
        let lines = rows.map { row in
            "| \(row.service) | " + row.permissions.map { "`\($0)`" }.joined(separator: ", ") + " |"
        }
        return (["| service | permissions |", "|---|---|"] + lines).joined(separator: "\n") + "\n"
    }
}
