"""A local container credentials endpoint (ECS task role agent, EKS Pod Identity agent) for the credential tests.

Any GET outside /_test/ is a credentials request: when an authorization token is required (--token, or set later
with POST /_test/token), the Authorization header must equal it (otherwise 401, with an error JSON that echoes the
token sent). Every answer carries fresh credentials (AccessKeyId ASIACONTAINER<n>, or the fixed
--access-key-id/--secret-access-key/--session-token set) expiring --lifetime seconds from now. --error-status makes
every credentials request fail with that status and the agents' error JSON {"code", "message"}. POST
/_test/fail-next with a count in the body fails that many following requests with HTTP 500. GET /_test/log lists the
requests. --omit FIELD leaves that field out of the credentials. Prints its port, then serves until its stdin closes.
"""
import argparse
import datetime
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, token, lifetime, error_status, fixed, omit):
        self.lock = threading.Lock()
        self.omit = omit
        self.fixed = fixed
        self.token = token
        self.lifetime = lifetime
        self.error_status = error_status
        self.fail_next = 0
        self.served = 0
        self.log = []


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, document=None):
            body = b"" if document is None else json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def request_body(self):
            length = int(self.headers.get("Content-Length", "0"))
            return self.rfile.read(length).decode() if length else ""

        def do_POST(self):
            body = self.request_body()
            with state.lock:
                if self.path == "/_test/token":
                    state.token = body
                elif self.path == "/_test/fail-next":
                    state.fail_next = int(body)
                else:
                    return self.reply(404)
            self.reply(204)

        def do_GET(self):
            if self.path == "/_test/log":
                with state.lock:
                    log = list(state.log)
                return self.reply(200, log)
            authorization = self.headers.get("Authorization")
            with state.lock:
                if state.fail_next > 0:
                    state.fail_next -= 1
                    status, document = 500, {"code": "InternalError", "message": "the agent failed"}
                elif state.token is not None and authorization != state.token:
                    # Echoes the token it was sent, as a careless agent might: the provider must not repeat it.
                    message = "the authorization token %s is not valid" % authorization
                    status, document = 401, {"code": "InvalidToken", "message": message}
                elif state.error_status is not None:
                    status = state.error_status
                    document = {"code": "AccessDenied", "message": "no role is associated with this service account"}
                else:
                    state.served += 1
                    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                    expiration = now + datetime.timedelta(seconds=state.lifetime)
                    access_key, secret_key, session_token = state.fixed or (
                        "ASIACONTAINER%d" % state.served, "container-secret-%d" % state.served,
                        "container-session-token-%d" % state.served)
                    status, document = 200, {
                        "AccessKeyId": access_key,
                        "SecretAccessKey": secret_key,
                        "Token": session_token,
                        "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "AccountId": "123456789012",
                    }
                    document.pop(state.omit, None)
                state.log.append({
                    "path": self.path,
                    "authorization": authorization,
                    "accept": self.headers.get("Accept"),
                    "status": status,
                })
            self.reply(status, document)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", default=None, help="the Authorization header value required")
    parser.add_argument("--lifetime", type=int, default=3600, help="seconds until served credentials expire")
    parser.add_argument("--error-status", type=int, default=None, help="answer every request with this error")
    parser.add_argument("--access-key-id", default=None, help="serve these credentials, with the next two")
    parser.add_argument("--secret-access-key", default=None)
    parser.add_argument("--session-token", default=None)
    parser.add_argument("--omit", default=None, help="a credentials field to leave out")
    args = parser.parse_args()
    fixed = (args.access_key_id, args.secret_access_key, args.session_token) if args.access_key_id else None
    state = State(args.token, args.lifetime, args.error_status, fixed, args.omit)
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
