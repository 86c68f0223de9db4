import AWSCore
import Foundation

/// One object of a listing (botocore s3 `Object`).
public struct S3Object: Sendable, Equatable {
    /// The object key.
    public var key: String
    /// The size in bytes.
    public var size: Int
    /// When it was last written.
    public var lastModified: Date?

    public init(key: String, size: Int, lastModified: Date? = nil) {
        self.key = key
        self.size = size
        self.lastModified = lastModified
    }
}

/// One page of `ListObjectsV2`.
public struct S3ObjectPage: Sendable, Equatable {
    /// The objects of this page, in key order.
    public var objects: [S3Object]
    /// The token of the next page, nil on the last one.
    public var nextContinuationToken: String?

    public init(objects: [S3Object], nextContinuationToken: String?) {
        self.objects = objects
        self.nextContinuationToken = nextContinuationToken
    }

    /// Reads `<ListBucketResult>`.
    init(result: AWSXMLElement) throws {
        let reader = ResultReader(service: .s3, action: "ListObjectsV2")
        guard result.name == "ListBucketResult" else {
            throw AWSResponseError(
                service: .s3, action: "ListObjectsV2", reason: "the root element is <\(result.name)>, not <ListBucketResult>")
        }
        objects = try result.children("Contents").map { element in
            let sizeText = try reader.required(element, "Size")
            guard let size = Int(sizeText) else {
                throw AWSResponseError(service: .s3, action: "ListObjectsV2", reason: "<Size> is not a number: \(sizeText)")
            }
            // Keys keep their white space: only absence is an error.
            guard let key = element.text(at: "Key"), !key.isEmpty else {
                throw AWSResponseError(service: .s3, action: "ListObjectsV2", reason: "<Contents> has no <Key>")
            }
            return S3Object(key: key, size: size, lastModified: element.text(at: "LastModified").flatMap(AWSTimestamp.parse))
        }
        nextContinuationToken = Pagination.s3NextContinuationToken(result)
    }
}

/// The objects under a prefix, listed up to a page bound.
public struct S3ObjectListing: Sendable, Equatable {
    /// The objects found, in key order.
    public var objects: [S3Object]
    /// Whether the listing stopped at the page bound with more objects left.
    public var isTruncated: Bool

    public init(objects: [S3Object], isTruncated: Bool) {
        self.objects = objects
        self.isTruncated = isTruncated
    }
}

/// The start of an object, read with a `Range` request.
public struct S3ObjectRange: Sendable, Equatable {
    /// The bytes read (at most the cap asked for).
    public var data: Data
    /// The object's whole size, from `Content-Range` (or `Content-Length` when the server sent it all).
    public var objectSize: Int?

    public init(data: Data, objectSize: Int?) {
        self.data = data
        self.objectSize = objectSize
    }

    /// Whether `data` is the whole object.
    public var isComplete: Bool { objectSize.map { $0 <= data.count } ?? false }
}
