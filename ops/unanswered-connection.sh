#!/usr/bin/env bash
# Counts the zombies each gateway.unanswered-connection policy (keep, close) leaves on a Gateway that accepts
# connections and does not answer them (bridge/src/test/java/io/twsbridge/bridge/gateway/UnansweredConnectionIT.java):
# three such simulated Gateways (handshakes blocked by a zombie the probe cannot see, the same on a "remote" host,
# the API start never answered), each against both policies at once, on the production timeouts and backoffs.
#
#   ops/unanswered-connection.sh           10 minutes (a few more for the build)
#   ops/unanswered-connection.sh PT30M     any ISO-8601 duration of a minute or more; CI runs PT8S on short timeouts
#   ops/unanswered-connection.sh PT10M -o  further arguments go to Maven (here: offline)
#
# Prints the table of CLOSE_WAIT and ESTABLISHED sockets on each Gateway's port, the connections each accepted and
# the bridge's state at the end; kept in bridge/target/unanswered-connection/figures.txt. Linux (reads /proc/net/tcp).
set -euo pipefail

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

duration="PT10M"
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
    -Dit.test=UnansweredConnectionIT -Dit.failIfNoSpecifiedTests=false -Dunanswered.duration="$duration" "$@"
echo
cat bridge/target/unanswered-connection/figures.txt
