import Foundation
import Testing
import TestSupport

/// `deploy/build-deb.sh` from the already built binary (CI does not build a release for this), checked with
/// `dpkg-deb -c` and `-I`. The man page is a stand-in here: the script's own path generates it with the
/// GenerateManual plugin, which a test cannot run while `swift test` holds the build directory.
@Suite struct DebianPackageTests {
    @Test func packageHoldsBinaryUnitConffileCompletionsManPageAndMaintainerScripts() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-deb") else {
            Issue.record("dpkg-deb is missing: scripts/install-deps installs it")
            return
        }
        try withTemporaryDirectory { directory in
            let manual = directory + "/aurorad.1"
            try Data(".TH AURORAD 1\n.SH NAME\naurorad \\- stand-in\n".utf8).write(to: URL(fileURLWithPath: manual))
            let build = try ChildProcess.run(
                repositoryRoot + "/deploy/build-deb.sh",
                ["0.1.0~test", "--binary", BuiltProducts.aurorad, "--manual", manual, "--output", directory],
                timeout: 120)
            #expect(build.status == 0, "\(build.stderr)")
            let deb = build.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(deb.hasPrefix(directory + "/aurorad_0.1.0~test_") && deb.hasSuffix(".deb"))

            let contents = try ChildProcess.run("/usr/bin/dpkg-deb", ["-c", deb]).stdout
            for path in [
                "./usr/bin/aurorad", "./usr/lib/systemd/system/aurorad.service", "./etc/aurorad/aurorad.toml",
                "./usr/share/man/man1/aurorad.1.gz", "./usr/share/bash-completion/completions/aurorad",
                "./usr/share/zsh/vendor-completions/_aurorad", "./usr/share/fish/vendor_completions.d/aurorad.fish",
                "./usr/share/doc/aurorad/README.md",
            ] {
                #expect(contents.contains(" \(path)\n"), "the package lacks \(path)")
            }
            #expect(contents.contains("-rwxr-xr-x root/root") && !contents.contains("/var/lib/aurorad"))

            let info = try ChildProcess.run("/usr/bin/dpkg-deb", ["-I", deb]).stdout
            for field in [" Package: aurorad\n", " Version: 0.1.0~test\n", " Depends: adduser, ", " Architecture: "] {
                #expect(info.contains(field), "control lacks \(field)")
            }
            for script in ["postinst", "prerm", "postrm", "conffiles"] { #expect(info.contains(" \(script) ")) }
            let conffiles = try ChildProcess.run("/usr/bin/dpkg-deb", ["-I", deb, "conffiles"]).stdout
            #expect(conffiles == "/etc/aurorad/aurorad.toml\n")

            let control = directory + "/control"
            #expect(try ChildProcess.run("/usr/bin/dpkg-deb", ["-e", deb, control]).status == 0)
            for script in ["postinst", "prerm", "postrm"] {
                let check = try ChildProcess.run("/bin/sh", ["-n", control + "/" + script])
                #expect(check.status == 0, "\(script) is not valid sh: \(check.stderr)")
                #expect(FileManager.default.isExecutableFile(atPath: control + "/" + script))
            }
            let postinst = try String(contentsOfFile: control + "/postinst", encoding: .utf8)
            #expect(postinst.contains("adduser --system"))
            let postrm = try String(contentsOfFile: control + "/postrm", encoding: .utf8)
            #expect(postrm.contains("purge)") && postrm.contains("rm -rf /var/lib/aurorad /etc/aurorad"))
            let extracted = directory + "/root"
            #expect(try ChildProcess.run("/usr/bin/dpkg-deb", ["-x", deb, extracted]).status == 0)
            let packagedUnit = try String(
                contentsOfFile: extracted + "/usr/lib/systemd/system/aurorad.service", encoding: .utf8)
            #expect(packagedUnit.contains("ExecStart=/usr/bin/aurorad run --config /etc/aurorad/aurorad.toml"))
            let config = try String(contentsOfFile: extracted + "/etc/aurorad/aurorad.toml", encoding: .utf8)
            #expect(config.contains("socket_group = \"aurorad\""))
            let completion = try String(
                contentsOfFile: extracted + "/usr/share/bash-completion/completions/aurorad", encoding: .utf8)
            #expect(completion.contains("watch") && completion.contains("events"))
        }
    }

    /// postinst with stand-ins for getent, addgroup, adduser and systemctl first on PATH: a fresh install creates
    /// the system group and user once; an upgrade, where they exist, creates nothing.
    @Test func postinstCreatesTheSystemUserOnlyWhenMissing() throws {
        try withTemporaryDirectory { directory in
            let log = directory + "/calls"
            let exists = directory + "/exists"
            for tool in ["getent", "addgroup", "adduser", "systemctl"] {
                let body =
                    tool == "getent"
                    ? "#!/bin/sh\necho \"$0 $*\" >> \(log)\n[ -e \(exists) ]\n"
                    : "#!/bin/sh\necho \"$0 $*\" >> \(log)\n"
                let path = directory + "/" + tool
                try Data(body.utf8).write(to: URL(fileURLWithPath: path))
                chmod(path, 0o755)
            }
            let environment = ["PATH": directory + ":/usr/bin:/bin"]
            let postinst = repositoryRoot + "/deploy/debian/postinst"
            let fresh = try ChildProcess.run("/bin/sh", [postinst, "configure", ""], environment: environment)
            #expect(fresh.status == 0, "\(fresh.stderr)")
            #expect(fresh.stdout.contains("systemctl enable --now aurorad"))
            let calls = try String(contentsOfFile: log, encoding: .utf8)
            #expect(calls.contains("/addgroup --system aurorad\n"), "\(calls)")
            #expect(calls.contains("/adduser --system --ingroup aurorad --home /var/lib/aurorad --no-create-home"))

            try FileManager.default.removeItem(atPath: log)
            #expect(FileManager.default.createFile(atPath: exists, contents: nil))
            let upgrade = try ChildProcess.run("/bin/sh", [postinst, "configure", "0.1.0"], environment: environment)
            #expect(upgrade.status == 0 && upgrade.stdout.isEmpty)
            let again = try String(contentsOfFile: log, encoding: .utf8)
            #expect(!again.contains("addgroup") && !again.contains("adduser"), "\(again)")
        }
    }
}
