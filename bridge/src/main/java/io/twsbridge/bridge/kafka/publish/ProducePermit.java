package io.twsbridge.bridge.kafka.publish;

/**
 * Whether this process may still produce. Asked before each record goes to the producer: an instance that has
 * lost its leadership (see the failover package) refuses, so it produces nothing even before Kafka fences its
 * transactional producer.
 */
@FunctionalInterface
public interface ProducePermit {

    /** Always permits: a bridge that runs alone. */
    ProducePermit ALWAYS = () -> null;

    /** Null while producing is permitted; otherwise why not. */
    String refusal();
}
