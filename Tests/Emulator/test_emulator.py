"""The emulator behaves like AWS where aurorad depends on it: auth, RestoreDBClusterFromS3, timing, associations."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import sample_backups
from conftest import REGION

RDS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
PROPAGATION_TEXT = "S3_SNAPSHOT_INGESTION"
DOWNLOAD_TEXT = "Files from the specified Amazon S3 bucket cannot be downloaded"
WAIT_SECONDS = 15.0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def s3_read_policy(bucket: str) -> dict:
    """The seed's ingestion policy: list and locate the bucket, read its objects."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": f"arn:aws:s3:::{bucket}",
            },
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{bucket}/*"},
        ],
    }


def make_role(emulator, trust=RDS_TRUST, policy: dict | None = None) -> str:
    iam = emulator.client("iam")
    name = unique("ingest")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if policy is not None:
        iam.put_role_policy(RoleName=name, PolicyName="s3-read", PolicyDocument=json.dumps(policy))
    return arn


MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
MONITORING_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def make_monitoring_role(emulator, trust=MONITORING_TRUST, attach: bool = True) -> str:
    """A role as the module creates it: trusted by Enhanced Monitoring, the AWS managed policy attached."""
    iam = emulator.client("iam")
    name = unique("monitor")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if attach:
        iam.attach_role_policy(RoleName=name, PolicyArn=MONITORING_POLICY_ARN)
    return arn


def make_bucket(emulator, variant: str | None = "prepared", prefix: str = "backup/") -> str:
    s3 = emulator.client("s3")
    bucket = unique("backups")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    if variant:
        sample_backups.upload(s3, bucket, prefix, variant)
    return bucket


def restore_args(bucket: str, role_arn: str, **overrides) -> dict:
    args = {
        "DBClusterIdentifier": unique("import"),
        "Engine": "aurora-mysql",
        "EngineVersion": "5.7.mysql_aurora.2.12.3",
        "MasterUsername": "root",
        "ManageMasterUserPassword": True,
        "SourceEngine": "mysql",
        "SourceEngineVersion": "5.7.12",
        "S3BucketName": bucket,
        "S3Prefix": "backup/",
        "S3IngestionRoleArn": role_arn,
        "Tags": [{"Key": "managed-by", "Value": "aurorad"}],
    }
    args.update(overrides)
    return {k: v for k, v in args.items() if v is not None}


def wait_for(predicate, what: str, timeout: float = WAIT_SECONDS):
    """Poll every 0.2 s until predicate() is truthy; bounded in time and count."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.2) + 1):
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def cluster_status(rds, cluster_id: str) -> str:
    return rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]["Status"]


def error_of(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response


# --- signature and IAM permission enforcement -------------------------------------------------------------------

def test_wrong_secret_is_signature_does_not_match(emulator):
    forged = {"AccessKeyId": emulator.admin["AccessKeyId"], "SecretAccessKey": "not-the-secret"}
    response = error_of(emulator.client("rds", forged).describe_db_clusters)
    assert response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_unknown_access_key_is_invalid_client_token(emulator):
    stranger = {"AccessKeyId": "AKIAUNKNOWNEXAMPLE00", "SecretAccessKey": "x"}
    response = error_of(emulator.client("iam", stranger).list_roles)
    assert response["Error"]["Code"] == "InvalidClientTokenId"


def test_limited_user_is_denied_rds_and_s3_but_reads_iam(emulator):
    rds = emulator.client("rds", emulator.limited)
    assert error_of(rds.describe_db_clusters)["Error"]["Code"] == "AccessDenied"
    s3 = emulator.client("s3", emulator.limited)
    assert error_of(s3.list_objects_v2, Bucket="aurorad-demo-backups")["Error"]["Code"] == "AccessDenied"
    assert emulator.client("iam", emulator.limited).list_roles()["Roles"] is not None


def test_restore_requires_pass_role_on_the_ingestion_role(emulator):
    iam = emulator.client("iam")
    user = unique("no-passrole")
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user, PolicyName="rds-only",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "rds:*", "Resource": "*"}]}),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    rds = emulator.client("rds", {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]})
    bucket = make_bucket(emulator)
    role = make_role(emulator, policy=s3_read_policy(bucket))
    response = error_of(rds.restore_db_cluster_from_s3, **restore_args(bucket, role))
    assert response["Error"]["Code"] == "AccessDenied"
    assert "iam:PassRole" in response["Error"]["Message"]


def test_moto_control_api_is_closed(emulator):
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(urllib.request.Request(emulator.endpoint + "/moto-api/reset", method="POST"), timeout=5)
    assert raised.value.code == 404


# --- RestoreDBClusterFromS3 ---------------------------------------------------------------------------------------

def test_restore_happy_path_goes_creating_then_available(emulator):
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    role = make_role(emulator, policy=s3_read_policy(bucket))
    args = restore_args(
        bucket, role, DBSubnetGroupName="aurorad-demo-subnets", EnableCloudwatchLogsExports=["audit", "error"],
        DeletionProtection=False,
    )
    cluster = rds.restore_db_cluster_from_s3(**args)["DBCluster"]
    assert cluster["Status"] == "creating"
    assert cluster["DBClusterIdentifier"] == args["DBClusterIdentifier"]
    assert cluster["Engine"] == "aurora-mysql"
    assert cluster["EngineVersion"] == "5.7.mysql_aurora.2.12.3"
    assert cluster["MasterUsername"] == "root"
    assert cluster["DBSubnetGroup"] == "aurorad-demo-subnets"
    assert cluster["EnabledCloudwatchLogsExports"] == ["audit", "error"]
    assert "MasterUserSecret" in cluster
    assert cluster_status(rds, args["DBClusterIdentifier"]) == "creating"
    wait_for(lambda: cluster_status(rds, args["DBClusterIdentifier"]) == "available", "the cluster to be available")
    tags = rds.list_tags_for_resource(ResourceName=cluster["DBClusterArn"])["TagList"]
    assert {"Key": "managed-by", "Value": "aurorad"} in tags
    with urllib.request.urlopen(emulator.endpoint + "/_emulator/restores", timeout=5) as reply:
        restores = json.load(reply)["Restores"]
    record = next(r for r in restores if r["DBClusterIdentifier"] == args["DBClusterIdentifier"])
    assert (record["S3BucketName"], record["S3Prefix"], record["S3IngestionRoleArn"]) == (bucket, "backup/", role)
    assert "MasterUserPassword" not in record


def test_restore_accepts_an_attached_managed_policy_and_a_password(emulator):
    iam = emulator.client("iam")
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    role = make_role(emulator)
    policy = iam.create_policy(PolicyName=unique("read"), PolicyDocument=json.dumps(s3_read_policy(bucket)))
    iam.attach_role_policy(RoleName=role.split("/")[-1], PolicyArn=policy["Policy"]["Arn"])
    args = restore_args(bucket, role, ManageMasterUserPassword=None, MasterUserPassword="correct-horse-battery")
    assert rds.restore_db_cluster_from_s3(**args)["DBCluster"]["Status"] == "creating"


@pytest.mark.parametrize(
    "case, code, text",
    [
        ("missing role", "InvalidParameterValue", PROPAGATION_TEXT),
        ("untrusted role", "InvalidParameterValue", PROPAGATION_TEXT),
        ("role without s3 permissions", "InvalidParameterValue", DOWNLOAD_TEXT),
        ("role with an explicit deny", "InvalidParameterValue", DOWNLOAD_TEXT),
        ("missing bucket", "InvalidS3BucketFault", "can't be found"),
        ("both password options", "InvalidParameterCombination", "MasterUserPassword"),
        ("no password option", "InvalidParameterValue", "MasterUserPassword"),
        ("wrong engine", "InvalidParameterValue", "aurora-mysql"),
        ("wrong source engine", "InvalidParameterValue", "mysql"),
        ("source version not 5.7 or 8.0", "InvalidParameterValue", "5.7 or 8.0"),
        ("major version mismatch", "InvalidParameterCombination", "major versions"),
        ("missing subnet group", "DBSubnetGroupNotFoundFault", "does not exist"),
        ("bad identifier", "InvalidParameterValue", "DBClusterIdentifier"),
    ],
)
def test_restore_validation(emulator, case, code, text):
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    good = s3_read_policy(bucket)
    role = make_role(emulator, policy=good)
    args = restore_args(bucket, role)
    if case == "missing role":
        args["S3IngestionRoleArn"] = "arn:aws:iam::123456789012:role/does-not-exist"
    elif case == "untrusted role":
        ec2_trust = json.loads(json.dumps(RDS_TRUST).replace("rds.amazonaws.com", "ec2.amazonaws.com"))
        args["S3IngestionRoleArn"] = make_role(emulator, trust=ec2_trust, policy=good)
    elif case == "role without s3 permissions":
        args["S3IngestionRoleArn"] = make_role(emulator)
    elif case == "role with an explicit deny":
        denied = dict(good, Statement=good["Statement"] + [
            {"Effect": "Deny", "Action": "s3:Get*", "Resource": f"arn:aws:s3:::{bucket}/backup/*"}])
        args["S3IngestionRoleArn"] = make_role(emulator, policy=denied)
    elif case == "missing bucket":
        args["S3BucketName"] = unique("no-such-bucket")
    elif case == "both password options":
        args["MasterUserPassword"] = "correct-horse-battery"
    elif case == "no password option":
        del args["ManageMasterUserPassword"]
    elif case == "wrong engine":
        args["Engine"] = "aurora-postgresql"
    elif case == "wrong source engine":
        args["SourceEngine"] = "postgres"
    elif case == "source version not 5.7 or 8.0":
        args["SourceEngineVersion"] = "5.6.40"
    elif case == "major version mismatch":
        args["EngineVersion"] = "8.0.mysql_aurora.3.05.2"
    elif case == "missing subnet group":
        args["DBSubnetGroupName"] = "no-such-group"
    elif case == "bad identifier":
        args["DBClusterIdentifier"] = "bad--identifier"
    response = error_of(rds.restore_db_cluster_from_s3, **args)
    assert response["Error"]["Code"] == code
    assert response["Error"]["Type"] == "Sender"
    assert text in response["Error"]["Message"]
    expected_status = 404 if code == "DBSubnetGroupNotFoundFault" else 400
    assert response["ResponseMetadata"]["HTTPStatusCode"] == expected_status
    assert error_of(rds.describe_db_clusters, DBClusterIdentifier=args["DBClusterIdentifier"])["Error"]["Code"] == (
        "DBClusterNotFoundFault"
    )


def test_duplicate_identifier_is_already_exists(emulator):
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    args = restore_args(bucket, make_role(emulator, policy=s3_read_policy(bucket)))
    rds.restore_db_cluster_from_s3(**args)
    assert error_of(rds.restore_db_cluster_from_s3, **args)["Error"]["Code"] == "DBClusterAlreadyExistsFault"


def test_missing_required_parameter_is_missing_parameter(emulator):
    rds = emulator.client("rds", parameter_validation=False)
    bucket = make_bucket(emulator)
    args = restore_args(bucket, make_role(emulator, policy=s3_read_policy(bucket)))
    del args["S3IngestionRoleArn"]
    response = error_of(rds.restore_db_cluster_from_s3, **args)
    assert response["Error"]["Code"] == "MissingParameter"
    assert "S3IngestionRoleArn" in response["Error"]["Message"]


def test_error_body_is_the_rds_query_error_document(emulator):
    body = urllib.parse.urlencode({"Action": "RestoreDBClusterFromS3", "Version": "2014-10-31",
                                   "DBClusterIdentifier": "x", "Engine": "aurora-mysql"})
    request = AWSRequest(method="POST", url=emulator.endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    credentials = Credentials(emulator.admin["AccessKeyId"], emulator.admin["SecretAccessKey"])
    SigV4Auth(credentials, "rds", REGION).add_auth(request)
    prepared = urllib.request.Request(request.url, data=body.encode(), headers=dict(request.headers), method="POST")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(prepared, timeout=5)
    text = raised.value.read().decode()
    assert raised.value.code == 400
    assert '<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">' in text
    assert "<Type>Sender</Type>" in text and "<Code>MissingParameter</Code>" in text and "<RequestId>" in text


@pytest.mark.parametrize(
    "variant, final, text",
    [
        ("prepared", "available", None),
        ("unprepared", "available", None),
        ("incremental", "available", None),
        ("streamed", "available", None),
        ("split-streamed", "available", None),
        ("broken-chain", "migration-failed", "starts at LSN 3000000"),
        ("partial", "migration-failed", "partial backups"),
        ("encrypted", "migration-failed", "encrypted backups"),
        ("xbcrypt", "migration-failed", ".xbcrypt"),
        ("version-mismatch", "migration-failed", "MySQL 8.0.36"),
        ("page-size", "migration-failed", "innodb_page_size"),
        ("data-file-path", "migration-failed", "innodb_data_file_path"),
        ("log-files", "migration-failed", "innodb_log_files_in_group"),
        (None, "migration-failed", "no backup files"),
    ],
)
def test_backup_problems_surface_as_migration_failed_with_an_event(emulator, variant, final, text):
    rds = emulator.client("rds")
    bucket = make_bucket(emulator, variant=variant)
    args = restore_args(bucket, make_role(emulator, policy=s3_read_policy(bucket)))
    assert rds.restore_db_cluster_from_s3(**args)["DBCluster"]["Status"] == "creating"
    wait_for(lambda: cluster_status(rds, args["DBClusterIdentifier"]) != "creating", "the restore to finish")
    assert cluster_status(rds, args["DBClusterIdentifier"]) == final
    events = rds.describe_events(SourceIdentifier=args["DBClusterIdentifier"], SourceType="db-cluster")["Events"]
    failures = [e for e in events if "failure" in e["EventCategories"]]
    if final == "migration-failed":
        assert len(failures) == 1 and "s3://" in failures[0]["Message"] and text in failures[0]["Message"]
    else:
        assert failures == []


def kms_decrypt_policy(bucket: str, key_arn: str) -> dict:
    """The seed's ingestion policy plus kms:Decrypt on the backup's key."""
    policy = s3_read_policy(bucket)
    policy["Statement"].append({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn})
    return policy


@pytest.mark.parametrize("grant, final", [(True, "available"), (False, "migration-failed")])
def test_sse_kms_backup_needs_kms_decrypt_for_the_ingestion_role(emulator, grant, final):
    s3, rds = emulator.client("s3"), emulator.client("rds")
    key_arn = emulator.client("kms").create_key()["KeyMetadata"]["Arn"]
    bucket = make_bucket(emulator, variant=None)
    sample_backups.upload(s3, bucket, "backup/", "unprepared", kms_key_id=key_arn)
    head = s3.head_object(Bucket=bucket, Key="backup/ibdata1")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key_arn
    policy = kms_decrypt_policy(bucket, key_arn) if grant else s3_read_policy(bucket)
    args = restore_args(bucket, make_role(emulator, policy=policy))
    rds.restore_db_cluster_from_s3(**args)
    wait_for(lambda: cluster_status(rds, args["DBClusterIdentifier"]) != "creating", "the restore to finish")
    assert cluster_status(rds, args["DBClusterIdentifier"]) == final
    events = rds.describe_events(SourceIdentifier=args["DBClusterIdentifier"], SourceType="db-cluster")["Events"]
    failures = [e["Message"] for e in events if "failure" in e["EventCategories"]]
    if grant:
        assert failures == []
    else:
        assert len(failures) == 1 and "kms:Decrypt" in failures[0] and key_arn in failures[0]


# --- role associations and instances ------------------------------------------------------------------------------

def restored_cluster(emulator, wait: bool = True) -> tuple[str, str]:
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    role = make_role(emulator, policy=s3_read_policy(bucket))
    args = restore_args(bucket, role)
    rds.restore_db_cluster_from_s3(**args)
    if wait:
        wait_for(lambda: cluster_status(rds, args["DBClusterIdentifier"]) == "available", "the cluster")
    return args["DBClusterIdentifier"], role


def test_add_role_rejected_while_creating_and_with_feature_name(emulator):
    rds = emulator.client("rds")
    cluster_id, role = restored_cluster(emulator, wait=False)
    response = error_of(rds.add_role_to_db_cluster, DBClusterIdentifier=cluster_id, RoleArn=role)
    assert response["Error"]["Code"] == "InvalidDBClusterStateFault"
    wait_for(lambda: cluster_status(rds, cluster_id) == "available", "the cluster")
    response = error_of(
        rds.add_role_to_db_cluster, DBClusterIdentifier=cluster_id, RoleArn=role, FeatureName="s3Import"
    )
    assert response["Error"]["Code"] == "InvalidParameterValue"
    assert response["Error"]["Message"] == "The feature name s3Import is not valid for the engine Aurora MySQL."


def test_association_goes_pending_then_active_and_can_be_removed(emulator):
    rds = emulator.client("rds")
    cluster_id, role = restored_cluster(emulator)
    rds.add_role_to_db_cluster(DBClusterIdentifier=cluster_id, RoleArn=role)

    def roles():
        return rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]["AssociatedRoles"]

    assert roles() == [{"RoleArn": role, "Status": "PENDING"}]
    wait_for(lambda: roles() == [{"RoleArn": role, "Status": "ACTIVE"}], "the association to be ACTIVE")
    duplicate = error_of(rds.add_role_to_db_cluster, DBClusterIdentifier=cluster_id, RoleArn=role)
    assert duplicate["Error"]["Code"] == "DBClusterRoleAlreadyExists"
    rds.remove_role_from_db_cluster(DBClusterIdentifier=cluster_id, RoleArn=role)
    assert roles() == []
    missing = error_of(rds.remove_role_from_db_cluster, DBClusterIdentifier=cluster_id, RoleArn=role)
    assert (missing["Error"]["Code"], missing["ResponseMetadata"]["HTTPStatusCode"]) == ("DBClusterRoleNotFound", 404)


def test_instances_wait_for_the_cluster_and_then_go_creating_to_available(emulator):
    rds = emulator.client("rds")
    cluster_id, _ = restored_cluster(emulator, wait=False)
    instance = {"DBInstanceIdentifier": cluster_id + "-1", "DBInstanceClass": "db.r6g.large",
                "Engine": "aurora-mysql", "DBClusterIdentifier": cluster_id}
    assert error_of(rds.create_db_instance, **instance)["Error"]["Code"] == "InvalidDBClusterStateFault"
    wait_for(lambda: cluster_status(rds, cluster_id) == "available", "the cluster")
    assert rds.create_db_instance(**instance)["DBInstance"]["DBInstanceStatus"] == "creating"

    def status():
        return rds.describe_db_instances(DBInstanceIdentifier=instance["DBInstanceIdentifier"])["DBInstances"][0][
            "DBInstanceStatus"]

    wait_for(lambda: status() == "available", "the instance to be available")
    missing = dict(instance, DBInstanceIdentifier=unique("orphan"), DBClusterIdentifier="no-such-cluster")
    assert error_of(rds.create_db_instance, **missing)["Error"]["Code"] == "DBClusterNotFoundFault"


def test_instance_class_change_waits_for_the_window_unless_applied_immediately(emulator):
    rds = emulator.client("rds")
    cluster_id, _ = restored_cluster(emulator, wait=True)
    identifier = cluster_id + "-1"
    rds.create_db_instance(DBInstanceIdentifier=identifier, DBInstanceClass="db.r6g.large", Engine="aurora-mysql",
                           DBClusterIdentifier=cluster_id)

    def instance():
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]

    wait_for(lambda: instance()["DBInstanceStatus"] == "available", "the instance to be available")
    # ApplyImmediately defaults to false: the change waits for the maintenance window, shown as pending.
    rds.modify_db_instance(DBInstanceIdentifier=identifier, DBInstanceClass="db.r6g.xlarge")
    pending = instance()
    assert pending["DBInstanceClass"] == "db.r6g.large"
    assert pending["DBInstanceStatus"] == "available"
    assert pending["PendingModifiedValues"] == {"DBInstanceClass": "db.r6g.xlarge"}
    # Applied immediately: modifying, then available with the new class and nothing pending.
    rds.modify_db_instance(DBInstanceIdentifier=identifier, DBInstanceClass="db.r6g.xlarge", ApplyImmediately=True)
    assert instance()["DBInstanceStatus"] == "modifying"
    again = {"DBInstanceIdentifier": identifier, "DBInstanceClass": "db.r6g.2xlarge", "ApplyImmediately": True}
    assert error_of(rds.modify_db_instance, **again)["Error"]["Code"] == "InvalidDBInstanceState"
    wait_for(lambda: instance()["DBInstanceStatus"] == "available", "the modification to finish")
    done = instance()
    assert done["DBInstanceClass"] == "db.r6g.xlarge"
    assert not done.get("PendingModifiedValues")


def test_demo_world_is_seeded(emulator):
    rds = emulator.client("rds")
    group = rds.describe_db_subnet_groups(DBSubnetGroupName="aurorad-demo-subnets")["DBSubnetGroups"][0]
    assert len(group["Subnets"]) == 3
    keys = emulator.client("s3").list_objects_v2(Bucket="aurorad-demo-backups", Prefix="backup/")["Contents"]
    assert "backup/xtrabackup_checkpoints" in [k["Key"] for k in keys]
    groups = emulator.client("ec2").describe_security_groups(Filters=[{"Name": "group-name",
                                                                       "Values": ["aurorad-demo-db"]}])
    assert len(groups["SecurityGroups"]) == 1


# --- IAM propagation delay --------------------------------------------------------------------------------------

def test_new_role_is_not_assumable_until_propagated(slow_iam_emulator):
    rds = slow_iam_emulator.client("rds")
    bucket = "aurorad-demo-backups"
    role = make_role(slow_iam_emulator, policy=s3_read_policy(bucket))
    args = restore_args(bucket, role)
    response = error_of(rds.restore_db_cluster_from_s3, **args)
    assert response["Error"]["Code"] == "InvalidParameterValue"
    assert response["Error"]["Message"] == (
        "IAM role ARN value is invalid or does not include the required permissions for: S3_SNAPSHOT_INGESTION"
    )

    def attempt():
        try:
            return rds.restore_db_cluster_from_s3(**args)["DBCluster"]
        except ClientError as error:
            assert PROPAGATION_TEXT in error.response["Error"]["Message"]
            return None

    assert wait_for(attempt, "the role to propagate")["Status"] == "creating"


def test_delete_instance_then_cluster_with_a_final_snapshot(emulator):
    rds = emulator.client("rds")
    cluster_id, _ = restored_cluster(emulator)
    instance_id = cluster_id + "-1"
    rds.create_db_instance(DBInstanceIdentifier=instance_id, DBInstanceClass="db.r6g.large", Engine="aurora-mysql",
                           DBClusterIdentifier=cluster_id)
    busy = error_of(rds.delete_db_cluster, DBClusterIdentifier=cluster_id, SkipFinalSnapshot=True)
    assert busy["Error"]["Code"] == "InvalidDBClusterStateFault"
    rds.delete_db_instance(DBInstanceIdentifier=instance_id, SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier=cluster_id, FinalDBSnapshotIdentifier=cluster_id + "-final")
    assert error_of(rds.describe_db_clusters, DBClusterIdentifier=cluster_id)["Error"]["Code"] == "DBClusterNotFoundFault"
    snapshots = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=cluster_id + "-final")
    assert len(snapshots["DBClusterSnapshots"]) == 1


def test_deleted_cluster_can_be_restored_again_under_its_identifier(emulator):
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    role = make_role(emulator, policy=s3_read_policy(bucket))
    args = restore_args(bucket, role)
    cluster_id = args["DBClusterIdentifier"]
    rds.restore_db_cluster_from_s3(**args)
    wait_for(lambda: cluster_status(rds, cluster_id) == "available", "the cluster")
    rds.delete_db_cluster(DBClusterIdentifier=cluster_id, SkipFinalSnapshot=True)
    automated = rds.describe_db_cluster_snapshots(DBClusterIdentifier=cluster_id, SnapshotType="automated")
    assert automated["DBClusterSnapshots"] == []
    # Within the same minute, so the automated snapshot's name would collide if it had been kept.
    assert rds.restore_db_cluster_from_s3(**args)["DBCluster"]["Status"] == "creating"


# --- EC2 security groups (ec2_security_groups.py) ----------------------------------------------------------------

def test_security_group_rules_keep_every_description_and_authorize_answers_every_rule(emulator):
    ec2 = emulator.client("ec2")
    demo = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["aurorad-demo-db"]}])
    demo_id = demo["SecurityGroups"][0]["GroupId"]
    group_id = ec2.create_security_group(GroupName=unique("sg"), Description="d",
                                         VpcId=demo["SecurityGroups"][0]["VpcId"])["GroupId"]
    port = {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306}
    created = ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {**port, "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "cidr"}]},
        {**port, "UserIdGroupPairs": [{"GroupId": demo_id, "Description": "group"}]},
        {**port, "PrefixListIds": [{"PrefixListId": "pl-0123456789abcdef0", "Description": "prefix list"}]},
    ])["SecurityGroupRules"]
    assert len(created) == 3
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    descriptions = {r.get("Description") for r in rules["SecurityGroupRules"] if not r["IsEgress"]}
    assert descriptions == {"cidr", "group", "prefix list"}
    ec2.delete_security_group(GroupId=group_id)


def test_a_referenced_security_group_is_a_dependency_violation(emulator):
    ec2 = emulator.client("ec2")
    vpc_id = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["aurorad-demo-db"]}])["SecurityGroups"][0]["VpcId"]
    referenced = ec2.create_security_group(GroupName=unique("sg"), Description="d", VpcId=vpc_id)["GroupId"]
    referencing = ec2.create_security_group(GroupName=unique("sg"), Description="d", VpcId=vpc_id)["GroupId"]
    rule = ec2.authorize_security_group_ingress(GroupId=referencing, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": referenced}]},
    ])["SecurityGroupRules"][0]
    error = error_of(ec2.delete_security_group, GroupId=referenced)["Error"]
    assert error == {"Code": "DependencyViolation", "Message": f"resource {referenced} has a dependent object"}
    ec2.revoke_security_group_ingress(GroupId=referencing, SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
    ec2.delete_security_group(GroupId=referenced)
    ec2.delete_security_group(GroupId=referencing)


def test_cluster_reports_its_security_groups_from_the_restore_and_modify(emulator):
    """DescribeDBClusters `VpcSecurityGroups` lists what RestoreDBClusterFromS3 and ModifyDBCluster
    `VpcSecurityGroupIds` set (the whole list each time, RDS API reference of ModifyDBCluster)."""
    ec2, rds = emulator.client("ec2"), emulator.client("rds")
    vpc_id = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["aurorad-demo-db"]}])["SecurityGroups"][0]["VpcId"]
    first, second = (ec2.create_security_group(GroupName=unique("sg"), Description="d", VpcId=vpc_id)["GroupId"]
                     for _ in range(2))
    bucket = make_bucket(emulator)
    args = restore_args(bucket, make_role(emulator, policy=s3_read_policy(bucket)), VpcSecurityGroupIds=[first])
    rds.restore_db_cluster_from_s3(**args)
    cluster_id = args["DBClusterIdentifier"]

    def groups() -> set[str]:
        cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
        return {g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]}

    assert groups() == {first}
    wait_for(lambda: cluster_status(rds, cluster_id) == "available", "the cluster")
    rds.modify_db_cluster(DBClusterIdentifier=cluster_id, VpcSecurityGroupIds=[first, second], ApplyImmediately=True)
    assert groups() == {first, second}


def test_a_group_used_by_a_cluster_is_a_dependency_violation_until_its_interfaces_go(emulator):
    ec2, rds = emulator.client("ec2"), emulator.client("rds")
    vpc_id = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["aurorad-demo-db"]}])["SecurityGroups"][0]["VpcId"]
    group_id = ec2.create_security_group(GroupName=unique("sg"), Description="d", VpcId=vpc_id)["GroupId"]
    bucket = make_bucket(emulator)
    args = restore_args(bucket, make_role(emulator, policy=s3_read_policy(bucket)), VpcSecurityGroupIds=[group_id])
    rds.restore_db_cluster_from_s3(**args)
    in_use = error_of(ec2.delete_security_group, GroupId=group_id)["Error"]
    assert in_use == {"Code": "DependencyViolation", "Message": f"resource {group_id} has a dependent object"}
    wait_for(lambda: cluster_status(rds, args["DBClusterIdentifier"]) == "available", "the cluster")
    rds.delete_db_cluster(DBClusterIdentifier=args["DBClusterIdentifier"], SkipFinalSnapshot=True)
    # The deleted cluster's network interfaces linger (2 s by default), then the group can go.
    assert error_of(ec2.delete_security_group, GroupId=group_id)["Error"]["Code"] == "DependencyViolation"

    def deleted() -> bool:
        try:
            ec2.delete_security_group(GroupId=group_id)
            return True
        except ClientError as error:
            assert error.response["Error"]["Code"] == "DependencyViolation"
            return False

    wait_for(deleted, "the group to be deletable", timeout=10)
