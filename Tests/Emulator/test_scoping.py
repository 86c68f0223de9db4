"""The least-privilege policy's scoping bites: a user holding only `deploy/iam-policy.json` can change what aurorad
owns (roles named `aurorad-*` or tagged `aurorad:managed-by=aurorad`, tagged clusters and security groups) and
nothing else, because the emulator checks IAM, RDS and EC2 writes against their real ARNs and condition keys
(iam_scoping.py)."""

from __future__ import annotations

import json
import os

from test_emulator import RDS_TRUST, error_of, unique
from test_settings import restored_cluster

POLICY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "iam-policy.json")
OWNED = [{"Key": "aurorad:managed-by", "Value": "aurorad"}]


def scoped_user(emulator) -> dict[str, str]:
    """A new IAM user whose only policy is deploy/iam-policy.json, unchanged."""
    iam = emulator.client("iam")
    user = unique("scoped")
    iam.create_user(UserName=user)
    with open(POLICY) as handle:
        iam.put_user_policy(UserName=user, PolicyName="aurorad", PolicyDocument=handle.read())
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def denied(call, **kwargs) -> str:
    """The AccessDenied message of a call that must be refused."""
    error = error_of(call, **kwargs)["Error"]
    assert error["Code"] == "AccessDenied", error
    return error["Message"]


def test_roles_outside_aurorads_name_and_tag_are_out_of_reach(emulator):
    iam = emulator.client("iam", scoped_user(emulator))
    trust = json.dumps(RDS_TRUST)
    foreign = unique("someone-elses")
    emulator.client("iam").create_role(RoleName=foreign, AssumeRolePolicyDocument=trust)

    assert f"iam:DeleteRole on resource: arn:aws:iam::123456789012:role/{foreign}" in denied(
        iam.delete_role, RoleName=foreign)
    assert "iam:PutRolePolicy" in denied(
        iam.put_role_policy, RoleName=foreign, PolicyName="p", PolicyDocument=trust)
    assert "iam:CreateRole" in denied(iam.create_role, RoleName=unique("untagged"), AssumeRolePolicyDocument=trust)

    named = unique("aurorad-owned")
    iam.create_role(RoleName=named, AssumeRolePolicyDocument=trust)
    iam.delete_role(RoleName=named)
    tagged = unique("monitoring")
    iam.create_role(RoleName=tagged, AssumeRolePolicyDocument=trust, Tags=OWNED)
    iam.delete_role(RoleName=tagged)


def test_roles_are_passed_only_to_rds(emulator):
    """iam:PassedToService is evaluated: PassRole allowed only towards EC2 does not let a user hand a role to RDS."""
    iam = emulator.client("iam")
    user = unique("pass-to-ec2")
    iam.create_user(UserName=user)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "rds:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    rds = emulator.client("rds", {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]})
    role = iam.create_role(RoleName=unique("aurorad-ingest"), AssumeRolePolicyDocument=json.dumps(RDS_TRUST))
    message = denied(
        rds.add_role_to_db_cluster, DBClusterIdentifier="any", RoleArn=role["Role"]["Arn"])
    assert f"iam:PassRole on resource: {role['Role']['Arn']}" in message


def test_a_cluster_without_aurorads_tag_cannot_be_changed_or_deleted(emulator):
    _, cluster_id = restored_cluster(emulator)
    rds = emulator.client("rds", scoped_user(emulator))
    arn = f"arn:aws:rds:eu-west-1:123456789012:cluster:{cluster_id}"
    assert f"rds:ModifyDBCluster on resource: {arn}" in denied(
        rds.modify_db_cluster, DBClusterIdentifier=cluster_id, BackupRetentionPeriod=3)
    assert "rds:DeleteDBCluster" in denied(rds.delete_db_cluster, DBClusterIdentifier=cluster_id,
                                           SkipFinalSnapshot=True)
    assert "rds:CreateDBInstance" in denied(
        rds.create_db_instance, DBInstanceIdentifier=unique("inst"), DBInstanceClass="db.r6g.large",
        Engine="aurora-mysql", DBClusterIdentifier=cluster_id)

    emulator.client("rds").add_tags_to_resource(ResourceName=arn, Tags=OWNED)
    rds.modify_db_cluster(DBClusterIdentifier=cluster_id, BackupRetentionPeriod=3)
    rds.delete_db_cluster(DBClusterIdentifier=cluster_id, FinalDBSnapshotIdentifier=unique("final"))


def test_a_security_group_without_aurorads_tag_cannot_be_changed(emulator):
    ec2_admin = emulator.client("ec2")
    vpc = ec2_admin.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2_admin.create_security_group(GroupName=unique("foreign"), Description="d", VpcId=vpc)["GroupId"]
    ec2 = emulator.client("ec2", scoped_user(emulator))
    rule = {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "10.0.0.0/24"}]}
    assert f"security-group/{group}" in denied(ec2.authorize_security_group_ingress, GroupId=group,
                                               IpPermissions=[rule])
    assert "ec2:DeleteSecurityGroup" in denied(ec2.delete_security_group, GroupId=group)
    assert "ec2:CreateSecurityGroup" in denied(
        ec2.create_security_group, GroupName=unique("untagged"), Description="d", VpcId=vpc)

    owned = ec2.create_security_group(
        GroupName=unique("aurorad"), Description="d", VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": OWNED}])["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=owned, IpPermissions=[rule])
    ec2.delete_security_group(GroupId=owned)
