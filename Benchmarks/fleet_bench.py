#!/usr/bin/env python3
"""Driver of Benchmarks/fleet-bench.sh: issue 9's fleet figures, each a ratio or count measured in one run.

1. Against the bundled emulator (restores 10 s, instances 3 s, poll 1 s, resync 10 s): a sequential boto3 script
   making the minimum calls for one spec (P8's baseline); the daemon taking 1 spec, then (a fresh daemon) N specs
   from submit to Ready (P2, P8, P4); a steady window after Ready (P3 calls per resync pass, P4 mutating calls after
   Ready); the daemon's RSS idle and with the N specs Ready (P6).
2. A store of 10,000 Ready specs with the AWS endpoint closed (127.0.0.1:9): start to socket-ready (P7),
   `aurorad ctl status NAME` against `curl --version` (P5), `aurorad ctl list --json` (P5b), both on an idle daemon
   (backoff of an hour, so each spec fails once against the closed endpoint and waits); a list beside the start-up
   round of 10,000 failing reconciles is printed for comparison.

`--p6 N` runs P6 alone at N specs (default 1,000): the emulator restores in 1 s and makes instances in 1 s, the daemon
runs with the AWS rate limit lifted (P6 is about memory, not time), takes N specs to Ready and through two whole
resync passes, and its memory is read from /proc/PID/status and smaps idle, at Ready and after each pass, with the
growth split into anonymous memory (heap, arenas, stacks) and file-backed pages (code and data paged in).

AWS calls are counted by action from the daemon's debug log, as daemon_bench.py does (its helpers are imported).
Only 127.0.0.1 and Unix sockets under /tmp; every wait is bounded in count and time; every process started is
stopped on exit, also on SIGTERM.
"""

import argparse
import collections
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import daemon_bench as bench
from daemon_bench import BenchError

RESTORE_SECONDS = 10
INSTANCE_SECONDS = 3
POLL_SECONDS = 1
RESYNC_SECONDS = 10
DEFAULT_RESYNC_SECONDS = 600
STORE_SPECS = 10_000
READY_TIMEOUT = 600
P6_SPECS = 1_000
P6_SECONDS = 1
# Much longer than the daemon's minimum 10 s between heap trims, so each pass is followed by one, as at the default
# 600 s.
P6_RESYNC_SECONDS = 65
P6_READY_TIMEOUT = 3_600
# The memory run is about memory, not time: the AWS rate limit is lifted so 1,000 specs converge in minutes.
P6_CONFIG = "[aws]\nrequests_per_second = 1000\nburst = 10000\n"
# P5/P5b's daemon: every spec fails its first reconcile against the closed endpoint, then waits an hour, so the
# control path is measured on an idle daemon rather than beside 10,000 failing reconciles a second.
QUIET_CONFIG = "[reconcile]\nbackoff_min = 3600\nbackoff_max = 3600\n"
HEAPTRACK_PRELOAD = "/usr/lib/heaptrack/libheaptrack_preload.so"
MUTATING_PREFIXES = ("Create", "Put", "Restore", "Add", "Modify", "Delete", "Remove", "Tag", "Untag", "Update",
                     "Attach", "Detach", "Reboot", "Start", "Stop")
CONDITIONS = ["RoleReady", "PolicyReady", "BackupVerified", "ClusterRestored", "RoleAssociated", "InstancesReady",
              "Ready"]

figures: list[tuple[str, str, str, bool | None]] = []


def figure(key: str, value: str, target: str, met: bool | None) -> None:
    """Records and prints one figure with its target and whether it is met (None: not judged)."""
    figures.append((key, value, target, met))
    verdict = "" if met is None else ("  MET" if met else "  NOT MET")
    print(f"  {key}: {value}  (target {target}){verdict}", flush=True)


def is_mutating(call: str) -> bool:
    """True when the `service:Action` changes AWS state."""
    return call.split(":", 1)[1].startswith(MUTATING_PREFIXES)


def log_lines(path: str, start: int, end: int) -> list[str]:
    """The lines of the log file at `path` between byte offsets `start` and `end`."""
    with open(path, "rb") as file:
        file.seek(start)
        return file.read(max(0, end - start)).decode(errors="replace").splitlines()


def log_calls(path: str, start: int, end: int) -> collections.Counter:
    """The AWS attempts logged between byte offsets `start` and `end`, by `service:Action`."""
    return collections.Counter(call for call in map(bench.aws_call, log_lines(path, start, end)) if call)


def log_resyncs(path: str, start: int, end: int, resync: int = RESYNC_SECONDS) -> int:
    """How many reconciles logged between byte offsets `start` and `end` ended requeued for a resync every `resync`
    seconds (`bench.is_resync_requeue`)."""
    requeues = (bench.REQUEUE_LINE.search(line) for line in log_lines(path, start, end))
    return sum(1 for found in requeues
               if found and bench.is_resync_requeue(float(found.group(1)), POLL_SECONDS, resync))


def mutating(calls: collections.Counter) -> int:
    """How many of `calls` changed AWS state."""
    return sum(n for call, n in calls.items() if is_mutating(call))


def wait_ready(client: bench.Client, names: list[str], timeout: float) -> None:
    """Polls status (each spec every ≥ 0.2 s, ≤ `timeout` s) until every spec is Ready."""
    start = time.perf_counter()
    pending = set(names)
    while pending and time.perf_counter() - start < timeout:
        for name in sorted(pending):
            status = bench.checked(client.request({"command": "status", "name": name})[0], f"status {name}")
            if status["phase"] == "Ready":
                pending.discard(name)
            elif status["phase"] == "Failed":
                raise BenchError(f"{name} went Failed: {status.get('message')}")
        time.sleep(0.2)
    if pending:
        raise BenchError(f"{len(pending)} specs not Ready within {timeout:.0f} s, e.g. {sorted(pending)[0]}.")


SMAPS_FIELDS = ("Rss", "Anonymous")


def mapping_group(path: str) -> str:
    """The group a mapping's memory is reported under: the binary's own pages, libc, curl and TLS, other libraries,
    the brk heap, and other anonymous memory (malloc's mmapped arenas and big blocks, thread stacks)."""
    name = os.path.basename(path)
    if not path:
        return "anon"
    if name == "[heap]":
        return "heap"
    if name == "aurorad":
        return "aurorad"
    if name.startswith(("libc.so", "libm.so", "ld-linux")):
        return "libc"
    if name.startswith(("libcurl", "libssl", "libcrypto", "libnghttp2", "libgnutls", "libkrb5", "libgssapi")):
        return "curl+tls"
    return "anon" if name.startswith("[") and name != "[stack]" else "other"


def smaps(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon, RssFile (KiB) and Threads of `pid` from /proc/<pid>/status; per mapping from
    /proc/<pid>/smaps (KiB): Rss keyed `map:NAME` (anonymous mappings under `map:[anon]`), and Rss and Anonymous
    keyed `group:GROUP:FIELD` by `mapping_group`. (Private_Dirty is no guide to file pages: a binary just linked is
    dirty in the page cache until written back.)"""
    values: dict[str, int] = collections.Counter()
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
                values[key] = int(rest.split()[0])
    mapping, group = "[anon]", "anon"
    with open(f"/proc/{pid}/smaps") as maps:
        for line in maps:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                path = " ".join(fields[5:])
                mapping, group = (os.path.basename(path) if path else "[anon]"), mapping_group(path)
            elif fields[0][:-1] in SMAPS_FIELDS:
                values[f"group:{group}:{fields[0][:-1]}"] += int(fields[1])
                if fields[0] == "Rss:":
                    values[f"map:{mapping}"] += int(fields[1])
    return values


def split_line(values: dict[str, int], idle: dict[str, int]) -> str:
    """Where the growth since idle lives, by mapping group, in MiB: anonymous (heap, malloc's mmapped arenas, thread
    stacks: live data or fragmentation) against file-backed (code and read-only data paged in: touched once, kept)."""
    groups = sorted({key.split(":")[1] for key in values if key.startswith("group:")})

    def grown(group: str, field: str) -> float:
        key = f"group:{group}:{field}"
        return (values[key] - idle[key]) / 1024
    anonymous = sum(grown(group, "Anonymous") for group in groups)
    file_backed = sum(grown(group, "Rss") - grown(group, "Anonymous") for group in groups)
    parts = (f"{group} {grown(group, 'Rss'):+.1f}" for group in sorted(groups, key=lambda group: -grown(group, "Rss")))
    return (f"    split: anonymous {anonymous:+.1f} MiB, file-backed {file_backed:+.1f} MiB; by mapping group: "
            + ", ".join(parts))


def memory_line(label: str, values: dict[str, int], idle: dict[str, int]) -> str:
    """One memory reading against the idle one, in MiB, with the mappings that grew most and the growth's split."""
    def mb(key: str) -> str:
        return f"{values[key] / 1024:.1f}"

    def grown(key: str) -> str:
        return f"{(values[key] - idle[key]) / 1024:+.1f}"
    maps = sorted((key for key in values if key.startswith("map:")), key=lambda key: idle[key] - values[key])[:4]
    line = (f"  {label}: VmRSS {mb('VmRSS')} MiB ({grown('VmRSS')}), VmHWM {mb('VmHWM')}, RssAnon {mb('RssAnon')} "
            f"({grown('RssAnon')}), RssFile {mb('RssFile')} ({grown('RssFile')}), threads {values['Threads']}; "
            f"grew most: {', '.join(f'{key[4:]} {grown(key)}' for key in maps)}")
    return line if values is idle else line + "\n" + split_line(values, idle)


def wait_resyncs(log_path: str, start: int, count: int, timeout: float) -> int:
    """Waits (≤ `timeout` s, a look every 2 s) until the log after byte `start` holds `count` resync requeues; returns
    the log's size then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        end = os.path.getsize(log_path)
        if log_resyncs(log_path, start, end, P6_RESYNC_SECONDS) >= count:
            return end
        time.sleep(2)
    raise BenchError(f"Fewer than {count} resync reconciles within {timeout:.0f} s; see {log_path}.")


def p6_figure(binary: str, workdir: str, count: int, heaptrack: str | None = None) -> None:
    """P6 alone: RSS idle and with `count` Ready specs after whole resync passes, the rate limit lifted. With
    `heaptrack` (a path), the daemon runs under heaptrack's preload library writing its raw recording there, and is
    killed right after the last reading so that the recording ends with it (`Benchmarks/heap_pins.py` reads it; the
    library's own memory is counted in the readings)."""
    # moto takes an automated snapshot per instance and refuses more than 1,000 snapshots (SnapshotQuotaExceeded).
    os.environ["MOTO_RDS_SNAPSHOT_LIMIT"] = str(10 * count)
    port, credentials = bench.start_emulator(workdir, P6_SECONDS, P6_SECONDS)
    env = bench.emulator_environment(workdir, port, credentials)
    if heaptrack:
        if not os.path.exists(HEAPTRACK_PRELOAD):
            raise BenchError(f"--heaptrack needs {HEAPTRACK_PRELOAD}: install the heaptrack package.")
        env = dict(env, LD_PRELOAD=HEAPTRACK_PRELOAD, DUMP_HEAPTRACK_OUTPUT=os.path.abspath(heaptrack))
    print(f"\nP6: {count:,} specs against the emulator on 127.0.0.1:{port} (restore {P6_SECONDS} s, instances "
          f"{P6_SECONDS} s, poll {POLL_SECONDS} s, resync {P6_RESYNC_SECONDS} s); AWS rate limit lifted to 1,000 "
          f"calls/s, burst 10,000: this run measures memory, not time; MALLOC_ARENA_MAX "
          f"{os.environ.get('MALLOC_ARENA_MAX', 'unset')}", flush=True)
    daemon_dir = os.path.join(workdir, "p6")
    os.makedirs(daemon_dir)
    config = os.path.join(daemon_dir, "aurorad.toml")
    with open(config, "w") as file:
        file.write(P6_CONFIG)
    extra = ["--config", config, "--poll-interval", str(POLL_SECONDS), "--resync-interval",
             str(P6_RESYNC_SECONDS), "--log-level", "debug"]
    daemon, socket_path = bench.start_daemon(binary, daemon_dir, env, extra, "aurorad.log")
    log_path = os.path.join(daemon_dir, "aurorad.log")
    time.sleep(1)
    idle = smaps(daemon.pid)
    print(memory_line("idle", idle, idle), flush=True)
    client = bench.Client(socket_path)
    start = time.perf_counter()
    specs = bench.named_specs("p6", count)
    for spec in specs:
        bench.checked(client.request({"command": "submit", "spec": spec})[0], f"submit {spec['name']}")
    print(f"  {count:,} specs submitted in {time.perf_counter() - start:.1f} s", flush=True)
    # Polled by status, not list: a list of 1,000 specs is a few MB of JSON, which would be measured too.
    wait_ready(client, [spec["name"] for spec in specs], P6_READY_TIMEOUT)
    seconds = time.perf_counter() - start
    ready = smaps(daemon.pid)
    print(f"  all Ready in {seconds:.0f} s", flush=True)
    print(memory_line("Ready", ready, idle), flush=True)
    readings = []
    offset = os.path.getsize(log_path)
    for number in (1, 2):
        offset = wait_resyncs(log_path, offset, count, 3 * P6_RESYNC_SECONDS + 60)
        # Read between passes, where the daemon spends its time: 5 s after the pass's last reconcile.
        time.sleep(5)
        readings.append(smaps(daemon.pid))
        print(memory_line(f"after resync pass {number}", readings[-1], idle), flush=True)
    client.close()
    if heaptrack:
        # Killed, not stopped: the recording ends at the last reading, without the frees of a shutdown.
        daemon.kill()
        daemon.wait(timeout=10)
        bench.processes.remove(daemon)
        print(f"  heaptrack recording in {heaptrack}: Benchmarks/heap_pins.py {heaptrack} {binary}", flush=True)
    else:
        bench.stop_daemon(daemon)
    final = readings[-1]
    growth = (final["VmRSS"] - idle["VmRSS"]) / 1024
    figure("P6", f"RSS {idle['VmRSS'] / 1024:.1f} MiB idle, {final['VmRSS'] / 1024:.1f} MiB with {count:,} Ready "
           f"specs after two resync passes (+{growth:.1f} MiB; VmHWM {final['VmHWM'] / 1024:.1f} MiB; Ready in "
           f"{seconds:.0f} s with the rate limit lifted)", "≤ idle + 8 MiB at 1,000",
           growth <= 8 if count >= 1000 else None)


def baseline_script(port: int, credentials: dict) -> collections.Counter:
    """P8's baseline: one spec to Ready by a sequential boto3 script making the minimum calls, polling each second."""
    import boto3
    session = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
        region_name="eu-west-1")
    calls: collections.Counter = collections.Counter()

    def client(service: str):
        made = session.client(service, endpoint_url=f"http://127.0.0.1:{port}")
        made.meta.events.register(
            "before-call.*.*", lambda model, **_: calls.update([f"{service}:{model.name}"]))
        return made

    iam, rds, s3 = client("iam"), client("rds"), client("s3")
    spec = bench.demo_spec()
    name, bucket, prefix = "baseline", spec["s3_import"]["bucket_name"], spec["s3_import"]["bucket_prefix"]
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=f"{name}-s3-import", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/{prefix}*"}]}
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="s3-import", PolicyDocument=json.dumps(policy))
    s3.get_bucket_location(Bucket=bucket)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    for key in ("xtrabackup_checkpoints", "xtrabackup_info", "backup-my.cnf"):
        if any(item["Key"] == prefix + key for item in listed):
            s3.get_object(Bucket=bucket, Key=prefix + key)["Body"].read()
    rds.restore_db_cluster_from_s3(
        DBClusterIdentifier=name, Engine="aurora-mysql", EngineVersion=spec["engine_version"],
        MasterUsername=spec["master_username"], ManageMasterUserPassword=True,
        DBSubnetGroupName=spec["db_subnet_group_name"], SourceEngine="mysql",
        SourceEngineVersion=spec["s3_import"]["source_engine_version"], S3BucketName=bucket, S3Prefix=prefix,
        S3IngestionRoleArn=role["Arn"])

    def poll(check, what: str) -> None:
        for _ in range(READY_TIMEOUT // POLL_SECONDS):
            if check():
                return
            time.sleep(POLL_SECONDS)
        raise BenchError(f"The baseline script's {what} did not finish within {READY_TIMEOUT} s.")

    def cluster() -> dict:
        return rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]

    poll(lambda: cluster()["Status"] == "available", "restore")
    rds.add_role_to_db_cluster(DBClusterIdentifier=name, RoleArn=role["Arn"])
    for index, settings in spec["instances"].items():
        rds.create_db_instance(
            DBInstanceIdentifier=f"{name}-{index}", DBClusterIdentifier=name, Engine="aurora-mysql",
            DBInstanceClass=settings.get("instance_class", spec["cluster_instance_class"]))
    poll(lambda: all(i["DBInstanceStatus"] == "available" for i in rds.describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [name]}])["DBInstances"]), "instances")
    poll(lambda: all(r["Status"] == "ACTIVE" for r in cluster().get("AssociatedRoles", [])), "association")
    return calls


def converge(binary: str, workdir: str, env: dict, count: int, label: str) -> dict:
    """One fresh daemon taking `count` specs from submit to Ready, then a steady window of two resync passes."""
    daemon_dir = os.path.join(workdir, label)
    os.makedirs(daemon_dir)
    extra = ["--poll-interval", str(POLL_SECONDS), "--resync-interval", str(RESYNC_SECONDS), "--log-level", "debug"]
    daemon, socket_path = bench.start_daemon(binary, daemon_dir, env, extra, "aurorad.log")
    log_path = os.path.join(daemon_dir, "aurorad.log")
    time.sleep(1)
    idle = bench.memory(daemon.pid)
    specs = bench.named_specs(label, count)
    client = bench.Client(socket_path)
    offset = os.path.getsize(log_path)
    start = time.perf_counter()
    for spec in specs:
        bench.checked(client.request({"command": "submit", "spec": spec})[0], f"submit {spec['name']}")
    wait_ready(client, [spec["name"] for spec in specs], READY_TIMEOUT)
    seconds = time.perf_counter() - start
    ready_offset = os.path.getsize(log_path)
    to_ready = log_calls(log_path, offset, ready_offset)
    # The last spec's Ready reconcile requeued for the resync; settle one interval, then count two whole intervals.
    time.sleep(RESYNC_SECONDS)
    window_start = os.path.getsize(log_path)
    time.sleep(2 * RESYNC_SECONDS)
    window_end = os.path.getsize(log_path)
    steady = log_calls(log_path, window_start, window_end)
    resyncs = log_resyncs(log_path, window_start, window_end)
    ready = bench.memory(daemon.pid)
    client.close()
    bench.stop_daemon(daemon)
    return {"seconds": seconds, "to_ready": to_ready, "steady": steady, "resyncs": resyncs, "idle": idle,
            "ready": ready}


def emulator_figures(binary: str, workdir: str, fleet: int) -> None:
    """Part 1: P8's baseline, the 1-spec and `fleet`-spec runs, P2, P3, P4, P6, P8."""
    port, credentials = bench.start_emulator(workdir, RESTORE_SECONDS, INSTANCE_SECONDS)
    env = bench.emulator_environment(workdir, port, credentials)
    print(f"\n1. Emulator on 127.0.0.1:{port}: restore {RESTORE_SECONDS} s, instances {INSTANCE_SECONDS} s, "
          f"poll {POLL_SECONDS} s, resync {RESYNC_SECONDS} s", flush=True)
    started = time.perf_counter()
    baseline = baseline_script(port, credentials)
    print(f"  baseline script: {sum(baseline.values())} calls in {time.perf_counter() - started:.1f} s "
          f"({mutating(baseline)} mutating): {bench.breakdown(baseline)}", flush=True)
    one = converge(binary, workdir, env, 1, "one")
    print(f"  1 spec: Ready in {one['seconds']:.1f} s, {sum(one['to_ready'].values())} calls: "
          f"{bench.breakdown(one['to_ready'])}", flush=True)
    many = converge(binary, workdir, env, fleet, "fleet")
    by_service = collections.Counter()
    for call, count in many["to_ready"].items():
        by_service[call.split(":")[0]] += count
    print(f"  {fleet} specs: all Ready in {many['seconds']:.1f} s, {sum(many['to_ready'].values())} calls "
          f"({', '.join(f'{service} {count}' for service, count in by_service.most_common())}): "
          f"{bench.breakdown(many['to_ready'])}; "
          f"steady window ({2 * RESYNC_SECONDS} s, {many['resyncs']} resync reconciles): "
          f"{bench.breakdown(many['steady'])}", flush=True)
    if not many["resyncs"]:
        raise BenchError(f"No resync of the {fleet} Ready specs within {2 * RESYNC_SECONDS} s.")
    ratio = many["seconds"] / one["seconds"]
    figure("P2", f"{fleet} specs {many['seconds']:.1f} s / 1 spec {one['seconds']:.1f} s = {ratio:.2f}×",
           "≤ 1.5×", ratio <= 1.5)
    # A pass resyncs every spec once; the window may hold less than a pass when the global rate limit binds.
    per_spec_pass = sum(many["steady"].values()) / many["resyncs"]
    per_pass = per_spec_pass * fleet
    figure("P3", f"{per_pass:.0f} AWS calls per resync pass of {fleet} Ready specs ({per_spec_pass:.1f} per spec; "
           f"{sum(many['steady'].values()) / (2 * RESYNC_SECONDS):.1f} calls/s in the window)", "≤ 5",
           per_pass <= 5)
    daemon_calls, script_calls = sum(one["to_ready"].values()), sum(baseline.values())
    figure("P8", f"{daemon_calls} calls from submit to Ready (1 spec) vs {script_calls} by the sequential script",
           f"≤ {script_calls}", daemon_calls <= script_calls)
    per_spec = mutating(many["to_ready"]) / fleet
    after = mutating(many["steady"]) + mutating(one["steady"])
    figure("P4", f"{per_spec:.2f} mutating calls per spec to Ready (minimum {mutating(baseline)}); "
           f"{after} after Ready", f"{mutating(baseline)} to Ready, 0 after",
           per_spec <= mutating(baseline) and after == 0)
    growth = (many["ready"]["VmRSS"] - many["idle"]["VmRSS"]) / 1024
    figure("P6", f"RSS {many['idle']['VmRSS'] / 1024:.1f} MiB idle, {many['ready']['VmRSS'] / 1024:.1f} MiB with "
           f"{fleet} Ready specs (+{growth:.1f} MiB; measured at {fleet}, not 1,000)", "≤ idle + 8 MiB at 1,000",
           growth <= 8 if fleet >= 1000 else None)
    print(f"  at 1,000 Ready specs with the default resync ({DEFAULT_RESYNC_SECONDS} s): "
          f"{per_spec_pass:.1f} calls per spec per pass → {per_spec_pass * 1000 / DEFAULT_RESYNC_SECONDS:.1f} "
          "AWS calls/s", flush=True)


def fill_store(binary: str, workdir: str, count: int) -> tuple[str, str]:
    """A database of `count` Ready specs (each with 5 events) in `workdir`; returns its path and the socket path."""
    env = bench.closed_environment(workdir)
    daemon, socket_path = bench.start_daemon(binary, workdir, env, [], "fill.log")
    spec = bench.named_specs("template", 1)[0]
    client = bench.Client(socket_path)
    bench.checked(client.request({"command": "submit", "spec": spec})[0], "submit the template spec")
    client.close()
    bench.stop_daemon(daemon)
    database = os.path.join(workdir, "aurorad.db")
    db = sqlite3.connect(database)
    template, now = db.execute("SELECT spec_json, updated_at FROM specs WHERE name = ?", (spec["name"],)).fetchone()
    db.execute("DELETE FROM specs")
    token = json.dumps({"name": spec["name"]}, separators=(",", ":"))[1:-1].encode()
    names = [f"fleet-{index:05d}" for index in range(count)]
    db.executemany(
        "INSERT INTO specs (name, spec_json, generation, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
        ((name, template.replace(token, json.dumps({"name": name}, separators=(",", ":"))[1:-1].encode()), now, now)
         for name in names))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    conditions = json.dumps([{"lastTransitionTime": stamp, "message": "", "reason": "Ready", "status": "True",
                              "type": kind} for kind in CONDITIONS], separators=(",", ":"), sort_keys=True)
    db.executemany(
        "INSERT INTO status (name, phase, observed_generation, conditions_json, cluster_identifier, cluster_status,"
        " cluster_arn, cluster_endpoint, role_name, role_arn, message, updated_at, cluster_last_seen)"
        " VALUES (?, 'Ready', 1, ?, ?, 'available', ?, ?, ?, ?, NULL, ?, ?)",
        ((name, conditions, name, f"arn:aws:rds:eu-west-1:123456789012:cluster:{name}",
          f"{name}.cluster-abc.eu-west-1.rds.amazonaws.com", f"{name}-s3-import",
          f"arn:aws:iam::123456789012:role/{name}-s3-import", now, now) for name in names))
    db.executemany(
        "INSERT INTO events (name, time, type, reason, message) VALUES (?, ?, 'Normal', ?, ?)",
        ((name, now, kind, f"{kind} for {name}") for name in names for kind in CONDITIONS[:5]))
    db.commit()
    db.close()
    return database, socket_path


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time `pid` has used, in seconds."""
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, timeout: float) -> float:
    """Waits (≤ `timeout` s) until `pid` uses under 5 % of a core over a second; returns the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        before = cpu_seconds(pid)
        time.sleep(1)
        if cpu_seconds(pid) - before < 0.05:
            return time.perf_counter() - start
    raise BenchError(f"The daemon was still busy {timeout:.0f} s after its start.")


def timed(command: list[str]) -> float:
    """Runs `command` (≤ 60 s) with its output discarded; returns its wall time in seconds; fails on non-zero exit."""
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited with {result.returncode}: {result.stderr.decode()[:300]}")
    return elapsed


def socket_ready_seconds(binary: str, workdir: str, env: dict) -> tuple[float, subprocess.Popen]:
    """Starts the daemon on the filled store; returns the seconds from exec to its socket accepting, and the daemon."""
    start = time.perf_counter()
    daemon, _ = bench.start_daemon(binary, workdir, env, [], "store.log")
    return time.perf_counter() - start, daemon


def store_figures(binary: str, workdir: str, count: int, runs: int) -> None:
    """Part 2: P7, P5 and P5b on a store of `count` Ready specs, AWS endpoint closed."""
    print(f"\n2. Store of {count:,} Ready specs, AWS endpoint closed (127.0.0.1:9)", flush=True)
    store_dir = os.path.join(workdir, "store")
    os.makedirs(store_dir)
    started = time.perf_counter()
    _, socket_path = fill_store(binary, store_dir, count)
    print(f"  store filled in {time.perf_counter() - started:.1f} s", flush=True)
    # One attempt per AWS call: the reconciles every start triggers fail at once and back off, leaving the CPU alone.
    env = dict(bench.closed_environment(store_dir), AWS_MAX_ATTEMPTS="1")
    starts = []
    for _ in range(3):
        seconds, daemon = socket_ready_seconds(binary, store_dir, env)
        starts.append(seconds)
        bench.stop_daemon(daemon)
    seconds, daemon = socket_ready_seconds(binary, store_dir, env)
    starts.append(seconds)
    p7 = bench.percentile(starts, 50)
    figure("P7", f"start to socket-ready {bench.ms(p7)} (median of {len(starts)}: "
           f"{', '.join(bench.ms(s) for s in starts)})", "≤ 200 ms", p7 <= 0.2)
    ctl = [binary, "ctl", "--socket", socket_path]
    # For comparison, not a figure: the list 5 s after a start, beside the start-up round of failing reconciles.
    time.sleep(5)
    busy = [timed(ctl + ["list", "--json"]) for _ in range(5)]
    print(f"  ctl list --json 5 s after start, beside the start-up round: {bench.ms(bench.percentile(busy, 50))} "
          f"(median of 5, min {bench.ms(min(busy))})", flush=True)
    bench.stop_daemon(daemon)
    config = os.path.join(store_dir, "quiet.toml")
    with open(config, "w") as file:
        file.write(QUIET_CONFIG)
    daemon, _ = bench.start_daemon(binary, store_dir, env, ["--config", config], "store.log")
    waited = wait_idle(daemon.pid, 120)
    print(f"  daemon idle {waited:.0f} s after start (every spec failed once and waits an hour)", flush=True)
    name = f"fleet-{count // 2:05d}"
    status_times, curl_times = [], []
    for _ in range(runs):
        curl_times.append(timed(["curl", "--version"]))
        status_times.append(timed(ctl + ["status", name]))
    status, curl = bench.percentile(status_times, 50), bench.percentile(curl_times, 50)
    figure("P5", f"ctl status {bench.ms(status)} / curl --version {bench.ms(curl)} = {status / curl:.2f}× "
           f"(medians of {runs})", "≤ 2×", status / curl <= 2)
    before_lists = bench.memory(daemon.pid)
    list_times = [timed(ctl + ["list", "--json"]) for _ in range(5)]
    listed = bench.percentile(list_times, 50)
    figure("P5b", f"ctl list --json of {count:,} specs {bench.ms(listed)} (median of 5, min "
           f"{bench.ms(min(list_times))})", "≤ 250 ms", listed <= 0.25)
    print(f"  daemon with {count:,} specs stored: {bench.mib(before_lists)} before the lists, "
          f"{bench.mib(bench.memory(daemon.pid))} after them", flush=True)
    bench.stop_daemon(daemon)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the aurorad binary to measure")
    parser.add_argument("--fleet", type=int, default=100, help="specs of the many-spec run (P2, P3, P4, P6)")
    parser.add_argument("--store-specs", type=int, default=STORE_SPECS, help="specs stored for P5, P5b, P7")
    parser.add_argument("--runs", type=int, default=20, help="ctl status and curl --version runs for P5")
    parser.add_argument("--only", choices=["emulator", "store"], help="run one part only")
    parser.add_argument("--p6", type=int, nargs="?", const=P6_SPECS, metavar="N",
                        help=f"run P6 alone: memory with N Ready specs (default {P6_SPECS:,}), rate limit lifted")
    parser.add_argument("--heaptrack", metavar="FILE",
                        help="with --p6: record the daemon's allocations with heaptrack into FILE (raw, a few GB)")
    args = parser.parse_args()
    if args.heaptrack and not args.p6:
        parser.error("--heaptrack records the P6 run: give --p6 too")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    workdir = tempfile.mkdtemp(prefix="afb", dir="/tmp")
    keep = False
    started = time.perf_counter()
    try:
        print(f"aurorad fleet benchmark: {args.binary}; nproc {os.cpu_count()}, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start", flush=True)
        if args.p6:
            p6_figure(args.binary, workdir, args.p6, args.heaptrack)
        elif args.only != "store":
            emulator_figures(args.binary, workdir, args.fleet)
        if args.only != "emulator" and not args.p6:
            store_figures(args.binary, workdir, args.store_specs, args.runs)
        print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end; "
              f"total {time.perf_counter() - started:.0f} s")
        for key, value, target, met in figures:
            print(f"{key:4} {'n/a' if met is None else 'met' if met else 'NOT met':8} {value} (target {target})")
        return 0
    except BenchError as error:
        keep = True
        print(f"fleet-bench: {error} (logs kept in {workdir})", file=sys.stderr)
        return 1
    finally:
        bench.stop_all()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
