import Foundation
import Logging

/// Turns one profile of the shared files into a credential provider, following the SDKs' rules.
///
/// For the selected profile, in order: `role_arn` with `web_identity_token_file` (AssumeRoleWithWebIdentity);
/// `role_arn` with `source_profile` or `credential_source` (AssumeRole); static keys; `credential_process`.
/// For a `source_profile`, static keys come before its own `role_arn` (botocore's
/// `AssumeRoleProvider._resolve_credentials_from_profile`), which also lets a profile name itself as its source to
/// pair its keys with its role. Any other repeated profile in a `source_profile` chain is a cycle.
struct ProfileCredentialResolver {
    let files: SharedConfigFiles
    let environment: [String: String]
    let roleAssumer: any RoleAssumer
    let transport: any HTTPTransport
    let logger: Logger
    let now: @Sendable () -> Date

    /// The provider for profile `name`, or nil when the profile has no credential settings at all.
    func provider(forProfile name: String) throws -> (any CredentialProvider)? {
        try provider(name, chain: [name], isSource: false)
    }

    private func provider(_ name: String, chain: [String], isSource: Bool) throws -> (any CredentialProvider)? {
        let properties = files.profile(name) ?? [:]
        if let roleArn = Self.setting("role_arn", properties) {
            if let tokenFile = Self.setting("web_identity_token_file", properties) {
                return refreshing(
                    WebIdentityCredentialProvider(
                        tokenFile: SharedConfigFiles.path(tokenFile, default: tokenFile, environment),
                        roleArn: roleArn, sessionName: sessionName(properties),
                        durationSeconds: try durationSeconds(name, properties), roleAssumer: roleAssumer,
                        sourceDescription: "web identity token file (profile \(name))"))
            }
            if !isSource || !Self.hasStaticKeys(properties) {
                return try assumeRoleProvider(name, properties, roleArn: roleArn, chain: chain)
            }
        } else if Self.setting("web_identity_token_file", properties) != nil {
            throw invalid("Profile \(name) sets web_identity_token_file without role_arn. Add the role_arn to assume.")
        }
        if Self.hasStaticKeys(properties) { return try staticProvider(name, properties) }
        if let command = Self.setting("credential_process", properties) {
            return refreshing(ProcessCredentialProvider(command: command, profile: name))
        }
        return nil
    }

    private func assumeRoleProvider(
        _ name: String, _ properties: [String: String], roleArn: String, chain: [String]
    ) throws -> any CredentialProvider {
        let source: any CredentialProvider
        switch (Self.setting("source_profile", properties), Self.setting("credential_source", properties)) {
        case (.some, .some):
            throw invalid(
                "Profile \(name) sets both source_profile and credential_source; keep the one that supplies the "
                    + "credentials for assuming \(roleArn).")
        case (nil, nil):
            throw invalid(
                "Profile \(name) sets role_arn but neither source_profile nor credential_source, so nothing can "
                    + "assume \(roleArn). Add source_profile = <profile with keys> or credential_source = "
                    + "Environment | Ec2InstanceMetadata | EcsContainer.")
        case (nil, let credentialSource?):
            source = try credentialSourceProvider(credentialSource, profile: name)
        case (let sourceName?, nil):
            guard files.profile(sourceName) != nil else {
                throw invalid(
                    "Profile \(name) names source_profile \(sourceName), which is in neither \(files.credentialsPath) "
                        + "nor \(files.configPath). Add that profile or fix the name.")
            }
            let isSelfWithKeys = sourceName == name && Self.hasStaticKeys(properties)
            if chain.contains(sourceName) && !isSelfWithKeys {
                throw invalid(
                    "The source_profile settings form a cycle: \((chain + [sourceName]).joined(separator: " → ")). "
                        + "End the chain with a profile that has aws_access_key_id and aws_secret_access_key.")
            }
            guard let found = try provider(sourceName, chain: chain + [sourceName], isSource: true) else {
                throw invalid(
                    "Profile \(sourceName), the source_profile of profile \(name), has no credentials. Give it "
                        + "aws_access_key_id and aws_secret_access_key, a role_arn, or a credential_process.")
            }
            source = found
        }
        return refreshing(
            AssumeRoleCredentialProvider(
                roleArn: roleArn, sessionName: sessionName(properties),
                externalId: Self.setting("external_id", properties),
                durationSeconds: try durationSeconds(name, properties), source: source, roleAssumer: roleAssumer))
    }

    /// The provider a `credential_source` names: the environment, EC2 instance metadata or the container endpoint.
    private func credentialSourceProvider(_ value: String, profile: String) throws -> any CredentialProvider {
        switch value {
        case "Environment":
            guard EnvironmentCredentialProvider.isConfigured(environment) else {
                throw invalid(
                    "Profile \(profile) sets credential_source = Environment, but AWS_ACCESS_KEY_ID and "
                        + "AWS_SECRET_ACCESS_KEY are not set. Set them.")
            }
            return EnvironmentCredentialProvider(environment: environment)
        case "Ec2InstanceMetadata":
            guard !IMDSCredentialProvider.isDisabled(environment: environment) else {
                throw invalid(
                    "Profile \(profile) sets credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED "
                        + "is true. Unset it.")
            }
            return refreshing(
                try IMDSCredentialProvider(
                    endpoint: IMDSCredentialProvider.endpoint(environment: environment), transport: transport,
                    now: now))
        case "EcsContainer":
            guard let container = try ContainerCredentialProvider.fromEnvironment(environment, transport: transport)
            else {
                throw invalid(
                    "Profile \(profile) sets credential_source = EcsContainer, but neither "
                        + "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set. Run "
                        + "in an ECS task or EKS pod that sets them, or use another credential_source.")
            }
            return refreshing(container)
        default:
            throw invalid(
                "Profile \(profile) sets credential_source = \(value), which is not valid. Use Environment, "
                    + "Ec2InstanceMetadata or EcsContainer.")
        }
    }

    private func staticProvider(_ name: String, _ properties: [String: String]) throws -> any CredentialProvider {
        let fromCredentialsFile = files.credentialsProfiles[name]?["aws_access_key_id"] != nil
        let file = fromCredentialsFile ? files.credentialsPath : files.configPath
        guard let accessKey = Self.setting("aws_access_key_id", properties),
            let secretKey = Self.setting("aws_secret_access_key", properties)
        else {
            let missing =
                Self.setting("aws_access_key_id", properties) == nil
                ? "aws_access_key_id" : "aws_secret_access_key"
            throw invalid("Profile \(name) in \(file) has only part of its keys: \(missing) is missing. Add it.")
        }
        return StaticCredentialProvider(
            AWSCredentials(
                accessKeyId: accessKey, secretAccessKey: secretKey,
                sessionToken: Self.setting("aws_session_token", properties)),
            sourceDescription: "\(fromCredentialsFile ? "shared credentials file" : "shared config file") "
                + "(profile \(name))")
    }

    private func sessionName(_ properties: [String: String]) -> String {
        Self.setting("role_session_name", properties) ?? AssumeRoleCredentialProvider.defaultSessionName(now: now())
    }

    private func durationSeconds(_ name: String, _ properties: [String: String]) throws -> Int? {
        guard let text = Self.setting("duration_seconds", properties) else { return nil }
        guard let seconds = Int(text), seconds > 0 else {
            throw invalid(
                "Profile \(name) sets duration_seconds = \(text), which is not a positive whole number of seconds.")
        }
        return seconds
    }

    private func refreshing(_ provider: any CredentialProvider) -> any CredentialProvider {
        RefreshingCredentialProvider(wrapping: provider, now: now, logger: logger)
    }

    private func invalid(_ message: String) -> CredentialError {
        CredentialError(.invalidConfiguration, message)
    }

    private static func hasStaticKeys(_ properties: [String: String]) -> Bool {
        setting("aws_access_key_id", properties) != nil || setting("aws_secret_access_key", properties) != nil
    }

    /// A property's value, treating an empty value as unset.
    private static func setting(_ key: String, _ properties: [String: String]) -> String? {
        guard let value = properties[key], !value.isEmpty else { return nil }
        return value
    }
}
