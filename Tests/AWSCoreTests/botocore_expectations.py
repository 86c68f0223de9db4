#!/usr/bin/env python3
"""Signs a fixed set of EC2, IAM, RDS, S3 and STS requests with botocore's SigV4Auth / S3SigV4Auth and prints the
expectations the Swift signer must agree with, byte for byte, as JSON on stdout.

The requests are serialized by botocore itself (its service models, Query, EC2 and REST-XML serializers and
prepare_request_dict), so their bodies, paths and query strings are what a real botocore client would send. The clock
is fixed with a patch of botocore.auth.get_current_datetime, so the output is deterministic.

Usage:
    python3 botocore_expectations.py > Resources/botocore_expectations.json       # regenerate
    python3 botocore_expectations.py --bench N                                   # signatures per second
"""
import datetime
import json
import sys
import time
from unittest import mock
from urllib.parse import unquote, urlsplit

import botocore
import botocore.session
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.credentials import Credentials
from botocore.serialize import create_serializer

DATE = datetime.datetime(2024, 3, 9, 23, 58, 7)
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQExampleSessionToken+/=="

# (name, botocore service, operation, parameters, endpoint URL, signing region)
CASES = [
    ("rds-describe-db-clusters", "rds", "DescribeDBClusters",
     {"Filters": [{"Name": "db-cluster-id", "Values": ["orders-aurora", "billing aurora"]}], "MaxRecords": 100},
     "https://rds.eu-west-1.amazonaws.com", "eu-west-1"),
    ("rds-restore-db-cluster-from-s3", "rds", "RestoreDBClusterFromS3",
     {"DBClusterIdentifier": "orders-aurora", "Engine": "aurora-mysql", "MasterUsername": "admin",
      "ManageMasterUserPassword": True, "S3BucketName": "backups-eu", "S3Prefix": "orders/2024-03-09/",
      "S3IngestionRoleArn": "arn:aws:iam::123456789012:role/aurorad-orders", "SourceEngine": "mysql",
      "SourceEngineVersion": "8.0.36", "Tags": [{"Key": "managed-by", "Value": "aurorad"},
                                                {"Key": "spec", "Value": "orders & billing=ü"}]},
     "https://rds.eu-west-1.amazonaws.com", "eu-west-1"),
    ("iam-get-role-global", "iam", "GetRole", {"RoleName": "aurorad-orders"},
     "https://iam.amazonaws.com", "us-east-1"),
    ("iam-put-role-policy-global", "iam", "PutRolePolicy",
     {"RoleName": "aurorad-orders", "PolicyName": "s3-import",
      "PolicyDocument": json.dumps({"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
           "Resource": ["arn:aws:s3:::backups-eu", "arn:aws:s3:::backups-eu/*"]}]})},
     "https://iam.amazonaws.com", "us-east-1"),
    ("sts-get-caller-identity-regional", "sts", "GetCallerIdentity", {},
     "https://sts.eu-west-1.amazonaws.com", "eu-west-1"),
    ("s3-get-object-range", "s3", "GetObject",
     {"Bucket": "backups-eu", "Key": "orders/2024 03 09/xtrabackup_checkpoints ü Ω+x.txt", "Range": "bytes=0-1023"},
     "https://s3.eu-west-1.amazonaws.com", "eu-west-1"),
    ("s3-list-objects-v2", "s3", "ListObjectsV2",
     {"Bucket": "backups-eu", "Prefix": "orders/2024 03 09/", "MaxKeys": 1000,
      "ContinuationToken": "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", "Delimiter": "/"},
     "https://s3.eu-west-1.amazonaws.com", "eu-west-1"),
    ("s3-head-bucket-custom-endpoint", "s3", "HeadBucket", {"Bucket": "backups-eu"},
     "http://127.0.0.1:9000", "us-east-1"),
    ("ec2-authorize-security-group-ingress", "ec2", "AuthorizeSecurityGroupIngress",
     {"GroupId": "sg-0123456789abcdef0", "IpPermissions": [
         {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
          "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "app subnet, Zürich"}]},
         {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306,
          "UserIdGroupPairs": [{"GroupId": "sg-0fedcba9876543210", "Description": "bastion"}]}],
      "TagSpecifications": [{"ResourceType": "security-group-rule",
                             "Tags": [{"Key": "aurorad:spec", "Value": "orders & billing=ü"}]}]},
     "https://ec2.eu-west-1.amazonaws.com", "eu-west-1"),
]


def build_request(service_model, operation, params, endpoint_url):
    """Serializes one call exactly as a botocore client would, minus the per-call random headers."""
    operation_model = service_model.operation_model(operation)
    serializer = create_serializer(service_model.metadata["protocol"], include_validation=True)
    request_dict = serializer.serialize_to_request(params, operation_model)
    prepare_request_dict(request_dict, endpoint_url)
    return create_request_object(request_dict)


class Capture:
    """Wraps a signer class so the canonical request and string to sign it computed are kept for the test."""

    @staticmethod
    def subclass(base):
        class Capturing(base):
            def canonical_request(self, request):
                self.captured_canonical_request = super().canonical_request(request)
                return self.captured_canonical_request

            def string_to_sign(self, request, canonical_request):
                self.captured_string_to_sign = super().string_to_sign(request, canonical_request)
                return self.captured_string_to_sign

        return Capturing


def header_list(headers):
    return [[name, value.decode() if isinstance(value, bytes) else value] for name, value in headers.items()]


def expectation(session, case, token):
    name, service, operation, params, endpoint_url, region = case
    service_model = session.get_service_model(service)
    request = build_request(service_model, operation, params, endpoint_url)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    parts = urlsplit(request.url)
    before = header_list(request.headers)
    signing_name = service_model.signing_name
    is_s3 = service == "s3"
    signer = Capture.subclass(S3SigV4Auth if is_s3 else SigV4Auth)(
        Credentials(ACCESS_KEY, SECRET_KEY, token), signing_name, region)
    signer.add_auth(request)
    added = [pair for pair in header_list(request.headers) if pair not in before]
    query = []
    if parts.query:
        for pair in parts.query.split("&"):
            key, _, value = pair.partition("=")
            query.append([unquote(key), unquote(value)])
    return {
        "name": name + ("-session-token" if token else ""),
        "signer": "S3SigV4Auth" if is_s3 else "SigV4Auth",
        "service": signing_name,
        "region": region,
        "session_token": token,
        "method": request.method,
        "scheme": parts.scheme,
        "host": parts.hostname,
        "port": parts.port,
        "path": unquote(parts.path),
        "query": query,
        "headers": before,
        "body": body.decode("utf-8"),
        "url": request.url,
        "canonical_request": signer.captured_canonical_request,
        "string_to_sign": signer.captured_string_to_sign,
        "added_headers": added,
    }


def main():
    session = botocore.session.get_session()
    with mock.patch("botocore.auth.get_current_datetime", return_value=DATE):
        if len(sys.argv) == 3 and sys.argv[1] == "--bench":
            bench(session, int(sys.argv[2]))
            return
        cases = [expectation(session, case, token) for token in (None, SESSION_TOKEN) for case in CASES]
    document = {
        "generator": "Tests/AWSCoreTests/botocore_expectations.py",
        "botocore_version": botocore.__version__,
        "date": DATE.strftime("%Y%m%dT%H%M%SZ"),
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "cases": cases,
    }
    json.dump(document, sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")


def bench(session, iterations):
    """Prints botocore's signatures per second over the same request set (requests rebuilt per round, unsigned)."""
    prepared = []
    for case in CASES:
        name, service, operation, params, endpoint_url, region = case
        service_model = session.get_service_model(service)
        request = build_request(service_model, operation, params, endpoint_url)
        signer_class = S3SigV4Auth if service == "s3" else SigV4Auth
        for token in (None, SESSION_TOKEN):
            prepared.append((request, signer_class(Credentials(ACCESS_KEY, SECRET_KEY, token),
                                                   service_model.signing_name, region)))
    signatures = 0
    start = time.perf_counter()
    for _ in range(iterations):
        for request, signer in prepared:
            signer.add_auth(request)
            signatures += 1
    elapsed = time.perf_counter() - start
    print(json.dumps({"botocore_version": botocore.__version__, "signatures": signatures, "seconds": elapsed,
                      "per_second": signatures / elapsed}))


if __name__ == "__main__":
    main()
