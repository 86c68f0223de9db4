import Foundation
import Testing

@testable import AWSCore

@Suite("Pagination")
struct PaginationTests {
    /// An IAM ListRolePolicies page: policies plus IsTruncated/Marker.
    func iamPage(_ policies: [String], marker: String?) throws -> AWSXMLElement {
        let members = policies.map { "<member>\($0)</member>" }.joined()
        let tail =
            marker.map { "<IsTruncated>true</IsTruncated><Marker>\($0)</Marker>" }
            ?? "<IsTruncated>false</IsTruncated>"
        let xml =
            "<ListRolePoliciesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            + "<ListRolePoliciesResult><PolicyNames>\(members)</PolicyNames>\(tail)</ListRolePoliciesResult>"
            + "</ListRolePoliciesResponse>"
        return try #require(try AWSXMLParser.parse(Data(xml.utf8)).child("ListRolePoliciesResult"))
    }

    @Test("follows IAM markers until IsTruncated is false")
    func iamPages() throws {
        let pages = [
            nil: try iamPage(["a", "b"], marker: "m1"), "m1": try iamPage(["c"], marker: "m2"),
            "m2": try iamPage(["d"], marker: nil),
        ]
        var requested: [String?] = []
        let results = try Pagination.collect("IAM ListRolePolicies") { token in
            requested.append(token)
            let page = try #require(pages[token])
            return (page.elements(at: "PolicyNames/member").map(\.text), Pagination.iamNextMarker(page))
        }
        #expect(results.flatMap { $0 } == ["a", "b", "c", "d"])
        #expect(requested == [nil, "m1", "m2"])
    }

    @Test("reads the RDS Marker and the S3 continuation token")
    func tokenRules() throws {
        let rds = try AWSXMLParser.parse(Data(describeDBClustersResponse.utf8))
        #expect(Pagination.rdsNextMarker(try #require(rds.child("DescribeDBClustersResult"))) == "bWFya2VyLzE=")
        #expect(Pagination.rdsNextMarker(AWSXMLElement(name: "DescribeDBClustersResult")) == nil)
        let s3 = try AWSXMLParser.parse(
            Data(
                """
                <ListBucketResult><IsTruncated>true</IsTruncated>\
                <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36H\
                y4vbOwM=</NextContinuationToken><KeyCount>1000</KeyCount></ListBucketResult>
                """.utf8))
        #expect(Pagination.s3NextContinuationToken(s3) == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        let last = try AWSXMLParser.parse(
            Data("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>".utf8))
        #expect(Pagination.s3NextContinuationToken(last) == nil)
        #expect(Pagination.iamNextMarker(try iamPage(["x"], marker: nil)) == nil)
    }

    @Test("stops with an error at the page bound")
    func pageBound() {
        var calls = 0
        let error = #expect(throws: PaginationError.self) {
            _ = try Pagination.collect("RDS DescribeEvents", maxPages: 5) { token -> (Int, next: String?) in
                calls += 1
                return (calls, "token-\(calls)")
            }
        }
        #expect(calls == 5)
        #expect(error?.repeatedToken == false)
        #expect(error?.description.contains("after 5 pages") == true)
    }

    @Test("stops with an error when the service repeats a token")
    func repeatedToken() {
        var calls = 0
        let error = #expect(throws: PaginationError.self) {
            _ = try Pagination.collect("S3 ListObjectsV2") { _ -> (Int, next: String?) in
                calls += 1
                return (calls, "same")
            }
        }
        #expect(calls == 2)
        #expect(error?.repeatedToken == true)
    }
}
