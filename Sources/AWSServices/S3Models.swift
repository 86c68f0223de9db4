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
                service: .s3, action: "ListObjectsV2",
                reason: "the root element is <\(result.name)>, not <ListBucketResult>")
        }
        objects = try result.children("Contents").map { element in
            let sizeText = try reader.required(element, "Size")
            guard let size = Int(sizeText) else {
                throw AWSResponseError(
                    service: .s3, action: "ListObjectsV2", reason: "<Size> is not a number: \(sizeText)")
            }
            // Keys keep their white space: only absence is an error.
            guard let key = element.text(at: "Key"), !key.isEmpty else {
                throw AWSResponseError(service: .s3, action: "ListObjectsV2", reason: "<Contents> has no <Key>")
            }
            return S3Object(
                key: key, size: size, lastModified: element.text(at: "LastModified").flatMap(AWSTimestamp.parse))
        }
        nextContinuationToken = Pagination.s3NextContinuationToken(result)
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

/// What `HeadObject` tells about an object: its size and how S3 encrypts it at rest.
public struct S3ObjectHead: Sendable, Equatable {
    /// The object's size in bytes (`Content-Length`).
    public var size: Int?
    /// `x-amz-server-side-encryption`: `AES256` (SSE-S3), `aws:kms` or `aws:kms:dsse` (SSE-KMS), or nil.
    public var serverSideEncryption: String?
    /// `x-amz-server-side-encryption-aws-kms-key-id`: the KMS key's ARN, sent with SSE-KMS.
    public var kmsKeyId: String?

    public init(size: Int?, serverSideEncryption: String?, kmsKeyId: String?) {
        self.size = size
        self.serverSideEncryption = serverSideEncryption
        self.kmsKeyId = kmsKeyId
    }

    /// Whether the object is encrypted with a KMS key (SSE-KMS or DSSE-KMS), so reading it needs `kms:Decrypt`.
    public var isKMSEncrypted: Bool { serverSideEncryption?.hasPrefix("aws:kms") == true }
}
