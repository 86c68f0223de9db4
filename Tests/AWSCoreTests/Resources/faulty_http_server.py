#!/usr/bin/env python3
"""A deliberately faulty HTTP/1.1 server for the transport and retry tests.

Binds 127.0.0.1 on an ephemeral port, prints the port on stdout, and serves until killed or until its stdin closes
(so it never outlives the test process). Routes (query parameters in brackets):
  /ok                                   200 "ok"
  /echo                                 200, JSON with the method, path, headers and body it received
  /stats                                200, JSON {"connections": TCP connections accepted so far}
  /fail-then-ok [key, failures, status, code, date]
                                        the first `failures` requests for `key` get `status` (with a Query-protocol
                                        error body when `code` is given, and `date` as the Date header), then 200
  /reset                                closes the connection with a TCP reset instead of answering
  /stall [seconds]                      waits, then answers 200 (the client should time out first)
  /truncated                            announces Content-Length 1000, sends 10 bytes, closes
  /big [bytes, chunked]                 a body of `bytes` bytes, with Content-Length or chunked
"""
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
CONNECTIONS = 0
COUNTERS = {}


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def process_request(self, request, client_address):
        global CONNECTIONS
        with LOCK:
            CONNECTIONS += 1
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # resets and client timeouts are the point of this server


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.route()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def route(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = url.path
        if path == "/ok":
            self.reply(200, b"ok")
        elif path == "/echo":
            info = {
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("latin-1"),
            }
            self.reply(200, json.dumps(info).encode(), "application/json")
        elif path == "/stats":
            with LOCK:
                count = CONNECTIONS
            self.reply(200, json.dumps({"connections": count}).encode(), "application/json")
        elif path == "/fail-then-ok":
            with LOCK:
                key = query.get("key", "")
                COUNTERS[key] = COUNTERS.get(key, 0) + 1
                seen = COUNTERS[key]
            if seen <= int(query.get("failures", "0")):
                code = query.get("code")
                payload = b""
                if code:
                    payload = (
                        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
                        f"<Code>{code}</Code><Message>Rate exceeded</Message></Error>"
                        f"<RequestId>req-{seen}</RequestId></ErrorResponse>"
                    ).encode()
                extra = {"Date": query["date"]} if "date" in query else {}
                self.reply(int(query.get("status", "503")), payload, "text/xml", extra)
            else:
                self.reply(200, f"<ok attempt=\"{seen}\"/>".encode(), "text/xml")
        elif path == "/reset":
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.close()
            self.close_connection = True
        elif path == "/stall":
            time.sleep(float(query.get("seconds", "5")))
            self.reply(200, b"late")
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            self.close_connection = True
        elif path == "/big":
            size = int(query.get("bytes", "0"))
            if query.get("chunked"):
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"y" * 65536
                sent = 0
                try:
                    while sent < size:
                        part = chunk[: min(len(chunk), size - sent)]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        sent += len(part)
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass
                self.close_connection = True
            else:
                self.reply(200, b"z" * size)
        else:
            self.reply(404, b"no such route")

    def reply(self, status, payload, content_type="text/plain", extra=None):
        if extra and "Date" in extra:
            self.send_response_only(status)  # the given Date replaces the automatic one
        else:
            self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


def exit_when_stdin_closes():
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main():
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
