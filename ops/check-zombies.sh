#!/usr/bin/env bash
# Counts zombie sockets: TCP sockets in CLOSE_WAIT whose local or remote port is IB Gateway's API port.
# While any exist, IB Gateway stops answering new API handshakes and the bridge makes no connection
# attempt (its circuit breaker is FORCED_OPEN); only a restart of IB Gateway clears them.
#
# Run it on the Gateway's host (or in the Gateway container's network namespace, see ops/runbook.md).
#
#   ops/check-zombies.sh [PORT...]     default: $GATEWAY_PORT, else 4002 (paper; 4001 is live)
#
# Exit status: 0 no zombies, 1 zombies found, 2 usage error, 3 cannot look (neither ss nor lsof).
# The bridge's own probe does the same from its jar: java -jar bridge.jar check-zombies --port 4002
set -euo pipefail

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
esac

ports=("$@")
if [[ ${#ports[@]} -eq 0 ]]; then
    ports=("${GATEWAY_PORT:-4002}")
fi
for port in "${ports[@]}"; do
    if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
        echo "not a port: '$port'" >&2
        usage >&2
        exit 2
    fi
done

# Prints the CLOSE_WAIT sockets on one port, one per line, no header.
list_zombies() {
    local port=$1
    if command -v ss > /dev/null 2>&1; then
        ss -tan state close-wait "( sport = :$port or dport = :$port )" | tail -n +2
    elif command -v lsof > /dev/null 2>&1; then
        # lsof exits 1 when it finds nothing.
        { lsof -nP -iTCP:"$port" -sTCP:CLOSE_WAIT 2> /dev/null || true; } | tail -n +2
    else
        return 3
    fi
}

if ! command -v ss > /dev/null 2>&1 && ! command -v lsof > /dev/null 2>&1; then
    echo "cannot look for zombies here: neither ss (iproute2) nor lsof is installed" >&2
    exit 3
fi

total=0
for port in "${ports[@]}"; do
    zombies=$(list_zombies "$port")
    count=0
    if [[ -n $zombies ]]; then
        count=$(printf '%s\n' "$zombies" | wc -l)
    fi
    if ((count == 0)); then
        echo "OK: no zombies: no socket in CLOSE_WAIT on port $port"
    else
        echo "ZOMBIES: $count socket(s) in CLOSE_WAIT on port $port:"
        printf '%s\n' "$zombies" | sed 's/^/  /'
    fi
    total=$((total + count))
done

if ((total > 0)); then
    echo "Restart IB Gateway (and log in again, with the second factor) to clear them; the bridge"
    echo "makes no connection attempt until they are gone, then exactly one."
    exit 1
fi
exit 0
