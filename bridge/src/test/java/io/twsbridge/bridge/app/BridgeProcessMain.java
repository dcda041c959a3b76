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
 * {@value #MANAGEMENT_ENV}=1 starts the management HTTP endpoint on a free loopback port and prints
 * {@value #MANAGEMENT_MARKER} and its URI.
 */
public final class BridgeProcessMain {

    static final String MANAGEMENT_ENV = "BRIDGE_TEST_MANAGEMENT";
    static final String MANAGEMENT_MARKER = "BRIDGE-MANAGEMENT ";

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
        BridgeApp app = new BridgeApp(config, Clock.systemUTC());
        app.start();
        if ("1".equals(System.getenv(MANAGEMENT_ENV))) {
            System.out.println(MANAGEMENT_MARKER + app.startManagement("127.0.0.1", 0));
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
        if (app.gateway().session().state() == SessionState.READY) {
            System.out.println("BRIDGE-READY");
            System.out.flush();
        }
        new CountDownLatch(1).await();
    }
}
