"""Security group behaviour of real EC2 that moto 5.2.1 gets wrong, patched into moto's own EC2 models and responses.

- AuthorizeSecurityGroupIngress/Egress with several IpPermissions answers only the last permission's rules in
  `securityGroupRuleSet` (moto overwrites the list in its loop); EC2 answers every rule it created.
- A rule's description is kept only for CIDR rules: rules on a referenced security group or a prefix list lose it
  in DescribeSecurityGroupRules, so a reconciler comparing descriptions would see drift forever.
- DeleteSecurityGroup never answers DependencyViolation. EC2 refuses to delete a group that another group's rule
  references ("resource sg-… has a dependent object"); it also refuses while network interfaces use the group. The
  emulator's RDS creates no network interfaces, so a group counts as used by the interfaces of every cluster whose
  `VpcSecurityGroups` list it, and for `INTERFACE_LINGER_SECONDS` after that cluster is deleted: RDS releases a
  deleted cluster's interfaces some minutes later (Amazon VPC User Guide, "Delete a security group": "You can't
  delete a security group that is associated with a network interface"), and the Terraform provider retries
  DeleteSecurityGroup on DependencyViolation for that reason.
"""

from __future__ import annotations

import inspect
import time

from moto.core.responses import ActionResult
from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.security_groups import SecurityGroupBackend, SecurityGroupRule
from moto.ec2.responses.security_groups import SecurityGroups
from moto.rds.models import RDSBackend, rds_backends

# How long the network interfaces of a deleted cluster keep using its security groups; set from the command line.
INTERFACE_LINGER_SECONDS = 2.0
# Security group id -> monotonic time until which a deleted cluster's interfaces still use it.
_lingering: dict[str, float] = {}
# The DeleteDBCluster this module wraps, captured at install time (after rds_lifecycle's patch).
_original_delete_db_cluster = None

_original_rule_init = SecurityGroupRule.__init__
_rule_init_signature = inspect.signature(_original_rule_init)
_original_delete = SecurityGroupBackend.delete_security_group


def _rule_init(self, *args, **kwargs) -> None:  # noqa: ANN001
    _original_rule_init(self, *args, **kwargs)
    prefix_list = _rule_init_signature.bind(self, *args, **kwargs).arguments.get("prefix_list_id")
    self.prefix_list_description = (prefix_list or {}).get("Description")


def _rule_description(self) -> str | None:  # noqa: ANN001
    """The description given with the rule's CIDR range, referenced group or prefix list."""
    return (
        self.ip_range.get("Description")
        or self.source_group.get("Description")
        or getattr(self, "prefix_list_description", None)
    )


def _authorize(direction: str):  # noqa: ANN202
    def handler(self: SecurityGroups) -> ActionResult:
        self.error_on_dryrun()
        authorize = getattr(self.ec2_backend, f"authorize_security_group_{direction}")
        created = []
        for kwargs in self._process_rules_from_querystring():
            rules, _ = authorize(**kwargs)
            created.extend(rules)
        return ActionResult({"Return": True, "SecurityGroupRules": created})

    return handler


def _delete_security_group(self: SecurityGroupBackend, name: str | None = None, group_id: str | None = None) -> None:
    target = group_id or getattr(self.get_security_group_by_name_or_id(name), "id", None)
    for groups in self.groups.values():
        for group in groups.values():
            if group.id == target:
                continue
            for rule in group.ingress_rules + group.egress_rules:
                if rule.source_group.get("GroupId") == target:
                    raise DependencyViolationError(f"resource {target} has a dependent object")
    clusters = rds_backends[self.account_id][self.region_name].clusters.values()
    in_use = any(target in cluster.vpc_security_group_ids for cluster in clusters)
    if in_use or _lingering.get(target, 0.0) > time.monotonic():
        raise DependencyViolationError(f"resource {target} has a dependent object")
    _original_delete(self, name=name, group_id=group_id)


def _delete_db_cluster(self: RDSBackend, cluster_identifier: str, snapshot_name: str | None = None):  # noqa: ANN202
    """DeleteDBCluster whose network interfaces keep using the cluster's security groups a while longer."""
    cluster = _original_delete_db_cluster(self, cluster_identifier, snapshot_name)
    for group_id in cluster.vpc_security_group_ids:
        _lingering[group_id] = time.monotonic() + INTERFACE_LINGER_SECONDS
    return cluster


def install() -> None:
    """Patch moto's EC2 security group models and responses. Call once, before serving."""
    SecurityGroupRule.__init__ = _rule_init
    SecurityGroupRule.description = property(_rule_description)
    SecurityGroups.authorize_security_group_ingress = _authorize("ingress")
    SecurityGroups.authorize_security_group_egress = _authorize("egress")
    SecurityGroupBackend.delete_security_group = _delete_security_group
    global _original_delete_db_cluster
    _original_delete_db_cluster = RDSBackend.delete_db_cluster
    RDSBackend.delete_db_cluster = _delete_db_cluster
