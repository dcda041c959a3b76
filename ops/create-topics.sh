#!/usr/bin/env bash
# Creates the bridge's topics ahead of time, each with the cleanup policy of the topic catalogue
# (schemas/README.md), for clusters where the bridge may not create topics itself. Idempotent:
# topics that exist are left as they are (--if-not-exists); `java -jar bridge.jar topics` reports
# existing topics whose partitions, replication or cleanup policy differ.
#
#   ops/create-topics.sh
#
# Environment:
#   BOOTSTRAP_SERVERS   brokers (default 127.0.0.1:9092, also the compose stack's broker on the host)
#   PARTITIONS          partitions of each topic (default 3, as topics.partitions); the two state
#                       topics ib.subscriptions and ib.order-journal always get 1, as the bridge makes them
#   REPLICATION_FACTOR  replicas of each topic (default 1, as topics.replication-factor; 3 in production)
#   TOPIC_PREFIX        prefix of every topic name, "PREFIX.ib.commands" (default: none)
#   COMMAND_CONFIG      client properties file for kafka-topics (SASL, TLS), passed as --command-config
#   KAFKA_TOPICS        the kafka-topics command (default: kafka-topics.sh or kafka-topics on PATH, else
#                       $KAFKA_HOME/bin/kafka-topics.sh); with compose, for instance:
#                       KAFKA_TOPICS="docker compose -f compose/docker-compose.yml exec -T kafka /opt/kafka/bin/kafka-topics.sh"
#                       BOOTSTRAP_SERVERS=kafka:9092
set -euo pipefail

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    "") ;;
    *)
        usage >&2
        exit 2
        ;;
esac

BOOTSTRAP_SERVERS=${BOOTSTRAP_SERVERS:-127.0.0.1:9092}
PARTITIONS=${PARTITIONS:-3}
REPLICATION_FACTOR=${REPLICATION_FACTOR:-1}
TOPIC_PREFIX=${TOPIC_PREFIX:-}
COMMAND_CONFIG=${COMMAND_CONFIG:-}

for n in "$PARTITIONS" "$REPLICATION_FACTOR"; do
    if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
        echo "PARTITIONS and REPLICATION_FACTOR must be positive integers, got '$n'" >&2
        exit 2
    fi
done

# The topic catalogue: name, cleanup policy, partitions ("-" for $PARTITIONS).
# Kept identical to schemas/.../catalogue/Topic.java plus the bridge's two state topics by OpsFilesTest.
TOPICS=(
    "ib.commands delete -"
    "ib.command-results delete -"
    "ib.accounts compact -"
    "ib.positions compact -"
    "ib.orders compact -"
    "ib.fills delete -"
    "ib.quotes delete -"
    "ib.status compact -"
    "ib.contracts compact -"
    "ib.bars delete -"
    "ib.commands.dlq delete -"
    "ib.subscriptions compact 1"
    "ib.order-journal compact 1"
)

kafka_topics=()
if [[ -n ${KAFKA_TOPICS:-} ]]; then
    read -r -a kafka_topics <<< "$KAFKA_TOPICS"
elif command -v kafka-topics.sh > /dev/null 2>&1; then
    kafka_topics=(kafka-topics.sh)
elif command -v kafka-topics > /dev/null 2>&1; then
    kafka_topics=(kafka-topics)
elif [[ -n ${KAFKA_HOME:-} && -x $KAFKA_HOME/bin/kafka-topics.sh ]]; then
    kafka_topics=("$KAFKA_HOME/bin/kafka-topics.sh")
else
    echo "kafka-topics not found: put Kafka's bin/ on PATH, set KAFKA_HOME, or set KAFKA_TOPICS" >&2
    echo "(or let the bridge do it: java -jar bridge.jar topics --bootstrap-server $BOOTSTRAP_SERVERS)" >&2
    exit 3
fi

client_args=(--bootstrap-server "$BOOTSTRAP_SERVERS")
if [[ -n $COMMAND_CONFIG ]]; then
    client_args+=(--command-config "$COMMAND_CONFIG")
fi

echo "creating ${#TOPICS[@]} topics on $BOOTSTRAP_SERVERS (replication factor $REPLICATION_FACTOR) where missing"
for entry in "${TOPICS[@]}"; do
    read -r name policy partitions <<< "$entry"
    if [[ $partitions == "-" ]]; then
        partitions=$PARTITIONS
    fi
    topic=${TOPIC_PREFIX:+$TOPIC_PREFIX.}$name
    "${kafka_topics[@]}" "${client_args[@]}" --create --if-not-exists \
        --topic "$topic" \
        --partitions "$partitions" \
        --replication-factor "$REPLICATION_FACTOR" \
        --config "cleanup.policy=$policy"
    echo "  $topic: $partitions partition(s), cleanup.policy=$policy"
done
echo "done: existing topics were left unchanged; check them with: java -jar bridge.jar topics"
