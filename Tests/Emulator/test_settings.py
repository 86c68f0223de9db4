"""The module's common inputs as RDS keeps them: sent at the restore and the create, read back by Describe*, changed
by ModifyDBCluster/ModifyDBInstance (aurorad repairs drift only when what it reads back equals what it sent)."""

from __future__ import annotations

import json
import urllib.request

from test_emulator import (
    cluster_status, make_bucket, make_monitoring_role, make_role, restore_args, s3_read_policy, unique, wait_for,
)



def restored_cluster(emulator, **extra):
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    role = make_role(emulator, policy=s3_read_policy(bucket))
    args = restore_args(bucket, role, **extra)
    rds.restore_db_cluster_from_s3(**args)
    cluster_id = args["DBClusterIdentifier"]
    wait_for(lambda: cluster_status(rds, cluster_id) == "available", "the cluster to be available")
    return rds, cluster_id


def test_restore_keeps_every_common_cluster_setting(emulator):
    settings = {
        "BackupRetentionPeriod": 14, "PreferredBackupWindow": "02:00-03:00",
        "PreferredMaintenanceWindow": "sun:05:00-sun:06:00", "EnableIAMDatabaseAuthentication": True,
        "CopyTagsToSnapshot": True, "StorageType": "aurora-iopt1", "NetworkType": "DUAL",
        "EngineLifecycleSupport": "open-source-rds-extended-support-disabled",
    }
    rds, cluster_id = restored_cluster(emulator, **settings)
    cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    assert cluster["BackupRetentionPeriod"] == 14
    assert cluster["PreferredBackupWindow"] == "02:00-03:00"
    assert cluster["PreferredMaintenanceWindow"] == "sun:05:00-sun:06:00"
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True
    assert cluster["CopyTagsToSnapshot"] is True
    assert cluster["StorageType"] == "aurora-iopt1"
    assert cluster["NetworkType"] == "DUAL"
    assert cluster["EngineLifecycleSupport"] == "open-source-rds-extended-support-disabled"
    with urllib.request.urlopen(emulator.endpoint + "/_emulator/restores", timeout=5) as reply:
        record = next(r for r in json.load(reply)["Restores"] if r["DBClusterIdentifier"] == cluster_id)
    assert {name: record[name] for name in settings} == settings


def test_modify_cluster_changes_the_common_settings(emulator):
    rds, cluster_id = restored_cluster(emulator)
    rds.modify_db_cluster(
        DBClusterIdentifier=cluster_id, ApplyImmediately=True, BackupRetentionPeriod=7,
        PreferredBackupWindow="03:00-03:30", PreferredMaintenanceWindow="mon:04:00-mon:04:30",
        EnableIAMDatabaseAuthentication=True, CopyTagsToSnapshot=True, StorageType="aurora-iopt1")
    cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    assert (cluster["BackupRetentionPeriod"], cluster["PreferredBackupWindow"]) == (7, "03:00-03:30")
    assert cluster["PreferredMaintenanceWindow"] == "mon:04:00-mon:04:30"
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True
    assert (cluster["CopyTagsToSnapshot"], cluster["StorageType"]) == (True, "aurora-iopt1")


def test_instance_settings_are_kept_and_modified(emulator):
    rds, cluster_id = restored_cluster(emulator)
    identifier = unique("inst")
    monitoring_role = make_monitoring_role(emulator)
    rds.create_db_instance(
        DBInstanceIdentifier=identifier, DBInstanceClass="db.r6g.large", Engine="aurora-mysql",
        DBClusterIdentifier=cluster_id, PubliclyAccessible=False, AvailabilityZone="eu-west-1b", PromotionTier=2,
        AutoMinorVersionUpgrade=False, MonitoringInterval=60, MonitoringRoleArn=monitoring_role,
        EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=465,
        CACertificateIdentifier="rds-ca-rsa2048-g1")
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    assert (instance["PubliclyAccessible"], instance["AvailabilityZone"], instance["PromotionTier"]) == (
        False, "eu-west-1b", 2)
    assert (instance["AutoMinorVersionUpgrade"], instance["MonitoringInterval"]) == (False, 60)
    assert instance["MonitoringRoleArn"] == monitoring_role
    assert (instance["PerformanceInsightsEnabled"], instance["PerformanceInsightsRetentionPeriod"]) == (True, 465)
    assert instance["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"
    wait_for(lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0][
        "DBInstanceStatus"] == "available", "the instance to be available")
    rds.modify_db_instance(
        DBInstanceIdentifier=identifier, ApplyImmediately=False, PubliclyAccessible=True, PromotionTier=0,
        MonitoringInterval=0, EnablePerformanceInsights=False, CACertificateIdentifier="rds-ca-ecc384-g1")
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    assert (instance["PubliclyAccessible"], instance["PromotionTier"], instance["MonitoringInterval"]) == (True, 0, 0)
    assert instance["PerformanceInsightsEnabled"] is False
    assert instance["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"
    assert instance["PendingModifiedValues"]["CACertificateIdentifier"] == "rds-ca-ecc384-g1"


def test_engine_versions_answer_like_rds(emulator):
    rds = emulator.client("rds")
    every = rds.describe_db_engine_versions(Engine="aurora-mysql")["DBEngineVersions"]
    versions = [v["EngineVersion"] for v in every]
    assert "5.7.mysql_aurora.2.11.2" in versions and "8.0.mysql_aurora.3.05.2" in versions
    assert all(v["Status"] == "available" and v["Engine"] == "aurora-mysql" for v in every)
    one = rds.describe_db_engine_versions(Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.05.2")
    assert [v["DBParameterGroupFamily"] for v in one["DBEngineVersions"]] == ["aurora-mysql8.0"]
    assert rds.describe_db_engine_versions(Engine="aurora-mysql", EngineVersion="5.7.12")["DBEngineVersions"] == []
    with urllib.request.urlopen(emulator.endpoint + "/_emulator/engine-version-calls", timeout=5) as reply:
        calls = json.load(reply)["Calls"]
    assert {"Engine": "aurora-mysql", "EngineVersion": "5.7.12"} in calls


def test_restore_refuses_an_engine_version_rds_does_not_have(emulator):
    rds = emulator.client("rds")
    bucket = make_bucket(emulator)
    role = make_role(emulator, policy=s3_read_policy(bucket))
    args = restore_args(bucket, role, EngineVersion="5.7.12")
    try:
        rds.restore_db_cluster_from_s3(**args)
        raise AssertionError("the restore must be refused")
    except rds.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidParameterCombination"
        assert "Cannot find version 5.7.12 for aurora-mysql" in error.response["Error"]["Message"]


def test_a_restore_from_s3_reports_the_binlog_position_of_the_backup(emulator):
    rds, cluster_id = restored_cluster(emulator)
    events = rds.describe_events(SourceIdentifier=cluster_id, SourceType="db-cluster", Duration=60)["Events"]
    messages = [e["Message"] for e in events]
    assert "Recovered from Binary log filename 'mysql-bin.000003', position '154'." in messages
