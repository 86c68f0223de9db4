import AWSCore
import Foundation
import Testing
import TestSupport

@Suite struct SharedConfigFilesTests {
    @Test func parsesCommentsWhitespaceCaseAndSubProperties() throws {
        try withTemporaryDirectory { dir in
            try writeFile(
                "\(dir)/credentials",
                """
                # a comment
                ; another comment
                  [dev]   # trailing comment on the header
                AWS_Access_Key_ID   =   AKIADEV\r
                aws_secret_access_key=dev/secret+key ; inline comment

                [prod]
                aws_access_key_id = AKIAPROD
                aws_secret_access_key = prod=secret=with=equals
                """)
            try writeFile(
                "\(dir)/config",
                """
                [profile dev]
                region = eu-west-1
                s3 =
                  addressing_style = path
                output = json
                """)
            let files = try SharedConfigFiles(credentialsPath: "\(dir)/credentials", configPath: "\(dir)/config")
            #expect(
                files.credentialsProfiles["dev"] == [
                    "aws_access_key_id": "AKIADEV", "aws_secret_access_key": "dev/secret+key",
                ])
            #expect(files.credentialsProfiles["prod"]?["aws_secret_access_key"] == "prod=secret=with=equals")
            #expect(
                files.configProfiles["dev"] == [
                    "region": "eu-west-1", "s3": "", "s3.addressing_style": "path",
                    "output": "json",
                ])
            #expect(files.region(profile: "dev") == "eu-west-1")
            #expect(files.region(profile: "prod") == nil)
        }
    }

    @Test func credentialsFileWinsOverConfigFile() throws {
        try withTemporaryDirectory { dir in
            try writeFile("\(dir)/credentials", "[dev]\naws_access_key_id = FROMCREDENTIALS\n")
            try writeFile(
                "\(dir)/config",
                "[profile dev]\naws_access_key_id = FROMCONFIG\naws_secret_access_key = s\nregion = x\n")
            let files = try SharedConfigFiles(credentialsPath: "\(dir)/credentials", configPath: "\(dir)/config")
            #expect(
                files.profile("dev") == [
                    "aws_access_key_id": "FROMCREDENTIALS", "aws_secret_access_key": "s", "region": "x",
                ])
        }
    }

    @Test func profileDefaultSectionWinsOverBareDefaultInConfig() throws {
        try withTemporaryDirectory { dir in
            try writeFile(
                "\(dir)/config",
                "[default]\nregion = us-east-1\n[profile default]\nregion = eu-central-1\n[plain]\nregion = nope\n")
            let files = try SharedConfigFiles(credentialsPath: "\(dir)/missing", configPath: "\(dir)/config")
            #expect(files.region(profile: "default") == "eu-central-1")
            #expect(files.profile("plain") == nil, "a config section without the profile prefix is not a profile")

            try writeFile("\(dir)/config2", "[default]\nregion = us-east-1\n")
            let bare = try SharedConfigFiles(credentialsPath: "\(dir)/missing", configPath: "\(dir)/config2")
            #expect(bare.region(profile: "default") == "us-east-1")
        }
    }

    @Test func credentialsFileSectionNamesAreTakenVerbatim() throws {
        try withTemporaryDirectory { dir in
            try writeFile("\(dir)/credentials", "[profile x]\naws_access_key_id = A\n")
            let files = try SharedConfigFiles(credentialsPath: "\(dir)/credentials", configPath: "\(dir)/none")
            #expect(files.profile("x") == nil)
            #expect(files.profile("profile x") != nil)
        }
    }

    @Test func missingFilesAreEmpty() throws {
        try withTemporaryDirectory { dir in
            let files = try SharedConfigFiles(credentialsPath: "\(dir)/a", configPath: "\(dir)/b")
            #expect(files.credentialsProfiles.isEmpty && files.configProfiles.isEmpty)
        }
    }

    @Test func malformedLineErrorNamesFileAndLineButNotTheContent() throws {
        try withTemporaryDirectory { dir in
            try writeFile("\(dir)/credentials", "[dev]\naws_access_key_id = A\naws_secret_access_key: SECRET-XYZ\n")
            let error = #expect(throws: CredentialError.self) {
                try SharedConfigFiles(credentialsPath: "\(dir)/credentials", configPath: "\(dir)/none")
            }
            let text = String(describing: error)
            #expect(text.contains("\(dir)/credentials") && text.contains("line 3"))
            #expect(!text.contains("SECRET-XYZ"))

            try writeFile("\(dir)/orphan", "aws_access_key_id = A\n")
            #expect(throws: CredentialError.self) {
                try SharedConfigFiles(credentialsPath: "\(dir)/orphan", configPath: "\(dir)/none")
            }
            try writeFile("\(dir)/header", "[dev\n")
            #expect(throws: CredentialError.self) {
                try SharedConfigFiles(credentialsPath: "\(dir)/header", configPath: "\(dir)/none")
            }
        }
    }

    @Test func pathsComeFromTheEnvironmentWithHomeExpansion() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: "\(dir)/.aws", withIntermediateDirectories: true)
            try writeFile("\(dir)/.aws/config", "[profile p]\nregion = ap-south-1\n")
            try writeFile("\(dir)/creds", "[p]\naws_access_key_id = A\n")
            let files = try SharedConfigFiles.load(environment: [
                "HOME": dir, "AWS_SHARED_CREDENTIALS_FILE": "~/creds",
            ])
            #expect(files.credentialsPath == "\(dir)/creds")
            #expect(files.configPath == "\(dir)/.aws/config")
            #expect(files.profile("p") == ["region": "ap-south-1", "aws_access_key_id": "A"])
            #expect(SharedConfigFiles.selectedProfile(environment: ["AWS_PROFILE": "p"]) == ("p", true))
            #expect(SharedConfigFiles.selectedProfile(environment: ["AWS_PROFILE": ""]) == ("default", false))
        }
    }
}
