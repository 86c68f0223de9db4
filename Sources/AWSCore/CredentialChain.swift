import Foundation
import Logging

/// Finds AWS credentials the way the AWS SDKs do, in order: explicit configuration, environment variables, the
/// shared files' profile, a web identity token file, the container credentials endpoint (ECS task role, EKS Pod
/// Identity), and EC2 instance metadata (IMDSv2).
public enum CredentialChain {
    /// The provider of the first source that is configured.
    ///
    /// A source that is configured but broken (half the environment variables, a bad profile, `AWS_PROFILE` naming
    /// a missing profile, a container URI that is not allowed) throws at once instead of falling through, so the
    /// operator sees the real problem; a configured container endpoint that fails later reports its own error and
    /// never hands over to the instance role. IMDS is probed (its credentials fetched) since only an answer shows it
    /// exists. When no source has credentials, the error lists each one tried, in order, and what to set. Temporary
    /// credentials come wrapped in a `RefreshingCredentialProvider`.
    public static func resolve(
        environment: [String: String], explicit: AWSCredentials?, roleAssumer: any RoleAssumer,
        transport: any HTTPTransport, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> any CredentialProvider {
        let provider = try firstConfigured(
            environment: environment, explicit: explicit, roleAssumer: roleAssumer, transport: transport,
            logger: logger, now: now)
        logger.debug("AWS credentials source chosen", metadata: ["credentials.source": "\(provider.sourceDescription)"])
        return provider
    }

    private static func firstConfigured(
        environment: [String: String], explicit: AWSCredentials?, roleAssumer: any RoleAssumer,
        transport: any HTTPTransport, logger: Logger, now: @escaping @Sendable () -> Date
    ) throws -> any CredentialProvider {
        var tried: [String] = []
        if let explicit { return StaticCredentialProvider(explicit) }
        tried.append("explicit configuration: none given")

        if EnvironmentCredentialProvider.isConfigured(environment) {
            let provider = EnvironmentCredentialProvider(environment: environment)
            _ = try provider.credentials()  // a partial set is an error now, not a fall-through
            return provider
        }
        tried.append("environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")

        let files = try SharedConfigFiles.load(environment: environment)
        let selected = SharedConfigFiles.selectedProfile(environment: environment)
        let fileNames = "\(files.credentialsPath) or \(files.configPath)"
        if files.profile(selected.name) == nil {
            if selected.explicit {
                throw CredentialError(
                    .invalidConfiguration,
                    "AWS_PROFILE is \(selected.name), but no profile \(selected.name) exists in \(fileNames). Add it "
                        + "([\(selected.name)] in the credentials file, [profile \(selected.name)] in the config file) "
                        + "or fix AWS_PROFILE.")
            }
            tried.append("shared files: no profile default in \(fileNames)")
        } else if let provider = try ProfileCredentialResolver(
            files: files, environment: environment, roleAssumer: roleAssumer, transport: transport, logger: logger,
            now: now
        ).provider(forProfile: selected.name) {
            return provider
        } else {
            tried.append(
                "shared files: profile \(selected.name) in \(fileNames) has no aws_access_key_id, role_arn, "
                    + "web_identity_token_file or credential_process")
        }

        if let provider = try WebIdentityCredentialProvider.fromEnvironment(
            environment, roleAssumer: roleAssumer, now: now())
        {
            return RefreshingCredentialProvider(wrapping: provider, now: now, logger: logger)
        }
        tried.append("web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set")

        if let container = try ContainerCredentialProvider.fromEnvironment(environment, transport: transport) {
            return RefreshingCredentialProvider(wrapping: container, now: now, logger: logger)
        }
        tried.append(
            "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")

        if IMDSCredentialProvider.isDisabled(environment: environment) {
            tried.append("EC2 instance metadata (IMDSv2): disabled by AWS_EC2_METADATA_DISABLED")
        } else {
            let imds = try IMDSCredentialProvider(
                endpoint: IMDSCredentialProvider.endpoint(environment: environment), transport: transport, now: now)
            do {
                let initial = try imds.credentials()
                return RefreshingCredentialProvider(wrapping: imds, now: now, logger: logger, initial: initial)
            } catch {
                logger.debug("EC2 instance metadata gave no credentials", metadata: ["error": "\(error)"])
                tried.append("\(imds.sourceDescription): \(error)")
            }
        }

        let steps = tried.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "; ")
        throw CredentialError(
            .notFound,
            "No AWS credentials were found. Tried, in order: \(steps). Set AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY, or set AWS_PROFILE to a profile of \(fileNames), or set "
                + "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or run in an ECS task with a task role or an EKS "
                + "pod with a Pod Identity association, or on an EC2 instance with an instance profile.")
    }
}
