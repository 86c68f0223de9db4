#!/usr/bin/env bash
# The real aurorad binary (release build) under load, in one run: control-socket throughput and latency (submit,
# status, list; 1 and 16 clients), daemon memory idle and with 200 specs reconciling, and against the bundled AWS
# emulator the AWS calls of one resync of a converged spec, the calls from submit to Ready and the time it takes.
# Usage: Benchmarks/daemon-bench.sh [specs]   (needs python3 with moto for the emulator; default 200 specs)
# Everything runs on 127.0.0.1 in a temporary directory; every process started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps >&2
swift build -c release --product aurorad >&2
bin="$(swift build -c release --show-bin-path)/aurorad"

child=""
cleanup() {
  # The Python driver stops the daemons and the emulator it started when it gets SIGTERM.
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
python3 Benchmarks/daemon_bench.py --binary "$bin" --specs "${1:-200}" &
child=$!
wait "$child"
status=$?
child=""
exit "$status"
