"""Enhanced Monitoring as RDS checks it: the AWS managed policy exists, and an instance sampling without a usable
monitoring role is refused with RDS's own errors (see rds_monitoring.py)."""

from __future__ import annotations

import json

import pytest

from test_emulator import MONITORING_POLICY_ARN, MONITORING_TRUST, make_monitoring_role, unique
from test_settings import restored_cluster

def create_instance(rds, cluster_id: str, **monitoring):
    return rds.create_db_instance(
        DBInstanceIdentifier=unique("inst"), DBInstanceClass="db.r6g.large", Engine="aurora-mysql",
        DBClusterIdentifier=cluster_id, **monitoring)["DBInstance"]


def refusal(call) -> tuple[str, str]:
    with pytest.raises(Exception) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_the_managed_policy_exists_and_attaches_and_detaches(emulator):
    iam = emulator.client("iam")
    policy = iam.get_policy(PolicyArn=MONITORING_POLICY_ARN)["Policy"]
    assert (policy["PolicyName"], policy["Path"]) == ("AmazonRDSEnhancedMonitoringRole", "/service-role/")
    version_id = policy["DefaultVersionId"]
    version = iam.get_policy_version(PolicyArn=MONITORING_POLICY_ARN, VersionId=version_id)["PolicyVersion"]
    assert "logs:PutLogEvents" in json.dumps(version["Document"])
    arn = make_monitoring_role(emulator)
    name = arn.rsplit("/", 1)[-1]
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [MONITORING_POLICY_ARN]
    iam.detach_role_policy(RoleName=name, PolicyArn=MONITORING_POLICY_ARN)
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
    iam.delete_role(RoleName=name)


def test_an_interval_without_a_role_is_refused_as_rds_does(emulator):
    rds, cluster_id = restored_cluster(emulator)
    code, message = refusal(lambda: create_instance(rds, cluster_id, MonitoringInterval=60))
    assert code == "InvalidParameterCombination"
    assert message == "A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0."


@pytest.mark.parametrize("problem", ["missing", "wrong trust", "no policy"])
def test_an_unusable_role_is_refused_for_enhanced_monitoring(emulator, problem):
    rds, cluster_id = restored_cluster(emulator)
    if problem == "missing":
        role = "arn:aws:iam::123456789012:role/no-such-role"
    elif problem == "wrong trust":
        trust = json.loads(json.dumps(MONITORING_TRUST).replace("monitoring.rds", "rds"))
        role = make_monitoring_role(emulator, trust=trust)
    else:
        role = make_monitoring_role(emulator, attach=False)
    code, message = refusal(lambda: create_instance(rds, cluster_id, MonitoringInterval=30, MonitoringRoleArn=role))
    assert code == "InvalidParameterValue"
    assert message == (
        "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING")


def test_a_usable_role_is_taken_and_a_modify_keeps_needing_one(emulator):
    rds, cluster_id = restored_cluster(emulator)
    role = make_monitoring_role(emulator)
    instance = create_instance(rds, cluster_id, MonitoringInterval=15, MonitoringRoleArn=role)
    identifier = instance["DBInstanceIdentifier"]
    described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    assert (described["MonitoringInterval"], described["MonitoringRoleArn"]) == (15, role)
    # The instance's own role still counts when a modify changes only the interval.
    rds.modify_db_instance(DBInstanceIdentifier=identifier, MonitoringInterval=5, ApplyImmediately=True)
    unmonitored = create_instance(rds, cluster_id)["DBInstanceIdentifier"]
    code, _ = refusal(lambda: rds.modify_db_instance(
        DBInstanceIdentifier=unmonitored, MonitoringInterval=5, ApplyImmediately=True))
    assert code == "InvalidParameterCombination"
    rds.modify_db_instance(DBInstanceIdentifier=unmonitored, MonitoringInterval=0, ApplyImmediately=True)


def test_a_role_younger_than_the_propagation_delay_is_not_usable_yet(slow_iam_emulator):
    rds = slow_iam_emulator.client("rds")
    role = make_monitoring_role(slow_iam_emulator)
    # The role is checked before anything else, so a standalone instance shows it without waiting for a restore.
    code, message = refusal(lambda: rds.create_db_instance(
        DBInstanceIdentifier=unique("inst"), DBInstanceClass="db.r6g.large", Engine="mysql", MonitoringInterval=60,
        MonitoringRoleArn=role))
    assert (code, message.endswith("ENHANCED_MONITORING")) == ("InvalidParameterValue", True)
