package io.twsbridge.bridge.app;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.registry.SchemaRegistryConfig;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.schema.catalogue.Topic;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A bridge as its own process (see {@link BridgeProcess}): {@code <bootstrap> <registryUrl> <gatewayPort> <prefix>}.
 * Prints {@code BRIDGE-READY} once READY; {@code BRIDGE_CRASH_AT} (see CrashPoints) makes it stop at a point;
 * {@value #MANAGEMENT_ENV}=1 starts the management HTTP endpoint on a free loopback port (or =PORT on that one) and
 * prints {@value #MANAGEMENT_MARKER} and its URI; {@value #FAILOVER_ENV}=NAME makes it a standby instance.
 */
public final class BridgeProcessMain {

    static final String MANAGEMENT_ENV = "BRIDGE_TEST_MANAGEMENT";
    static final String MANAGEMENT_MARKER = "BRIDGE-MANAGEMENT ";
    /** Makes the bridge a standby instance of this name (failover), with {@value #SESSION_TIMEOUT_ENV}. */
    static final String FAILOVER_ENV = "BRIDGE_TEST_FAILOVER";
    static final String SESSION_TIMEOUT_ENV = "BRIDGE_TEST_SESSION_TIMEOUT";

    private BridgeProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = args[3];
        KafkaSettings.Builder kafka = KafkaSettings.builder().bootstrapServers(args[0]).partitions(2)
                .subscriptionsTopic(prefix + ".ib.subscriptions").bridgeId(prefix + "-bridge")
                .commandGroupId(prefix + "-commands").heartbeatInterval(Duration.ofSeconds(1));
        for (Topic t : Topic.values()) {
            kafka.topicName(t, prefix + "." + t.defaultName());
        }
        BridgeConfig config = new BridgeConfig(
                GatewayConfig.builder().port(Integer.parseInt(args[2])).clientId(0)
                        .retryInitialBackoff(Duration.ofMillis(200)).retryMaxBackoff(Duration.ofSeconds(2)).build(),
                kafka.build(), SchemaRegistryConfig.builder(args[1]).build(), ZombieProbe.disabled(),
                OrderSettings.builder().enabled(true).maxNotional(new BigDecimal("1000000"))
                        .journalTopic(prefix + ".ib.order-journal").build());
        String instance = System.getenv(FAILOVER_ENV);
        if (instance != null) {
            config = config.withFailover(io.twsbridge.bridge.failover.FailoverSettings.builder().enabled(true)
                    .instanceId(instance).sessionTimeout(Duration.parse(System.getenv(SESSION_TIMEOUT_ENV)))
                    .leaseTopic(prefix + ".ib.leader").build());
        }
        String management = System.getenv(MANAGEMENT_ENV);
        BridgeRunner runner = new BridgeRunner(config, Clock.systemUTC(), app -> {
            if (management != null) {
                int port = "1".equals(management) ? 0 : Integer.parseInt(management);
                System.out.println(MANAGEMENT_MARKER + app.startManagement("127.0.0.1", port));
                System.out.flush();
            }
            app.gateway().session().addListener(new io.twsbridge.bridge.gateway.session.SessionListener() {
                @Override
                public void onStateChange(io.twsbridge.bridge.gateway.session.SessionStateChange change) {
                    if (change.to() == SessionState.READY) {
                        System.out.println("BRIDGE-READY");
                        System.out.flush();
                    }
                }
            });
        });
        // SIGTERM closes the bridge as RunCommand does: the Gateway link cleanly, then (with standbys) the election.
        Runtime.getRuntime().addShutdownHook(new Thread(runner::close, "bridge-shutdown"));
        runner.start();
        new CountDownLatch(1).await();
    }
}
