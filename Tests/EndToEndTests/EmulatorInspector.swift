import AWSCore
import AWSServices
import Foundation
import Logging
import TestSupport

/// Looks at (and changes) the emulator's world from the outside, as `aurorad-admin`, with aurorad's own typed
/// clients: what the daemon really created, independent of what its status says.
struct EmulatorInspector: Sendable {
    let emulator: EmulatorProcess
    let iam: IAMClient
    let rds: RDSClient
    let ec2: EC2Client

    /// The demo bucket the emulator seeds with a prepared backup under `backup/`.
    static let bucket = "aurorad-demo-backups"
    /// The name aurorad gives the inline policy of a role it manages.
    static let inlinePolicyName = "aurorad-s3-import"

    init(_ emulator: EmulatorProcess) throws {
        self.emulator = emulator
        var environment = emulator.environment
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        let client = try AWSClient(
            environment: environment, options: AWSClientOptions(maxAttempts: 3), logger: Logger(label: "e2e-inspector"))
        iam = IAMClient(client: client)
        rds = RDSClient(client: client)
        ec2 = EC2Client(client: client)
    }

    /// The role aurorad creates for a spec without `ingestion_role` (README: `aurorad-<name>-s3-import`).
    static func managedRoleName(_ spec: String) -> String { "aurorad-\(spec)-s3-import" }

    /// Every accepted RestoreDBClusterFromS3 of `cluster` (all parameters but the password), from
    /// `GET /_emulator/restores`: DescribeDBClusters does not show the S3 fields.
    func restores(cluster: String) throws -> [[String: Any]] {
        try allRestores().filter { $0["DBClusterIdentifier"] as? String == cluster }
    }

    /// Every RestoreDBClusterFromS3 the emulator accepted, of any cluster, oldest first.
    func allRestores() throws -> [[String: Any]] {
        try inspect("restores")?["Restores"] as? [[String: Any]] ?? []
    }

    /// The ids of the demo world `--seed-demo` created (`Bucket`, `Prefix`, `VpcId`, `SubnetIds`,
    /// `DBSubnetGroupName`, `SecurityGroupId`), from `GET /_emulator/info`.
    func demoWorld() throws -> [String: Any] {
        guard let demo = try inspect("info")?["Demo"] as? [String: Any] else {
            throw EndToEndError(description: "GET /_emulator/info has no Demo: the emulator runs without --seed-demo")
        }
        return demo
    }

    /// The JSON object `GET /_emulator/<path>` returns, or nil when the body is not an object.
    private func inspect(_ path: String) throws -> [String: Any]? {
        let response = try CurlTransport().send(
            HTTPRequest(
                method: "GET", scheme: "http", host: "127.0.0.1", port: emulator.port,
                path: "/_emulator/\(path)"),
            timeout: .seconds(10))
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
    }

    /// The names of every IAM role in the account that start with `prefix` (ListRoles, every page).
    func roleNames(prefix: String) throws -> [String] {
        try Pagination.collect("IAM ListRoles", maxPages: 50) { marker in
            let result = try iam.client.query(.iam, action: "ListRoles") { $0.add("Marker", marker) }
            let names = result.elements(at: "Roles/member").compactMap { $0.trimmedText(at: "RoleName") }
            return (names, Pagination.iamNextMarker(result))
        }.flatMap { $0 }.filter { $0.hasPrefix(prefix) }
    }

    /// The inline policy aurorad puts on a role it manages, or nil when the role or the policy does not exist.
    func managedInlinePolicy(roleName: String) throws -> IAMInlinePolicy? {
        try iam.getRolePolicy(roleName: roleName, policyName: Self.inlinePolicyName)
    }

    /// The instances of `cluster`, sorted by identifier.
    func instances(cluster: String) throws -> [RDSInstance] {
        try rds.describeDBInstances(clusterIdentifiers: [cluster]).sorted { $0.identifier < $1.identifier }
    }

    /// Creates a role RDS may assume with a policy reading the demo bucket, the way an operator would before
    /// naming it in `s3_import.ingestion_role`.
    func createForeignRole(name: String, policyName: String) throws -> IAMRole {
        let trust = #"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},\#
            "Action":"sts:AssumeRole"}]}
            """#
        let role = try iam.createRole(
            roleName: name, assumeRolePolicyDocument: trust, tags: [AWSTag(key: "team", value: "data")])
        let bucketARN = "arn:aws:s3:::\(Self.bucket)"
        try iam.putRolePolicy(
            roleName: name, policyName: policyName,
            policyDocument: """
                {"Version":"2012-10-17","Statement":[\
                {"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketLocation"],"Resource":"\(bucketARN)"},\
                {"Effect":"Allow","Action":"s3:GetObject","Resource":"\(bucketARN)/*"}]}
                """)
        return role
    }

    /// Uploads a sample backup variant (`prepared`, `unprepared`, …) into the demo bucket under `prefix` with the
    /// emulator's own tool (`Tests/Emulator/sample_backups.py`, boto3), as `aurorad-admin`.
    func uploadBackup(variant: String, prefix: String, scratchDirectory: String) throws {
        let credentials = scratchDirectory + "/admin-credentials.json"
        let key = emulator.adminCredentials
        try writeFile(
            credentials, #"{"AccessKeyId": "\#(key.accessKeyId)", "SecretAccessKey": "\#(key.secretAccessKey)"}"#)
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Emulator/sample_backups.py").path
        let result = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", script, "--endpoint", emulator.endpoint, "--credentials", credentials, "--bucket",
                Self.bucket,
                "--prefix", prefix, "--variant", variant,
            ],
            timeout: 60)
        guard result.status == 0 else {
            throw EndToEndError(description: "sample_backups.py exited \(result.status): \(result.stderr.suffix(1000))")
        }
    }
}

/// Tags as a dictionary (the last value wins for a repeated key, which AWS does not allow anyway).
func tagDictionary(_ tags: [AWSTag]) -> [String: String] {
    Dictionary(tags.map { ($0.key, $0.value) }) { _, last in last }
}

/// A policy document parsed into comparable form: each statement's effect, principal, sorted actions and resources.
struct PolicyShape: Equatable, CustomStringConvertible {
    struct Statement: Equatable, Hashable {
        var effect: String
        var principalServices: [String]
        var actions: [String]
        var resources: [String]
    }

    var statements: Set<Statement>

    init(json: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw EndToEndError(description: "The policy is not a JSON object: \(json)")
        }
        let raw: [[String: Any]] =
            (object["Statement"] as? [[String: Any]])
            ?? (object["Statement"] as? [String: Any]).map { [$0] } ?? []
        statements = Set(
            raw.map { statement in
                let principal = statement["Principal"] as? [String: Any]
                return Statement(
                    effect: statement["Effect"] as? String ?? "",
                    principalServices: Self.strings(principal?["Service"]),
                    actions: Self.strings(statement["Action"]),
                    resources: Self.strings(statement["Resource"]))
            })
    }

    init(_ statements: [Statement]) {
        self.statements = Set(statements)
    }

    var description: String { "\(statements.sorted { $0.actions.joined() < $1.actions.joined() })" }

    /// A string or an array of strings, sorted.
    private static func strings(_ value: Any?) -> [String] {
        if let one = value as? String { return [one] }
        return (value as? [String] ?? []).sorted()
    }
}

extension EmulatorInspector {
    /// Creates IAM user `name` allowed everything except `deniedActions` (an explicit Deny in policy `deny`, which
    /// `allow(_:)` later removes), with an access key; returns the key, for a daemon that runs as that user.
    func createUser(_ name: String, denying deniedActions: [String]) throws -> EmulatorCredentials {
        _ = try iam.client.query(.iam, action: "CreateUser") { $0.add("UserName", name) }
        try putUserPolicy(
            user: name, policy: "allow-all",
            document: #"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}
                """#)
        let actions = deniedActions.map { "\"\($0)\"" }.joined(separator: ",")
        try putUserPolicy(
            user: name, policy: "deny",
            document: """
                {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":[\(actions)],"Resource":"*"}]}
                """)
        return try createAccessKey(user: name)
    }

    /// Creates IAM user `name` whose only permissions are `policyDocument`, attached as customer-managed policy
    /// `<name>-policy` (as `deploy/README.md` advises: the document is over an inline user policy's size limit), with
    /// an access key; returns the key.
    func createUser(_ name: String, policyDocument: String) throws -> EmulatorCredentials {
        _ = try iam.client.query(.iam, action: "CreateUser") { $0.add("UserName", name) }
        let created = try iam.client.query(.iam, action: "CreatePolicy") {
            $0.add("PolicyName", "\(name)-policy")
            $0.add("PolicyDocument", policyDocument)
        }
        guard let arn = created.trimmedText(at: "Policy/Arn") else {
            throw EndToEndError(description: "CreatePolicy for \(name) returned no ARN")
        }
        _ = try iam.client.query(.iam, action: "AttachUserPolicy") {
            $0.add("UserName", name)
            $0.add("PolicyArn", arn)
        }
        return try createAccessKey(user: name)
    }

    private func createAccessKey(user name: String) throws -> EmulatorCredentials {
        let key = try iam.client.query(.iam, action: "CreateAccessKey") { $0.add("UserName", name) }
        guard let id = key.trimmedText(at: "AccessKey/AccessKeyId"),
            let secret = key.trimmedText(at: "AccessKey/SecretAccessKey")
        else { throw EndToEndError(description: "CreateAccessKey for \(name) returned no key") }
        return EmulatorCredentials(accessKeyId: id, secretAccessKey: secret)
    }

    /// Lifts the explicit Deny `createUser(_:denying:)` gave `user`: what an operator does outside the spec.
    func allow(_ user: String) throws {
        _ = try iam.client.query(.iam, action: "DeleteUserPolicy") {
            $0.add("UserName", user)
            $0.add("PolicyName", "deny")
        }
    }

    private func putUserPolicy(user: String, policy: String, document: String) throws {
        _ = try iam.client.query(.iam, action: "PutUserPolicy") {
            $0.add("UserName", user)
            $0.add("PolicyName", policy)
            $0.add("PolicyDocument", document)
        }
    }
}
