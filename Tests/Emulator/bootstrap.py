"""The emulator's starting world, made through moto's backends directly (no HTTP, so no signature is needed).

- `aurorad-admin`: an IAM user with an access key and a customer-managed policy allowing every action (moto does
  not load AWS-managed policies such as AdministratorAccess unless asked, so we make our own equivalent).
- `aurorad-limited`: an IAM user allowed only IAM and STS reads: no S3, no RDS, for access-denied tests.
- with --seed-demo: bucket `aurorad-demo-backups` holding a prepared backup under `backup/`, a VPC with three subnets,
  DB subnet group `aurorad-demo-subnets` and security group `aurorad-demo-db`.
"""

from __future__ import annotations

import json
import os

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.iam.models import iam_backends
from moto.rds.models import rds_backends
from moto.s3.models import s3_backends

import sample_backups

ADMIN_USER = "aurorad-admin"
LIMITED_USER = "aurorad-limited"
DEMO_BUCKET = "aurorad-demo-backups"
DEMO_PREFIX = "backup/"
DEMO_SUBNET_GROUP = "aurorad-demo-subnets"
DEMO_SECURITY_GROUP = "aurorad-demo-db"

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
LIMITED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "sts:GetCallerIdentity"], "Resource": "*"}
    ],
}


def _user_with_key(user_name: str) -> dict[str, str]:
    iam = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
    iam.create_user(region_name="global", user_name=user_name)
    key = iam.create_access_key(user_name)
    return {"AccessKeyId": key.access_key_id, "SecretAccessKey": key.secret_access_key, "UserName": user_name}


def create_users() -> dict[str, dict[str, str]]:
    """Create the admin and the limited user; returns their credentials by role ("admin", "limited")."""
    iam = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
    admin = _user_with_key(ADMIN_USER)
    policy = iam.create_policy(
        description="Every action on every resource, like AdministratorAccess.",
        path="/",
        policy_document=json.dumps(ADMIN_POLICY),
        policy_name="AuroradEmulatorAdministratorAccess",
        tags=[],
    )
    iam.attach_user_policy(policy.arn, ADMIN_USER)
    limited = _user_with_key(LIMITED_USER)
    iam.put_user_policy(LIMITED_USER, "read-iam-only", json.dumps(LIMITED_POLICY))
    return {"admin": admin, "limited": limited}


def write_credentials(path: str, credentials: dict[str, str]) -> None:
    """Write one user's key as JSON, readable by the owner only (mode 0600 from creation on)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        key = {"AccessKeyId": credentials["AccessKeyId"], "SecretAccessKey": credentials["SecretAccessKey"]}
        json.dump(key, handle)
    os.chmod(path, 0o600)


def seed_demo(region: str) -> dict[str, object]:
    """Create the demo bucket, backup, VPC, subnets, DB subnet group and security group; returns their ids."""
    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    s3.create_bucket(DEMO_BUCKET, region)
    sample_backups.put_into_backend(s3, DEMO_BUCKET, DEMO_PREFIX, "prepared")

    ec2 = ec2_backends[DEFAULT_ACCOUNT_ID][region]
    vpc = ec2.create_vpc(cidr_block="10.0.0.0/16")
    subnets = [
        ec2.create_subnet(vpc_id=vpc.id, cidr_block=f"10.0.{6 + i}.0/24", availability_zone=f"{region}{zone}")
        for i, zone in enumerate("abc")
    ]
    rds = rds_backends[DEFAULT_ACCOUNT_ID][region]
    rds.create_subnet_group(DEMO_SUBNET_GROUP, "aurorad demo database subnets", subnets, [])
    group = ec2.create_security_group(DEMO_SECURITY_GROUP, "aurorad demo database access", vpc_id=vpc.id)
    return {
        "Bucket": DEMO_BUCKET,
        "Prefix": DEMO_PREFIX,
        "VpcId": vpc.id,
        "SubnetIds": [s.id for s in subnets],
        "DBSubnetGroupName": DEMO_SUBNET_GROUP,
        "SecurityGroupId": group.id,
    }
