package io.twsbridge.bridge.app;

import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.testkit.BridgeProcess;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The production jar as an operator starts it ({@code bridge.jar run --config}): what its start-up prints, and the
 * exit codes an orchestrator sees when a second instance of a bridge id is refused (3) and when the command
 * consumer is fenced (4).
 */
class RunJarIT extends WithKafkaStack {

    private static final Logger log = LoggerFactory.getLogger(RunJarIT.class);
    private static final Path JAR = Path.of(System.getProperty("soak.bridgeJar", "target/bridge.jar"));
    private static final Path DIR = Path.of("target", "run-jar");
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @Test
    void aNormalStartLeadsWithVersionGatewayTopicsManagementAndState() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             BridgeProcess bridge = BridgeProcess.runJar(JAR, properties(sim, "startup"), DIR, "startup").start()) {
            bridge.awaitManagement(PATIENCE);
            bridge.awaitReady(PATIENCE);
            List<String> lines = Files.readAllLines(bridge.log(), StandardCharsets.UTF_8);
            List<String> firstScreen = lines.subList(0, Math.min(25, lines.size()));
            log.info("start-up to READY: {} lines; the first {}:\n{}", lines.size(), firstScreen.size(),
                    String.join("\n", firstScreen));
            String screen = String.join("\n", firstScreen);
            assertThat(screen).as("the first screen").contains("tws-kafka-bridge ")
                    .contains("127.0.0.1:" + sim.apiPort())
                    .contains("startup." + Topic.COMMANDS.defaultName())
                    .contains("startup." + Topic.FILLS.defaultName())
                    .contains("management HTTP on http://127.0.0.1:")
                    .contains("session SYNCING -> READY: connected as client 17");
            assertThat(lines).as("no Kafka client configuration dump, no KIP-848 banner")
                    .noneMatch(l -> l.contains("ProducerConfig values") || l.contains("ConsumerConfig values")
                            || l.contains("KIP-848"));
            assertThat(lines).as("nothing an operator must act on in a normal start")
                    .noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR "));
        }
    }

    @Test
    void aSecondInstanceExits3AndAFencedOneExits4() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             BridgeProcess first = BridgeProcess.runJar(JAR, properties(sim, "exits"), DIR, "exits-first").start()) {
            first.awaitReady(PATIENCE);

            try (BridgeProcess second = BridgeProcess.runJar(JAR, properties(sim, "exits"), DIR, "exits-second")
                    .start()) {
                int code = second.awaitExit(PATIENCE);
                String output = Files.readString(second.log(), StandardCharsets.UTF_8);
                log.info("the second instance exited {}: {}", code, output.lines()
                        .filter(l -> l.startsWith("cannot start")).findFirst().orElse("(no line)"));
                assertThat(code).isEqualTo(3);
                assertThat(output).contains("cannot start: bridge id 'exits-bridge' is already running");
            }

            try (KafkaConsumer<byte[], byte[]> intruder = joinAs("exits-commands", "exits-bridge-commands",
                    "exits." + Topic.COMMANDS.defaultName())) {
                int code = first.awaitExit(PATIENCE);
                String output = Files.readString(first.log(), StandardCharsets.UTF_8);
                log.info("the fenced instance exited {}: {}", code, output.lines()
                        .filter(l -> l.startsWith("stopping: the bridge")).findFirst().orElse("(no line)"));
                assertThat(code).isEqualTo(4);
                assertThat(output).contains("stopping: the bridge stopped: the command consumer fenced");
                assertThat(intruder.assignment()).isNotEmpty();
            }
        }
    }

    @Test
    void bridgeSendPrintsWhatItSentAndNoKafkaClientConfiguration() throws Exception {
        Files.createDirectories(DIR);
        Path command = DIR.resolve("send-positions.json");
        Files.writeString(command, "{\"commandId\": \"send-1\", \"issuedAt\": " + System.currentTimeMillis()
                + ", \"expiresAt\": null, \"account\": null, \"issuedBy\": null, "
                + "\"payload\": {\"io.twsbridge.schema.RequestPositions\": {}}}");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                stack.kafka().clientConfig())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("send.ib.commands", 1, (short) 1)))
                    .all().get();
        }
        Path out = DIR.resolve("send.log");
        Process send = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toAbsolutePath().toString(), "send", "--file", command.toString(), "--bootstrap-server",
                stack.kafka().bootstrapServers(), "--registry-url", stack.registry().confluentApiUrl(),
                "--topic-prefix", "send").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(send.waitFor(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        log.info("bridge send: exit {}, {} line(s): {}", send.exitValue(), lines.size(), lines);
        assertThat(send.exitValue()).as("exit; output %s", lines).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("sent send-1 to send.ib.commands-"));
        assertThat(lines).as("no Kafka client configuration dump, no INFO narration")
                .noneMatch(l -> l.contains("ProducerConfig values") || l.contains(" INFO "));
    }

    private static KafkaConsumer<byte[], byte[]> joinAs(String group, String instance, String topic) {
        Map<String, Object> c = new HashMap<>(stack.kafka().clientConfig());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> intruder = new KafkaConsumer<>(c);
        intruder.subscribe(List.of(topic));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            intruder.poll(Duration.ofMillis(100));
            return !intruder.assignment().isEmpty();
        });
        return intruder;
    }

    private static Properties properties(GatewaySimulator sim, String prefix) {
        Properties p = new Properties();
        p.setProperty("bridge.id", prefix + "-bridge");
        p.setProperty("gateway.host", "127.0.0.1");
        p.setProperty("gateway.port", Integer.toString(sim.apiPort()));
        p.setProperty("kafka.bootstrap.servers", stack.kafka().bootstrapServers());
        p.setProperty("kafka.command-group-id", prefix + "-commands");
        p.setProperty("registry.url", stack.registry().confluentApiUrl());
        for (Topic t : Topic.values()) {
            p.setProperty("topics." + t.name().toLowerCase(Locale.ROOT).replace('_', '-'), prefix + "." + t.defaultName());
        }
        p.setProperty("http.host", "127.0.0.1");
        p.setProperty("http.port", "0");
        return p;
    }
}
