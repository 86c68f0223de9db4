import Foundation

/// The AWS services aurorad calls, with what signing and serializing a call to each needs.
///
/// Values are those of botocore's service models (`data/<service>/*/service-2.json`: `apiVersion`, `protocol`,
/// `signingName`, `serviceId`).
public enum AWSService: String, Sendable, CaseIterable {
    case ec2, iam, rds, s3, sts

    /// The wire protocols of these services.
    public enum WireProtocol: Sendable {
        /// AWS Query: form-encoded POST with `Action` and `Version`, XML answers (IAM, RDS, STS).
        case query
        /// EC2's variant of Query (botocore `EC2Serializer`): lists flattened as `Name.N`, with no `.member.` and
        /// no empty-list marker; results directly under `<ActionResponse>`; errors as `<Response><Errors><Error>`.
        case ec2
        /// REST with XML bodies (S3).
        case restXML
    }

    /// The name in the SigV4 credential scope.
    public var signingName: String { rawValue }

    /// The API version sent as `Version` by the Query protocol.
    public var apiVersion: String {
        switch self {
        case .ec2: "2016-11-15"
        case .iam: "2010-05-08"
        case .rds: "2014-10-31"
        case .s3: "2006-03-01"
        case .sts: "2011-06-15"
        }
    }

    /// How requests are serialized.
    public var wireProtocol: WireProtocol {
        switch self {
        case .s3: .restXML
        case .ec2: .ec2
        case .iam, .rds, .sts: .query
        }
    }

    /// The service-specific endpoint variable, `AWS_ENDPOINT_URL_<serviceId>` (`AWS_ENDPOINT_URL_RDS`, …).
    public var endpointEnvironmentVariable: String { "AWS_ENDPOINT_URL_\(rawValue.uppercased())" }

    /// A SigV4 signer with this service's rules (S3: path encoded once, `X-Amz-Content-SHA256`) for `region`.
    public func signer(region: String, cache: SigningKeyCache? = nil) -> SigV4Signer {
        self == .s3
            ? .s3(region: region, cache: cache) : SigV4Signer(service: signingName, region: region, cache: cache)
    }
}

/// A region name and where it came from.
public struct ResolvedRegion: Sendable, Equatable {
    /// The region, e.g. `eu-west-1`.
    public var name: String
    /// Where it came from: `explicit`, `AWS_REGION`, `AWS_DEFAULT_REGION` or `profile`.
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

/// Where one service's calls go and how they are signed.
public struct ResolvedEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `https`, or `http` for a local emulator.
    public var scheme: String
    /// The host name or address, without port.
    public var host: String
    /// An explicit port, or `nil` for the scheme's default.
    public var port: Int?
    /// A path prefix from a custom endpoint URL (`/moto`), without a trailing slash; empty for none.
    public var basePath: String
    /// The region in the credential scope (`us-east-1` for IAM's global endpoint).
    public var signingRegion: String
    /// The service name in the credential scope.
    public var signingName: String
    /// Which setting chose the endpoint: `explicit`, `AWS_ENDPOINT_URL_RDS`, `AWS_ENDPOINT_URL` or `default`.
    public var source: String

    public init(
        scheme: String, host: String, port: Int?, basePath: String, signingRegion: String,
        signingName: String, source: String
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.signingRegion = signingRegion
        self.signingName = signingName
        self.source = source
    }

    /// The endpoint as a URL, for `aurorad aws whoami` and logs.
    public var description: String {
        var url = "\(scheme)://\(host)"
        if let port { url += ":\(port)" }
        return url + basePath
    }

    /// Whether S3 buckets go in the path (`/bucket/key`) rather than the host name: always.
    ///
    /// Path-style works against every endpoint aurorad meets: custom ones (an emulator on 127.0.0.1, MinIO, a VPC
    /// endpoint URL) cannot resolve bucket subdomains, and on AWS it also avoids TLS name mismatches for bucket names
    /// with dots. AWS announced its retirement for buckets created after September 2020, then postponed that
    /// indefinitely, so it still serves every bucket; virtual-hosted style can be added here if that changes.
    public var usesPathStyleAddressing: Bool { true }

    /// An unsigned request to `path` (decoded, starting with `/`) at this endpoint, under its base path.
    public func request(
        method: String, path: String = "/", query: [QueryItem] = [], headers: [HTTPHeader] = [],
        body: Data = Data()
    ) -> HTTPRequest {
        HTTPRequest(
            method: method, scheme: scheme, host: host, port: port,
            path: basePath.isEmpty ? path : basePath + (path == "/" ? "" : path), query: query,
            headers: headers, body: body)
    }
}

/// An invalid or missing region or endpoint setting; the description names the setting and how to fix it.
public struct EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    private init(_ description: String) {
        self.description = description
    }

    /// No region anywhere in the chain.
    public static var noRegion: EndpointError {
        EndpointError(
            "No AWS region is configured; set AWS_REGION (or AWS_DEFAULT_REGION), the profile's region, "
                + "or the region in aurorad's configuration.")
    }

    /// A region value that cannot be a region name.
    public static func invalidRegion(_ region: String, source: String) -> EndpointError {
        EndpointError(
            "The region '\(region)' from \(source) is not a valid region name; use a name such as "
                + "eu-west-1 (lower-case letters, digits and hyphens).")
    }

    /// A region of a partition whose endpoints aurorad does not know.
    public static func unsupportedPartition(_ region: String, service: AWSService) -> EndpointError {
        EndpointError(
            "The region '\(region)' is in an isolated AWS partition aurorad has no default endpoints for; "
                + "set \(service.endpointEnvironmentVariable) or AWS_ENDPOINT_URL to the \(service.rawValue) endpoint.")
    }

    /// An endpoint URL that is not an absolute http(s) URL with a host.
    public static func invalidEndpoint(_ url: String, source: String, reason: String) -> EndpointError {
        EndpointError(
            "The endpoint URL '\(url)' from \(source) is not usable: \(reason); give an absolute URL such "
                + "as https://rds.eu-west-1.amazonaws.com or http://127.0.0.1:5000.")
    }
}

/// Region and endpoint resolution in the AWS SDKs' order, from values passed in (no process state is read), so the
/// same rules serve the daemon and the tests.
public enum AWSEndpoints {
    /// The region: `explicit`, then `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the profile's `region`; empty
    /// values count as unset, as in the SDKs.
    public static func resolveRegion(
        explicit: String? = nil, environment: [String: String],
        profileRegion: String? = nil
    ) throws(EndpointError) -> ResolvedRegion {
        let candidates: [(String?, String)] = [
            (explicit, "explicit"), (environment["AWS_REGION"], "AWS_REGION"),
            (environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"), (profileRegion, "profile"),
        ]
        for case (let value?, let source) in candidates {
            let name = value.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            guard isValidRegionName(name) else { throw .invalidRegion(name, source: source) }
            return ResolvedRegion(name: name, source: source)
        }
        throw .noRegion
    }

    /// The endpoint of `service` in `region`: `explicitURL`, then `AWS_ENDPOINT_URL_<SERVICE>`, then
    /// `AWS_ENDPOINT_URL`, then the service's default. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` skips the two
    /// variables, as in the SDKs. A custom endpoint is signed for `region`.
    public static func resolveEndpoint(
        service: AWSService, region: String, environment: [String: String],
        explicitURL: String? = nil
    ) throws(EndpointError) -> ResolvedEndpoint {
        guard isValidRegionName(region) else { throw .invalidRegion(region, source: "the resolved region") }
        var candidates: [(String?, String)] = [(explicitURL, "explicit")]
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            candidates.append((environment[service.endpointEnvironmentVariable], service.endpointEnvironmentVariable))
            candidates.append((environment["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"))
        }
        for case (let value?, let source) in candidates where !value.isEmpty {
            return try custom(value, source: source, service: service, region: region)
        }
        return try defaultEndpoint(service: service, region: region)
    }

    /// Whether `name` can be a region: one DNS label of lower-case letters, digits and inner hyphens (botocore's
    /// `validate_region_name` rule, lower-case as region names are).
    public static func isValidRegionName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-")
        }
    }

    // MARK: - Defaults

    /// The partitions with default endpoints, matched by botocore's endpoints.json `regionRegex`.
    private enum Partition {
        case aws, china, govCloud

        init(region: String, service: AWSService) throws(EndpointError) {
            if region.hasPrefix("cn-") {
                self = .china
            } else if region.hasPrefix("us-gov-") {
                self = .govCloud
            } else if ["us-iso-", "us-isob-", "us-isof-", "eu-isoe-", "eusc-"].contains(where: region.hasPrefix) {
                throw .unsupportedPartition(region, service: service)
            } else {
                // botocore also falls back to the aws partition for names no partition's pattern matches.
                self = .aws
            }
        }

        var dnsSuffix: String { self == .china ? "amazonaws.com.cn" : "amazonaws.com" }
    }

    private static func defaultEndpoint(service: AWSService, region: String) throws(EndpointError) -> ResolvedEndpoint {
        let partition = try Partition(region: region, service: service)
        var host = "\(service.rawValue).\(region).\(partition.dnsSuffix)"
        var signingRegion = region
        if service == .iam {
            // IAM is global per partition (endpoints.json: partitionEndpoint with its credentialScope region).
            switch partition {
            case .aws: (host, signingRegion) = ("iam.amazonaws.com", "us-east-1")
            case .china: (host, signingRegion) = ("iam.cn-north-1.amazonaws.com.cn", "cn-north-1")
            case .govCloud: (host, signingRegion) = ("iam.us-gov.amazonaws.com", "us-gov-west-1")
            }
        }
        return ResolvedEndpoint(
            scheme: "https", host: host, port: nil, basePath: "", signingRegion: signingRegion,
            signingName: service.signingName, source: "default")
    }

    private static func custom(
        _ value: String, source: String, service: AWSService,
        region: String
    ) throws(EndpointError) -> ResolvedEndpoint {
        func invalid(_ reason: String) -> EndpointError { .invalidEndpoint(value, source: source, reason: reason) }
        guard let components = URLComponents(string: value.trimmingCharacters(in: .whitespaces)) else {
            throw invalid("it does not parse as a URL")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw invalid("the scheme must be https or http")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("it has no host") }
        guard components.user == nil, components.password == nil else { throw invalid("it must not carry user info") }
        guard components.query == nil, components.fragment == nil else {
            throw invalid("it must not have a query or fragment")
        }
        if let port = components.port, !(1...65_535).contains(port) { throw invalid("the port is out of range") }
        var basePath = components.percentEncodedPath.removingPercentEncoding ?? components.path
        while basePath.hasSuffix("/") { basePath.removeLast() }
        return ResolvedEndpoint(
            scheme: scheme, host: host.lowercased(), port: components.port, basePath: basePath,
            signingRegion: region, signingName: service.signingName, source: source)
    }
}
