"""Authorize aurorad's IAM, RDS and EC2 writes against their real resource ARNs and condition keys, as AWS does.

moto checks every non-S3 call against the resource `*` and evaluates no condition key the request or the resource
supplies, so a policy scoped to `role/aurorad-*` or conditioned on a tag proves nothing there. For the actions in
`RULES` the emulator instead lists the request's authorizations -- (action, resource ARN, condition context) for the
action itself and for the dependent actions AWS checks with it (iam:PassRole for a role handed to RDS,
iam:TagRole / rds:AddTagsToResource / ec2:CreateTags for tags given on create) -- and evaluates the caller's policies
on each with `iam_policy_eval`; one not allowed is AccessDenied naming the action and the resource. Every other
action (the Describe* calls, whose policy resource is `*`, S3, STS) keeps moto's check.

Resource types and dependent actions per action come from the Service Authorization Reference:
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_identityandaccessmanagementiam.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html. Condition keys:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (aws:RequestTag/K, aws:TagKeys,
aws:ResourceTag/K), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
(iam:PassedToService, iam:PolicyARN),
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
(ec2:CreateAction on tag-on-create).
"""

from __future__ import annotations

from collections.abc import Callable

from moto.core.exceptions import AccessDeniedError
from moto.ec2.models import ec2_backends
from moto.iam.access_control import IAMPolicy, IAMRequest
from moto.iam.models import iam_backends
from moto.rds.models import rds_backends

import iam_policy_eval

Context = dict[str, list[str]]
Authorization = tuple[str, str, Context]


class Request:
    """One Query-protocol call as the emulator sees it: its parameters, the caller's account and region."""

    def __init__(self, data: dict[str, object], account: str, region: str) -> None:
        self.params = {key: value[0] if isinstance(value, list) else value for key, value in data.items()}
        self.account = account
        self.region = region

    def get(self, name: str) -> str | None:
        value = self.params.get(name)
        return None if value is None else str(value)

    def tags(self) -> dict[str, str]:
        """The tags the request sets, in any of the three encodings (`Tags.member.N`, `Tags.Tag.N`,
        `TagSpecification.N.Tag.M`): every `<prefix>.Key` with its `<prefix>.Value`."""
        return {
            str(value): self.get(key[: -len("Key")] + "Value") or ""
            for key, value in self.params.items()
            if key.endswith(".Key") and (key.startswith("Tags.") or key.startswith("TagSpecification."))
        }

    def listed(self, prefix: str) -> list[str]:
        """A flattened list parameter's values (`ResourceId.1`, `ResourceId.2`, ...)."""
        return [str(v) for k, v in self.params.items() if k.startswith(prefix + ".") and k[len(prefix) + 1:].isdigit()]

    def rds_arn(self, kind: str, name: str) -> str:
        return f"arn:aws:rds:{self.region}:{self.account}:{kind}:{name}"

    def ec2_arn(self, kind: str, name: str) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:{kind}/{name}"


def tag_context(request_tags: dict[str, str], resource_tags: dict[str, str]) -> Context:
    context = {f"aws:RequestTag/{key}": [value] for key, value in request_tags.items()}
    if request_tags:
        context["aws:TagKeys"] = list(request_tags)
    context.update({f"aws:ResourceTag/{key}": [value] for key, value in resource_tags.items()})
    return context


def _pairs(tags: list[dict[str, str]]) -> dict[str, str]:
    return {tag.get("Key", tag.get("key", "")): tag.get("Value", tag.get("value", "")) for tag in tags}


def role(request: Request, name: str | None) -> tuple[str, dict[str, str]]:
    """A role's ARN and tags; a role that does not exist yet gets the ARN CreateRole would give it."""
    found = iam_backends[request.account]["aws"].roles
    existing = next((r for r in found.values() if r.name == name), None)
    if existing is not None:
        return existing.arn, _pairs(existing.tags)
    return f"arn:aws:iam::{request.account}:role{request.get('Path') or '/'}{name}", {}


def rds_tags(request: Request, arn: str) -> dict[str, str]:
    if not arn.startswith("arn:aws:rds:"):
        return {}
    backend = rds_backends[request.account][request.region]
    kind, _, name = arn.split(":", 5)[5].partition(":")
    resource = {"cluster": backend.clusters, "db": backend.databases}.get(kind, {}).get(name)
    return _pairs(resource.tags) if resource is not None else {}


def ec2_tags(request: Request, resource_id: str) -> dict[str, str]:
    tags = ec2_backends[request.account][request.region].describe_tags(filters={"resource-id": [resource_id]})
    return _pairs(tags)


def _role_action(action: str) -> Callable[[Request], list[Authorization]]:
    def authorizations(request: Request) -> list[Authorization]:
        arn, tags = role(request, request.get("RoleName"))
        context = tag_context(request.tags(), tags)
        if request.get("PolicyArn"):
            context["iam:PolicyARN"] = [request.get("PolicyArn")]
        return [(action, arn, context)]

    return authorizations


def _create_role(request: Request) -> list[Authorization]:
    arn, _ = role(request, request.get("RoleName"))
    context = tag_context(request.tags(), {})
    return [("iam:CreateRole", arn, context)] + ([("iam:TagRole", arn, context)] if request.tags() else [])


def pass_role(request: Request, parameter: str, service: str) -> list[Authorization]:
    """iam:PassRole on the role a parameter names, when it names one."""
    arn = request.get(parameter)
    return [("iam:PassRole", arn, {"iam:PassedToService": [service]})] if arn else []


# The RDS groups a request may name, by parameter, and their resource types.
GROUP_PARAMETERS = [
    ("DBClusterParameterGroupName", "cluster-pg"), ("DBParameterGroupName", "pg"), ("OptionGroupName", "og"),
    ("DBSubnetGroupName", "subgrp"),
]


def _rds_resource(action: str, kind: str, identifier: str) -> Callable[[Request], list[Authorization]]:
    """An RDS action on one cluster or instance (with its tags, if it exists) and the groups the request names."""

    def authorizations(request: Request) -> list[Authorization]:
        arn = request.rds_arn(kind, request.get(identifier) or "")
        context = tag_context(request.tags(), rds_tags(request, arn))
        named = [
            request.rds_arn(group_kind, request.get(parameter))
            for parameter, group_kind in GROUP_PARAMETERS
            if request.get(parameter)
        ]
        return [(action, resource, context) for resource in [arn, *named]]

    return authorizations


def _with_tagging(action: str, kind: str, identifier: str) -> Callable[[Request], list[Authorization]]:
    """An RDS create: the new resource and the groups it names, rds:AddTagsToResource for its tags."""
    base = _rds_resource(action, kind, identifier)

    def authorizations(request: Request) -> list[Authorization]:
        result = base(request)
        if request.tags():
            result.append(("rds:AddTagsToResource", request.rds_arn(kind, request.get(identifier)), result[0][2]))
        return result

    return authorizations


def _restore_cluster(request: Request) -> list[Authorization]:
    return _with_tagging("rds:RestoreDBClusterFromS3", "cluster", "DBClusterIdentifier")(request) + pass_role(
        request, "S3IngestionRoleArn", "rds.amazonaws.com")


def _create_instance(request: Request) -> list[Authorization]:
    result = _with_tagging("rds:CreateDBInstance", "db", "DBInstanceIdentifier")(request)
    if request.get("DBClusterIdentifier"):
        cluster = request.rds_arn("cluster", request.get("DBClusterIdentifier"))
        result.append(("rds:CreateDBInstance", cluster, tag_context(request.tags(), rds_tags(request, cluster))))
    return result + pass_role(request, "MonitoringRoleArn", "monitoring.rds.amazonaws.com")


def _modify_instance(request: Request) -> list[Authorization]:
    return _rds_resource("rds:ModifyDBInstance", "db", "DBInstanceIdentifier")(request) + pass_role(
        request, "MonitoringRoleArn", "monitoring.rds.amazonaws.com")


def _add_role_to_cluster(request: Request) -> list[Authorization]:
    return _rds_resource("rds:AddRoleToDBCluster", "cluster", "DBClusterIdentifier")(request) + pass_role(
        request, "RoleArn", "rds.amazonaws.com")


def _delete_cluster(request: Request) -> list[Authorization]:
    """DeleteDBCluster; with a final snapshot, also on the snapshot and rds:CreateDBClusterSnapshot on both."""
    result = _rds_resource("rds:DeleteDBCluster", "cluster", "DBClusterIdentifier")(request)
    if request.get("FinalDBSnapshotIdentifier"):
        cluster, context = result[0][1], result[0][2]
        snapshot = request.rds_arn("cluster-snapshot", request.get("FinalDBSnapshotIdentifier"))
        result += [("rds:DeleteDBCluster", snapshot, context), ("rds:CreateDBClusterSnapshot", cluster, context),
                   ("rds:CreateDBClusterSnapshot", snapshot, context)]
    return result


def _add_tags(request: Request) -> list[Authorization]:
    arn = request.get("ResourceName") or ""
    return [("rds:AddTagsToResource", arn, tag_context(request.tags(), rds_tags(request, arn)))]


def _ec2_arn(request: Request, resource_id: str) -> str:
    kind = "security-group-rule" if resource_id.startswith("sgr-") else "security-group"
    return request.ec2_arn(kind, resource_id)


def _create_security_group(request: Request) -> list[Authorization]:
    context = tag_context(request.tags(), {})
    new_group = request.ec2_arn("security-group", "*")
    result = [("ec2:CreateSecurityGroup", new_group, context)]
    if request.get("VpcId"):
        result.append(("ec2:CreateSecurityGroup", request.ec2_arn("vpc", request.get("VpcId")), context))
    if request.tags():
        result.append(("ec2:CreateTags", new_group, {**context, "ec2:CreateAction": ["CreateSecurityGroup"]}))
    return result


def _group_rules(action: str) -> Callable[[Request], list[Authorization]]:
    """Authorize/Revoke on a group's rules: the group (with its tags) and the rules; tags on new rules."""

    def authorizations(request: Request) -> list[Authorization]:
        group = request.get("GroupId") or ""
        context = tag_context(request.tags(), ec2_tags(request, group))
        rules = request.listed("SecurityGroupRuleId") or ["*"]
        result = [(action, request.ec2_arn("security-group", group), context)]
        result += [(action, request.ec2_arn("security-group-rule", rule), context) for rule in rules]
        if request.tags():
            created = {**tag_context(request.tags(), {}), "ec2:CreateAction": [action.split(":", 1)[1]]}
            result.append(("ec2:CreateTags", request.ec2_arn("security-group-rule", "*"), created))
        return result

    return authorizations


def _delete_security_group(request: Request) -> list[Authorization]:
    group = request.get("GroupId") or ""
    return [("ec2:DeleteSecurityGroup", request.ec2_arn("security-group", group),
             tag_context({}, ec2_tags(request, group)))]


def _create_tags(request: Request) -> list[Authorization]:
    return [
        ("ec2:CreateTags", _ec2_arn(request, resource), tag_context(request.tags(), ec2_tags(request, resource)))
        for resource in request.listed("ResourceId")
    ]


ROLE_ACTIONS = [
    "GetRole", "GetRolePolicy", "ListAttachedRolePolicies", "ListRolePolicies", "UpdateAssumeRolePolicy",
    "PutRolePolicy", "DeleteRolePolicy", "DeleteRole", "TagRole", "AttachRolePolicy", "DetachRolePolicy",
    "PutRolePermissionsBoundary",
]

RULES: dict[str, Callable[[Request], list[Authorization]]] = {
    **{f"iam:{action}": _role_action(f"iam:{action}") for action in ROLE_ACTIONS},
    "iam:CreateRole": _create_role,
    "iam:GetPolicy": lambda request: [("iam:GetPolicy", request.get("PolicyArn") or "", {})],
    "iam:GetPolicyVersion": lambda request: [("iam:GetPolicyVersion", request.get("PolicyArn") or "", {})],
    "rds:RestoreDBClusterFromS3": _restore_cluster,
    "rds:CreateDBInstance": _create_instance,
    "rds:ModifyDBCluster": _rds_resource("rds:ModifyDBCluster", "cluster", "DBClusterIdentifier"),
    "rds:ModifyDBInstance": _modify_instance,
    "rds:AddRoleToDBCluster": _add_role_to_cluster,
    "rds:AddTagsToResource": _add_tags,
    "rds:DeleteDBInstance": _rds_resource("rds:DeleteDBInstance", "db", "DBInstanceIdentifier"),
    "rds:DeleteDBCluster": _delete_cluster,
    "ec2:CreateSecurityGroup": _create_security_group,
    "ec2:AuthorizeSecurityGroupIngress": _group_rules("ec2:AuthorizeSecurityGroupIngress"),
    "ec2:AuthorizeSecurityGroupEgress": _group_rules("ec2:AuthorizeSecurityGroupEgress"),
    "ec2:RevokeSecurityGroupIngress": _group_rules("ec2:RevokeSecurityGroupIngress"),
    "ec2:RevokeSecurityGroupEgress": _group_rules("ec2:RevokeSecurityGroupEgress"),
    "ec2:DeleteSecurityGroup": _delete_security_group,
    "ec2:CreateTags": _create_tags,
}


def install() -> None:
    """Route the actions in RULES through the scoped check; moto's own check for every other action."""
    original = IAMRequest.check_action_permitted

    def check(self: IAMRequest, resource: str) -> None:
        rule = RULES.get(self._action)
        if rule is None:
            return original(self, resource)
        request = Request(self._data, self.account_id, self._region)
        documents = [IAMPolicy(policy)._policy_json for policy in self._access_key.collect_policies()]
        for action, arn, context in rule(request):
            if iam_policy_eval.evaluate(documents, action, arn, context=context) != "Allow":
                raise AccessDeniedError(user_arn=self._access_key.arn, action=f"{action} on resource: {arn}")
        return None

    IAMRequest.check_action_permitted = check
