package io.twsbridge.bridge.app;

import io.twsbridge.bridge.contracts.ContractSettings;
import io.twsbridge.bridge.failover.FailoverSettings;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.history.HistorySettings;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.registry.SchemaRegistryConfig;

/** Everything one bridge process is configured with. */
public record BridgeConfig(GatewayConfig gateway, KafkaSettings kafka, SchemaRegistryConfig registry,
                           ZombieProbe zombieProbe, OrderSettings orders, FailoverSettings failover,
                           ContractSettings contracts, HistorySettings history) {

    /** With the default contract qualification and historical pacing. */
    public BridgeConfig(GatewayConfig gateway, KafkaSettings kafka, SchemaRegistryConfig registry,
                        ZombieProbe zombieProbe, OrderSettings orders, FailoverSettings failover) {
        this(gateway, kafka, registry, zombieProbe, orders, failover, ContractSettings.defaults(),
                HistorySettings.defaults());
    }

    /** Running alone (no standby instances). */
    public BridgeConfig(GatewayConfig gateway, KafkaSettings kafka, SchemaRegistryConfig registry, ZombieProbe zombieProbe,
                        OrderSettings orders) {
        this(gateway, kafka, registry, zombieProbe, orders, FailoverSettings.disabled());
    }

    /** With order placement off (the default), running alone. */
    public BridgeConfig(GatewayConfig gateway, KafkaSettings kafka, SchemaRegistryConfig registry, ZombieProbe zombieProbe) {
        this(gateway, kafka, registry, zombieProbe, OrderSettings.defaults());
    }

    /** The same configuration with {@code failover} in place of this one's. */
    public BridgeConfig withFailover(FailoverSettings failover) {
        return new BridgeConfig(gateway, kafka, registry, zombieProbe, orders, failover, contracts, history);
    }

    /** The same configuration with these contract and historical-data settings. */
    public BridgeConfig withStrategyData(ContractSettings contracts, HistorySettings history) {
        return new BridgeConfig(gateway, kafka, registry, zombieProbe, orders, failover, contracts, history);
    }
}
