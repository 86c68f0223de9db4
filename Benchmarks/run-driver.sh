#!/usr/bin/env bash
# Runs a Python benchmark driver against the release aurorad binary: installs what is missing, builds the release
# product, then `python3 DRIVER --binary BIN ARGS…`, stopping the driver (which stops the daemons and the emulator it
# started) on exit or interrupt. Usage: Benchmarks/run-driver.sh DRIVER [ARGS…]; used by daemon-bench and fleet-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
driver="$1"
shift
scripts/install-deps >&2
swift build -c release --product aurorad >&2
bin="$(swift build -c release --show-bin-path)/aurorad"

child=""
cleanup() {
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
python3 "$driver" --binary "$bin" "$@" &
child=$!
wait "$child"
status=$?
child=""
exit "$status"
