#!/bin/sh
# SigV4 signatures per second: SigV4Signer (release build) against botocore's SigV4Auth on the same request set,
# printed with the ratio in one run. Usage: Benchmarks/sigv4-bench.sh [rounds]   (needs python3 with botocore)
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product SigV4Benchmark >&2
exec "$(swift build -c release --show-bin-path)/SigV4Benchmark" "${1:-20000}" "$PWD"
