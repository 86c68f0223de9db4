/// A paginated listing that did not end within its page bound, or whose service repeated a page token.
public struct PaginationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being listed (`IAM ListRolePolicies`).
    public var operation: String
    /// The number of pages fetched before stopping.
    public var pages: Int
    /// Whether the stop was because the service sent the same token twice (otherwise: the page bound was reached).
    public var repeatedToken: Bool

    public init(operation: String, pages: Int, repeatedToken: Bool) {
        self.operation = operation
        self.pages = pages
        self.repeatedToken = repeatedToken
    }

    public var description: String {
        repeatedToken
            ? "\(operation) returned the same page token twice after \(pages) pages; stopped instead of looping "
                + "forever."
            : "\(operation) still had more results after \(pages) pages; stopped at the page bound (narrow the listing "
                + "or raise the bound)."
    }
}

/// Bounded loops over paginated AWS listings, and the token rules of each pagination style.
public enum Pagination {
    /// The default page bound.
    public static let defaultMaxPages = 1000

    /// Fetches pages until `fetch` returns no next token, and returns them in order. `fetch` gets the token for the
    /// page (`nil` first) and returns the page with the next token. Throws `PaginationError` past `maxPages` pages or
    /// when a token repeats; errors from `fetch` pass through.
    public static func collect<Page>(
        _ operation: String, maxPages: Int = defaultMaxPages, _ fetch: (String?) throws -> (Page, next: String?)
    ) throws -> [Page] {
        var pages: [Page] = []
        var token: String?
        var seen: Set<String> = []
        while true {
            let (page, next) = try fetch(token)
            pages.append(page)
            guard let next else { return pages }
            guard seen.insert(next).inserted else {
                throw PaginationError(operation: operation, pages: pages.count, repeatedToken: true)
            }
            guard pages.count < maxPages else {
                throw PaginationError(operation: operation, pages: pages.count, repeatedToken: false)
            }
            token = next
        }
    }

    /// IAM style: the next `Marker` when `IsTruncated` is `true` (in e.g. `ListRolePoliciesResult`).
    public static func iamNextMarker(_ result: AWSXMLElement) -> String? {
        guard result.bool(at: "IsTruncated") == true else { return nil }
        return result.trimmedText(at: "Marker")
    }

    /// RDS style: the `Marker` in e.g. `DescribeDBClustersResult`; absent or empty means the last page.
    public static func rdsNextMarker(_ result: AWSXMLElement) -> String? {
        result.trimmedText(at: "Marker")
    }

    /// EC2 style: the `nextToken` directly under e.g. `<DescribeSecurityGroupsResponse>`; absent or empty means the
    /// last page.
    public static func ec2NextToken(_ response: AWSXMLElement) -> String? {
        response.trimmedText(at: "nextToken")
    }

    /// S3 `ListObjectsV2` style: `NextContinuationToken` when `IsTruncated` is `true` (in `ListBucketResult`).
    public static func s3NextContinuationToken(_ result: AWSXMLElement) -> String? {
        guard result.bool(at: "IsTruncated") == true else { return nil }
        return result.trimmedText(at: "NextContinuationToken")
    }
}
