import AWSCore
import AWSServices
import Foundation
import Testing
import TestSupport

/// The seed end to end (issue 8): `config/seed-example.json`, the seed's `module "aurora"` block carried over field
/// for field, through the built daemon. The operator's ingestion role is made as the seed makes it; only the values
/// of the environment (VPC, subnet group, bucket, role ARN) are taken from the emulator's demo world. The seed's
/// MySQL-style `engine_version` is refused with the versions RDS offers; with the first of them the spec converges,
/// security group included, and `ctl delete` removes what aurorad made and leaves the operator's role as it was.
@Suite(.sharedEmulator())
struct SeedExampleTests {
    /// The three tcp rules on the cluster port (3306, the default) the seed's `security_group_ingress_rules` give.
    static let seedRules: Set<EC2Rule> = Set(
        ["10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24"].map {
            EC2Rule(ipProtocol: "tcp", fromPort: 3306, toPort: 3306, peer: .cidrIpv4($0))
        })

    @Test func theSeedsModuleBlockConvergesAndDeletesLeavingTheOperatorsRoleAlone() async throws {
        let emulator = try SharedEmulator.require()
        let inspector = try EmulatorInspector(emulator)
        var spec = try Self.seedExample()
        let name = try #require(spec["name"] as? String)
        let s3 = try #require(spec["s3_import"] as? [String: Any])
        let seedRoleARN = try #require(s3["ingestion_role"] as? String)
        let roleName = String(try #require(seedRoleARN.split(separator: "/").last))

        // The operator's role, as the seed's aws_iam_role and aws_iam_role_policy (name prefix `ex-s3-import-`).
        let policyName = "ex-s3-import-20250101000000000000000003"
        let role = try inspector.createForeignRole(name: roleName, policyName: policyName)
        let policy = try #require(try inspector.iam.getRolePolicy(roleName: roleName, policyName: policyName))
        let managedBefore = try inspector.roleNames(prefix: "aurorad-")

        // Only the environment's values change: the demo VPC, subnet group, bucket (backup under its prefix) and
        // the role's ARN. The seed's CIDRs are the module VPC's private subnets, inside the demo VPC's 10.0.0.0/16.
        let demo = try inspector.demoWorld()
        spec["vpc_id"] = try #require(demo["VpcId"] as? String)
        spec["db_subnet_group_name"] = try #require(demo["DBSubnetGroupName"] as? String)
        spec["role_associations"] = ["s3Import": ["role_arn": role.arn]]
        var s3Import = s3
        s3Import["bucket_name"] = try #require(demo["Bucket"] as? String)
        s3Import["ingestion_role"] = role.arn
        spec["s3_import"] = s3Import
        let vpcId = try #require(spec["vpc_id"] as? String)

        try await withTemporaryDirectory { directory in
            let daemon = try DaemonUnderTest(directory: directory, environment: emulator.environment)
            defer { daemon.process.kill() }

            // As pasted: RDS has no aurora-mysql 5.7.12; the refusal names the versions it has, nothing is made.
            let pasted = try writeSpec(spec, directory: directory)
            #expect(try daemon.submit(pasted).contains("\(name) generation 1 (created)"))
            let failed = try await daemon.waitForPhase(name, "Failed")
            let message = failed.message ?? ""
            #expect(message.contains("RDS has no aurora-mysql engine version 5.7.12"), "\(failed)")
            let offered = try #require(Self.firstAuroraVersion(in: message), "no 5.7.mysql_aurora.2.* in \(message)")
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.restores(cluster: name).isEmpty)
            #expect(try inspector.ec2.describeSecurityGroups(filters: Self.owned(name, vpcId)).isEmpty)

            // With the version RDS offers: converges.
            spec["engine_version"] = offered
            let fixed = try writeSpec(spec, directory: directory)
            #expect(try daemon.submit(fixed).contains("\(name) generation 2 (updated)"))
            let ready = try await daemon.waitForPhase(name, "Ready")
            #expect(ready.phase == "Ready", "\(ready)\n\(daemon.logTail)")

            let cluster = try #require(try inspector.rds.describeDBCluster(identifier: name))
            #expect(cluster.engineVersion == offered && cluster.masterUsername == "root")
            #expect(cluster.dbSubnetGroup == spec["db_subnet_group_name"] as? String)
            #expect(Set(cluster.enabledCloudwatchLogsExports) == ["audit", "error", "general", "slowquery"])
            let tags = tagDictionary(cluster.tags)
            #expect(tags["Environment"] == "dev" && tags["Terraform"] == "true", "\(tags)")
            let instances = try inspector.instances(cluster: name)
            #expect(instances.map(\.identifier) == ["\(name)-1"])
            #expect(instances.allSatisfy { $0.instanceClass == "db.r8g.large" && $0.status == "available" })

            // The module's group: exactly the seed's three ingress rules, no egress, the cluster's only group.
            let groups = try inspector.ec2.describeSecurityGroups(filters: Self.owned(name, vpcId))
            #expect(groups.count == 1, "\(groups)")
            let group = try #require(groups.first)
            let rules = try inspector.ec2.describeSecurityGroupRules(groupIds: [group.id])
            #expect(rules.filter(\.isEgress).isEmpty, "\(rules)")
            #expect(rules.count == 3 && Set(rules.map(\.rule)) == Self.seedRules, "\(rules)")
            #expect(cluster.vpcSecurityGroups.map(\.id) == [group.id])

            // The operator's role: associated (no feature name), used for the restore, no managed role made.
            #expect(cluster.associatedRoles.map(\.roleArn) == [role.arn], "\(cluster.associatedRoles)")
            #expect(cluster.associatedRoles.allSatisfy { $0.status == "ACTIVE" && ($0.featureName ?? "").isEmpty })
            let restores = try inspector.restores(cluster: name)
            #expect(restores.count == 1, "\(restores)")
            #expect(restores.first?["S3IngestionRoleArn"] as? String == role.arn, "\(restores)")
            #expect(restores.first?["SourceEngineVersion"] as? String == "5.7.12", "\(restores)")
            #expect(try inspector.roleNames(prefix: "aurorad-") == managedBefore)
            #expect(try inspector.iam.getRole(roleName: EmulatorInspector.managedRoleName(name)) == nil)

            // Delete: the cluster, its instance and the group go; the operator's role and policy stay as they were.
            let deleted = try daemon.process.ctl(["delete", name, "--yes"])
            #expect(deleted.status == 0, "\(deleted)")
            let gone = try await eventually(timeout: 120) { try !daemon.listedNames().contains(name) }
            #expect(gone, "still listed: \(String(describing: try? daemon.status(name)))\n\(daemon.logTail)")
            #expect(try inspector.rds.describeDBCluster(identifier: name) == nil)
            #expect(try inspector.instances(cluster: name).isEmpty)
            #expect(try inspector.ec2.describeSecurityGroups(ids: [group.id]).isEmpty)
            let kept = try #require(try inspector.iam.getRole(roleName: roleName), "the operator's role was deleted")
            #expect(kept.roleId == role.roleId && kept.arn == role.arn)
            #expect(
                try PolicyShape(json: kept.assumeRolePolicyDocument ?? "")
                    == PolicyShape(json: role.assumeRolePolicyDocument ?? ""))
            #expect(tagDictionary(kept.tags) == tagDictionary(role.tags))
            #expect(try inspector.iam.listRolePolicies(roleName: roleName) == [policyName])
            let keptPolicy = try #require(try inspector.iam.getRolePolicy(roleName: roleName, policyName: policyName))
            #expect(keptPolicy.policyDocument == policy.policyDocument)
            #expect(try inspector.roleNames(prefix: "aurorad-") == managedBefore)
        }
    }

    /// `config/seed-example.json` from the source tree, as a JSON object.
    static func seedExample() throws -> [String: Any] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/seed-example.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
    }

    /// The filters that find the security group aurorad made for spec `name` in `vpcId`.
    static func owned(_ name: String, _ vpcId: String) -> [AWSFilter] {
        [AWSFilter(name: "tag:aurorad:spec", values: [name]), AWSFilter(name: "vpc-id", values: [vpcId])]
    }

    /// The first Aurora MySQL 2 version (`5.7.mysql_aurora.2.…`) a refusal names, without trailing punctuation.
    static func firstAuroraVersion(in message: String) -> String? {
        message.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "," || $0 == ";" })
            .first { $0.hasPrefix("5.7.mysql_aurora.2.") && $0.count > "5.7.mysql_aurora.2.".count }
            .map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ".:")) }
    }
}
