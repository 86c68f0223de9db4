"""The condition operators iam_policy_eval evaluates for the emulator's scoped authorization (iam_scoping.py)."""

from __future__ import annotations

import iam_policy_eval

CLUSTER = "arn:aws:rds:r:1:cluster:c"
OWNED = {"aws:ResourceTag/aurorad:managed-by": ["aurorad"]}


def allow(condition: dict) -> list[dict]:
    return [{"Statement": [{"Effect": "Allow", "Action": "rds:ModifyDBCluster", "Resource": "*",
                            "Condition": condition}]}]


def verdict(condition: dict, context: dict | None) -> str:
    return iam_policy_eval.evaluate(allow(condition), "rds:ModifyDBCluster", CLUSTER, context=context)


def test_string_equals_needs_the_key_with_that_value():
    condition = {"StringEquals": {"aws:ResourceTag/aurorad:managed-by": "aurorad"}}
    assert verdict(condition, OWNED) == "Allow"
    assert verdict(condition, {"aws:ResourceTag/aurorad:managed-by": ["someone"]}) == "ImplicitDeny"
    assert verdict(condition, {}) == "ImplicitDeny"


def test_without_a_context_a_conditioned_statement_does_not_apply():
    assert verdict({"StringEquals": {"aws:ResourceTag/aurorad:managed-by": "aurorad"}}, None) == "ImplicitDeny"


def test_like_and_arn_operators_take_wildcards():
    assert verdict({"StringLike": {"aws:ResourceTag/aurorad:managed-by": "auro*"}}, OWNED) == "Allow"
    arn = {"iam:PolicyARN": ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"]}
    assert verdict({"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/*"}}, arn) == "Allow"
    assert verdict({"ArnLike": {"iam:PolicyARN": "arn:aws:iam::*:policy/other"}}, arn) == "ImplicitDeny"


def test_set_qualifiers_and_unknown_operators():
    keys = {"aws:TagKeys": ["aurorad:managed-by", "aurorad:spec"]}
    assert verdict({"ForAllValues:StringLike": {"aws:TagKeys": "aurorad:*"}}, keys) == "Allow"
    assert verdict({"ForAllValues:StringLike": {"aws:TagKeys": "aurorad:*"}}, {}) == "Allow"
    assert verdict({"ForAllValues:StringEquals": {"aws:TagKeys": "aurorad:spec"}}, keys) == "ImplicitDeny"
    assert verdict({"ForAnyValue:StringEquals": {"aws:TagKeys": "aurorad:spec"}}, keys) == "Allow"
    assert verdict({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": ["1"]}) == (
        "ImplicitDeny")


def test_an_explicit_deny_with_a_matching_condition_wins():
    documents = allow({}) + [{"Statement": [{"Effect": "Deny", "Action": "rds:*", "Resource": "*",
                                             "Condition": {"StringEquals": {"aws:RequestTag/env": "prod"}}}]}]
    prod = {"aws:RequestTag/env": ["prod"]}
    assert iam_policy_eval.evaluate(documents, "rds:ModifyDBCluster", CLUSTER, context=prod) == "Deny"
    assert iam_policy_eval.evaluate(documents, "rds:ModifyDBCluster", CLUSTER, context={}) == "Allow"


def test_action_names_match_in_any_case_and_resources_only_in_theirs():
    # The compiled patterns are kept per (pattern, case sensitivity): the same pattern is asked both ways here.
    documents = [{"Statement": [{"Effect": "Allow", "Action": "S3:Get*", "Resource": "arn:aws:s3:::B/*"}]}]
    assert iam_policy_eval.evaluate(documents, "s3:getobject", "arn:aws:s3:::B/k") == "Allow"
    assert iam_policy_eval.evaluate(documents, "s3:GetObject", "arn:aws:s3:::b/k") == "ImplicitDeny"
    loose = [{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "S3:Get*"}]}]
    assert iam_policy_eval.evaluate(loose, "s3:GetObject", "s3:getobject") == "ImplicitDeny"
