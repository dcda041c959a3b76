package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.contracts.ContractSettings;
import io.twsbridge.bridge.failover.FailoverSettings;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.history.HistorySettings;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.registry.SchemaRegistryConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings being gathered, before validation: the builders (holding their own defaults) and the few
 * values no builder takes one at a time. Mutable, used by one load only.
 */
final class Draft {

    /** Whether the bridge counts zombie sockets on this host ({@code gateway.zombie-probe}). */
    enum ZombieProbeMode {
        /** The probe for this operating system: /proc on Linux, lsof on macOS. */
        AUTO,
        /** Never look: for a Gateway on another host, where only a handshake stall shows zombies. */
        OFF;

        ZombieProbe probe() {
            return this == AUTO ? ZombieProbe.forThisHost() : ZombieProbe.disabled();
        }
    }

    /** Confluent's default port on this host, as {@code kafka.bootstrap.servers} defaults to a local broker. */
    static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:8081";

    final GatewayConfig.Builder gateway = GatewayConfig.builder();
    final KafkaSettings.Builder kafka = KafkaSettings.builder();
    final SchemaRegistryConfig.Builder registry = SchemaRegistryConfig.builder(DEFAULT_REGISTRY_URL);
    final OrderSettings.Builder orders = OrderSettings.builder();
    final FailoverSettings.Builder failover =
            FailoverSettings.builder();
    final ContractSettings.Builder contracts = ContractSettings.builder();
    final HistorySettings.Builder history = HistorySettings.builder();
    /** {@code kafka.<name>} pass-through settings, by Kafka's name. */
    final Map<String, String> clientProperties = new TreeMap<>();

    Duration syncPositions;
    Duration syncOpenOrders;
    Duration syncCompletedOrders;
    Duration syncExecutions;
    Duration syncAccountSummary;
    String registryUser;
    String registryPassword;
    ZombieProbeMode zombieProbe = ZombieProbeMode.AUTO;
    String httpHost = HttpSettings.DEFAULT_HOST;
    int httpPort = HttpSettings.DEFAULT_PORT;
    Path logFile;

    Draft() {
        GatewayConfig.SyncTimeouts defaults = GatewayConfig.builder().build().syncTimeouts();
        syncPositions = defaults.positions();
        syncOpenOrders = defaults.openOrders();
        syncCompletedOrders = defaults.completedOrders();
        syncExecutions = defaults.executions();
        syncAccountSummary = defaults.accountSummary();
    }

    GatewayConfig.SyncTimeouts syncTimeouts() {
        return new GatewayConfig.SyncTimeouts(syncPositions, syncOpenOrders, syncCompletedOrders, syncExecutions,
                syncAccountSummary);
    }
}
