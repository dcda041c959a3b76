package io.twsbridge.bridge.app;

import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * One active bridge per bridge id. A second bridge started with the same configuration is refused before it joins
 * the command group or opens a Gateway connection; a command consumer fenced by another consumer under the bridge's
 * group.instance.id makes the bridge not ready at once and stops it, and once the intruder is gone the restarted
 * bridge answers every command sent meanwhile.
 */
class OneActiveBridgeIT extends WithKafkaStack {

    private static final Logger log = LoggerFactory.getLogger(OneActiveBridgeIT.class);

    @Test
    void aSecondBridgeWithTheSameConfigurationIsRefusedAtStartAndTheFirstGoesOnServing() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             BridgeUnderTest first = new BridgeUnderTest(stack, sim, "one-active", k -> k, g -> g).start()) {
            first.awaitReady();
            first.send(Commands.positions("before-second"));
            await().atMost(Duration.ofSeconds(20)).until(() -> resultIds(first).contains("before-second"));

            BridgeUnderTest second = new BridgeUnderTest(stack, sim, "one-active", k -> k, g -> g);
            try {
                long started = System.nanoTime();
                Throwable refused = catchThrowable(second::start);
                long refusedMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(refused).isInstanceOf(StartRefused.class)
                        .hasMessageStartingWith("bridge id 'one-active-bridge' is already running: an instance on ")
                        .hasMessageContaining("(pid " + ProcessHandle.current().pid() + ")")
                        .hasMessageContaining("session READY since")
                        .hasMessageContaining("run both as a standby pair (failover.enabled=true");
                log.info("the second bridge was refused {} ms into its start: {}", refusedMs, refused.getMessage());
            } finally {
                second.close();
            }

            assertThat(members(first)).as("command group members after the refusal").hasSize(1);
            assertThat(sim.state().connections()).as("Gateway connections after the refusal").hasSize(1);
            first.send(Commands.positions("after-second"));
            await().atMost(Duration.ofSeconds(20)).until(() -> resultIds(first).contains("after-second"));
        }
    }

    @Test
    void aFencedCommandConsumerMakesTheBridgeNotReadyStopsItAndNoCommandIsLeftWithoutAResult() throws Exception {
        List<String> sent = new ArrayList<>();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build())) {
            BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "fenced", k -> k, g -> g).start();
            AtomicReference<String> stoppedBecause = new AtomicReference<>();
            KafkaConsumer<byte[], byte[]> intruder;
            try {
                bridge.app.onStoppedByItself(stoppedBecause::set);
                bridge.awaitReady();
                URI base = bridge.app.startManagement("127.0.0.1", 0);
                await().atMost(Duration.ofSeconds(10)).until(() -> ManagementHttp.get(base, "/health/ready").statusCode() == 200);
                for (int i = 0; i < 5; i++) {
                    sent.add("before-" + i);
                    bridge.send(Commands.positions("before-" + i));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> resultIds(bridge).containsAll(sent));

                intruder = joinAs(bridge);
                long joined = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).until(() -> ManagementHttp.get(base, "/health/ready").statusCode() == 503);
                long notReadyMs = (System.nanoTime() - joined) / 1_000_000;
                String readiness = ManagementHttp.get(base, "/health/ready").body();
                assertThat(readiness).contains("the command consumer fenced: another consumer joined group "
                        + "fenced-commands as group.instance.id fenced-bridge-commands");
                assertThat(ManagementHttp.get(base, "/status").body()).contains("\"commandConsumerStopped\":\"fenced: ");
                assertThat(ManagementHttp.get(base, "/metrics").body()).contains("tws_bridge_command_consumer_stopped 1.0");
                await().atMost(Duration.ofSeconds(10)).until(() -> stoppedBecause.get() != null);
                log.info("fenced: /health/ready 503 {} ms after the intruder joined; policy: {}", notReadyMs,
                        stoppedBecause.get());

                for (int i = 0; i < 5; i++) {
                    sent.add("while-fenced-" + i);
                    bridge.send(Commands.positions("while-fenced-" + i));
                }
            } finally {
                bridge.close(); // what RunCommand does when the bridge stops by itself, before exiting 4
            }
            GenericRecord last = lastStatus(bridge);
            assertThat(last.get("sessionState")).hasToString("CLOSED");
            assertThat(last.get("stateReason").toString()).startsWith("the bridge stopped: the command consumer fenced");

            intruder.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            try (BridgeUnderTest restarted = new BridgeUnderTest(stack, sim, "fenced", k -> k, g -> g).start()) {
                restarted.awaitReady();
                await().atMost(Duration.ofSeconds(30)).until(() -> resultIds(restarted).containsAll(sent));
                Set<String> answered = resultIds(restarted);
                log.info("after the restart: {} of {} commands have a result", sent.stream()
                        .filter(answered::contains).count(), sent.size());
                assertThat(answered).containsAll(sent);
            }
        }
    }

    /** A consumer that joins the bridge's command group under the bridge's own group.instance.id. */
    private static KafkaConsumer<byte[], byte[]> joinAs(BridgeUnderTest bridge) {
        Map<String, Object> c = new HashMap<>(stack.kafka().clientConfig());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, bridge.settings.commandGroupId());
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, bridge.settings.bridgeId() + "-commands");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> intruder = new KafkaConsumer<>(c);
        intruder.subscribe(List.of(bridge.topic(Topic.COMMANDS)));
        // Joined once it holds partitions; it reads nothing (no records are polled into anything) and commits nothing.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            intruder.poll(Duration.ofMillis(100));
            intruder.seekToEnd(intruder.assignment());
            return !intruder.assignment().isEmpty();
        });
        return intruder;
    }

    private static Set<String> resultIds(BridgeUnderTest bridge) {
        return bridge.values(Topic.COMMAND_RESULTS).stream().map(r -> r.get("commandId").toString())
                .collect(Collectors.toSet());
    }

    private static GenericRecord lastStatus(BridgeUnderTest bridge) {
        String key = bridge.settings.bridgeId();
        List<GenericRecord> mine = bridge.read(bridge.topic(Topic.STATUS)).stream()
                .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .filter(r -> r.value() != null)
                .map(r -> PlainAvro.decode(stack.registry().confluentApiUrl(), r.value())).toList();
        return mine.get(mine.size() - 1);
    }

    private static List<?> members(BridgeUnderTest bridge) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(bridge.settings.commandGroupId()))
                    .all().get().get(bridge.settings.commandGroupId());
            return List.copyOf(group.members());
        }
    }
}
