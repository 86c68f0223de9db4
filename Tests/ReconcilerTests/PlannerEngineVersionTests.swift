import Foundation
import ImportSpec
import Reconciler
import Testing

/// The spec's `engine_version` checked against what RDS offers, before anything is created.
@Suite("Planner: engine version")
struct PlannerEngineVersionTests {
    static let offered = [
        "5.7.mysql_aurora.2.11.2", "5.7.mysql_aurora.2.11.6", "5.7.mysql_aurora.2.12.0", "5.7.mysql_aurora.2.12.5",
        "8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.10.0",
    ]

    @Test(arguments: [
        ("5.7.12", "5.7.12", ["5.7.mysql_aurora.2.12.5", "5.7.mysql_aurora.2.12.0"]),
        ("5.7.mysql_aurora.2.11.4", "5.7.44", ["5.7.mysql_aurora.2.11.6", "5.7.mysql_aurora.2.11.2"]),
        ("5.7.mysql_aurora.2.13.0", "5.7.44", ["5.7.mysql_aurora.2.12.5"]),
        ("8.0.mysql_aurora.3.01.0", "8.0.36", ["8.0.mysql_aurora.3.05.2"]),
        ("8.0.mysql_aurora.3.06.0", "8.0.36", ["8.0.mysql_aurora.3.10.0", "8.0.mysql_aurora.3.05.2"]),
    ])
    func nearestVersions(requested: String, source: String, expected: [String]) {
        #expect(EngineVersionCheck.nearest(to: requested, sourceVersion: source, among: Self.offered) == expected)
    }

    @Test func aMissingVersionFailsTheSpecBeforeAnythingIsCreated() throws {
        var spec = Fixture.spec()
        spec.engineVersion = "5.7.12"
        var observed = Fixture.verifiedNothing()
        observed.engineVersion = .missing(available: Self.offered)
        let plan = Fixture.plan(spec, observed)
        #expect(plan.actions.isEmpty)
        #expect(plan.phase == .failed)
        #expect(plan.reason(.clusterRestored) == "EngineVersionNotFound")
        let message = try #require(plan.condition(.ready)?.message)
        for fragment in [
            "RDS has no aurora-mysql engine version 5.7.12",
            "5.7.mysql_aurora.2.12.5 and 5.7.mysql_aurora.2.12.0",
            "restores only into Aurora MySQL 2 (5.7.mysql_aurora.2.x.y)", "Nothing was created",
        ] {
            #expect(message.contains(fragment), "\(message)")
        }
    }

    @Test func anOfferedVersionGoesOnToTheRole() {
        var observed = Fixture.verifiedNothing()
        observed.engineVersion = .available
        let plan = Fixture.plan(Fixture.spec(), observed)
        #expect(plan.actions.first?.kind == .createRole)
    }
}
