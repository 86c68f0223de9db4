#!/usr/bin/env python3
"""Driver of Benchmarks/daemon-bench.sh: measures a running aurorad binary and prints the figures.

1. Control socket: N distinct valid specs submitted over the socket (newline-delimited JSON), status requests and a
   list, from one client and from 16 concurrent clients, against an isolated AWS environment (closed endpoint).
2. Memory: VmRSS/VmHWM of the daemon idle and with the specs stored and failing their reconciles against that port.
3. and 4. Against the bundled emulator: AWS calls per resync of the converged demo spec, calls from submit to Ready
   with the per-action breakdown, and the time from submit to Ready.

Only 127.0.0.1 and a Unix socket under /tmp; every wait is bounded in count and time; every process started is
stopped on exit, also on SIGTERM.
"""

import argparse
import collections
import copy
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_SPEC = os.path.join(ROOT, "config", "demo-spec.json")
EMULATOR = os.path.join(ROOT, "Tests", "Emulator", "aurora_emulator.py")
CLIENTS = 16
REQUEST_TIMEOUT = 30.0
RESYNC_SECONDS = 10
POLL_SECONDS = 1
AWS_LINE = re.compile(r"aws\.action=(\S+).*?aws\.service=(\S+)|aws\.service=(\S+).*?aws\.action=(\S+)")
# The daemon's text log lines: `TIME LEVEL message key=value…`, values with spaces quoted.
RECONCILING_LINE = re.compile(r"^\S+ \S+ Reconciling ")
REQUEUE_LINE = re.compile(r"^\S+ \S+ Reconciled; requeued .*after=\"?(\S+) seconds")


def is_resync_requeue(after: float | None, poll: float, resync: float) -> bool:
    """Whether a reconcile requeued `after` seconds waits for a resync pass every `resync` seconds rather than a poll
    tick every `poll`: passes land on the daemon's fleet-wide boundaries, so the delay is whatever is left of the
    interval, while a poll tick is at most two intervals away (one whole interval after a write, plus the tick)."""
    return after is not None and 2 * poll < after <= resync + 1

processes: list[subprocess.Popen] = []


class BenchError(Exception):
    """A step of the benchmark could not be carried out; the message says which and why."""


def stop_all() -> None:
    """Stops every process this driver started: SIGTERM, then SIGKILL after 10 s."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in reversed(processes):
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    processes.clear()


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank percentile `p` (0–100) of `samples`."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    """Seconds as milliseconds with two decimals."""
    return f"{seconds * 1000:.2f} ms"


class Client:
    """One persistent connection to the control socket; requests are answered in order, one line each."""

    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(REQUEST_TIMEOUT)
        self.sock.connect(path)
        self.reader = self.sock.makefile("rb")

    def request(self, body: dict) -> tuple[dict, float]:
        """Sends one request and returns the response with its round-trip time in seconds."""
        line = (json.dumps(body, separators=(",", ":")) + "\n").encode()
        start = time.perf_counter()
        self.sock.sendall(line)
        answer = self.reader.readline()
        elapsed = time.perf_counter() - start
        if not answer.endswith(b"\n"):
            raise BenchError(f"The daemon closed the connection during a {body['command']} request.")
        return json.loads(answer), elapsed

    def close(self) -> None:
        """Closes the connection."""
        self.reader.close()
        self.sock.close()


def checked(response: dict, what: str) -> dict:
    """The result of a successful response, or a BenchError naming the request."""
    if not response.get("ok"):
        raise BenchError(f"{what} failed: {json.dumps(response.get('error'))}")
    return response["result"]


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid` in KiB, from /proc/<pid>/status."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def mib(values: dict[str, int]) -> str:
    """A memory reading as `RSS x MiB (peak y MiB)`."""
    return f"RSS {values['VmRSS'] / 1024:.1f} MiB (peak VmHWM {values['VmHWM'] / 1024:.1f} MiB)"


def base_environment() -> dict[str, str]:
    """The current environment without any AWS_ variable, so nothing of the caller's AWS setup leaks in."""
    return {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}


def closed_environment(workdir: str) -> dict[str, str]:
    """An isolated AWS environment whose endpoint is closed (127.0.0.1:9): every AWS call fails at once."""
    return emulator_environment(workdir, 9, {
        "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})


def emulator_environment(workdir: str, port: int, credentials: dict) -> dict[str, str]:
    """An isolated AWS environment pointing at the emulator on 127.0.0.1:`port` with the given access key."""
    env = base_environment()
    env.update({
        "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_CONFIG_FILE": os.path.join(workdir, "no-such-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(workdir, "no-such-credentials"),
    })
    return env


def start_daemon(binary: str, workdir: str, env: dict[str, str], extra: list[str], log_name: str):
    """Starts `aurorad run` with its state in `workdir` and waits (≤ 15 s) until its socket accepts."""
    socket_path = os.path.join(workdir, "s")
    log = open(os.path.join(workdir, log_name), "wb")
    process = subprocess.Popen(
        [binary, "run", "--database", os.path.join(workdir, "aurorad.db"), "--socket", socket_path, *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    processes.append(process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"aurorad exited with {process.returncode} at start; see {workdir}/{log_name}.")
        try:
            Client(socket_path).close()
            return process, socket_path
        except OSError:
            time.sleep(0.002)
    raise BenchError(f"aurorad did not listen on {socket_path} within 15 s; see {workdir}/{log_name}.")


def stop_daemon(process: subprocess.Popen) -> None:
    """Stops one daemon with SIGTERM (SIGKILL after 10 s) and forgets it."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    processes.remove(process)


def demo_spec() -> dict:
    """config/demo-spec.json."""
    with open(DEMO_SPEC) as file:
        return json.load(file)


def named_specs(prefix: str, count: int) -> list[dict]:
    """`count` copies of the demo spec named `<prefix>-000`, `<prefix>-001`, …"""
    template = demo_spec()
    specs = []
    for index in range(count):
        spec = copy.deepcopy(template)
        spec["name"] = f"{prefix}-{index:03d}"
        specs.append(spec)
    return specs


def run_clients(socket_path: str, jobs: list[list[dict]]) -> tuple[list[float], float]:
    """Runs each list of requests on its own connection and thread, all at once; returns latencies and wall time."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs) + 1, timeout=REQUEST_TIMEOUT)

    def work(requests: list[dict]) -> None:
        try:
            client = Client(socket_path)
            barrier.wait()
            mine = []
            for body in requests:
                response, elapsed = client.request(body)
                checked(response, body["command"])
                mine.append(elapsed)
            client.close()
            with lock:
                latencies.extend(mine)
        except (OSError, BenchError, threading.BrokenBarrierError) as error:
            with lock:
                errors.append(str(error))

    threads = [threading.Thread(target=work, args=(requests,), daemon=True) for requests in jobs]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT * 4)
    wall = time.perf_counter() - start
    if errors or any(thread.is_alive() for thread in threads):
        raise BenchError(f"A concurrent client failed: {errors[:3] or 'a client did not finish in time'}")
    return latencies, wall


def report(label: str, latencies: list[float], wall: float) -> None:
    """Prints count, throughput and p50/p99 of one measured series."""
    print(f"  {label}: {len(latencies)} requests in {wall:.2f} s = {len(latencies) / wall:,.0f}/s; "
          f"p50 {ms(percentile(latencies, 50))}, p99 {ms(percentile(latencies, 99))}, "
          f"max {ms(max(latencies))}")


def count_lines(path: str, needle: str) -> int:
    """How many lines of the file at `path` contain `needle`."""
    with open(path, errors="replace") as file:
        return sum(needle in line for line in file)


def control_socket_and_memory(binary: str, workdir: str, count: int) -> None:
    """Parts 1 and 2: the socket under load and the daemon's memory, against a closed AWS endpoint."""
    daemon, socket_path = start_daemon(binary, workdir, closed_environment(workdir), [], "socket-bench.log")
    log_path = os.path.join(workdir, "socket-bench.log")
    time.sleep(1)
    idle = memory(daemon.pid)
    print(f"\n1. Control socket ({count} specs, AWS endpoint closed: http://127.0.0.1:9)")

    specs = named_specs("bench", count)
    client = Client(socket_path)
    latencies = []
    start = time.perf_counter()
    for spec in specs:
        response, elapsed = client.request({"command": "submit", "spec": spec})
        if not checked(response, f"submit {spec['name']}")["created"]:
            raise BenchError(f"submit {spec['name']} did not create a new spec.")
        latencies.append(elapsed)
    report("submit, 1 client", latencies, time.perf_counter() - start)

    latencies = []
    start = time.perf_counter()
    for spec in specs:
        response, elapsed = client.request({"command": "status", "name": spec["name"]})
        checked(response, f"status {spec['name']}")
        latencies.append(elapsed)
    report("status, 1 client", latencies, time.perf_counter() - start)

    list_times = []
    for _ in range(5):
        response, elapsed = client.request({"command": "list"})
        listed = checked(response, "list")
        if len(listed) != count:
            raise BenchError(f"list returned {len(listed)} specs, expected {count}.")
        list_times.append(elapsed)
    print(f"  list of {count} specs: {ms(list_times[0])} first, median of 5 {ms(percentile(list_times, 50))} "
          f"({len(json.dumps(listed)):,} bytes of JSON)")
    client.close()

    time.sleep(5)
    loaded = memory(daemon.pid)
    failures = count_lines(log_path, "Reconcile failed")
    time.sleep(25)
    later = memory(daemon.pid)
    later_failures = count_lines(log_path, "Reconcile failed")

    rounds = 50
    jobs = [[{"command": "status", "name": specs[(c * rounds + i) % count]["name"]} for i in range(rounds)]
            for c in range(CLIENTS)]
    latencies, wall = run_clients(socket_path, jobs)
    report(f"status, {CLIENTS} concurrent clients", latencies, wall)
    more = named_specs("bench-c", count)
    jobs = [[{"command": "submit", "spec": spec} for spec in more[c::CLIENTS]] for c in range(CLIENTS)]
    latencies, wall = run_clients(socket_path, jobs)
    report(f"submit, {CLIENTS} concurrent clients ({count} more specs)", latencies, wall)
    client = Client(socket_path)
    list_times = [client.request({"command": "list"})[1] for _ in range(5)]
    client.close()
    print(f"  list of {2 * count} specs, 1 client: median of 5 {ms(percentile(list_times, 50))}")
    jobs = [[{"command": "list"}] * 5 for _ in range(CLIENTS)]
    latencies, wall = run_clients(socket_path, jobs)
    report(f"list of {2 * count} specs, {CLIENTS} concurrent clients", latencies, wall)
    time.sleep(5)
    doubled = memory(daemon.pid)

    print("\n2. Memory of the daemon")
    print(f"  idle after start:                         {mib(idle)}")
    print(f"  {count} specs stored and reconciling, +5 s:  {mib(loaded)}; "
          f"{failures} failed reconciles so far (closed port; each retries its call, then backs off)")
    print(f"  {count} specs stored and reconciling, +30 s: {mib(later)}; {later_failures} failed reconciles so far")
    print(f"  {2 * count} specs after the concurrent phase, +5 s: {mib(doubled)}")
    stop_daemon(daemon)


def start_emulator(workdir: str, restore_seconds: int = 2, instance_seconds: int = 2) -> tuple[int, dict]:
    """Starts the emulator (demo world, these delays); returns its port and admin credentials (≤ 90 s)."""
    state = os.path.join(workdir, "emulator")
    out_path = os.path.join(workdir, "emulator.out")
    with open(out_path, "wb") as out, open(os.path.join(workdir, "emulator.log"), "wb") as err:
        process = subprocess.Popen(
            [sys.executable, EMULATOR, "--port", "0", "--state-dir", state, "--seed-demo",
             "--restore-seconds", str(restore_seconds), "--instance-seconds", str(instance_seconds)],
            stdout=out, stderr=err, env=base_environment())
    processes.append(process)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"The emulator exited with {process.returncode}; see {workdir}/emulator.log.")
        with open(out_path) as out:
            found = re.search(r"^READY port=(\d+)$", out.read(), re.MULTILINE)
        if found:
            with open(os.path.join(state, "admin-credentials.json")) as file:
                return int(found.group(1)), json.load(file)
        time.sleep(0.2)
    raise BenchError(f"The emulator did not print READY within 90 s; see {workdir}/emulator.log.")


def aws_call(line: str) -> str | None:
    """The `service:Action` of a daemon debug log line recording one AWS attempt, else None."""
    aws = AWS_LINE.search(line)
    if not aws:
        return None
    action, service = (aws.group(1), aws.group(2)) if aws.group(1) else (aws.group(4), aws.group(3))
    return f"{service}:{action}"


def parse_reconciles(lines: list[str]) -> list[dict]:
    """Splits daemon debug log lines into reconciles: the AWS attempts of each and how it ended."""
    reconciles = []
    current = None
    for line in lines:
        if RECONCILING_LINE.search(line):
            current = {"calls": collections.Counter(), "after": None, "failed": False}
            reconciles.append(current)
            continue
        call = aws_call(line)
        if call and current is not None:
            current["calls"][call] += 1
            continue
        requeued = REQUEUE_LINE.search(line)
        if requeued and current is not None:
            current["after"] = float(requeued.group(1))
            current = None
        elif ("Reconcile failed" in line or "Reconciled; idle" in line) and current is not None:
            current["failed"] = "Reconcile failed" in line
            current = None
    return reconciles


def breakdown(calls: collections.Counter) -> str:
    """A per-action count as `service:Action×n, …`, most frequent first."""
    return ", ".join(f"{name}×{n}" for name, n in sorted(calls.items(), key=lambda item: (-item[1], item[0])))


def converged_spec_cost(binary: str, workdir: str) -> None:
    """Parts 3 and 4: the demo spec against the emulator, from submit to Ready and through two resyncs."""
    port, credentials = start_emulator(workdir)
    env = emulator_environment(workdir, port, credentials)
    daemon_dir = os.path.join(workdir, "emulated")
    os.makedirs(daemon_dir)
    extra = ["--poll-interval", str(POLL_SECONDS), "--resync-interval", str(RESYNC_SECONDS), "--log-level", "debug"]
    daemon, socket_path = start_daemon(binary, daemon_dir, env, extra, "aurorad.log")
    log_path = os.path.join(daemon_dir, "aurorad.log")
    spec = demo_spec()
    client = Client(socket_path)
    offset = os.path.getsize(log_path)
    start = time.perf_counter()
    checked(client.request({"command": "submit", "spec": spec})[0], "submit demo spec")
    phase = ""
    for _ in range(3000):
        if time.perf_counter() - start > 240:
            break
        status = checked(client.request({"command": "status", "name": spec["name"]})[0], "status demo spec")
        phase = status["phase"]
        if phase in ("Ready", "Failed"):
            break
        time.sleep(0.1)
    ready_seconds = time.perf_counter() - start
    if phase != "Ready":
        raise BenchError(f"The demo spec ended in phase {phase!r}, not Ready; see {log_path}.")

    def resync(reconcile: dict) -> bool:
        return is_resync_requeue(reconcile["after"], POLL_SECONDS, RESYNC_SECONDS)

    def reconciles_since_submit() -> list[dict]:
        with open(log_path, errors="replace") as file:
            file.seek(offset)
            return parse_reconciles(file.read().splitlines())

    # The reconcile that reaches Ready requeues for the resync interval; wait for two more such reconciles.
    deadline = time.monotonic() + 3 * RESYNC_SECONDS + 15
    while time.monotonic() < deadline:
        resyncs = [r for r in reconciles_since_submit() if resync(r)]
        if len(resyncs) >= 3:
            break
        time.sleep(0.5)
    client.close()
    stop_daemon(daemon)
    reconciles = reconciles_since_submit()
    first_ready = next((i for i, r in enumerate(reconciles) if resync(r)), None)
    if first_ready is None:
        raise BenchError(f"No reconcile requeued for the resync interval; see {log_path}.")
    to_ready = sum((r["calls"] for r in reconciles[:first_ready + 1]), collections.Counter())
    resyncs = [r for r in reconciles[first_ready + 1:] if resync(r)]
    if not resyncs:
        raise BenchError(f"No resync of the converged spec within {3 * RESYNC_SECONDS + 15} s; see {log_path}.")
    per_resync = [sum(r["calls"].values()) for r in resyncs]
    other = [r for r in reconciles[first_ready + 1:] if not resync(r)]

    print("\n3. AWS calls of the demo spec against the emulator (restore 2 s, instances 2 s, poll 1 s, resync 10 s)")
    print(f"  submit to Ready: {sum(to_ready.values())} calls in {first_ready + 1} reconciles: {breakdown(to_ready)}")
    print(f"  one resync of the converged spec: {per_resync} calls in {len(resyncs)} resyncs: "
          f"{breakdown(resyncs[0]['calls'])}")
    if other:
        print(f"  note: {len(other)} reconciles after Ready did not requeue for the resync interval")
    print("\n4. Time from submit to Ready of the demo spec (same emulator delays)")
    print(f"  {ready_seconds:.1f} s (status polled every 0.1 s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the aurorad binary to measure")
    parser.add_argument("--specs", type=int, default=200, help="specs submitted in part 1")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    workdir = tempfile.mkdtemp(prefix="adb", dir="/tmp")
    keep = False
    try:
        print(f"aurorad daemon benchmark: {args.binary}; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} at start")
        control_socket_and_memory(args.binary, workdir, args.specs)
        converged_spec_cost(args.binary, workdir)
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
        return 0
    except BenchError as error:
        keep = True
        print(f"daemon-bench: {error} (logs kept in {workdir})", file=sys.stderr)
        return 1
    finally:
        stop_all()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
