"""A small IAM policy evaluator: does a set of policy documents allow an action on a resource for a principal?

Enough for what RDS checks on an S3 ingestion role and for the emulator's scoped authorization (iam_scoping.py):
Effect Allow/Deny (an explicit Deny wins), Action/NotAction, Resource/NotResource, `*` and `?` wildcards,
case-insensitive action names, and Service principals in trust policies. Given a request context, the Condition
operators aurorad's policy uses are evaluated (StringEquals, StringLike, ArnEquals, ArnLike, with the ForAllValues:
and ForAnyValue: qualifiers; an unknown operator makes the statement not apply). Without a context (RDS's role
checks) a statement with a Condition is treated as not applying (the safe reading for Allow, the generous one for
Deny), which is documented in the emulator's README.

Operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
(a single-valued key missing from the context matches no operator but a ForAllValues one).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import unquote


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@functools.lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """An IAM wildcard pattern as a compiled regex, kept: a restore matches the same few patterns ~15 times."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE)


def _wildcard(pattern: str, value: str, case_sensitive: bool) -> bool:
    return _wildcard_regex(pattern, case_sensitive).fullmatch(value) is not None


def parse_document(document: Any) -> dict[str, Any]:
    """A policy document as a dict, from a dict or a (possibly URL-encoded) JSON string."""
    if isinstance(document, dict):
        return document
    text = str(document)
    if text.lstrip().startswith("%7B") or text.lstrip().startswith("%7b"):
        text = unquote(text)
    return json.loads(text)


def _matches(statement: dict[str, Any], key: str, not_key: str, value: str, case_sensitive: bool) -> bool:
    if key in statement:
        return any(_wildcard(p, value, case_sensitive) for p in _as_list(statement[key]))
    if not_key in statement:
        return not any(_wildcard(p, value, case_sensitive) for p in _as_list(statement[not_key]))
    return False


_OPERATORS = {
    "StringEquals": lambda pattern, value: pattern == value,
    "StringLike": lambda pattern, value: _wildcard(pattern, value, case_sensitive=True),
    "ArnEquals": lambda pattern, value: _wildcard(pattern, value, case_sensitive=True),
    "ArnLike": lambda pattern, value: _wildcard(pattern, value, case_sensitive=True),
}


def _conditions_hold(conditions: dict[str, Any], context: dict[str, list[str]]) -> bool:
    for operator, keys in conditions.items():
        qualifier, _, name = operator.rpartition(":")
        match = _OPERATORS.get(name)
        if match is None or qualifier not in ("", "ForAllValues", "ForAnyValue"):
            return False
        for key, patterns in keys.items():
            values = context.get(key, [])
            hits = [any(match(str(p), v) for p in _as_list(patterns)) for v in values]
            if not (all(hits) if qualifier == "ForAllValues" else any(hits)):
                return False
    return True


def _principal_matches(statement: dict[str, Any], service: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return service in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))
    return False


def evaluate(
    documents: list[Any],
    action: str,
    resource: str | None = None,
    service_principal: str | None = None,
    context: dict[str, list[str]] | None = None,
) -> str:
    """`Allow`, `Deny` (explicit) or `ImplicitDeny` for one action on one resource (or for a principal, in trust).

    With `service_principal`, documents are trust policies: statements must name that service as principal and
    carry no Resource. Otherwise they are identity policies and the statement's Resource must match. `context` maps
    condition keys (`aws:RequestTag/K`, `iam:PassedToService`, ...) to their values in the request.
    """
    allowed = False
    for document in documents:
        for statement in _as_list(parse_document(document).get("Statement")):
            if "Condition" in statement and (context is None or not _conditions_hold(statement["Condition"], context)):
                continue
            if not _matches(statement, "Action", "NotAction", action, case_sensitive=False):
                continue
            if service_principal is not None:
                if not _principal_matches(statement, service_principal):
                    continue
            elif not _matches(statement, "Resource", "NotResource", resource or "", case_sensitive=True):
                continue
            if statement.get("Effect") == "Deny":
                return "Deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "Allow" if allowed else "ImplicitDeny"
