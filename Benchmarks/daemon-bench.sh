#!/usr/bin/env bash
# The real aurorad binary (release build) under load, in one run: control-socket throughput and latency (submit,
# status, list; 1 and 16 clients), daemon memory idle and with 200 specs reconciling, and against the bundled AWS
# emulator the AWS calls of one resync of a converged spec, the calls from submit to Ready and the time it takes.
# Usage: Benchmarks/daemon-bench.sh [specs]   (needs python3 with moto for the emulator; default 200 specs)
# Everything runs on 127.0.0.1 in a temporary directory; every process started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
exec Benchmarks/run-driver.sh Benchmarks/daemon_bench.py --specs "${1:-200}"
