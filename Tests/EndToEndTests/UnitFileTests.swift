import Foundation
import Testing
import TestSupport

/// The repository's root, for tests that check the files it ships.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// `deploy/aurorad.service` as systemd reads it, checked offline (systemd need not be PID 1): `systemd-analyze verify`
/// and the hardening score of `systemd-analyze security --offline=true`.
@Suite struct UnitFileTests {
    /// The highest exposure `systemd-analyze security` may give the unit (0 = fully locked down, 10 = wide open).
    static let maximumExposure = 2.0

    /// A copy of the unit whose ExecStart names the built binary: verify checks that the command exists.
    private func unitCopy(in directory: String) throws -> String {
        let unit = try String(contentsOfFile: repositoryRoot + "/deploy/aurorad.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/aurorad run"))
        let path = directory + "/aurorad.service"
        try Data(unit.replacingOccurrences(of: "/usr/local/bin/aurorad", with: BuiltProducts.aurorad).utf8)
            .write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func unitVerifiesAndItsExposureIsAtMostTwo() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            Issue.record("systemd-analyze is missing: scripts/install-deps installs Debian's systemd package")
            return
        }
        try withTemporaryDirectory { directory in
            let unit = try unitCopy(in: directory)
            let verify = try ChildProcess.run("/usr/bin/systemd-analyze", ["verify", "--man=no", unit], timeout: 60)
            #expect(verify.status == 0, "systemd-analyze verify: \(verify.stdout)\(verify.stderr)")
            #expect(verify.stderr.isEmpty, "systemd-analyze verify warned: \(verify.stderr)")

            let security = try ChildProcess.run(
                "/usr/bin/systemd-analyze", ["security", "--offline=true", "--no-pager", unit], timeout: 60)
            #expect(security.status == 0, "\(security.stderr)")
            let overall = security.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }
            let score = overall.flatMap { line in line.split(separator: ":").last?.split(separator: " ").first }
                .flatMap { Double($0) }
            let exposure = try #require(score, "no exposure level in: \(security.stdout.suffix(400))")
            let findings = security.stdout.split(separator: "\n").filter { $0.contains("✗") }
            #expect(exposure <= Self.maximumExposure, "exposure \(exposure): \(findings)")
        }
    }

    @Test func unitDeclaresTheNotifyProtocolAndHardening() throws {
        let unit = try String(contentsOfFile: repositoryRoot + "/deploy/aurorad.service", encoding: .utf8)
        for line in [
            "Type=notify", "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID", "User=aurorad",
            "StateDirectory=aurorad", "RuntimeDirectory=aurorad", "ProtectSystem=strict", "NoNewPrivileges=yes",
            "SystemCallFilter=@system-service", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "CapabilityBoundingSet=\n", "PrivateDevices=yes", "MemoryDenyWriteExecute=yes", "LockPersonality=yes",
            "RestrictNamespaces=yes", "UMask=0077",
        ] {
            #expect(unit.contains(line), "deploy/aurorad.service lacks \(line)")
        }
    }
}
