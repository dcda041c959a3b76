#!/usr/bin/env bash
# Runs the soak (bridge/src/test/java/io/twsbridge/bridge/app/SoakIT.java) for as long as asked: the production
# jar with the production JVM options, 100 instruments at 5,000 ticks/s, a marketable order every 2 s and a Gateway
# drop every 15 s; it fails when threads, file descriptors, sockets or the live heap grow, or a fill is not published.
#
#   ops/soak.sh                  30 minutes (a few more for the build and the start of the stack)
#   ops/soak.sh PT2H             any ISO-8601 duration; CI runs PT60S as part of `mvn -B verify`
#   ops/soak.sh PT30M -o         further arguments go to Maven (here: offline)
#
# The figures line is printed at the end; the figures, every sample (CSV, one a second) and the bridge's log stay in
# bridge/target/soak/. Builds the modules the bridge needs (tests skipped, nothing installed), then runs the soak
# alone. Needs Java 17 (a JDK: the soak measures the live heap with jcmd) and Maven; Linux (it reads /proc).
set -euo pipefail

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

duration="PT30M"
case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    P*)
        duration="$1"
        shift
        ;;
    -*) ;;
    "") ;;
    *)
        echo "not an ISO-8601 duration: $1" >&2
        usage >&2
        exit 2
        ;;
esac

cd "$(dirname "$0")/.."
mvn -B verify -pl bridge -am -Dconformance.skip=true -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=SoakIT -Dit.failIfNoSpecifiedTests=false -Dsoak.duration="$duration" "$@"
echo
cat "$(ls -t bridge/target/soak/*-figures.txt | head -1)"
