import AWSCore
import Foundation

/// What `aurorad aws whoami` prints: who the credentials are, where they came from, and where calls go.
public struct WhoAmIReport: Sendable, Equatable, Codable {
    /// One service's endpoint and how it was chosen.
    public struct Endpoint: Sendable, Equatable, Codable {
        /// `iam`, `rds`, `s3`, `sts`.
        public var service: String
        /// The endpoint URL.
        public var url: String
        /// The setting that chose it: `AWS_ENDPOINT_URL_RDS`, `AWS_ENDPOINT_URL`, `explicit` or `default`.
        public var source: String
        /// The region in the signature's credential scope.
        public var signingRegion: String

        public init(service: String, url: String, source: String, signingRegion: String) {
            self.service = service
            self.url = url
            self.source = source
            self.signingRegion = signingRegion
        }
    }

    /// The 12-digit account id.
    public var account: String
    /// The caller's ARN.
    public var arn: String
    /// The caller's unique id.
    public var userId: String
    /// Where the credentials came from (the provider's source description; never a secret).
    public var credentialSource: String
    /// The region in use.
    public var region: String
    /// The setting the region came from.
    public var regionSource: String
    /// Every service endpoint, in service order.
    public var endpoints: [Endpoint]

    public init(
        account: String, arn: String, userId: String, credentialSource: String, region: String,
        regionSource: String, endpoints: [Endpoint]
    ) {
        self.account = account
        self.arn = arn
        self.userId = userId
        self.credentialSource = credentialSource
        self.region = region
        self.regionSource = regionSource
        self.endpoints = endpoints
    }

    /// Aligned `key: value` lines for a terminal.
    public var text: String {
        var lines = [
            "account:      \(account)",
            "arn:          \(arn)",
            "user id:      \(userId)",
            "credentials:  \(credentialSource)",
            "region:       \(region) (from \(regionSource))",
            "endpoints:",
        ]
        for endpoint in endpoints {
            lines.append(
                "  \(endpoint.service.padding(toLength: 4, withPad: " ", startingAt: 0)) \(endpoint.url) "
                    + "(from \(endpoint.source), signed for \(endpoint.signingRegion))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// `aurorad aws whoami`.
public enum WhoAmI {
    /// Calls STS GetCallerIdentity and describes the client's credentials source, region and endpoints.
    public static func report(client: AWSClient) throws -> WhoAmIReport {
        let identity = try STSClient(client: client).getCallerIdentity()
        return WhoAmIReport(
            account: identity.account, arn: identity.arn, userId: identity.userId,
            credentialSource: client.credentialProvider.sourceDescription, region: client.region.name,
            regionSource: client.region.source,
            endpoints: AWSService.allCases.map { service in
                let endpoint = client.endpoint(service)
                return WhoAmIReport.Endpoint(
                    service: service.rawValue, url: endpoint.description, source: endpoint.source,
                    signingRegion: endpoint.signingRegion)
            })
    }
}
