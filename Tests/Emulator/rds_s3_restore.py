"""RestoreDBClusterFromS3 for moto's RDS backend, validating the request the way RDS does.

Parameter names, required members and fault codes are botocore's (data/rds/2014-10-31/service-2.json). Synchronous
checks answer at once with AWS-shaped errors; what RDS only finds while it reads the backup (no backup, a broken
incremental chain, a partial or encrypted one, a server version or InnoDB setting it cannot take, objects the role
cannot decrypt) is accepted and surfaces later as the cluster status `migration-failed` plus an RDS event, as on AWS.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

import botocore.session

from moto.core.utils import utcnow
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
# RDSClientError(code, message): moto's serializer adds the HTTP status that botocore's model gives the code.
from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue, RDSClientError
from moto.rds.models import DBCluster, RDSBackend
from moto.rds.responses import RDSResponse
from moto.s3.models import s3_backends
from moto.core.responses import ActionResult
from moto.utilities.utils import get_partition

import iam_policy_eval
import rds_engine_versions
import rds_lifecycle
import rds_settings

REQUIRED = (
    "DBClusterIdentifier",
    "Engine",
    "MasterUsername",
    "SourceEngine",
    "SourceEngineVersion",
    "S3BucketName",
    "S3IngestionRoleArn",
)

# AWS's words for a role RDS cannot assume (yet): the Terraform provider retries on "S3_SNAPSHOT_INGESTION".
ROLE_NOT_ASSUMABLE = (
    "IAM role ARN value is invalid or does not include the required permissions for: S3_SNAPSHOT_INGESTION"
)
# AWS's words for a role RDS can assume but that cannot read the bucket (quoted in the Terraform provider).
FILES_NOT_DOWNLOADABLE = (
    "Files from the specified Amazon S3 bucket cannot be downloaded. Make sure that you have created an AWS "
    "Identity and Access Management (IAM) role that lets Amazon RDS access Amazon S3 for you."
)
IDENTIFIER = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$")
MASTER_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")
SOURCE_VERSION = re.compile(r"^(5\.7|8\.0)(\.\d+)?$")
DEFAULT_ENGINE_VERSION = {"5.7": "5.7.mysql_aurora.2.12.3", "8.0": "8.0.mysql_aurora.3.05.2"}
STREAMED_SUFFIXES = (".xbstream", ".tar", ".gz", ".tgz")

_restore_lock = threading.Lock()
RESTORE_LOG: list[dict[str, Any]] = []


class MissingParameter(RDSClientError):
    """AWS Query APIs answer a missing required parameter with MissingParameter (HTTP 400)."""

    def __init__(self, name: str) -> None:
        super().__init__("MissingParameter", f"The request must contain the parameter {name}")


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _parse_properties(body: bytes) -> dict[str, str]:
    result = {}
    for line in body.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            result[key.strip()] = value.strip()
    return result


# Aurora user guide, "Physical migration from MySQL by using Percona XtraBackup and Amazon S3"
# (AuroraMySQL.Migrating.ExtMySQL.S3, "Backup considerations") and "Migrating data to an Amazon Aurora MySQL DB
# cluster" (AuroraMySQL.Migrating, physical-migration limitations).
CHECKPOINTS = "xtrabackup_checkpoints"
MAX_FILES = 1_000_000
MAX_OBJECT_BYTES = 5 * 1024**4
FULL_TYPES = ("full-backuped", "full-prepared", "log-applied")
PARTIAL_OPTIONS = ("--tables", "--databases")  # with their -exclude and -file forms


def _split_streamed(name: str) -> bool:
    """A streamed or archived file, whole or a numbered piece of a split one (backup.xbstream00)."""
    return name.rstrip("0123456789").endswith(STREAMED_SUFFIXES)


def _chain_failure(location: str, directories: list[tuple[str, dict[str, str]]]) -> tuple[str | None, str]:
    """(failure, base directory): Aurora finds the full backup and orders increments by LSN range."""
    odd = [d for d, c in directories if c.get("backup_type") not in FULL_TYPES + ("incremental",)]
    if odd:
        return f"Migration from {location} failed: {odd[0]}{CHECKPOINTS} is not a full or incremental backup.", ""
    fulls = [(d, c) for d, c in directories if c["backup_type"] in FULL_TYPES]
    if len(fulls) != 1:
        return f"Migration from {location} failed: expected one full backup, found {len(fulls)}.", ""
    base, base_checkpoints = fulls[0]
    increments = sorted(
        ((d, c) for d, c in directories if c["backup_type"] == "incremental"),
        key=lambda i: int(i[1].get("from_lsn", "0")) if i[1].get("from_lsn", "").isdigit() else -1,
    )
    if increments and base_checkpoints["backup_type"] == "full-prepared":
        return (
            f"Migration from {location} failed: the full backup was prepared without --apply-log-only, so the "
            "incremental backups cannot be applied.",
            base,
        )
    previous, previous_to = base, base_checkpoints.get("to_lsn")
    for directory, checkpoints in increments:
        if checkpoints.get("from_lsn") != previous_to:
            return (
                f"Migration from {location} failed: the incremental backup {directory} starts at LSN "
                f"{checkpoints.get('from_lsn')} but {previous} ends at LSN {previous_to}.",
                base,
            )
        previous, previous_to = directory, checkpoints.get("to_lsn")
    return None, base


def _source_failure(location: str, info: dict[str, str], config: dict[str, str], source_version: str) -> str | None:
    command = info.get("tool_command", "").split()
    if info.get("partial", "N").upper() == "Y" or any(o.startswith(PARTIAL_OPTIONS) for o in command):
        return f"Migration from {location} failed: partial backups (--tables, --databases) are not supported."
    if info.get("encrypted", "N").upper() == "Y":
        return f"Migration from {location} failed: encrypted backups are not supported."
    server_version = info.get("server_version", "")
    if server_version and _major_minor(server_version) != _major_minor(source_version):
        return (
            f"Migration from {location} failed: the backup was taken from MySQL {server_version}, which does "
            f"not match the source engine version {source_version}."
        )
    config = {k.replace("-", "_"): v for k, v in config.items()}
    page_size = config.get("innodb_page_size", "16384").lower()
    if page_size not in ("16384", "16k"):
        return f"Migration from {location} failed: innodb_page_size {page_size} is not supported; use 16K."
    data_files = [f for f in config.get("innodb_data_file_path", "ibdata1").split(";") if f.strip()]
    if len(data_files) != 1 or data_files[0].strip().split(":")[0] != "ibdata1":
        return f"Migration from {location} failed: innodb_data_file_path must name one file, ibdata1."
    if config.get("innodb_log_files_in_group", "2") != "2":
        return f"Migration from {location} failed: innodb_log_files_in_group must be 2."
    return None


BINLOG_POS = re.compile(r"filename '([^']+)', position '(\d+)'")


def binlog_position(bucket, prefix: str) -> tuple[str, int] | None:
    """The source's binary log file and position from the backup's `xtrabackup_info` (`binlog_pos`), if any."""
    info_keys = sorted(
        (n for n in bucket.keys.keys() if n.startswith(prefix) and n.endswith("xtrabackup_info")), key=len
    )
    if not info_keys:
        return None
    match = BINLOG_POS.search(_parse_properties(bucket.keys[info_keys[0]].value).get("binlog_pos", ""))
    return (match.group(1), int(match.group(2))) if match else None


def inspect_backup(bucket, prefix: str, source_engine_version: str) -> str | None:
    """What RDS would find wrong while reading the backup, as an event message; None when it restores.

    Full backups restore prepared or not, alone or with increments that continue their LSN chain; streamed and
    archived files are accepted unread.
    """
    location = f"s3://{bucket.name}/{prefix}"
    names = sorted(name for name in bucket.keys.keys() if name.startswith(prefix))
    if not names:
        return f"Migration from {location} failed: no backup files were found under the prefix."
    if len(names) > MAX_FILES:
        return f"Migration from {location} failed: more than {MAX_FILES} files."
    if any(bucket.keys[n].size > MAX_OBJECT_BYTES for n in names):
        return f"Migration from {location} failed: a backup file is larger than 5 TB."
    if any(n.endswith(".xbcrypt") for n in names):
        return f"Migration from {location} failed: encrypted backups (.xbcrypt) are not supported."
    checkpoints = [n for n in names if n.rsplit("/", 1)[-1] == CHECKPOINTS]
    if not checkpoints:
        if any(_split_streamed(n) for n in names):
            return None
        return f"Migration from {location} failed: xtrabackup_checkpoints was not found; upload a Percona XtraBackup."
    directories = [(n[: -len(CHECKPOINTS)], _parse_properties(bucket.keys[n].value)) for n in checkpoints]
    failure, base = _chain_failure(location, directories)
    if failure:
        return failure
    info = _parse_properties(bucket.keys[base + "xtrabackup_info"].value) if base + "xtrabackup_info" in names else {}
    config = _parse_properties(bucket.keys[base + "backup-my.cnf"].value) if base + "backup-my.cnf" in names else {}
    return _source_failure(location, info, config, source_engine_version)


def kms_failure(bucket, prefix: str, documents: list[Any], role_name: str, partition: str, region: str, account: str):
    """RDS reads SSE-KMS objects only if the ingestion role may kms:Decrypt with their key (Aurora user guide,
    AuroraMySQL.Integrating.Authorizing.IAM.S3CreatePolicy: "if your Amazon S3 bucket is encrypted, you need to add
    kms:Decrypt permissions"). Objects under the AWS managed key (no key id) need no grant."""
    for name in sorted(n for n in bucket.keys.keys() if n.startswith(prefix)):
        key = bucket.keys[name]
        if key.encryption != "aws:kms" or not key.kms_key_id:
            continue
        key_arn = key.kms_key_id if key.kms_key_id.startswith("arn:") else (
            f"arn:{partition}:kms:{region}:{account}:key/{key.kms_key_id}"
        )
        if iam_policy_eval.evaluate(documents, "kms:Decrypt", key_arn) != "Allow":
            return (
                f"Migration from s3://{bucket.name}/{prefix} failed: the IAM role {role_name} cannot decrypt "
                f"{name} (SSE-KMS): it is not allowed kms:Decrypt on the KMS key {key_arn}."
            )
    return None


def role_documents(account_id: str, partition: str, role_name: str) -> list[Any]:
    iam = iam_backends[account_id][partition]
    documents: list[Any] = [iam.get_role_policy(role_name, name)[1] for name in iam.list_role_policies(role_name)]
    attached, _ = iam.list_attached_role_policies(role_name)
    for policy in attached:
        version = next(v for v in policy.versions if v.is_default)
        documents.append(version.document)
    return documents


def _validate_role(response: RDSResponse, role_arn: str, propagation_seconds: float) -> str:
    partition = get_partition(response.region)
    iam = iam_backends[response.current_account][partition]
    try:
        role = iam.get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - moto raises its NotFoundException
        raise InvalidParameterValue(ROLE_NOT_ASSUMABLE)
    if (utcnow() - role.create_date).total_seconds() < propagation_seconds:
        raise InvalidParameterValue(ROLE_NOT_ASSUMABLE)
    trust = iam_policy_eval.evaluate(
        [role.assume_role_policy_document], "sts:AssumeRole", service_principal="rds.amazonaws.com"
    )
    if trust != "Allow":
        raise InvalidParameterValue(ROLE_NOT_ASSUMABLE)
    return role.name


def _params(response: RDSResponse) -> dict[str, Any]:
    params = response.params
    for name in REQUIRED:
        if params.get(name) in (None, ""):
            raise MissingParameter(name)
    return params


def restore_db_cluster_from_s3(response: RDSResponse, propagation_seconds: float) -> DBCluster:
    """Validate a RestoreDBClusterFromS3 request and create the cluster in moto's backend."""
    p = _params(response)
    backend: RDSBackend = response.backend
    cluster_id = str(p["DBClusterIdentifier"]).lower()
    if not IDENTIFIER.match(cluster_id):
        raise InvalidParameterValue(
            "The parameter DBClusterIdentifier is not a valid identifier. Identifiers must begin with a letter; "
            "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two "
            "consecutive hyphens."
        )
    if p.get("MasterUserPassword") and p.get("ManageMasterUserPassword"):
        raise InvalidParameterCombination("You can't specify both MasterUserPassword and ManageMasterUserPassword.")
    if not p.get("MasterUserPassword") and not p.get("ManageMasterUserPassword"):
        raise InvalidParameterValue("The parameter MasterUserPassword must be provided and must not be blank.")
    if p["Engine"] != "aurora-mysql":
        raise InvalidParameterValue(f"Invalid DB engine {p['Engine']}: RestoreDBClusterFromS3 supports aurora-mysql.")
    if p["SourceEngine"] != "mysql":
        raise InvalidParameterValue(f"Invalid source engine {p['SourceEngine']}: the only valid value is mysql.")
    source_version = str(p["SourceEngineVersion"])
    if not SOURCE_VERSION.match(source_version):
        raise InvalidParameterValue(f"Invalid source engine version {source_version}: use a 5.7 or 8.0 version.")
    engine_version = p.get("EngineVersion") or DEFAULT_ENGINE_VERSION[_major_minor(source_version)]
    if engine_version not in rds_engine_versions.AURORA_MYSQL_VERSIONS:
        raise InvalidParameterCombination(f"Cannot find version {engine_version} for aurora-mysql")
    if _major_minor(engine_version) != _major_minor(source_version):
        raise InvalidParameterCombination(
            f"The source engine version {source_version} cannot be restored into engine version {engine_version}: "
            "the major versions must match."
        )
    if not MASTER_USERNAME.match(str(p["MasterUsername"])):
        raise InvalidParameterValue(
            "The parameter MasterUsername is not a valid identifier: it must be 1 to 16 letters or digits and "
            "begin with a letter."
        )
    if cluster_id in backend.clusters:
        raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
    subnet_group = p.get("DBSubnetGroupName")
    if subnet_group and subnet_group not in backend.subnet_groups:
        raise RDSClientError("DBSubnetGroupNotFoundFault", f"DB subnet group '{subnet_group}' does not exist.")
    parameter_group = p.get("DBClusterParameterGroupName")
    if (
        parameter_group
        and not parameter_group.startswith("default.")
        and parameter_group not in backend.db_cluster_parameter_groups
    ):
        raise RDSClientError("DBClusterParameterGroupNotFound", f"DBClusterParameterGroup not found: {parameter_group}")
    kms_key = p.get("KmsKeyId")
    if kms_key:
        try:
            kms_backends[response.current_account][response.region].describe_key(kms_key)
        except Exception:  # noqa: BLE001 - moto raises its NotFoundException
            raise RDSClientError(
                "KMSKeyNotAccessibleFault", f"The specified KMS key {kms_key} does not exist or is not accessible."
            )

    role_arn = str(p["S3IngestionRoleArn"])
    role_name = _validate_role(response, role_arn, propagation_seconds)

    bucket_name = str(p["S3BucketName"])
    s3 = s3_backends[response.current_account][get_partition(response.region)]
    try:
        bucket = s3.get_bucket(bucket_name)
    except Exception:  # noqa: BLE001 - moto raises MissingBucket
        raise RDSClientError(
            "InvalidS3BucketFault",
            "The specified Amazon S3 bucket name can't be found or Amazon RDS isn't authorized to access the "
            "specified Amazon S3 bucket. Verify the SourceS3BucketName and S3IngestionRoleArn values and try again.",
        )
    if bucket.region_name != response.region:
        raise RDSClientError(
            "InvalidS3BucketFault",
            f"The Amazon S3 bucket {bucket_name} is in {bucket.region_name}; it must be in {response.region}, the "
            "region of the DB cluster.",
        )
    prefix = str(p.get("S3Prefix") or "")
    documents = role_documents(response.current_account, get_partition(response.region), role_name)
    bucket_arn = f"arn:{get_partition(response.region)}:s3:::{bucket_name}"
    object_names = [n for n in bucket.keys.keys() if n.startswith(prefix)] or [prefix + "xtrabackup_checkpoints"]
    readable = iam_policy_eval.evaluate(documents, "s3:ListBucket", bucket_arn) == "Allow" and all(
        iam_policy_eval.evaluate(documents, "s3:GetObject", f"{bucket_arn}/{name}") == "Allow" for name in object_names
    )
    if not readable:
        raise InvalidParameterValue(FILES_NOT_DOWNLOADABLE)

    failure = kms_failure(
        bucket, prefix, documents, role_name, get_partition(response.region), response.region, response.current_account
    ) or inspect_backup(bucket, prefix, source_version)
    kwargs = {
        "db_cluster_identifier": cluster_id,
        "engine": "aurora-mysql",
        "engine_version": engine_version,
        "master_username": p["MasterUsername"],
        "master_user_password": p.get("MasterUserPassword"),
        "manage_master_user_password": bool(p.get("ManageMasterUserPassword")),
        "master_user_secret_kms_key_id": p.get("MasterUserSecretKmsKeyId"),
        "db_subnet_group_name": subnet_group,
        "db_cluster_parameter_group_name": parameter_group,
        "vpc_security_group_ids": list(p.get("VpcSecurityGroupIds") or []),
        "enable_cloudwatch_logs_exports": list(p.get("EnableCloudwatchLogsExports") or []),
        "storage_encrypted": bool(p.get("StorageEncrypted", False)),
        "kms_key_id": kms_key,
        "deletion_protection": bool(p.get("DeletionProtection", False)),
        "copy_tags_to_snapshot": bool(p.get("CopyTagsToSnapshot", False)),
        "tags": [{"Key": t["Key"], "Value": t.get("Value", "")} for t in (p.get("Tags") or [])],
        "database_name": p.get("DatabaseName"),
        "port": p.get("Port"),
        "backup_retention_period": p.get("BackupRetentionPeriod") or 1,
        "availability_zones": p.get("AvailabilityZones"),
        "backtrack_window": p.get("BacktrackWindow"),
        "enable_iam_database_authentication": bool(p.get("EnableIAMDatabaseAuthentication", False)),
        "storage_type": p.get("StorageType"),
        "network_type": p.get("NetworkType"),
    }
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    with _restore_lock:
        if cluster_id in backend.clusters:
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        cluster = backend.create_db_cluster(kwargs)
        rds_settings.apply_restore_settings(cluster, p)
        cluster._emu_ready_at = time.monotonic() + rds_lifecycle.TIMINGS.cluster_seconds
        cluster._emu_restored_from_s3 = True
        cluster._emu_binlog = binlog_position(bucket, prefix)
        if failure:
            cluster._emu_final_status = "migration-failed"
            cluster._emu_failure_message = failure
        record = {name: p.get(name) for name in _input_members() if name != "MasterUserPassword"}
        record = {name: value for name, value in record.items() if value is not None}
        record["MasterUserPasswordGiven"] = bool(p.get("MasterUserPassword"))
        RESTORE_LOG.append(_jsonable(record))
    rds_lifecycle.add_cluster_event(cluster, "Restoring DB cluster from Amazon S3 backup", ["creation", "migration"])
    return cluster


@functools.cache
def _input_members() -> tuple[str, ...]:
    """RestoreDBClusterFromS3's request members in botocore's model, read once: a new botocore session loads and
    parses the RDS model again (about 30 ms, most of a restore's time before this was cached)."""
    model = botocore.session.get_session().get_service_model("rds")
    return tuple(model.operation_model("RestoreDBClusterFromS3").input_shape.members)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def install(propagation_seconds: float) -> None:
    """Add the RestoreDBClusterFromS3 action to moto's RDS responses."""

    def action(self: RDSResponse) -> ActionResult:
        return ActionResult({"DBCluster": restore_db_cluster_from_s3(self, propagation_seconds)})

    RDSResponse.restore_db_cluster_from_s3 = action
