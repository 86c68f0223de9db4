import Foundation
import Glibc

/// Where the container credential provider asks for credentials and with which token, from the environment as the
/// AWS SDKs read it (SDKs and Tools Reference Guide, "Container credential provider"; botocore `ContainerProvider`).
///
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (ECS task roles) is appended to `http://169.254.170.2` and wins over
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (EKS Pod Identity, custom agents). A full URI must be https, or http to a
/// loopback host or to one of the ECS and EKS agents' link-local addresses, so credentials never travel in clear
/// text off the host; anything else is a configuration error, not a reason to try the next source.
struct ContainerCredentialEndpoint: Sendable {
    /// The variable holding a path on the ECS agent.
    static let relativeURIVariable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    /// The variable holding a complete URL.
    static let fullURIVariable = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
    /// Hosts allowed over plain http besides loopback: the ECS agent (169.254.170.2) and the EKS Pod Identity agent
    /// (169.254.170.23, fd00:ec2::23), as botocore's `ContainerMetadataFetcher._ALLOWED_HOSTS`.
    private static let linkLocalAgentHosts = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    /// The URL credentials are fetched from.
    let url: HTTPEndpointURL
    /// Where the `Authorization` header comes from.
    let authorization: ContainerAuthorizationToken

    /// The endpoint `environment` configures, nil when neither URI variable is set; a relative URI is appended to
    /// `relativeURIBase` (`ContainerCredentialProvider.defaultRelativeURIBase` outside tests).
    static func fromEnvironment(
        _ environment: [String: String], relativeURIBase: String
    ) throws -> ContainerCredentialEndpoint? {
        let url: HTTPEndpointURL
        if let relative = EnvironmentCredentialProvider.value(of: relativeURIVariable, in: environment) {
            guard relative.hasPrefix("/"), let parsed = HTTPEndpointURL(relativeURIBase + relative) else {
                throw CredentialError(
                    .invalidConfiguration,
                    "\(relativeURIVariable) is \"\(relative)\", which is not a path starting with /. Fix it (ECS sets "
                        + "it to /v2/credentials/<id>) or unset it.")
            }
            url = parsed
        } else if let full = EnvironmentCredentialProvider.value(of: fullURIVariable, in: environment) {
            url = try allowedFullURI(full)
        } else {
            return nil
        }
        return ContainerCredentialEndpoint(
            url: url, authorization: try ContainerAuthorizationToken.fromEnvironment(environment))
    }

    /// `text` parsed, if it is https or http to an allowed host; otherwise an error naming the variable.
    private static func allowedFullURI(_ text: String) throws -> HTTPEndpointURL {
        guard let url = HTTPEndpointURL(text) else {
            throw CredentialError(
                .invalidConfiguration,
                "\(fullURIVariable) is \"\(text)\", which is not an http:// or https:// URL. Fix it or unset it.")
        }
        guard url.scheme == "https" || isAllowedPlainHTTPHost(url.bareHost) else {
            throw CredentialError(
                .invalidConfiguration,
                "\(fullURIVariable) is \(url.displayString), but plain http is allowed only to a loopback host "
                    + "(127.0.0.0/8, [::1], localhost) or to the ECS and EKS agents (169.254.170.2, 169.254.170.23, "
                    + "[fd00:ec2::23]), so credentials never cross the network unencrypted. Use https or one of "
                    + "those hosts.")
        }
        return url
    }

    /// Whether `host` (lower case, no brackets) is loopback or one of the agents' link-local addresses.
    private static func isAllowedPlainHTTPHost(_ host: String) -> Bool {
        if host == "localhost" { return true }
        if let address = ipv4Bytes(host) {
            return address[0] == 127 || linkLocalAgentHosts.compactMap(ipv4Bytes).contains(address)
        }
        if let address = ipv6Bytes(host) {
            return address == ipv6Bytes("::1") || linkLocalAgentHosts.compactMap(ipv6Bytes).contains(address)
        }
        return false
    }

    private static func ipv4Bytes(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    private static func ipv6Bytes(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
