import Foundation
import Testing

@testable import Reconciler

@Suite("The vpc_id guard's subnet-group reads")
struct SubnetGroupVPCsTests {
    @Test func aGroupIsReadOncePerMaxAgeAndEachGroupOnItsOwn() throws {
        let cache = SubnetGroupVPCs(maxAge: 600)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var fetches: [String] = []
        func vpc(_ group: String, after seconds: TimeInterval) throws -> String? {
            try cache.vpcId(of: group, now: start.addingTimeInterval(seconds)) { () throws(ObservationError) in
                fetches.append(group)
                return "vpc-\(group.lowercased())-\(fetches.count)"
            }
        }
        #expect(try vpc("Main", after: 0) == "vpc-main-1")
        #expect(try vpc("main", after: 599) == "vpc-main-1", "kept, and names are case-insensitive as in RDS")
        #expect(try vpc("other", after: 10) == "vpc-other-2")
        #expect(try vpc("main", after: 600) == "vpc-main-3", "read again once the answer is max age old")
        #expect(fetches == ["Main", "other", "main"])
    }

    @Test func aFailedReadIsNotKept() throws {
        let cache = SubnetGroupVPCs()
        #expect(throws: ObservationError.self) {
            try cache.vpcId(of: "g") { () throws(ObservationError) -> String? in
                throw ObservationError(
                    operation: "DescribeDBSubnetGroups", code: "Throttling", message: "Rate exceeded")
            }
        }
        #expect(try cache.vpcId(of: "g") { () throws(ObservationError) in "vpc-1" } == "vpc-1")
    }
}
