"""A small IAM policy evaluator: does a set of policy documents allow an action on a resource for a principal?

Enough for what RDS checks on an S3 ingestion role: Effect Allow/Deny (an explicit Deny wins), Action/NotAction,
Resource/NotResource, `*` and `?` wildcards, case-insensitive action names, and Service principals in trust
policies. Conditions are not evaluated: a statement with a Condition is treated as not applying (the safe reading for
Allow, the generous one for Deny), which is documented in the emulator's README.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, case_sensitive: bool) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


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


def _principal_matches(statement: dict[str, Any], service: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return service in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))
    return False


def evaluate(
    documents: list[Any], action: str, resource: str | None = None, service_principal: str | None = None
) -> str:
    """`Allow`, `Deny` (explicit) or `ImplicitDeny` for one action on one resource (or for a principal, in trust).

    With `service_principal`, documents are trust policies: statements must name that service as principal and
    carry no Resource. Otherwise they are identity policies and the statement's Resource must match.
    """
    allowed = False
    for document in documents:
        for statement in _as_list(parse_document(document).get("Statement")):
            if "Condition" in statement:
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
