import AWSCore
import Foundation

/// The S3 calls of the backup preflight (botocore s3 2006-03-01, REST-XML, path-style `/bucket/key`).
public struct S3Client: Sendable {
    /// The shared client.
    public let client: AWSClient

    /// A client over `client`.
    public init(client: AWSClient) {
        self.client = client
    }

    /// `GetBucketLocation`: the bucket's region, or nil when the bucket does not exist. An empty (or `null`)
    /// `LocationConstraint` means us-east-1 and the legacy `EU` means eu-west-1, as botocore documents. When S3
    /// answers from another region's endpoint with the bucket's region instead (`301 PermanentRedirect`,
    /// `400 AuthorizationHeaderMalformed`: the `x-amz-bucket-region` header or `<Region>`), that region is returned.
    public func getBucketLocation(bucket: String) throws -> String? {
        try nilIfNotFound {
            let response: HTTPResponse
            do {
                response = try client.rest(
                    .s3, action: "GetBucketLocation", method: "GET", path: "/\(bucket)",
                    query: [QueryItem("location", "")])
            } catch let error as AWSError where Self.wrongRegionStatuses.contains(error.status) {
                guard let region = error.bucketRegion, !region.isEmpty else { throw error }
                return region
            }
            let root: AWSXMLElement
            do {
                root = try AWSXMLParser.parse(response.body)
            } catch {
                throw AWSResponseError(
                    service: .s3, action: "GetBucketLocation", reason: "the body is not XML (\(error))")
            }
            guard root.name == "LocationConstraint" else {
                throw AWSResponseError(
                    service: .s3, action: "GetBucketLocation",
                    reason: "the root element is <\(root.name)>, not <LocationConstraint>")
            }
            return Self.region(locationConstraint: root.text)
        }
    }

    /// The statuses S3 answers a request signed for, or sent to, the wrong region with (naming the bucket's region).
    static let wrongRegionStatuses: Set<Int> = [301, 307, 400]

    /// The region a `LocationConstraint` value names.
    public static func region(locationConstraint: String) -> String {
        switch locationConstraint.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "", "null": "us-east-1"
        case "EU": "eu-west-1"
        case let region: region
        }
    }

    /// One page of `ListObjectsV2` under `prefix`.
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil
    ) throws -> S3ObjectPage {
        var query = [QueryItem("list-type", "2")]
        if let continuationToken { query.append(QueryItem("continuation-token", continuationToken)) }
        if let maxKeys { query.append(QueryItem("max-keys", String(maxKeys))) }
        if let prefix { query.append(QueryItem("prefix", prefix)) }
        let response = try client.rest(.s3, action: "ListObjectsV2", method: "GET", path: "/\(bucket)", query: query)
        let root: AWSXMLElement
        do {
            root = try AWSXMLParser.parse(response.body)
        } catch {
            throw AWSResponseError(service: .s3, action: "ListObjectsV2", reason: "the body is not XML (\(error))")
        }
        return try S3ObjectPage(result: root)
    }

    /// `GetObject` of the first `maxBytes` bytes (`Range: bytes=0-(maxBytes-1)`); a server that ignores the range
    /// is cut to the cap. Returns nil when the bucket or key does not exist.
    public func getObject(bucket: String, key: String, maxBytes: Int) throws -> S3ObjectRange? {
        precondition(maxBytes > 0, "maxBytes must be positive")
        return try nilIfNotFound {
            let response: HTTPResponse
            do {
                response = try client.rest(
                    .s3, action: "GetObject", method: "GET", path: "/\(bucket)/\(key)",
                    headers: [HTTPHeader("Range", "bytes=0-\(maxBytes - 1)")])
            } catch let error as AWSError where error.status == 416 {
                // S3 answers a range on an empty object with 416 InvalidRange: the object is there, and empty.
                return S3ObjectRange(data: Data(), objectSize: 0)
            }
            // Content-Range: bytes 0-99/1234 (206); a 200 carries the whole object.
            let total =
                response.header("Content-Range").flatMap { $0.split(separator: "/").last.flatMap { Int($0) } }
                ?? (response.status == 200 ? response.body.count : nil)
            return S3ObjectRange(data: response.body.prefix(maxBytes), objectSize: total)
        }
    }

    /// `HeadObject`: the object's size and server-side encryption (no body is read); nil when it does not exist.
    public func headObject(bucket: String, key: String) throws -> S3ObjectHead? {
        try nilIfNotFound {
            let response = try client.rest(.s3, action: "HeadObject", method: "HEAD", path: "/\(bucket)/\(key)")
            return S3ObjectHead(
                size: response.header("Content-Length").flatMap { Int($0) },
                serverSideEncryption: response.header("x-amz-server-side-encryption"),
                kmsKeyId: response.header("x-amz-server-side-encryption-aws-kms-key-id"))
        }
    }
}
