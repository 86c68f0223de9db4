import AWSCore
import AWSServices
import Foundation
import ImportSpec
import Logging
import Reconciler
import StatusModel
import Store
import TestSupport
import Testing

/// A reconciler wired to the real emulator: SQLite store in a temp dir, real AWS clients, short poll intervals.
struct EmulatorHarness {
    let emulator: EmulatorProcess
    let directory: String
    let store: SQLiteStore
    let client: AWSClient
    let reconciler: SpecReconciler
    let logger = Logger(label: "reconciler-test")

    static let bucket = "aurorad-demo-backups"

    init(emulator: EmulatorProcess, directory: String, limited: Bool = false) throws {
        self.emulator = emulator
        self.directory = directory
        store = try SQLiteStore(path: directory + "/state/aurorad.db")
        let credentials = limited ? emulator.limitedCredentials : emulator.adminCredentials
        client = try Self.client(emulator, credentials: credentials)
        reconciler = SpecReconciler(
            store: store, observer: AWSObserver(client: client, logger: logger),
            executor: AWSActionExecutor(client: client, logger: logger),
            options: ReconcilerOptions(pollInterval: .milliseconds(300), resyncInterval: .seconds(60)),
            logger: logger)
    }

    /// Clients as `aurorad-admin`, for checking what exists in the emulator and for making drift.
    static func client(_ emulator: EmulatorProcess, credentials: EmulatorCredentials) throws -> AWSClient {
        try AWSClient(
            environment: emulator.environment(credentials: credentials), options: AWSClientOptions(maxAttempts: 1),
            logger: Logger(label: "emulator-client"))
    }

    var admin: AWSClient { get throws { try Self.client(emulator, credentials: emulator.adminCredentials) } }

    /// The demo spec: the emulator's prepared backup, its subnet group, one instance.
    static func spec(
        name: String = "demo-import", prefix: String = "backup/", bucket: String = bucket,
        ingestionRole: String? = nil
    ) -> ImportSpec {
        ImportSpec(
            name: name, engineVersion: "5.7.mysql_aurora.2.11.2", masterUsername: "admin",
            clusterInstanceClass: "db.r6g.large",
            instances: ["1": .init(), "2": .init(instanceClass: "db.r6g.xlarge")],
            dbSubnetGroupName: "aurorad-demo-subnets",
            s3Import: .init(
                sourceEngineVersion: "5.7.12", bucketName: bucket, bucketPrefix: prefix, ingestionRole: ingestionRole),
            skipFinalSnapshot: true, enabledCloudwatchLogsExports: ["audit", "error"], tags: ["Environment": "test"])
    }

    func submit(_ spec: ImportSpec) throws {
        try store.put(name: spec.name, specJSON: spec.canonicalJSON())
    }

    /// Reconciles `name` until `done` holds for its status (nil: the spec is gone); at most 60 rounds and 90 s,
    /// sleeping at most 0.5 s between rounds. Returns the last status.
    @discardableResult
    func reconcile(_ name: String, until done: (SpecStatus?) -> Bool) throws -> SpecStatus? {
        let deadline = Date().addingTimeInterval(90)
        var status = try store.status(named: name)
        for _ in 0..<60 where Date() < deadline {
            let outcome = reconciler.reconcile(name: name)
            status = try store.status(named: name)
            if done(status) { return status }
            switch outcome {
            case .requeueAfter(let delay): Thread.sleep(forTimeInterval: min(0.5, Self.seconds(delay)))
            case .retryableError, .terminalError, .done: Thread.sleep(forTimeInterval: 0.3)
            }
        }
        return status
    }

    /// Reconciles until the phase is `phase`.
    @discardableResult
    func reconcile(_ name: String, untilPhase phase: Phase) throws -> SpecStatus? {
        try reconcile(name) { $0?.phase == phase }
    }

    /// The emulator's record of every accepted RestoreDBClusterFromS3 (all parameters but the password).
    func restores() throws -> [[String: Any]] {
        let response = try CurlTransport().send(
            HTTPRequest(
                method: "GET", scheme: "http", host: "127.0.0.1", port: emulator.port,
                path: "/_emulator/restores"), timeout: .seconds(10))
        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return object?["Restores"] as? [[String: Any]] ?? []
    }

    /// Uploads a sample backup variant with the emulator's own tool (boto3), as `aurorad-admin`; with `kms`, under
    /// SSE-KMS with a new KMS key, whose ARN is returned.
    @discardableResult
    func upload(variant: String, prefix: String, kms: Bool = false) throws -> String? {
        let credentials = directory + "/admin.json"
        try writeFile(
            credentials,
            """
            {"AccessKeyId": "\(emulator.adminCredentials.accessKeyId)",
             "SecretAccessKey": "\(emulator.adminCredentials.secretAccessKey)"}
            """)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Emulator/sample_backups.py").path
        let output = directory + "/upload-\(variant).out"
        try writeFile(output, "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", script, "--endpoint", emulator.endpoint, "--credentials", credentials, "--bucket",
                Self.bucket, "--prefix", prefix, "--variant", variant,
            ] + (kms ? ["--create-kms-key"] : [])
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try process.run()
        for _ in 0..<600 where process.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        #expect(process.terminationStatus == 0, "sample_backups.py failed")
        let printed = try String(contentsOfFile: output, encoding: .utf8)
        return printed.split(separator: "\n").first { $0.hasPrefix("kms-key ") }.map { String($0.dropFirst(8)) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
