import ImportSpec
import Testing

@testable import Reconciler

@Suite("What a spec asks of the fleet's batched read")
struct FleetInterestTests {
    @Test func theNamesMadeFromTheSpecsNameAreTheOnesTheSpecDerives() {
        var spec = Fixture.spec(name: "orders-prod-migration")
        spec.instances["reader"] = .init(identifier: "Orders-Reader-A")
        let interest = FleetInterest(spec)
        #expect(interest.roleName == ManagedResources.roleName(forSpec: spec.name))
        #expect(interest.monitoringRoleName == "orders-prod-migration-monitor")
        #expect(interest.roleNames == [interest.roleName, "orders-prod-migration-monitor"])
        #expect(
            interest.instanceIdentifiers
                == ["orders-prod-migration-1", "orders-prod-migration-2", "orders-reader-a"])
        #expect(!interest.securityGroup)
    }

    @Test func aGivenRoleAndMonitoringRoleNameAreKeptAsGiven() {
        var spec = Fixture.spec(
            name: "given", ingestionRole: "arn:aws:iam::123456789012:role/team/import-role")
        spec.monitoringRole = .init(iamRoleName: "team-monitoring", iamRoleUseNamePrefix: true)
        let interest = FleetInterest(spec)
        #expect(interest.roleName == "import-role")
        #expect(interest.monitoringRoleName == ManagedResources.monitoringRoleName(for: spec))
        #expect(interest.monitoringRoleName?.hasPrefix("team-monitoring-") == true)
        // A monitoring role name longer than IAM allows: no such role can exist, none is read.
        spec.monitoringRole = .init(iamRoleName: String(repeating: "m", count: 65))
        #expect(FleetInterest(spec).monitoringRoleName == nil)
    }

    @Test func interestsAreEqualWhenTheyAskTheSameRolesAndTheSameWhenTheirInstancesMatchToo() {
        let spec = Fixture.spec(name: "equal")
        var grown = spec
        grown.instances["3"] = .init()
        #expect(FleetInterest(spec) == FleetInterest(grown))
        #expect(FleetInterest(spec).asksTheSame(as: FleetInterest(spec)))
        #expect(!FleetInterest(spec).asksTheSame(as: FleetInterest(grown)))
        // Before the spec is read: the derived roles, no instances.
        let seeded = FleetInterest(specNamed: "equal")
        #expect(seeded == FleetInterest(spec) && seeded.instanceIdentifiers.isEmpty)
        #expect(seeded != FleetInterest(Fixture.spec(name: "equal", ingestionRole: "arn:aws:iam::1:role/other")))
    }
}
