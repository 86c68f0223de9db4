#!/usr/bin/env bash
# Issue 9's fleet figures in one run, each printed with its target and whether it is met: against the bundled AWS
# emulator (restores 10 s, instances 3 s) a sequential boto3 script and the daemon taking 1 and N specs to Ready
# (P2, P8, P4), a steady window after Ready (P3, P4), RSS with N Ready specs (P6); then a store of 10,000 Ready specs
# with the AWS endpoint closed (P7 start to socket-ready, P5 `ctl status` vs `curl --version`, P5b `ctl list --json`).
# Usage: Benchmarks/fleet-bench.sh [--fleet N] [--store-specs N] [--runs N] [--only emulator|store]
# (default N = 100 and 10,000; several minutes on 2 cores, most of it the N-spec run held to the daemon's default
# AWS request budget: RDS 12 calls/s after a burst of 300, IAM 20/s, 40/s in total). Needs python3 with moto and boto3
# for the emulator.
#        Benchmarks/fleet-bench.sh --p6 [N]: P6 alone, the daemon's memory with N Ready specs (default 1,000), the AWS
# rate limit lifted (a memory run, not a timed one): idle, at Ready and after two resync passes; 4–14 minutes.
#        … --p6 [N] --heaptrack FILE: the same under heaptrack, its raw recording in FILE, ending at the last reading;
# `Benchmarks/heap_pins.py FILE BINARY` then ranks the allocations by the heap pages they keep resident.
# Everything runs on 127.0.0.1 in a temporary directory; every process started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
exec Benchmarks/run-driver.sh Benchmarks/fleet_bench.py "$@"
