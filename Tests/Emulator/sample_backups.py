"""Small fake Percona XtraBackup directories, and ways to put them into an S3 bucket (boto3 or moto's backend).

Only the metadata files (xtrabackup_checkpoints, xtrabackup_info, backup-my.cnf) matter to RDS's checks and to aurorad's
preflight; the data files are a few bytes each. A full backup is uploaded as `xtrabackup --backup` left it
(full-backuped), as AWS's procedure does, except the `prepared` variant.
Run it to upload a variant into a running emulator:
    python3 sample_backups.py --endpoint http://127.0.0.1:PORT --credentials admin.json \
        --bucket my-bucket --prefix backup/ --variant prepared --create-bucket
"""

from __future__ import annotations

import argparse
import json

VARIANTS = (
    "prepared",
    "unprepared",
    "incremental",
    "broken-chain",
    "partial",
    "encrypted",
    "xbcrypt",
    "version-mismatch",
    "page-size",
    "data-file-path",
    "log-files",
    "streamed",
    "split-streamed",
)
# The LSNs of the incremental set: full/ ends where inc1/ starts, inc1/ ends where inc2/ starts.
FULL_TO_LSN = 2638151
INC1_TO_LSN = 3000000
INC2_TO_LSN = 3500000


def _checkpoints(backup_type: str, from_lsn: int = 0, to_lsn: int = FULL_TO_LSN) -> bytes:
    return (
        f"backup_type = {backup_type}\n"
        f"from_lsn = {from_lsn}\n"
        f"to_lsn = {to_lsn}\n"
        f"last_lsn = {to_lsn + 9}\n"
        "compact = 0\n"
        "recover_binlog_info = 0\n"
    ).encode()


def _info(
    server_version: str = "5.7.12-log", partial: str = "N", encrypted: str = "N", incremental: str = "N"
) -> bytes:
    return (
        "uuid = 6b1f3a52-0c4e-11ef-9b7a-0242ac120002\n"
        "name =\n"
        "tool_name = xtrabackup\n"
        "tool_command = --backup --target-dir=/var/backup/full\n"
        "tool_version = 2.4.29\n"
        "ibbackup_version = 2.4.29\n"
        f"server_version = {server_version}\n"
        "start_time = 2026-11-20 10:00:00\n"
        "end_time = 2026-11-20 10:00:07\n"
        "lock_time = 0\n"
        "binlog_pos = filename 'mysql-bin.000003', position '154'\n"
        "innodb_from_lsn = 0\n"
        f"innodb_to_lsn = {FULL_TO_LSN}\n"
        f"partial = {partial}\n"
        f"incremental = {incremental}\n"
        "format = file\n"
        "compressed = N\n"
        f"encrypted = {encrypted}\n"
    ).encode()


def _config(page_size: str = "16384", data_file_path: str = "ibdata1:12M:autoextend", log_files: str = "2") -> bytes:
    """backup-my.cnf as xtrabackup 2.4 writes it: the source's InnoDB settings."""
    return (
        "[mysqld]\n"
        "innodb_checksum_algorithm=crc32\n"
        f"innodb_data_file_path={data_file_path}\n"
        f"innodb_log_files_in_group={log_files}\n"
        "innodb_log_file_size=50331648\n"
        f"innodb_page_size={page_size}\n"
    ).encode()


def _full(backup_type: str = "full-backuped", **info) -> dict[str, bytes]:
    return {
        "ibdata1": b"\0" * 64,
        "ib_logfile0": b"\0" * 32,
        "backup-my.cnf": _config(),
        "mysql/user.frm": b"\xfe\x01" + b"\0" * 30,
        "mysql/db.frm": b"\xfe\x01" + b"\0" * 30,
        "appdb/orders.frm": b"\xfe\x01" + b"\0" * 30,
        "appdb/orders.ibd": b"\0" * 64,
        "xtrabackup_checkpoints": _checkpoints(backup_type),
        "xtrabackup_info": _info(**info),
    }


def _increment(from_lsn: int, to_lsn: int) -> dict[str, bytes]:
    return {
        "ibdata1.delta": b"\0" * 16,
        "ibdata1.meta": b"page_size = 16384\n",
        "appdb/orders.ibd.delta": b"\0" * 16,
        "xtrabackup_checkpoints": _checkpoints("incremental", from_lsn, to_lsn),
        "xtrabackup_info": _info(incremental="Y"),
    }


def _in(directory: str, files: dict[str, bytes]) -> dict[str, bytes]:
    return {f"{directory}/{name}": body for name, body in files.items()}


def backup_files(variant: str) -> dict[str, bytes]:
    """The files of one backup variant, by path relative to the backup directory."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown backup variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if variant == "streamed":
        # One xbstream archive: nothing is readable without unpacking it.
        return {"backup.xbstream": b"XBSTCK01" + b"\0" * 56}
    if variant == "split-streamed":
        # xtrabackup --stream=tar | gzip | split -d: pieces read in name order.
        return {"backup.tar.gz00": b"\x1f\x8b" + b"\0" * 30, "backup.tar.gz01": b"\0" * 32}
    if variant in ("incremental", "broken-chain"):
        files = _in("full", _full())
        if variant == "incremental":
            files.update(_in("inc1", _increment(FULL_TO_LSN, INC1_TO_LSN)))
        files.update(_in("inc2", _increment(INC1_TO_LSN, INC2_TO_LSN)))
        return files
    if variant == "xbcrypt":
        return {f"{name}.xbcrypt": b"XBCRYP01" + body for name, body in _full().items()}
    files = _full(
        "full-prepared" if variant == "prepared" else "full-backuped",
        server_version="8.0.36" if variant == "version-mismatch" else "5.7.12-log",
        partial="Y" if variant == "partial" else "N",
        encrypted="Y" if variant == "encrypted" else "N",
    )
    if variant == "page-size":
        files["backup-my.cnf"] = _config(page_size="8192")
    if variant == "data-file-path":
        files["backup-my.cnf"] = _config(data_file_path="ibdata1:50M;ibdata2:50M:autoextend")
    if variant == "log-files":
        files["backup-my.cnf"] = _config(log_files="3")
    return files


def object_key(prefix: str, name: str) -> str:
    """The S3 key of a backup file under a prefix (an empty prefix is the bucket root)."""
    prefix = prefix.strip("/")
    return f"{prefix}/{name}" if prefix else name


def upload(client, bucket: str, prefix: str, variant: str, kms_key_id: str | None = None) -> list[str]:
    """Upload a variant with a boto3 S3 client (SSE-KMS with `kms_key_id` when given); returns the keys written."""
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}
    keys = []
    for name, body in sorted(backup_files(variant).items()):
        key = object_key(prefix, name)
        client.put_object(Bucket=bucket, Key=key, Body=body, **encryption)
        keys.append(key)
    return keys


def put_into_backend(s3_backend, bucket: str, prefix: str, variant: str) -> None:
    """Write a variant straight into moto's S3 backend (used by the emulator's --seed-demo)."""
    for name, body in sorted(backup_files(variant).items()):
        s3_backend.put_object(bucket, object_key(prefix, name), body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--credentials", required=True, help="JSON file with AccessKeyId and SecretAccessKey")
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", default="backup/")
    parser.add_argument("--variant", choices=VARIANTS, default="prepared")
    parser.add_argument("--create-bucket", action="store_true")
    parser.add_argument("--kms-key-id", help="upload with SSE-KMS under this key")
    parser.add_argument("--create-kms-key", action="store_true", help="create a KMS key, print its ARN, upload with it")
    args = parser.parse_args()

    import boto3

    with open(args.credentials) as handle:
        credentials = json.load(handle)
    session = boto3.session.Session(
        region_name=args.region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
    )
    client = session.client("s3", endpoint_url=args.endpoint)
    if args.create_bucket:
        client.create_bucket(Bucket=args.bucket, CreateBucketConfiguration={"LocationConstraint": args.region})
    kms_key_id = args.kms_key_id
    if args.create_kms_key:
        kms_key_id = session.client("kms", endpoint_url=args.endpoint).create_key()["KeyMetadata"]["Arn"]
        print(f"kms-key {kms_key_id}")
    for key in upload(client, args.bucket, args.prefix, args.variant, kms_key_id):
        print(f"s3://{args.bucket}/{key}")


if __name__ == "__main__":
    main()
