package io.twsbridge.bridge.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.app.config.LoadedConfig;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.embedded.EmbeddedKafka;
import io.twsbridge.embedded.EmbeddedKafkaConfig;
import io.twsbridge.embedded.SchemaRegistryProcess;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The bridge against a broker that demands SASL/SCRAM-SHA-512 on its client listener, configured the way an
 * operator configures it: a properties file whose secrets are {@code ${file:...}} references, one setting from a
 * {@code BRIDGE_*} variable, loaded by {@link ConfigLoader}. It reaches READY, publishes, takes a command sent
 * with {@code bridge send --config}; a wrong password stops start-up with an authentication error. Throughout,
 * everything logged (INFO and up, Kafka's client config dumps included), every management endpoint, the
 * configuration errors, the start-up failure and the records on the result and dead-letter topics are searched
 * for the secrets: none may appear.
 */
class SecurityIT {

    private static final String MECHANISM = "SCRAM-SHA-512";
    /** Distinctive, so that any appearance anywhere is a leak and not a coincidence. */
    private static final String KAFKA_PASSWORD = "kafkaPw-7f3a9c1e";
    private static final String REGISTRY_PASSWORD = "registryPw-2b8e41d0";
    private static final String WRONG_PASSWORD = "wrongPw-5d1c77aa";
    private static final String BROKER_PASSWORD = "brokerPw-0e9d3b21";
    private static final List<String> SECRETS = List.of(KAFKA_PASSWORD, REGISTRY_PASSWORD, WRONG_PASSWORD,
            BROKER_PASSWORD);
    private static final String ACCOUNT = "DU111111";

    private static EmbeddedKafka kafka;
    private static SchemaRegistryProcess registry;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startScramBrokerAndRegistry() throws Exception {
        kafka = EmbeddedKafka.start(EmbeddedKafkaConfig.builder()
                .scramListener(MECHANISM, "broker", BROKER_PASSWORD)
                .scramCredential(MECHANISM, "bridge", KAFKA_PASSWORD)
                .build());
        kafka.awaitReady(Duration.ofSeconds(60));
        registry = SchemaRegistryProcess.start(SchemaRegistryProcess.locateJar(), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopBrokerAndRegistry() throws Exception {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            kafka.close();
        }
    }

    @Test
    void aBridgeConfiguredForScramWorksEndToEndAndNoSecretAppearsAnywhere() throws Exception {
        List<String> texts = new ArrayList<>();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             VerboseLogs logs = VerboseLogs.capture()) {
            Path config = config("sec", sim.apiPort(), KAFKA_PASSWORD);
            // One setting from the environment, the rest from the file and the secret files it names.
            LoadedConfig loaded = new ConfigLoader(Map.of("BRIDGE_KAFKA_SASL_MECHANISM", MECHANISM)).load(config);
            texts.add(loaded.describe());
            texts.add(loaded.toString());
            texts.add(loaded.bridge().toString());
            assertThat(loaded.bridge().kafka().clientProperties().get("sasl.jaas.config")).contains(KAFKA_PASSWORD);
            assertThat(loaded.bridge().registry().credentials().orElseThrow().password()).isEqualTo(REGISTRY_PASSWORD);

            BridgeApp app = new BridgeApp(loaded.bridge(), Clock.systemUTC());
            try {
                app.start();
                await().atMost(Duration.ofSeconds(60)).until(app::ready);

                // Management: nothing configured but a free port, so it binds the default, loopback.
                assertThat(loaded.http().host()).isEqualTo("127.0.0.1");
                URI base = app.startManagement(loaded.http().host(), loaded.http().port());
                assertThat(base.getHost()).isEqualTo("127.0.0.1");
                List<InetAddress> others = nonLoopbackAddresses();
                for (InetAddress other : others) {
                    assertThat(catchThrowable(() -> connect(other, base.getPort())))
                            .as("management port on %s", other).isInstanceOf(ConnectException.class);
                }
                System.out.printf("SecurityIT: management on %s; refused on %d non-loopback address(es) %s%n", base,
                        others.size(), others);

                // A command from the command line, reaching the SASL broker through the same configuration file.
                CliRun send = cli("send", "--config", config.toString(), "--file",
                        commandJson(Commands.marketOrder("sec-order", ACCOUNT, "AAPL", "1")).toString());
                texts.add(send.out());
                texts.add(send.err());
                assertThat(send.exit()).as("send: %s", send.err()).isZero();
                assertThat(send.out()).contains("sent sec-order to sec.ib.commands");
                // A record that is no command at all, for the dead-letter topic.
                try (KafkaProducer<byte[], byte[]> producer = producer()) {
                    producer.send(new ProducerRecord<>("sec.ib.commands", "junk".getBytes(StandardCharsets.UTF_8),
                            "not a command".getBytes(StandardCharsets.UTF_8))).get();
                }

                // Orders are off by default: the placement is refused and never reaches the Gateway.
                await().atMost(Duration.ofSeconds(30)).until(() -> !read("sec.ib.command-results").isEmpty());
                List<GenericRecord> results = read("sec.ib.command-results").stream()
                        .map(r -> PlainAvro.decode(registry.confluentApiUrl(), r.value())).toList();
                assertThat(results).hasSize(1);
                assertThat(results.get(0).get("commandId")).hasToString("sec-order");
                assertThat(results.get(0).get("status")).hasToString("REJECTED");
                assertThat(results.get(0).get("reasonCode")).hasToString("ORDERS_DISABLED");
                assertThat(sim.state().placeOrderCountByOrderRef()).isEmpty();
                results.forEach(r -> texts.add(r.toString()));

                await().atMost(Duration.ofSeconds(30)).until(() -> !read("sec.ib.commands.dlq").isEmpty());
                for (ConsumerRecord<byte[], byte[]> dead : read("sec.ib.commands.dlq")) {
                    texts.add(new String(dead.value(), StandardCharsets.UTF_8));
                    for (Header h : dead.headers()) {
                        texts.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
                    }
                }
                List<ConsumerRecord<byte[], byte[]>> statuses = read("sec.ib.status");
                assertThat(statuses).as("status records published").isNotEmpty();
                statuses.forEach(r -> texts.add(PlainAvro.decode(registry.confluentApiUrl(), r.value()).toString()));

                for (String path : List.of("/health/live", "/health/ready", "/status", "/metrics")) {
                    HttpResponse<String> r = get(base.resolve(path));
                    assertThat(r.statusCode()).as(path).isEqualTo(200);
                    texts.add(path + " " + r.headers().map() + " " + r.body());
                }
                assertThat(get(base.resolve("/config")).statusCode()).isEqualTo(404);
                System.out.printf("SecurityIT: %d status records, %d command results, %d dead letters%n",
                        statuses.size(), results.size(), read("sec.ib.commands.dlq").size());
            } finally {
                app.close();
            }

            // Kafka's clients print their whole configuration at INFO, with every password-typed value hidden.
            List<String> dumps = logs.capture.atLeast(Level.INFO).stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("ProducerConfig values: ") || m.startsWith("ConsumerConfig values: ")
                            || m.startsWith("AdminClientConfig values: ")).toList();
            assertThat(dumps).anySatisfy(m -> assertThat(m).startsWith("ProducerConfig values: "));
            assertThat(dumps).anySatisfy(m -> assertThat(m).startsWith("ConsumerConfig values: "));
            assertThat(dumps).anySatisfy(m -> assertThat(m).startsWith("AdminClientConfig values: "));
            assertThat(dumps).allSatisfy(m -> assertThat(m).contains("sasl.jaas.config = [hidden]")
                    .contains("security.protocol = SASL_PLAINTEXT").contains("sasl.mechanism = " + MECHANISM));
            texts.addAll(logs.everything());
            System.out.printf("SecurityIT: %d log events at INFO and above, %d client config dumps%n",
                    logs.capture.atLeast(Level.INFO).size(), dumps.size());
        }
        assertNoSecretIn(texts);
    }

    @Test
    void aWrongPasswordStopsStartUpWithAnAuthenticationErrorThatShowsNoSecret() throws Exception {
        List<String> texts = new ArrayList<>();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             VerboseLogs logs = VerboseLogs.capture()) {
            LoadedConfig loaded = new ConfigLoader(Map.of()).load(config("wrong", sim.apiPort(), WRONG_PASSWORD));
            BridgeApp app = new BridgeApp(loaded.bridge(), Clock.systemUTC());
            long t0 = System.nanoTime();
            Throwable failure;
            try {
                failure = catchThrowable(app::start);
            } finally {
                app.close();
            }
            long millis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertThat(failure).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot create or check the bridge's topics: ")
                    .hasMessageContaining("SaslAuthenticationException")
                    .hasMessageContaining("invalid credentials with SASL mechanism " + MECHANISM);
            texts.add(ThrowableProxyUtil.asString(new ch.qos.logback.classic.spi.ThrowableProxy(failure)));
            // Kafka reports the refusal itself too, once, at ERROR.
            assertThat(logs.capture.atLeast(Level.ERROR)).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).contains("failed authentication"));
            assertThat(sim.state().placeOrderCountByOrderRef()).isEmpty();
            texts.addAll(logs.everything());
            System.out.printf("SecurityIT: wrong password refused after %d ms: %s%n", millis, failure.getMessage());
        }
        assertNoSecretIn(texts);
    }

    @Test
    void configurationErrorsNameTheProblemButNoSecret() throws Exception {
        List<String> texts = new ArrayList<>();
        try (VerboseLogs logs = VerboseLogs.capture()) {
            Path config = config("bad", 4002, KAFKA_PASSWORD);
            Files.writeString(config, "gateway.port=not-a-port\nregistry.user=has:colon\n"
                    + "kafka.ssl.keystore.password=${file:" + dir.resolve("no-such-file") + "}\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(Map.of(
                    "BRIDGE_KAFKA_SSL_TRUSTSTORE_PASSWORD", REGISTRY_PASSWORD)).load(config));
            assertThat(e.problems()).contains(
                    "gateway.port: 'not-a-port' is not an integer",
                    "kafka.ssl.keystore.password: cannot read secret file " + dir.resolve("no-such-file")
                            + ": no such file",
                    "registry.user must not contain ':' but was has:colon");
            texts.add(e.getMessage());

            // bridge run with it: the problems on standard error, no start.
            CliRun run = cli("run", "--config", config.toString());
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).contains("gateway.port: 'not-a-port' is not an integer", "the bridge did not start");
            texts.add(run.out());
            texts.add(run.err());
            texts.addAll(logs.everything());
        }
        assertNoSecretIn(texts);
    }

    // ---------------------------------------------------------------- the configuration an operator writes

    /** A properties file; the Kafka and registry passwords are in files of their own, referenced by path. */
    private Path config(String prefix, int gatewayPort, String kafkaPassword) throws IOException {
        Path kafkaSecret = dir.resolve(prefix + "-kafka-password");
        Files.writeString(kafkaSecret, kafkaPassword + "\n", StandardCharsets.UTF_8);
        Path registrySecret = dir.resolve(prefix + "-registry.properties");
        Files.writeString(registrySecret, "registry.password=" + REGISTRY_PASSWORD + "\n", StandardCharsets.UTF_8);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("gateway.port", Integer.toString(gatewayPort));
        p.put("gateway.client-id", "0");
        p.put("gateway.zombie-probe", "off");
        p.put("gateway.retry-initial-backoff", "200ms");
        p.put("gateway.retry-max-backoff", "2s");
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("kafka.security.protocol", "SASL_PLAINTEXT");
        p.put("kafka.sasl.mechanism", MECHANISM);
        p.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"bridge\" password=\"${file:" + kafkaSecret + "}\";");
        p.put("kafka.command-group-id", prefix + "-commands");
        p.put("bridge.id", prefix + "-bridge");
        p.put("status.heartbeat-interval", "1s");
        p.put("topics.partitions", "1");
        for (Topic t : Topic.values()) {
            p.put(ConfigLoader.topicKey(t), prefix + "." + t.defaultName());
        }
        p.put("topics.subscriptions", prefix + ".ib.subscriptions");
        p.put("topics.order-journal", prefix + ".ib.order-journal");
        p.put("registry.url", registry.confluentApiUrl());
        p.put("registry.user", "bridge");
        p.put("registry.password", "${file:" + registrySecret + ":registry.password}");
        // Only a free port; the host stays the default.
        p.put("http.port", "0");
        Path file = dir.resolve(prefix + ".properties");
        Files.writeString(file, p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
        return file;
    }

    private Path commandJson(Command command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonEncoder encoder = EncoderFactory.get().jsonEncoder(Command.getClassSchema(), out);
        new SpecificDatumWriter<>(Command.class).write(command, encoder);
        encoder.flush();
        Path file = dir.resolve(command.getCommandId() + ".json");
        Files.write(file, out.toByteArray());
        return file;
    }

    // ---------------------------------------------------------------- the search for secrets

    private static void assertNoSecretIn(List<String> texts) {
        assertThat(texts).isNotEmpty();
        String all = String.join("\n", texts);
        for (String secret : SECRETS) {
            assertThat(all).as("every log line, response, message and record").doesNotContain(secret);
        }
        System.out.printf("SecurityIT: searched %d texts, %d characters, for %d secrets: none found%n", texts.size(),
                all.length(), SECRETS.size());
    }

    /**
     * Every log event at INFO and up while open: the test configuration logs WARN only, so root and Kafka's config
     * dumper (quietened by the embedded broker) are raised to INFO and put back afterwards.
     */
    private static final class VerboseLogs implements AutoCloseable {
        private static final List<String> RAISED = List.of(org.slf4j.Logger.ROOT_LOGGER_NAME,
                "org.apache.kafka.common.config.AbstractConfig");
        private final Map<Logger, Level> previous = new HashMap<>();
        final LogCapture capture;

        private VerboseLogs() {
            for (String name : RAISED) {
                Logger logger = (Logger) LoggerFactory.getLogger(name);
                previous.put(logger, logger.getLevel());
                logger.setLevel(Level.INFO);
            }
            capture = LogCapture.capture();
        }

        static VerboseLogs capture() {
            return new VerboseLogs();
        }

        /** Each event whole: message, arguments, key-value pairs, and the stack trace with every cause. */
        List<String> everything() {
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : capture.atLeast(Level.TRACE)) {
                StringBuilder sb = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
                if (e.getArgumentArray() != null) {
                    for (Object arg : e.getArgumentArray()) {
                        sb.append(' ').append(arg);
                    }
                }
                if (e.getKeyValuePairs() != null) {
                    e.getKeyValuePairs().forEach(kv -> sb.append(' ').append(kv.key).append('=').append(kv.value));
                }
                if (e.getThrowableProxy() != null) {
                    sb.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
                }
                out.add(sb.toString());
            }
            return out;
        }

        @Override
        public void close() {
            capture.close();
            previous.forEach(Logger::setLevel);
        }
    }

    // ---------------------------------------------------------------- clients with the broker's own login

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = kafka.clientConfig();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return BridgeUnderTest.readAll(kafka.clientConfig(), topic);
    }

    // ---------------------------------------------------------------- HTTP, sockets, the command line

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The machine's other addresses (IPv4, interfaces that are up): where a wildcard bind would also listen. */
    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.isUp() && !ni.isLoopback()) {
                Collections.list(ni.getInetAddresses()).stream()
                        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).forEach(out::add);
            }
        }
        return out;
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2_000);
        }
    }

    /** {@code java -jar bridge.jar ARGS}, in this JVM, with its output captured. */
    private static CliRun cli(String... args) {
        return CliRun.of(List.of(args));
    }
}
