package io.twsbridge.bridge.app;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.testkit.BridgeProcess;
import io.twsbridge.testkit.KafkaStack;

import java.math.BigDecimal;
import java.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

/**
 * A bridge in a JVM of its own, for tests that kill it, size its heap as production does, or measure its threads and
 * descriptors apart from the broker's; {@link #start} launches it as a {@link BridgeProcess} whose output the test
 * reads line by line. Arguments: {@code <bootstrap> <registryUrl> <gatewayPort> <prefix>}.
 * Prints {@code BRIDGE-READY} once READY; {@code BRIDGE_CRASH_AT} (see CrashPoints) makes it stop at a point;
 * {@value #MANAGEMENT_ENV}=1 starts the management HTTP endpoint on a free loopback port (or =PORT on that one) and
 * prints {@value #MANAGEMENT_MARKER} and its URI; {@value #FAILOVER_ENV}=NAME makes it a standby instance.
 */
public final class BridgeProcessMain {

    static final String MANAGEMENT_ENV = "BRIDGE_TEST_MANAGEMENT";
    static final String MANAGEMENT_MARKER = "BRIDGE-MANAGEMENT ";
    private static final Pattern MANAGEMENT_LINE = Pattern.compile("^" + Pattern.quote(MANAGEMENT_MARKER) + "(.+)$");
    private static final String CRASH_AT_ENV = "BRIDGE_CRASH_AT";
    /** Makes the bridge a standby instance of this name (failover), with {@value #SESSION_TIMEOUT_ENV}. */
    static final String FAILOVER_ENV = "BRIDGE_TEST_FAILOVER";
    static final String SESSION_TIMEOUT_ENV = "BRIDGE_TEST_SESSION_TIMEOUT";

    private BridgeProcessMain() {
    }

    /** A bridge on {@code prefix}'s topics; {@code crashAt} (or null) names a crash point (see CrashPoints). */
    static BridgeProcess start(KafkaStack stack, GatewaySimulator sim, String prefix, String crashAt)
            throws IOException {
        return start(stack, sim, prefix, crashAt, List.of(), false);
    }

    /**
     * @param jvmOptions options before the main class, e.g. {@link BridgeProcess#PRODUCTION_JVM_OPTIONS}
     * @param management whether to start the management HTTP endpoint (see {@link BridgeProcess#awaitManagement()})
     */
    static BridgeProcess start(KafkaStack stack, GatewaySimulator sim, String prefix, String crashAt,
                               List<String> jvmOptions, boolean management) throws IOException {
        return start(stack, sim, prefix, crashAt, jvmOptions, management ? Map.of(MANAGEMENT_ENV, "1") : Map.of());
    }

    /**
     * One instance of a standby bridge (failover) named {@code instance}, with its management endpoint on
     * {@code managementPort}, which stays the same when the instance, deposed, replaces itself with a fresh
     * standby.
     */
    static BridgeProcess startStandby(KafkaStack stack, GatewaySimulator sim, String prefix, String instance,
                                      Duration sessionTimeout, int managementPort) throws IOException {
        return start(stack, sim, prefix, null, List.of(), Map.of(FAILOVER_ENV, instance,
                SESSION_TIMEOUT_ENV, sessionTimeout.toString(), MANAGEMENT_ENV, String.valueOf(managementPort)));
    }

    private static BridgeProcess start(KafkaStack stack, GatewaySimulator sim, String prefix, String crashAt,
                                       List<String> jvmOptions, Map<String, String> env) throws IOException {
        BridgeProcess.Launch launch = BridgeProcess.mainClass(BridgeProcessMain.class.getName(),
                        List.of(stack.bootstrapServers(), stack.registryUrl(), String.valueOf(sim.apiPort()), prefix))
                .jvmOptions(jvmOptions).managementLine(MANAGEMENT_LINE)
                .withoutInherited(CRASH_AT_ENV, MANAGEMENT_ENV, FAILOVER_ENV).environment(env);
        if (crashAt != null) {
            launch.environment(CRASH_AT_ENV, crashAt);
        }
        return launch.start();
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
