"""Enhanced Monitoring as RDS checks it, where moto takes any MonitoringRoleArn (or none) without a word.

- The AWS managed policy `AmazonRDSEnhancedMonitoringRole` (`arn:<partition>:iam::aws:policy/service-role/…`) exists
  and can be attached, as on AWS; the emulator loads no other AWS managed policy (moto's full set is slow to load and
  would let tests lean on policies aurorad never uses). Its document is moto's copy of AWS's (`aws_managed_policies`).
- CreateDBInstance and ModifyDBInstance with a `MonitoringInterval` above 0 need a `MonitoringRoleArn` (the request's,
  or for a modify the instance's): "InvalidParameterCombination: A MonitoringRoleARN value is required if you specify
  a MonitoringInterval value other than 0." (RDS API reference, CreateDBInstance `MonitoringRoleArn`: "If
  MonitoringInterval is set to a value other than 0, then you must supply a MonitoringRoleArn value"; the wording is
  RDS's answer quoted in hashicorp/terraform#5455).
- The role must exist, trust `monitoring.rds.amazonaws.com` and be allowed to write RDS's log groups (as the managed
  policy allows), and be older than `--iam-propagation-seconds`; otherwise "InvalidParameterValue: IAM role ARN value
  is invalid or does not include the required permissions for: ENHANCED_MONITORING" (RDS User Guide, "Setting up and
  enabling Enhanced Monitoring", the role's trust and policy; the wording is RDS's answer quoted in
  hashicorp/terraform#5455 and claranet/terraform-aws-aurora#23, the latter for a policy attached a moment too late).
- Not checked: the caller's `iam:PassRole` on the monitoring role (moto's backend call does not know the caller).
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.utils import utcnow
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends
from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue
from moto.rds.models import DBInstance, RDSBackend
from moto.utilities.utils import get_partition

import iam_policy_eval
import rds_s3_restore
import rds_settings

POLICY_NAME = "AmazonRDSEnhancedMonitoringRole"
SERVICE_PRINCIPAL = "monitoring.rds.amazonaws.com"
ROLE_REQUIRED = "A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0."
ROLE_UNUSABLE = "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING"
# What Enhanced Monitoring writes: its metrics go to the RDSOSMetrics log group (RDS User Guide, "Viewing OS metrics
# using CloudWatch Logs").
_LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

TIMINGS = {"propagation_seconds": 0.0}


def _with_monitoring_policy(original: Any, data: dict[str, Any]) -> Any:
    def init(self: IAMBackend) -> list[AWSManagedPolicy]:
        policies = original(self)
        if not any(policy.name == POLICY_NAME for policy in policies):
            policies.append(AWSManagedPolicy.from_data(POLICY_NAME, self.account_id, self.region_name, data))
        return policies

    return init


def _check_role(backend: RDSBackend, role_arn: str) -> None:
    partition = get_partition(backend.region_name)
    iam = iam_backends[backend.account_id][partition]
    try:
        role = iam.get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - moto raises its NotFoundException
        raise InvalidParameterValue(ROLE_UNUSABLE)
    if (utcnow() - role.create_date).total_seconds() < TIMINGS["propagation_seconds"]:
        raise InvalidParameterValue(ROLE_UNUSABLE)
    trust = iam_policy_eval.evaluate([role.assume_role_policy_document], "sts:AssumeRole",
                                     service_principal=SERVICE_PRINCIPAL)
    documents = rds_s3_restore.role_documents(backend.account_id, partition, role.name)
    log_group = f"arn:{partition}:logs:{backend.region_name}:{backend.account_id}:log-group:RDSOSMetrics"
    resources = {"logs:CreateLogGroup": log_group}
    writes = all(
        iam_policy_eval.evaluate(documents, action, resources.get(action, f"{log_group}:log-stream:db")) == "Allow"
        for action in _LOG_ACTIONS
    )
    if trust != "Allow" or not writes:
        raise InvalidParameterValue(ROLE_UNUSABLE)


def _check(backend: RDSBackend, kwargs: dict[str, Any], current: DBInstance | None) -> None:
    interval = rds_settings.given(kwargs, "MonitoringInterval", "monitoring_interval")
    role_arn = rds_settings.given(kwargs, "MonitoringRoleArn", "monitoring_role_arn")
    if current is not None:
        interval = current.__dict__.get("monitoring_interval") if interval is None else interval
        role_arn = role_arn or current.__dict__.get("monitoring_role_arn")
    if interval is None or int(interval) == 0:
        return
    if not role_arn:
        raise InvalidParameterCombination(ROLE_REQUIRED)
    _check_role(backend, str(role_arn))


def install(propagation_seconds: float) -> None:
    """Load the managed policy into every IAM backend and check monitoring roles. Call after `rds_settings.install()`
    and before the first IAM backend is created (before `bootstrap.create_users()`)."""
    TIMINGS["propagation_seconds"] = propagation_seconds
    data = json.loads(aws_managed_policies_data)[POLICY_NAME]
    IAMBackend._init_aws_policies = _with_monitoring_policy(IAMBackend._init_aws_policies, data)
    create_db_instance = RDSBackend.create_db_instance
    modify_db_instance = RDSBackend.modify_db_instance

    def create(self: RDSBackend, db_kwargs: dict) -> DBInstance:
        _check(self, db_kwargs, None)
        return create_db_instance(self, db_kwargs)

    def modify(self: RDSBackend, db_instance_identifier: str, db_kwargs) -> DBInstance:
        _check(self, db_kwargs, self.describe_db_instances(db_instance_identifier)[0])
        return modify_db_instance(self, db_instance_identifier, db_kwargs)

    RDSBackend.create_db_instance = create
    RDSBackend.modify_db_instance = modify
