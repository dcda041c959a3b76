#!/usr/bin/env bash
# Reads a topic from the beginning, to answer "what did the bridge publish (or receive)?".
#
#   ops/replay.sh decoded TOPIC [bridge replay options]   one JSON line per record, the Avro value decoded
#                                                         through the schema registry (--from, --until, --max)
#   ops/replay.sh raw TOPIC [MAX]                         the records as stored, one line each, fields and
#                                                         headers separated by tabs: timestamp, partition,
#                                                         offset, headers (name:value), key, the value's raw
#                                                         bytes (Avro in the Confluent wire format); stops
#                                                         after MAX records or 10 s without a new one. The
#                                                         bridge's own header values never hold a tab (it
#                                                         escapes control characters), so a comma in a
#                                                         dead letter's reason cannot split it.
#
# Examples:
#   ops/replay.sh decoded ib.fills --from 2026-11-27T14:30:00Z --until 2026-11-27T14:35:00Z
#   ops/replay.sh raw ib.commands.dlq 20        # dead letters with their dlq.* headers
#
# To put a dead letter back on ib.commands, fixed, with the partition and offset printed here:
#   java -jar bridge.jar resend --topic ib.commands.dlq --partition 0 --offset 4 --set payload.quantity=10
# (ops/runbook.md, "Resending a dead letter").
#
# Environment:
#   BOOTSTRAP_SERVERS  brokers (default 127.0.0.1:9092, also the compose stack's broker on the host)
#   REGISTRY_URL       schema registry, for decoded (default http://127.0.0.1:8081)
#   BRIDGE_JAR         the bridge's jar, for decoded (default bridge/target/bridge.jar in this repository)
#   CONSOLE_CONSUMER   the console consumer command, for raw (default: kafka-console-consumer.sh or
#                      kafka-console-consumer on PATH, else $KAFKA_HOME/bin/kafka-console-consumer.sh)
#   COMMAND_CONFIG     client properties file (SASL, TLS) for raw, passed as --command-config (Kafka 4.2 and
#                      later; Kafka 4.4 deprecates --consumer.config and --property, so neither is used)
#
# Inside the compose stack the bridge's image has the jar:
#   docker compose -f compose/docker-compose.yml exec bridge java -jar /app/bridge.jar replay \
#       --topic ib.fills --bootstrap-server kafka:9092 --registry-url http://schema-registry:8081
set -euo pipefail

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

if [[ $# -lt 2 ]]; then
    case "${1:-}" in
        -h | --help)
            usage
            exit 0
            ;;
    esac
    usage >&2
    exit 2
fi

mode=$1
topic=$2
shift 2

BOOTSTRAP_SERVERS=${BOOTSTRAP_SERVERS:-127.0.0.1:9092}
REGISTRY_URL=${REGISTRY_URL:-http://127.0.0.1:8081}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BRIDGE_JAR=${BRIDGE_JAR:-$repo_root/bridge/target/bridge.jar}

case "$mode" in
    decoded)
        if [[ ! -f $BRIDGE_JAR ]]; then
            echo "no bridge jar at $BRIDGE_JAR: build it (mvn -B -DskipTests -pl bridge -am package) or set BRIDGE_JAR" >&2
            exit 3
        fi
        exec java -jar "$BRIDGE_JAR" replay --topic "$topic" \
            --bootstrap-server "$BOOTSTRAP_SERVERS" --registry-url "$REGISTRY_URL" "$@"
        ;;
    raw)
        max=${1:-}
        if [[ -n $max && ! $max =~ ^[1-9][0-9]*$ ]]; then
            echo "MAX must be a positive integer, got '$max'" >&2
            exit 2
        fi
        consumer=()
        if [[ -n ${CONSOLE_CONSUMER:-} ]]; then
            read -r -a consumer <<< "$CONSOLE_CONSUMER"
        elif command -v kafka-console-consumer.sh > /dev/null 2>&1; then
            consumer=(kafka-console-consumer.sh)
        elif command -v kafka-console-consumer > /dev/null 2>&1; then
            consumer=(kafka-console-consumer)
        elif [[ -n ${KAFKA_HOME:-} && -x $KAFKA_HOME/bin/kafka-console-consumer.sh ]]; then
            consumer=("$KAFKA_HOME/bin/kafka-console-consumer.sh")
        else
            echo "kafka-console-consumer not found: put Kafka's bin/ on PATH, set KAFKA_HOME, or set CONSOLE_CONSUMER" >&2
            exit 3
        fi
        args=(--bootstrap-server "$BOOTSTRAP_SERVERS" --topic "$topic" --from-beginning
            --timeout-ms 10000
            --formatter-property print.key=true
            --formatter-property print.headers=true
            --formatter-property print.partition=true
            --formatter-property print.offset=true
            --formatter-property print.timestamp=true
            --formatter-property key.separator=$'\t'
            --formatter-property headers.separator=$'\t'
            --formatter-property null.literal="<null>")
        if [[ -n $max ]]; then
            args+=(--max-messages "$max")
        fi
        if [[ -n ${COMMAND_CONFIG:-} ]]; then
            args+=(--command-config "$COMMAND_CONFIG")
        fi
        # Reaching the end (10 s without a record) ends the consumer normally, with status 0.
        exec "${consumer[@]}" "${args[@]}"
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac
