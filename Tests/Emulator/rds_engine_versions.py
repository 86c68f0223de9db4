"""DescribeDBEngineVersions for aurora-mysql, which moto answers with HTTP 500.

The list is the Aurora MySQL versions AWS documents as available in the release notes: "Database engine updates for
Amazon Aurora MySQL version 2" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/
AuroraMySQL.Updates.20Updates.html) and "... version 3" (.../AuroraMySQL.Updates.30Updates.html). As RDS does, an
`EngineVersion` that does not exist answers an empty list (not an error), and an unknown `Engine` is
InvalidParameterValue ("Invalid DB engine"); the answer is sorted by version.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidParameterValue
from moto.rds.responses import RDSResponse

AURORA_MYSQL_VERSIONS = [
    *(f"5.7.mysql_aurora.2.11.{n}" for n in range(1, 7)),
    *(f"5.7.mysql_aurora.2.12.{n}" for n in range(0, 6)),
    "8.0.mysql_aurora.3.04.0", "8.0.mysql_aurora.3.04.1", "8.0.mysql_aurora.3.04.2", "8.0.mysql_aurora.3.04.3",
    "8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.06.0", "8.0.mysql_aurora.3.06.1", "8.0.mysql_aurora.3.07.0",
    "8.0.mysql_aurora.3.07.1", "8.0.mysql_aurora.3.08.0", "8.0.mysql_aurora.3.08.1", "8.0.mysql_aurora.3.08.2",
    "8.0.mysql_aurora.3.09.0", "8.0.mysql_aurora.3.10.0",
]
# Every DescribeDBEngineVersions call, for tests that count them (aurorad caches the answer per daemon run).
CALL_LOG: list[dict[str, Any]] = []


def engine_version(version: str) -> dict[str, Any]:
    """One `DBEngineVersion` as RDS describes an aurora-mysql version."""
    mysql = version.split(".mysql_aurora.")[0]
    aurora = version.split(".mysql_aurora.")[1]
    return {
        "Engine": "aurora-mysql",
        "EngineVersion": version,
        "MajorEngineVersion": mysql,
        "DBParameterGroupFamily": f"aurora-mysql{mysql}",
        "DBEngineDescription": "Aurora MySQL",
        "DBEngineVersionDescription": f"Aurora MySQL {mysql.split('.')[0]}.{mysql.split('.')[1]} "
        f"(compatible with MySQL {mysql}) - {aurora}",
        "Status": "available",
        "SupportsLogExportsToCloudwatchLogs": True,
        "ExportableLogTypes": ["audit", "error", "general", "slowquery", "iam-db-auth-error", "instance"],
    }


def describe(engine: str | None, version: str | None) -> list[dict[str, Any]]:
    """The versions matching `engine` and `version` (either may be absent)."""
    if engine not in (None, "aurora-mysql"):
        if engine == "aurora-postgresql":
            return []  # not modelled: aurorad never asks
        raise InvalidParameterValue(f"Invalid DB engine: {engine}")
    return [engine_version(v) for v in AURORA_MYSQL_VERSIONS if version in (None, v)]


def install() -> None:
    """Add DescribeDBEngineVersions to moto's RDS responses."""

    def action(self: RDSResponse) -> ActionResult:
        params = self._get_params()
        CALL_LOG.append({"Engine": params.get("Engine"), "EngineVersion": params.get("EngineVersion")})
        return ActionResult({"DBEngineVersions": describe(params.get("Engine"), params.get("EngineVersion"))})

    RDSResponse.describe_db_engine_versions = action
