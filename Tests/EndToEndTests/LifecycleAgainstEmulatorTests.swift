import Foundation
import Testing
import TestSupport

/// The built daemon against the emulator: a submitted spec converges to Ready, every resource is checked in the
/// emulator (through boto3), resubmits, restarts and a `kill -9` create no duplicates, and delete cleans up.
@Suite(.serialized) struct LifecycleAgainstEmulatorTests {
    static let demoSpec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/demo-spec.json").path
    static let daemonArguments = ["--poll-interval", "1", "--resync-interval", "10"]

    /// The emulator's environment, with no shared AWS files (the fixture's /dev/null ones are refused).
    static func environment(_ emulator: EmulatorProcess, _ directory: String) -> [String: String] {
        emulator.environment.merging(
            ["AWS_CONFIG_FILE": directory + "/no-config", "AWS_SHARED_CREDENTIALS_FILE": directory + "/no-credentials"]
        ) { $1 }
    }

    @Test func convergesSurvivesRestartAndKillAndDeletes() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            let environment = Self.environment(emulator, directory)
            var daemon = try DaemonProcess(
                directory: directory, environment: environment, arguments: Self.daemonArguments)
            defer { daemon.kill() }
            let planned = try daemon.ctl(["plan", Self.demoSpec])
            #expect(planned.status == 0 && planned.stdout.contains("create IAM role"), "\(planned)")

            #expect(try daemon.ctl(["submit", Self.demoSpec]).status == 0)
            // A crash right after the submit, while the first actions may be in flight.
            usleep(300_000)
            daemon.kill()
            daemon = try DaemonProcess(
                directory: directory, environment: environment, arguments: Self.daemonArguments)
            let ready = try waitForPhase(daemon, "demo-s3-import", "Ready")
            #expect(ready["phase"] as? String == "Ready", "\(ready)")
            try checkWorld(emulator, spec: "demo-s3-import")

            // Idempotent: an identical resubmit and a restart create nothing more.
            #expect(try daemon.ctl(["submit", Self.demoSpec]).stdout.contains("unchanged"))
            #expect(daemon.stop() == 0)
            daemon = try DaemonProcess(
                directory: directory, environment: environment, arguments: Self.daemonArguments)
            #expect(try waitForPhase(daemon, "demo-s3-import", "Ready")["phase"] as? String == "Ready")
            try checkWorld(emulator, spec: "demo-s3-import")
            let converged = try #require(try daemon.ctlJSON(["plan", Self.demoSpec]) as? [String: Any])
            #expect((converged["steps"] as? [Any])?.isEmpty == true, "\(converged)")

            #expect(try daemon.ctl(["delete", "demo-s3-import"]).status == 0)
            let deadline = Date().addingTimeInterval(90)
            for _ in 0..<90 where Date() < deadline {
                if try daemon.ctl(["status", "demo-s3-import"]).status != 0 { break }
                sleep(1)
            }
            let after = try daemon.ctl(["status", "demo-s3-import"])
            #expect(after.status != 0, "\(after.stdout.split(separator: "\n").joined(separator: " | "))")
            let world = try describeWorld(emulator, spec: "demo-s3-import")
            #expect((world["clusters"] as? [Any])?.isEmpty == true, "\(world)")
            #expect((world["instances"] as? [Any])?.isEmpty == true, "\(world)")
            #expect(world["role"] is NSNull, "\(world)")
        }
    }

    @Test func unpreparedBackupFailsWithTheInstruction() throws {
        let emulator = try EmulatorProcess()
        defer { emulator.stop() }
        try withTemporaryDirectory { directory in
            _ = try python(emulator, """
                import sample_backups
                sample_backups.upload(s3, "aurorad-demo-backups", "unprepared/", "unprepared")
                print("{}")
                """)
            var spec = try String(contentsOfFile: Self.demoSpec, encoding: .utf8)
            spec = spec.replacingOccurrences(of: "\"backup/\"", with: "\"unprepared/\"")
                .replacingOccurrences(of: "demo-s3-import", with: "unprepared")
            try writeFile(directory + "/spec.json", spec)
            let environment = Self.environment(emulator, directory)
            let daemon = try DaemonProcess(
                directory: directory, environment: environment, arguments: Self.daemonArguments)
            defer { daemon.kill() }
            #expect(try daemon.ctl(["submit", directory + "/spec.json"]).status == 0)
            let failed = try waitForPhase(daemon, "unprepared", "Failed")
            #expect((failed["message"] as? String)?.contains("run xtrabackup --prepare") == true, "\(failed)")
            #expect((try describeWorld(emulator, spec: "unprepared")["restores"] as? [Any])?.isEmpty == true)
        }
    }
}

/// Polls `ctl status --json` once a second until the phase is `phase` (at most 90 times and 90 s).
private func waitForPhase(_ daemon: DaemonProcess, _ name: String, _ phase: String) throws -> [String: Any] {
    let deadline = Date().addingTimeInterval(90)
    var status: [String: Any] = [:]
    for _ in 0..<90 where Date() < deadline {
        status = try daemon.ctlJSON(["status", name]) as? [String: Any] ?? [:]
        if status["phase"] as? String == phase { return status }
        sleep(1)
    }
    return status
}

/// Runs Python with boto3 clients `iam`, `rds`, `s3` for the emulator (as `aurorad-admin`) and the emulator's
/// modules importable; returns the JSON the script prints.
private func python(_ emulator: EmulatorProcess, _ body: String) throws -> [String: Any] {
    let emulatorDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Emulator").path
    let script = """
        import json, sys, boto3
        sys.path.insert(0, \(String(reflecting: emulatorDirectory)))
        kw = dict(endpoint_url=\(String(reflecting: emulator.endpoint)), region_name="eu-west-1",
                  aws_access_key_id=\(String(reflecting: emulator.adminCredentials.accessKeyId)),
                  aws_secret_access_key=\(String(reflecting: emulator.adminCredentials.secretAccessKey)))
        iam, rds, s3 = boto3.client("iam", **kw), boto3.client("rds", **kw), boto3.client("s3", **kw)
        \(body)
        """
    let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script], timeout: 60)
    guard result.status == 0 else { throw PythonFailure(description: "python3 failed: \(result.stderr)") }
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
}

/// A helper script that failed, with its stderr.
private struct PythonFailure: Error, CustomStringConvertible {
    let description: String
}

/// The managed role (trust, policy, tags), the clusters and instances named after `spec`, and its restores.
private func describeWorld(_ emulator: EmulatorProcess, spec: String) throws -> [String: Any] {
    try python(emulator, """
        import urllib.request
        name = "aurorad-\(spec)-s3-import"
        try:
            role = iam.get_role(RoleName=name)["Role"]
            role = {"arn": role["Arn"], "trust": role["AssumeRolePolicyDocument"],
                    "policies": iam.list_role_policies(RoleName=name)["PolicyNames"],
                    "policy": iam.get_role_policy(RoleName=name, PolicyName="aurorad-s3-import")["PolicyDocument"],
                    "tags": {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}}
        except iam.exceptions.NoSuchEntityException:
            role = None
        clusters = [c for c in rds.describe_db_clusters()["DBClusters"] if c["DBClusterIdentifier"] == "\(spec)"]
        clusters = [{"status": c["Status"], "roles": c.get("AssociatedRoles", []),
                     "tags": {t["Key"]: t["Value"] for t in c.get("TagList", [])}} for c in clusters]
        instances = [{"id": i["DBInstanceIdentifier"], "class": i["DBInstanceClass"], "status": i["DBInstanceStatus"]}
                     for i in rds.describe_db_instances()["DBInstances"] if i.get("DBClusterIdentifier") == "\(spec)"]
        with urllib.request.urlopen(\(String(reflecting: emulator.endpoint)) + "/_emulator/restores") as answer:
            restores = [r for r in json.load(answer)["Restores"] if r["DBClusterIdentifier"] == "\(spec)"]
        print(json.dumps({"role": role, "clusters": clusters, "instances": instances, "restores": restores}))
        """)
}

/// Checks a converged spec in the emulator: exactly one of each resource, as the seed describes them.
private func checkWorld(_ emulator: EmulatorProcess, spec: String) throws {
    let world = try describeWorld(emulator, spec: spec)
    let role = try #require(world["role"] as? [String: Any], "\(world)")
    let trust = try #require(role["trust"] as? [String: Any])
    #expect("\(trust)".contains("rds.amazonaws.com") && "\(trust)".contains("sts:AssumeRole"))
    #expect(role["policies"] as? [String] == ["aurorad-s3-import"])
    let policy = "\(role["policy"] ?? "")"
    for needle in ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "arn:aws:s3:::aurorad-demo-backups/*"] {
        #expect(policy.contains(needle), "policy lacks \(needle): \(policy)")
    }
    #expect((role["tags"] as? [String: String])?["aurorad:spec"] == spec)
    let clusters = try #require(world["clusters"] as? [[String: Any]])
    #expect(clusters.count == 1)
    #expect(clusters.first?["status"] as? String == "available")
    let associations = clusters.first?["roles"] as? [[String: Any]] ?? []
    #expect(associations.count == 1)
    #expect(associations.first?["Status"] as? String == "ACTIVE")
    #expect(associations.first?["FeatureName"] == nil)
    #expect((clusters.first?["tags"] as? [String: String])?["Environment"] == "demo")
    let instances = try #require(world["instances"] as? [[String: Any]])
    #expect(instances.compactMap { $0["id"] as? String }.sorted() == ["\(spec)-1", "\(spec)-2"])
    #expect(instances.allSatisfy { $0["status"] as? String == "available" })
    let restores = try #require(world["restores"] as? [[String: Any]])
    #expect(restores.count == 1)
    #expect(restores.first?["S3Prefix"] as? String == "backup/")
    #expect(restores.first?["SourceEngineVersion"] as? String == "5.7.12")
}
