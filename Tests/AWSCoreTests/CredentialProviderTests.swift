@testable import AWSCore
import Foundation
import Testing
import TestSupport

@Suite struct CredentialProviderTests {
    @Test func environmentProviderReadsAllThreeVariables() throws {
        let provider = EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "SECRET-ENV", "AWS_SESSION_TOKEN": "TOKEN-ENV",
        ])
        #expect(
            try provider.credentials()
                == AWSCredentials(
                    accessKeyId: "AKIAENV", secretAccessKey: "SECRET-ENV", sessionToken: "TOKEN-ENV"))
        #expect(provider.sourceDescription == "environment")
        var dumped = ""
        dump(provider, to: &dumped)
        for text in [String(describing: provider), String(reflecting: provider), dumped] {
            #expect(!text.contains("SECRET-ENV") && !text.contains("TOKEN-ENV"), "\(text)")
        }
    }

    @Test func partialEnvironmentIsAClearErrorWithoutTheSecret() throws {
        let provider = EnvironmentCredentialProvider(environment: ["AWS_SECRET_ACCESS_KEY": "SECRET-ENV"])
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.contains("AWS_ACCESS_KEY_ID is not set") == true)
        #expect(!String(describing: error).contains("SECRET-ENV"))
    }

    @Test func staticProviderServesWhatItWasGiven() throws {
        let credentials = AWSCredentials(accessKeyId: "AKIASTATIC", secretAccessKey: "SECRET-STATIC")
        let provider = StaticCredentialProvider(credentials)
        #expect(try provider.credentials() == credentials)
        #expect(provider.sourceDescription == "explicit configuration")
        #expect(!String(describing: provider).contains("SECRET-STATIC"))
    }

    // MARK: credential_process

    @Test func credentialProcessParsesTheDocumentedJSON() throws {
        let provider = ProcessCredentialProvider(
            command: #"printf '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "SECRET-PROC", "#
                + #""SessionToken": "TOKEN-PROC", "Expiration": "2030-01-02T03:04:05Z"}'"#,
            profile: "proc")
        let credentials = try provider.credentials()
        #expect(credentials.accessKeyId == "AKIAPROC")
        #expect(credentials.secretAccessKey == "SECRET-PROC")
        #expect(credentials.sessionToken == "TOKEN-PROC")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_553_445))
        #expect(provider.sourceDescription == "credential_process (profile proc)")
    }

    @Test func credentialProcessWithoutSessionTokenOrExpiration() throws {
        let provider = ProcessCredentialProvider(
            command: #"echo '{"Version":1,"AccessKeyId":"AKIA1","SecretAccessKey":"S"}'"#, profile: "p")
        #expect(try provider.credentials() == AWSCredentials(accessKeyId: "AKIA1", secretAccessKey: "S"))
    }

    @Test(arguments: [
        (#"echo 'not json SECRET-PROC'"#, "not a JSON object"),
        (#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "SECRET-PROC"}'"#, "Version"),
        (#"echo '{"AccessKeyId": "A", "SecretAccessKey": "SECRET-PROC"}'"#, "Version"),
        (#"echo '{"Version": 1, "SecretAccessKey": "SECRET-PROC"}'"#, "AccessKeyId"),
        (
            #"echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "SECRET-PROC", "Expiration": "soon"}'"#,
            "ISO 8601"
        ),
        ("true", "returned nothing"),
    ])
    func credentialProcessRejectsBadOutput(command: String, expected: String) throws {
        let provider = ProcessCredentialProvider(command: command, profile: "bad")
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        let text = String(describing: error)
        #expect(text.contains(expected), "\(text)")
        #expect(text.contains("profile bad"))
        #expect(!text.contains("SECRET-PROC"))
    }

    @Test func credentialProcessNonZeroExitDoesNotShowStderr() throws {
        let provider = ProcessCredentialProvider(command: "echo 'token=SECRET-STDERR' >&2; exit 3", profile: "p")
        let error = #expect(throws: CredentialError.self) { try provider.credentials() }
        let text = String(describing: error)
        #expect(text.contains("exited with status 3"))
        #expect(!text.contains("SECRET-STDERR"))
    }

    @Test func credentialProcessIsKilledAfterItsTimeoutWithItsChildren() throws {
        try withTemporaryDirectory { dir in
            // The background sleep keeps stdout open: only killing the process group ends the wait.
            let pidFile = "\(dir)/child.pid"
            let provider = ProcessCredentialProvider(
                command: "sleep 30 & echo $! > \(pidFile); sleep 30", profile: "slow", timeout: .milliseconds(500))
            let error = #expect(throws: CredentialError.self) { try provider.credentials() }
            #expect(error?.description.contains("did not finish") == true)
            let text = try String(contentsOfFile: pidFile, encoding: .utf8)
            let child = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            // Dead means gone or a zombie awaiting its new parent; allow the kernel a bounded moment to get there.
            var alive = true
            for _ in 0..<100 where alive {
                let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
                alive = !stat.isEmpty && !stat.contains(") Z ")
                if alive { usleep(20_000) }
            }
            #expect(!alive, "the command's background child \(child) outlived the timeout")
        }
    }

    @Test func credentialProcessThatLeavesABackgroundChildStillSucceeds() throws {
        let provider = ProcessCredentialProvider(
            command: #"(sleep 3 &) ; echo '{"Version":1,"AccessKeyId":"AKIA2","SecretAccessKey":"S"}'"#,
            profile: "p", timeout: .seconds(20))
        #expect(try provider.credentials().accessKeyId == "AKIA2")
    }

    // MARK: web identity

    @Test func webIdentityReadsTheTokenFileOnEveryFetch() throws {
        try withTemporaryDirectory { dir in
            let tokenFile = "\(dir)/token"
            try writeFile(tokenFile, "WEB-TOKEN-1\n")
            let assumer = RecordingRoleAssumer()
            let provider = try #require(
                try WebIdentityCredentialProvider.fromEnvironment(
                    [
                        "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/web",
                        "AWS_ROLE_SESSION_NAME": "sess",
                    ],
                    roleAssumer: assumer, now: Date()))
            #expect(try provider.credentials().accessKeyId == "ASIAASSUMED1")
            try writeFile(tokenFile, "WEB-TOKEN-2")
            _ = try provider.credentials()
            #expect(assumer.calls.map(\.webIdentityToken) == ["WEB-TOKEN-1", "WEB-TOKEN-2"])
            #expect(
                assumer.calls.allSatisfy {
                    $0.kind == "AssumeRoleWithWebIdentity" && $0.roleArn == "arn:aws:iam::123456789012:role/web"
                        && $0.sessionName == "sess"
                })
            #expect(provider.sourceDescription == "web identity token file")
            #expect(!String(describing: provider).contains("WEB-TOKEN"))
        }
    }

    @Test func webIdentityErrors() throws {
        try withTemporaryDirectory { dir in
            let assumer = RecordingRoleAssumer()
            #expect(throws: CredentialError.self) {
                try WebIdentityCredentialProvider.fromEnvironment(
                    ["AWS_WEB_IDENTITY_TOKEN_FILE": "\(dir)/token"], roleAssumer: assumer, now: Date())
            }
            let unset = try WebIdentityCredentialProvider.fromEnvironment([:], roleAssumer: assumer, now: Date())
            #expect(unset == nil)
            let missing = WebIdentityCredentialProvider(
                tokenFile: "\(dir)/absent", roleArn: "arn:aws:iam::1:role/r", sessionName: "s", roleAssumer: assumer)
            let error = #expect(throws: CredentialError.self) { try missing.credentials() }
            #expect(error?.description.contains("\(dir)/absent") == true)
            #expect(assumer.calls.isEmpty)
        }
    }

    // MARK: profiles

    /// Resolves the provider of `profile` from the given files (credentials and config), through the chain.
    private func resolve(
        _ dir: String, profile: String, credentials: String = "", config: String = "",
        extra: [String: String] = [:], assumer: RecordingRoleAssumer
    ) throws -> any CredentialProvider {
        try writeFile("\(dir)/credentials", credentials)
        try writeFile("\(dir)/config", config)
        return try CredentialChain.resolve(
            environment: isolatedEnvironment(
                home: dir,
                [
                    "AWS_SHARED_CREDENTIALS_FILE": "\(dir)/credentials", "AWS_CONFIG_FILE": "\(dir)/config",
                    "AWS_PROFILE": profile,
                ].merging(extra) { $1 }),
            explicit: nil, roleAssumer: assumer, transport: UnusedTransport(), logger: quietLogger)
    }

    @Test func profileStaticKeysNameTheirFile() throws {
        try withTemporaryDirectory { dir in
            let assumer = RecordingRoleAssumer()
            let fromCredentials = try resolve(
                dir, profile: "dev",
                credentials: "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = SECRET-DEV\n"
                    + "aws_session_token = TOKEN-DEV\n",
                assumer: assumer)
            #expect(
                try fromCredentials.credentials()
                    == AWSCredentials(
                        accessKeyId: "AKIADEV", secretAccessKey: "SECRET-DEV", sessionToken: "TOKEN-DEV"))
            #expect(fromCredentials.sourceDescription == "shared credentials file (profile dev)")

            let fromConfig = try resolve(
                dir, profile: "cfg",
                config: "[profile cfg]\naws_access_key_id = AKIACFG\naws_secret_access_key = SECRET-CFG\n",
                assumer: assumer)
            #expect(try fromConfig.credentials().accessKeyId == "AKIACFG")
            #expect(fromConfig.sourceDescription == "shared config file (profile cfg)")
        }
    }

    @Test func partialProfileKeysAreAnError() throws {
        try withTemporaryDirectory { dir in
            let error = #expect(throws: CredentialError.self) {
                try resolve(
                    dir, profile: "half", credentials: "[half]\naws_secret_access_key = SECRET-HALF\n",
                    assumer: RecordingRoleAssumer())
            }
            #expect(error?.description.contains("aws_access_key_id is missing") == true)
            #expect(!String(describing: error).contains("SECRET-HALF"))
        }
    }

    @Test func sourceProfileChainAssumesEachRoleInOrder() throws {
        try withTemporaryDirectory { dir in
            let assumer = RecordingRoleAssumer()
            let provider = try resolve(
                dir, profile: "app",
                credentials: "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = SECRET-BASE\n",
                config: """
                    [profile app]
                    role_arn = arn:aws:iam::111111111111:role/app
                    source_profile = middle
                    role_session_name = aurorad-app
                    external_id = ext-123
                    duration_seconds = 1800
                    [profile middle]
                    role_arn = arn:aws:iam::222222222222:role/middle
                    source_profile = base
                    """,
                assumer: assumer)
            #expect(assumer.calls.isEmpty, "roles are assumed when credentials are first needed")
            let credentials = try provider.credentials()
            #expect(credentials.accessKeyId == "ASIAASSUMED2")
            let calls = assumer.calls
            #expect(calls.count == 2)
            #expect(calls.first?.roleArn == "arn:aws:iam::222222222222:role/middle")
            #expect(calls.first?.sourceAccessKeyId == "AKIABASE")
            #expect(calls.first?.sessionName.hasPrefix("aurorad-") == true)
            #expect(
                calls.last
                    == RecordingRoleAssumer.Call(
                        kind: "AssumeRole", roleArn: "arn:aws:iam::111111111111:role/app", sessionName: "aurorad-app",
                        externalId: "ext-123", durationSeconds: 1800, sourceAccessKeyId: "ASIAASSUMED1"))
            #expect(
                provider.sourceDescription == "assume role arn:aws:iam::111111111111:role/app via assume role "
                    + "arn:aws:iam::222222222222:role/middle via shared credentials file (profile base)")
            _ = try provider.credentials()
            #expect(assumer.calls.count == 2, "assumed-role credentials are cached until near expiry")
            #expect(!String(describing: provider).contains("SECRET-BASE"))
        }
    }

    @Test func sourceProfileCycleIsAnError() throws {
        try withTemporaryDirectory { dir in
            let error = #expect(throws: CredentialError.self) {
                try resolve(
                    dir, profile: "a",
                    config: """
                        [profile a]
                        role_arn = arn:aws:iam::1:role/a
                        source_profile = b
                        [profile b]
                        role_arn = arn:aws:iam::1:role/b
                        source_profile = a
                        """,
                    assumer: RecordingRoleAssumer())
            }
            #expect(error?.kind == .invalidConfiguration)
            #expect(error?.description.contains("a → b → a") == true)
        }
    }

    @Test func profileMayUseItsOwnKeysAsSource() throws {
        try withTemporaryDirectory { dir in
            let assumer = RecordingRoleAssumer()
            let provider = try resolve(
                dir, profile: "self",
                credentials: """
                    [self]
                    aws_access_key_id = AKIASELF
                    aws_secret_access_key = SECRET-SELF
                    role_arn = arn:aws:iam::1:role/self
                    source_profile = self
                    """,
                assumer: assumer)
            _ = try provider.credentials()
            #expect(assumer.calls.map(\.sourceAccessKeyId) == ["AKIASELF"])
        }
    }

    @Test(arguments: [
        ("source_profile = ghost", "ghost"),
        ("", "neither source_profile nor credential_source"),
        ("source_profile = keys\ncredential_source = Environment", "both"),
        ("credential_source = EcsContainer", "EcsContainer"),
        ("credential_source = Nowhere", "not valid"),
        ("credential_source = Environment", "AWS_ACCESS_KEY_ID"),
        ("source_profile = empty", "has no credentials"),
        ("source_profile = keys\nduration_seconds = an hour", "duration_seconds"),
    ])
    func badRoleProfilesAreClearErrors(settings: String, expected: String) throws {
        try withTemporaryDirectory { dir in
            let error = #expect(throws: CredentialError.self) {
                try resolve(
                    dir, profile: "role",
                    credentials: "[keys]\naws_access_key_id = A\naws_secret_access_key = S\n[empty]\nregion = x\n",
                    config: "[profile role]\nrole_arn = arn:aws:iam::1:role/r\n\(settings)\n",
                    assumer: RecordingRoleAssumer())
            }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        }
    }

    @Test func credentialSourceEnvironmentAssumesWithTheEnvironmentKeys() throws {
        try withTemporaryDirectory { dir in
            try writeFile(
                "\(dir)/config", "[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n")
            let files = try SharedConfigFiles(credentialsPath: "\(dir)/none", configPath: "\(dir)/config")
            let assumer = RecordingRoleAssumer()
            let resolver = ProfileCredentialResolver(
                files: files, environment: ["AWS_ACCESS_KEY_ID": "AKIAFROMENV", "AWS_SECRET_ACCESS_KEY": "S"],
                roleAssumer: assumer, transport: UnusedTransport(), logger: quietLogger, now: { Date() })
            let provider = try #require(try resolver.provider(forProfile: "r"))
            _ = try provider.credentials()
            #expect(assumer.calls.map(\.sourceAccessKeyId) == ["AKIAFROMENV"])
            #expect(provider.sourceDescription == "assume role arn:aws:iam::1:role/r via environment")
        }
    }

    @Test func profileWebIdentityAndCredentialProcess() throws {
        try withTemporaryDirectory { dir in
            try writeFile("\(dir)/token", "PROFILE-WEB-TOKEN")
            let assumer = RecordingRoleAssumer()
            let web = try resolve(
                dir, profile: "web",
                config: "[profile web]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = \(dir)/token\n",
                assumer: assumer)
            #expect(try web.credentials().accessKeyId == "ASIAASSUMED1")
            #expect(assumer.calls.first?.webIdentityToken == "PROFILE-WEB-TOKEN")
            #expect(web.sourceDescription == "web identity token file (profile web)")

            let process = try resolve(
                dir, profile: "proc",
                config: """
                    [profile proc]
                    credential_process = echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "S"}'
                    """,
                assumer: assumer)
            #expect(try process.credentials().accessKeyId == "AKIAPROC")
            #expect(process.sourceDescription == "credential_process (profile proc)")
        }
    }
}
