"""A local EC2 instance metadata service (IMDSv2 token flow) for the credential tests.

Implements what the SDKs rely on: PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds (1..21600) and
is refused with 403 when X-Forwarded-For is present; every metadata GET needs a live X-aws-ec2-metadata-token (401
otherwise); /latest/meta-data/iam/security-credentials/ lists the role; .../<role> returns the credentials JSON.
Test-only endpoints under /_test/ expose the request log and revoke tokens. Prints its port, then serves until its
stdin closes.
"""
import argparse
import datetime
import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDS_PATH = "/latest/meta-data/iam/security-credentials/"


class State:
    def __init__(self, role, lifetime):
        self.lock = threading.Lock()
        self.role = role
        self.tokens = {}
        self.log = []
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.credentials = {
            "Code": "Success",
            "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Type": "AWS-HMAC",
            "AccessKeyId": "ASIA" + secrets.token_hex(8).upper(),
            "SecretAccessKey": secrets.token_urlsafe(30),
            "Token": secrets.token_urlsafe(60),
            "Expiration": (now + datetime.timedelta(seconds=lifetime)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body=b"", content_type="text/plain"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def record(self, outcome):
            token = self.headers.get("X-aws-ec2-metadata-token")
            with state.lock:
                state.log.append({
                    "method": self.command,
                    "path": self.path,
                    "ttl": self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"),
                    "token": "none" if token is None else ("valid" if self.token_valid(token) else "invalid"),
                    "status": outcome,
                })

        def token_valid(self, token):
            expiry = state.tokens.get(token)
            return expiry is not None and expiry > time.time()

        def do_PUT(self):
            if self.path != "/latest/api/token":
                self.record(404)
                return self.reply(404)
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if self.headers.get("X-Forwarded-For") is not None:
                self.record(403)
                return self.reply(403)
            if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                self.record(400)
                return self.reply(400)
            token = secrets.token_urlsafe(32)
            with state.lock:
                state.tokens[token] = time.time() + int(ttl)
            self.record(200)
            self.send_response(200)
            self.send_header("X-aws-ec2-metadata-token-ttl-seconds", ttl)
            self.send_header("Content-Length", str(len(token)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(token.encode())
            self.close_connection = True

        def do_POST(self):
            if self.path == "/_test/revoke-tokens":
                with state.lock:
                    state.tokens.clear()
                return self.reply(204)
            self.reply(404)

        def do_GET(self):
            if self.path == "/_test/log":
                with state.lock:
                    body = json.dumps(state.log).encode()
                return self.reply(200, body, "application/json")
            if self.path == "/_test/credentials":
                return self.reply(200, json.dumps(state.credentials).encode(), "application/json")
            with state.lock:
                valid = self.token_valid(self.headers.get("X-aws-ec2-metadata-token", ""))
            if not valid:
                self.record(401)
                return self.reply(401)
            if self.path == CREDS_PATH:
                if state.role is None:
                    self.record(404)
                    return self.reply(404)
                self.record(200)
                return self.reply(200, state.role.encode())
            if state.role is not None and self.path == CREDS_PATH + state.role:
                self.record(200)
                return self.reply(200, json.dumps(state.credentials, indent=2).encode(), "text/plain")
            self.record(404)
            self.reply(404)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", default="aurorad-test-role")
    parser.add_argument("--no-role", action="store_true", help="the instance has no instance profile")
    parser.add_argument("--lifetime", type=int, default=21600, help="seconds until the credentials expire")
    args = parser.parse_args()
    state = State(None if args.no_role else args.role, args.lifetime)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)

    def watch_stdin():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
