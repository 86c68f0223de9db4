import Foundation
import Testing
import TestSupport

/// The built binary from the outside: submit, status, list, delete, SIGTERM, restart.
@Suite struct DaemonLifecycleTests {
    static let exampleSpec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/example-spec.json").path

    @Test func submitStatusListThenRestartKeepsSpecs() throws {
        try withTemporaryDirectory { directory in
            var daemon = try DaemonProcess(directory: directory)
            defer { daemon.kill() }

            let submitted = try daemon.ctl(["submit", Self.exampleSpec])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            #expect(submitted.stdout.contains("ex-s3-import generation 1 (created)"))
            let again = try daemon.ctl(["submit", Self.exampleSpec])
            #expect(again.stdout.contains("generation 1 (unchanged)"))

            let status = try #require(try daemon.ctlJSON(["status", "ex-s3-import"]) as? [String: Any])
            #expect(status["name"] as? String == "ex-s3-import")
            #expect(status["generation"] as? Int == 1)
            #expect(status["observedGeneration"] is Int)
            #expect(["Pending", "Converging", "Ready", "Failed"].contains(status["phase"] as? String ?? ""))
            #expect(status["conditions"] is [Any])
            #expect((status["cluster"] as? [String: Any])?["identifier"] as? String == "ex-s3-import")
            #expect(status["role"] is [String: Any])

            let list = try #require(try daemon.ctlJSON(["list"]) as? [[String: Any]])
            #expect(list.map { $0["name"] as? String } == ["ex-s3-import"])
            #expect(try daemon.ctl(["list"]).stdout.contains("ex-s3-import"))

            #expect(daemon.stop() == 0)
            #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
            let mode = try FileManager.default.attributesOfItem(atPath: daemon.databasePath)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            daemon = try DaemonProcess(directory: directory)
            let relisted = try #require(try daemon.ctlJSON(["list"]) as? [[String: Any]])
            #expect(relisted.map { $0["name"] as? String } == ["ex-s3-import"])
            let deleted = try daemon.ctl(["delete", "ex-s3-import"])
            #expect(deleted.status == 0 && deleted.stdout.contains("deletion requested"))
            let deleting = try #require(try daemon.ctlJSON(["status", "ex-s3-import"]) as? [String: Any])
            #expect(deleting["deletionRequested"] as? Bool == true)
            #expect(daemon.stop() == 0)
        }
    }

    @Test func ctlErrorsAndExitCodes() throws {
        try withTemporaryDirectory { directory in
            let daemon = try DaemonProcess(directory: directory)
            defer { daemon.kill() }

            let bad = directory + "/bad.json"
            try Data(#"{"name": "x", "s3_import": {"bucket_nmae": "b"}}"#.utf8).write(to: URL(fileURLWithPath: bad))
            let invalid = try daemon.ctl(["submit", bad])
            #expect(invalid.status == 2)
            #expect(invalid.stderr.contains("s3_import.bucket_nmae: unknown field"))
            #expect(invalid.stderr.contains("master_username"))

            let notJSON = directory + "/not.json"
            try Data("{nope".utf8).write(to: URL(fileURLWithPath: notJSON))
            #expect(try daemon.ctl(["submit", notJSON]).status == 2)
            #expect(try daemon.ctl(["submit", directory + "/missing.json"]).status == 2)

            let missing = try daemon.ctl(["status", "nosuchspec"])
            #expect(missing.status == 1 && missing.stderr.contains("No spec named nosuchspec"))
            #expect(try daemon.ctl(["delete", "nosuchspec"]).status == 1)
            #expect(try daemon.ctlJSON(["list"]) as? [Any] != nil)
            #expect(daemon.stop() == 0)

            let nobody = try ChildProcess.run(
                BuiltProducts.aurorad, ["ctl", "--socket", directory + "/none.sock", "list"])
            #expect(nobody.status == 1)
            #expect(nobody.stderr.contains("listening on \(directory)/none.sock"))
        }
    }

    @Test func secondDaemonOnTheSameSocketRefusesToStart() throws {
        try withTemporaryDirectory { directory in
            let first = try DaemonProcess(directory: directory)
            defer { first.kill() }
            let second = try ChildProcess.run(
                BuiltProducts.aurorad,
                ["run", "--database", directory + "/other.db", "--socket", first.socketPath],
                environment: DaemonProcess.isolatedAWSEnvironment, timeout: 30)
            #expect(second.status == 1)
            #expect(second.stderr.contains("Another aurorad is listening on \(first.socketPath)"), "\(second.stderr)")
            #expect(try first.ctl(["list"]).status == 0)
        }
    }

    @Test func badConfigExitsWithUsageCode() throws {
        try withTemporaryDirectory { directory in
            let config = directory + "/aurorad.toml"
            try Data("[daemon]\nworkers = \"many\"\n".utf8).write(to: URL(fileURLWithPath: config))
            let result = try ChildProcess.run(BuiltProducts.aurorad, ["run", "--config", config], timeout: 30)
            #expect(result.status == 2)
            #expect(result.stderr.contains("daemon.workers: expected an integer"))
        }
    }

    /// The fuzzers' seed corpus of hostile request lines (`Fuzz/corpus/control`) and a few raw byte streams, each
    /// sent over its own connection to the real daemon's socket by a Python client: every one is answered with an
    /// error line or the connection is closed, and the daemon keeps serving `ctl`.
    @Test func hostileBytesOnTheSocketGetErrorsAndTheDaemonKeepsServing() throws {
        try withTemporaryDirectory { directory in
            let daemon = try DaemonProcess(directory: directory)
            defer { daemon.kill() }
            let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus/control").path
            let script = #"""
                import os, socket, sys
                path, corpus = sys.argv[1], sys.argv[2]
                payloads = [open(os.path.join(corpus, f), "rb").read() for f in sorted(os.listdir(corpus))]
                payloads += [b"\xff\xfe\x00garbage\n", b"[" * 100000 + b"\n", b"{\"command\": \"list\"", b"\x00" * 4096]
                answered = closed = 0
                for payload in payloads:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.settimeout(20)
                    s.connect(path)
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                    data = b""
                    while len(data) < 10_000_000:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    s.close()
                    if data:
                        answered += 1
                    else:
                        closed += 1
                    for line in data.splitlines():
                        assert line.startswith(b"{") and (b'"error"' in line or b'"result"' in line), line[:200]
                print(f"{len(payloads)} {answered} {closed}")
                """#
            let result = try ChildProcess.run(
                "/usr/bin/env", ["python3", "-c", script, daemon.socketPath, corpus], timeout: 120)
            #expect(result.status == 0, "\(result.stderr)")
            let counts = result.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            #expect(counts.count == 3 && counts[0] > 20 && counts[1] + counts[2] == counts[0], "\(result.stdout)")
            let list = try daemon.ctl(["list"])
            #expect(list.status == 0, "\(list.stderr)")
            // The corpus's valid submits were stored; everything else changed nothing.
            #expect(list.stdout.hasPrefix("NAME"), "\(list.stdout)")
        }
    }
}
