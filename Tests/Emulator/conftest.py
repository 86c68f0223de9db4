"""pytest fixtures: the emulator as a child process on a free 127.0.0.1 port, and boto3 clients signed for it."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "eu-west-1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass
class Emulator:
    """A running emulator: its endpoint and the bootstrap users' keys."""

    process: subprocess.Popen
    endpoint: str
    admin: dict[str, str]
    limited: dict[str, str]

    def client(self, service: str, credentials: dict[str, str] | None = None, **config):
        """A boto3 client for the emulator, signed with the admin key unless told otherwise."""
        credentials = credentials or self.admin
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            config=Config(retries={"max_attempts": 1}, **config),
        )


def _read_ready_line(process: subprocess.Popen, deadline: float) -> int:
    buffer = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            buffer += chunk
            for line in buffer.decode().splitlines():
                if line.startswith("READY port="):
                    return int(line.split("=", 1)[1])
        if process.poll() is not None:
            break
    raise RuntimeError(f"the emulator did not print READY within {START_TIMEOUT} s (output: {buffer!r})")


def start_emulator(state_dir: str, *extra: str) -> Emulator:
    """Start aurora_emulator.py and wait (bounded) for its READY line."""
    process = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "aurora_emulator.py"), "--port", "0", "--state-dir", state_dir, *extra],
        stdout=subprocess.PIPE,
    )
    try:
        port = _read_ready_line(process, time.monotonic() + START_TIMEOUT)
    except BaseException:
        process.kill()
        process.wait(STOP_TIMEOUT)
        raise
    with open(os.path.join(state_dir, "admin-credentials.json")) as handle:
        admin = json.load(handle)
    with open(os.path.join(state_dir, "limited-credentials.json")) as handle:
        limited = json.load(handle)
    return Emulator(process, f"http://127.0.0.1:{port}", admin, limited)


def stop_emulator(emulator: Emulator) -> int:
    """SIGTERM, then SIGKILL after a bounded wait; returns the exit status."""
    emulator.process.send_signal(signal.SIGTERM)
    try:
        return emulator.process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        emulator.process.kill()
        emulator.process.wait(STOP_TIMEOUT)
        raise
    finally:
        emulator.process.stdout.close()


@pytest.fixture(scope="session")
def emulator():
    """One emulator for the session, with short RDS delays and the demo world.

    Two seconds, not one: tests assert the intermediate states (`creating`, `PENDING`) a few calls after starting
    them, and a loaded CI machine must still make those calls inside the window.
    """
    with tempfile.TemporaryDirectory(prefix="aurora-emu-") as state_dir:
        running = start_emulator(
            state_dir, "--restore-seconds", "2", "--instance-seconds", "2", "--association-seconds", "2",
            "--seed-demo",
        )
        yield running
        assert stop_emulator(running) == 0


@pytest.fixture(scope="module")
def slow_iam_emulator():
    """An emulator where a role cannot be assumed by RDS until it is 3 seconds old."""
    with tempfile.TemporaryDirectory(prefix="aurora-emu-") as state_dir:
        running = start_emulator(state_dir, "--restore-seconds", "1", "--iam-propagation-seconds", "3", "--seed-demo")
        yield running
        assert stop_emulator(running) == 0
