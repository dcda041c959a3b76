package io.twsbridge.bridge.app;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.registry.SchemaRegistryConfig;
import io.twsbridge.bridge.orders.OrderSettings;

/** Everything one bridge process is configured with. */
public record BridgeConfig(GatewayConfig gateway, KafkaSettings kafka, SchemaRegistryConfig registry,
                           ZombieProbe zombieProbe, OrderSettings orders) {

    /** With order placement off (the default). */
    public BridgeConfig(GatewayConfig gateway, KafkaSettings kafka, SchemaRegistryConfig registry, ZombieProbe zombieProbe) {
        this(gateway, kafka, registry, zombieProbe, OrderSettings.defaults());
    }
}
