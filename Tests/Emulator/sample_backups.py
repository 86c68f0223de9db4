"""Small fake Percona XtraBackup directories, and ways to put them into an S3 bucket (boto3 or moto's backend).

Only the two metadata files matter to RDS's checks and to aurorad's preflight; the data files are a few bytes each.
Run it to upload a variant into a running emulator:
    python3 sample_backups.py --endpoint http://127.0.0.1:PORT --credentials admin.json \
        --bucket my-bucket --prefix backup/ --variant prepared --create-bucket
"""

from __future__ import annotations

import argparse
import json

VARIANTS = ("prepared", "unprepared", "partial", "encrypted", "version-mismatch", "streamed")


def _checkpoints(backup_type: str) -> bytes:
    return (
        f"backup_type = {backup_type}\n"
        "from_lsn = 0\n"
        "to_lsn = 2638151\n"
        "last_lsn = 2638160\n"
        "compact = 0\n"
        "recover_binlog_info = 0\n"
    ).encode()


def _info(server_version: str = "5.7.12-log", partial: str = "N", encrypted: str = "N") -> bytes:
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
        "innodb_to_lsn = 2638151\n"
        f"partial = {partial}\n"
        "incremental = N\n"
        "format = file\n"
        "compressed = N\n"
        f"encrypted = {encrypted}\n"
    ).encode()


def backup_files(variant: str) -> dict[str, bytes]:
    """The files of one backup variant, by path relative to the backup directory."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown backup variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if variant == "streamed":
        # One xbstream archive: nothing is readable without unpacking it.
        return {"backup.xbstream": b"XBSTCK01" + b"\0" * 56}
    data = {
        "ibdata1": b"\0" * 64,
        "ib_logfile0": b"\0" * 32,
        "backup-my.cnf": b"[mysqld]\ninnodb_data_file_path=ibdata1:12M:autoextend\n",
        "mysql/user.frm": b"\xfe\x01" + b"\0" * 30,
        "mysql/db.frm": b"\xfe\x01" + b"\0" * 30,
        "appdb/orders.frm": b"\xfe\x01" + b"\0" * 30,
        "appdb/orders.ibd": b"\0" * 64,
    }
    data["xtrabackup_checkpoints"] = _checkpoints("full-backuped" if variant == "unprepared" else "full-prepared")
    data["xtrabackup_info"] = _info(
        server_version="8.0.36" if variant == "version-mismatch" else "5.7.12-log",
        partial="Y" if variant == "partial" else "N",
        encrypted="Y" if variant == "encrypted" else "N",
    )
    return data


def object_key(prefix: str, name: str) -> str:
    """The S3 key of a backup file under a prefix (an empty prefix is the bucket root)."""
    prefix = prefix.strip("/")
    return f"{prefix}/{name}" if prefix else name


def upload(client, bucket: str, prefix: str, variant: str) -> list[str]:
    """Upload a variant with a boto3 S3 client; returns the keys written."""
    keys = []
    for name, body in sorted(backup_files(variant).items()):
        key = object_key(prefix, name)
        client.put_object(Bucket=bucket, Key=key, Body=body)
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
    args = parser.parse_args()

    import boto3

    with open(args.credentials) as handle:
        credentials = json.load(handle)
    client = boto3.client(
        "s3",
        endpoint_url=args.endpoint,
        region_name=args.region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
    )
    if args.create_bucket:
        client.create_bucket(Bucket=args.bucket, CreateBucketConfiguration={"LocationConstraint": args.region})
    for key in upload(client, args.bucket, args.prefix, args.variant):
        print(f"s3://{args.bucket}/{key}")


if __name__ == "__main__":
    main()
