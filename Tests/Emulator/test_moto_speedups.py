"""moto_speedups changes no answer: moto's own rendering of the same world, before and after install, is identical.

In-process (no emulator child): a small RDS and IAM world made through moto's backends, rendered with moto's own
serializer. The patched attributes are put back after each test, so the comparison's "before" is always moto's.
"""

from __future__ import annotations

import json
import re

import pytest
import xmltodict
from moto.core.serialize import XFormedAttributePicker, get_serializer_class
from moto.core.utils import get_service_model
from moto.iam.models import iam_backends
from moto.iam.responses import IamResponse
from moto.rds.models import DBCluster, rds_backends
from moto.rds.responses import RDSResponse

import moto_speedups

ACCOUNT = "111122223333"
REGION = "eu-west-1"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture
def restore_moto(monkeypatch):
    """Whatever install() replaces is put back at teardown (monkeypatch records the current value first)."""
    monkeypatch.setattr(XFormedAttributePicker, "get_possible_keys", XFormedAttributePicker.get_possible_keys)
    monkeypatch.setattr(xmltodict, "_validate_name", xmltodict._validate_name)
    monkeypatch.setattr(DBCluster, "_members", DBCluster._members)
    yield


@pytest.fixture(scope="module")
def world():
    """Three clusters (the last without instances), two instances in each of the others, a standalone instance, and
    a role per cluster with an inline policy."""
    rds = rds_backends[ACCOUNT][REGION]
    iam = iam_backends[ACCOUNT]["aws"]
    for index in range(3):
        name = f"speed-{index}"
        role = iam.create_role(f"{name}-s3-import", json.dumps(TRUST), "/", None, "d",
                               [{"Key": "Environment", "Value": "demo"}], None)
        iam.put_role_policy(role.name, "s3-import", json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b/{name}/*"}]}))
        cluster = rds.create_db_cluster({
            "db_cluster_identifier": name, "engine": "aurora-mysql", "engine_version": "5.7.mysql_aurora.2.11.2",
            "master_username": "root", "manage_master_user_password": True,
            "tags": [{"Key": "Environment", "Value": "demo"}]})
        _ = cluster.status  # moto reports `creating` exactly once
        rds.add_role_to_db_cluster(name, role.arn, "")
        for member in range(2 if index < 2 else 0):
            rds.create_db_instance({
                "db_instance_identifier": f"{name}-{member}", "db_cluster_identifier": name,
                "engine": "aurora-mysql", "db_instance_class": "db.r8g.large"})
    rds.create_db_instance({
        "db_instance_identifier": "speed-alone", "engine": "mysql", "db_instance_class": "db.t3.micro",
        "allocated_storage": 20, "master_username": "root", "master_user_password": "password123"})
    return rds, iam


def render(service: str, action: str, result: dict, response_class: type) -> str:
    """The body moto's server answers for `result`, the run-dependent LatestRestorableTime (now) left out."""
    model = get_service_model(service)
    picker = XFormedAttributePicker(
        response_transformers=getattr(response_class, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None))
    serializer = get_serializer_class(service, model.protocol)(
        operation_model=model.operation_model(action), pretty_print=False, value_picker=picker)
    body = serializer.serialize(result)["body"]
    return re.sub(r"<(LatestRestorableTime|RequestId)>[^<]*</\1>", "", body)


def responses(world) -> dict[str, str]:
    rds, iam = world
    details = iam.get_account_authorization_details(["Role", "User", "Group", "LocalManagedPolicy"])
    return {
        "DescribeDBClusters": render("rds", "DescribeDBClusters", {"DBClusters": rds.describe_db_clusters()},
                                     RDSResponse),
        "DescribeDBInstances": render(
            "rds", "DescribeDBInstances", {"DBInstances": list(rds.describe_db_instances())}, RDSResponse),
        "GetAccountAuthorizationDetails": render("iam", "GetAccountAuthorizationDetails", {
            "RoleDetailList": details["roles"], "UserDetailList": details["users"],
            "GroupDetailList": details["groups"], "Policies": details["managed_policies"], "IsTruncated": False,
        }, IamResponse),
    }


def test_responses_are_the_same_byte_for_byte(world, restore_moto):
    responses(world)  # moto moves some states on their first read (a master user secret `creating` → `active`)
    before = responses(world)
    assert "<DBClusterMembers><DBClusterMember>" in before["DescribeDBClusters"]
    moto_speedups.install()
    assert responses(world) == before
    remembered = len(moto_speedups._possible_keys), len(moto_speedups._valid_names)
    assert responses(world) == before  # and again, from the caches
    # Shapes are the same objects on every call, so a second rendering adds no entry.
    assert (len(moto_speedups._possible_keys), len(moto_speedups._valid_names)) == remembered
    assert remembered[0] > 0 and remembered[1] > 0


def test_cluster_members_are_moto_s_in_moto_s_order(world, restore_moto):
    rds, _ = world
    clusters = list(rds.clusters.values())
    before = {c.db_cluster_identifier: [i.db_instance_identifier for i in c._members] for c in clusters}
    assert before["speed-0"] == ["speed-0-0", "speed-0-1"] and before["speed-2"] == []
    moto_speedups.install()
    assert {c.db_cluster_identifier: [i.db_instance_identifier for i in c._members] for c in clusters} == before


def test_an_invalid_xml_name_is_refused_every_time(restore_moto):
    moto_speedups.install()
    assert xmltodict.unparse({"Valid": "x"}, full_document=False) == "<Valid>x</Valid>"
    for _ in range(2):
        with pytest.raises(ValueError, match="whitespace"):
            xmltodict.unparse({"in valid": "x"}, full_document=False)
    assert xmltodict.unparse({"Valid": "y"}, full_document=False) == "<Valid>y</Valid>"
