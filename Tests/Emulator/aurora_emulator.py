"""aurorad's AWS emulator: moto 5.2.1 in server mode, with RestoreDBClusterFromS3 and RDS timing that behave like AWS.

    python3 Tests/Emulator/aurora_emulator.py --port 0 [--restore-seconds N] [--iam-propagation-seconds N]
        [--state-dir D] [--bootstrap-credentials FILE] [--seed-demo]

Binds 127.0.0.1 only, prints `READY port=<port>` once listening, exits 0 on SIGTERM or SIGINT. Signature and IAM
permission checks are on from the first request. See README.md next to this file for what is enforced.
"""

from __future__ import annotations

import os
import sys

# moto reads INITIAL_NO_AUTH_ACTION_COUNT once, when moto.settings is first imported: set it before any moto import.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402

from moto import settings  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

import bootstrap  # noqa: E402
import ec2_security_groups  # noqa: E402
import iam_scoping  # noqa: E402
import moto_speedups  # noqa: E402
import rds_lifecycle  # noqa: E402
import rds_s3_restore  # noqa: E402
import rds_engine_versions  # noqa: E402
import rds_monitoring  # noqa: E402
import rds_settings  # noqa: E402

INSPECT_PATH = "/_emulator/"
_request = threading.local()


def install_raw_uri_signature_check() -> None:
    """Check signatures over the request URI and body as sent.

    moto rebuilds the URI from werkzeug's `request.url`, which re-quotes the query (`prefix=backup%2F` becomes
    `prefix=backup/`), so every S3 request with an encoded query value (ListObjectsV2 with a prefix) fails with
    SignatureDoesNotMatch. The raw URI is exactly what the client signed. Likewise werkzeug consumes a form body,
    so moto hashes a re-encoding of the parsed form instead (a space becomes `+`, not the `%20` clients send), and
    every Query call with a space in a value (an IAM role's Description) failed; the raw body is what was signed.
    """
    original = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def check(self, iam_request_cls, resource="*"):
        raw_uri = getattr(_request, "raw_uri", None)
        if not raw_uri:
            return original(self, iam_request_cls, resource)
        decoded_uri, parsed_body = self.uri, self.raw_body
        self.uri = raw_uri
        self.raw_body = getattr(_request, "raw_body", None) or parsed_body
        try:
            return original(self, iam_request_cls, resource)
        finally:
            self.uri, self.raw_body = decoded_uri, parsed_body

    ActionAuthenticatorMixin._authenticate_and_authorize_action = check


class EmulatorApp:
    """WSGI wrapper: one request at a time into moto, moto's own control API closed, a read-only inspection API."""

    def __init__(self, info: dict[str, object]) -> None:
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.Lock()
        self._info = info

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            # /moto-api/reset-auth would switch enforcement off and /moto-api/reset would drop the bootstrap users.
            return self._json(start_response, "404 Not Found", {"error": "moto's control API is disabled here"})
        if path == INSPECT_PATH + "info":
            return self._json(start_response, "200 OK", self._info)
        if path == INSPECT_PATH + "restores":
            with self._lock:
                restores = list(rds_s3_restore.RESTORE_LOG)
            return self._json(start_response, "200 OK", {"Restores": restores})
        if path == INSPECT_PATH + "engine-version-calls":
            with self._lock:
                calls = list(rds_engine_versions.CALL_LOG)
            return self._json(start_response, "200 OK", {"Calls": calls})
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        _request.raw_uri = f"http://{environ.get('HTTP_HOST', '127.0.0.1')}{raw}" if raw else None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        _request.raw_body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(_request.raw_body)
        with self._lock:
            # moto's backends are not thread-safe; serialising also makes check-then-create atomic.
            return list(self._moto(environ, start_response))

    @staticmethod
    def _json(start_response, status: str, body: object) -> list[bytes]:
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="aurorad's AWS emulator (moto with RestoreDBClusterFromS3).")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--region", default="eu-west-1", help="region of the demo world")
    parser.add_argument("--restore-seconds", type=float, default=3.0, help="time a new cluster stays `creating`")
    parser.add_argument("--instance-seconds", type=float, default=2.0, help="time a new instance stays `creating`")
    parser.add_argument(
        "--interface-linger-seconds", type=float, default=2.0,
        help="time a deleted cluster's network interfaces keep using its security groups (DependencyViolation)",
    )
    parser.add_argument("--association-seconds", type=float, default=1.0, help="time a role association is PENDING")
    parser.add_argument(
        "--iam-propagation-seconds", type=float, default=0.0, help="a role younger than this cannot be assumed by RDS"
    )
    parser.add_argument("--state-dir", help="directory for admin-credentials.json and limited-credentials.json")
    parser.add_argument("--bootstrap-credentials", help="file to write the admin user's key to (mode 0600)")
    parser.add_argument("--seed-demo", action="store_true", help="create the demo bucket, backup and network")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    assert settings.INITIAL_NO_AUTH_ACTION_COUNT == 0, "moto was imported before enforcement was configured"

    rds_lifecycle.TIMINGS.cluster_seconds = args.restore_seconds
    rds_lifecycle.TIMINGS.instance_seconds = args.instance_seconds
    rds_lifecycle.TIMINGS.association_seconds = args.association_seconds
    install_raw_uri_signature_check()
    moto_speedups.install()
    iam_scoping.install()
    rds_lifecycle.install()
    rds_s3_restore.install(args.iam_propagation_seconds)
    ec2_security_groups.INTERFACE_LINGER_SECONDS = args.interface_linger_seconds
    rds_settings.install()
    rds_monitoring.install(args.iam_propagation_seconds)
    rds_engine_versions.install()
    ec2_security_groups.install()

    users = bootstrap.create_users()
    info: dict[str, object] = {"Region": args.region, "Users": [u["UserName"] for u in users.values()]}
    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)
        bootstrap.write_credentials(os.path.join(args.state_dir, "admin-credentials.json"), users["admin"])
        bootstrap.write_credentials(os.path.join(args.state_dir, "limited-credentials.json"), users["limited"])
    if args.bootstrap_credentials:
        bootstrap.write_credentials(args.bootstrap_credentials, users["admin"])
    if args.seed_demo:
        info["Demo"] = bootstrap.seed_demo(args.region)

    server = make_server("127.0.0.1", args.port, EmulatorApp(info), threaded=True)

    def stop(signum, frame):  # noqa: ARG001
        # shutdown() waits for serve_forever to return, so it must run on another thread than the serving one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"READY port={server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
