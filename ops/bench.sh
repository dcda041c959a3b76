#!/usr/bin/env bash
# Runs the benchmark suite and writes one results table per benchmark, plus a summary of every target, as
# markdown and JSON: bench/results/<benchmark>.{md,json} and bench/results/summary.{md,json}.
#
#   ops/bench.sh                      the whole suite (about 27 minutes on 2 cores; the memory run is 10 of them)
#   ops/bench.sh quote-latency ...    only the named benchmarks
#   ops/bench.sh --smoke              the short form CI runs: proves each benchmark works, writes to
#                                     bench/target/smoke-results, judges no number
#
# Benchmarks: connect-to-ready, jmh, quote-throughput, quote-latency, command-path, resubscribe, compression,
# memory.
# A benchmark whose records stop flowing for 30 s (20 s in smoke mode) fails, naming what stopped; the others
# still run, and the script exits with 1 when any failed (bench/README.md, "Stalls").
# Run it on a quiet machine: every figure is compared with a baseline measured in the same run, but a busy
# neighbour still widens the spread. Needs Java 17 and Maven; builds the project first (tests skipped).
set -euo pipefail

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

smoke=false
names=()
for arg in "$@"; do
    case "$arg" in
        -h | --help)
            usage
            exit 0
            ;;
        --smoke) smoke=true ;;
        -*)
            echo "unknown option: $arg" >&2
            usage >&2
            exit 2
            ;;
        *) names+=("$arg") ;;
    esac
done

cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -Dconformance.skip=true
cd bench
only="${names[*]:-}"
exec mvn -B -q exec:java -Dbench=suite -Dbench.smoke="$smoke" -Dbench.only="$only"
