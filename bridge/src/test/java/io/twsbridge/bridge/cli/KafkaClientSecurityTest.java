package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.app.config.LoadedConfig;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.consume.CommandConsumer;
import io.twsbridge.bridge.kafka.publish.Producers;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SASL_SSL with SCRAM and a client certificate (mTLS), configured once, reach every Kafka client the bridge and
 * its command line create: the producer, the command consumer, the admin client (topic provisioning and the
 * Kafka health check share it), the state-topic reader, and the producer, consumer and admin client of
 * {@code send}, {@code replay} and {@code topics}.
 */
class KafkaClientSecurityTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"bridge\" password=\"scram-pw-1\";";

    /** What each client must carry, as Kafka reads it; passwords as Kafka's {@link Password} values. */
    private static final Map<String, String> SECURITY = security();

    @TempDir
    Path dir;

    @Test
    void theSameSecuritySettingsReachEveryClientOfTheBridgeAndTheCommandLine() throws Exception {
        Path config = configFile();
        // Some settings from the file, the SASL line from a variable, the key password through a file reference.
        Map<String, String> env = Map.of("BRIDGE_KAFKA_SASL_JAAS_CONFIG", JAAS);
        LoadedConfig loaded = new ConfigLoader(env).load(config);
        KafkaSettings kafka = loaded.bridge().kafka();

        Map<String, Map<String, Object>> clients = new LinkedHashMap<>();
        clients.put("bridge producer", Producers.config(kafka));
        clients.put("bridge command consumer", CommandConsumer.consumerConfig(kafka));
        clients.put("bridge admin (topics, health)", kafka.adminConfig());
        clients.put("bridge state reader", kafka.stateReaderConfig());
        for (String command : new String[] {"send", "replay", "topics"}) {
            KafkaOptions.Connection cli = options(command, "--config", config.toString()).resolve(env);
            clients.put(command + " producer", cli.producerConfig());
            clients.put(command + " consumer", cli.consumerConfig());
            clients.put(command + " admin", cli.adminConfig());
            assertThat(cli.registry().credentials()).as(command).map(SchemaRegistryConfig.BasicAuth::password)
                    .contains("registry-pw-1");
        }

        assertThat(clients).hasSize(13);
        clients.forEach((client, map) -> {
            assertThat(map).as(client).containsEntry("bootstrap.servers", "kafka-1.internal:9093");
            // Parsed by Kafka itself, as the client's constructor would: the values Kafka will use.
            AbstractConfig parsed = parse(client, map);
            SECURITY.forEach((name, value) -> assertThat(read(parsed, name)).as("%s: %s", client, name).isEqualTo(value));
        });
    }

    @Test
    void anOptionWinsOverTheConfigurationAndTheSecurityStays() throws Exception {
        Path config = configFile();
        KafkaOptions.Connection cli = options("replay", "--config", config.toString(), "--bootstrap-server",
                "other:9093", "--topic-prefix", "desk1", "--registry-url", "https://other-registry:8081")
                .resolve(Map.of("BRIDGE_KAFKA_SASL_JAAS_CONFIG", JAAS));
        assertThat(cli.consumerConfig()).containsEntry("bootstrap.servers", "other:9093")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.jaas.config", JAAS);
        assertThat(cli.kafka().topic(io.twsbridge.schema.catalogue.Topic.FILLS)).isEqualTo("desk1.ib.fills");
        assertThat(cli.journalTopic()).isEqualTo("desk1.ib.order-journal");
        assertThat(cli.registry().baseUrl()).hasToString("https://other-registry:8081");
        assertThat(cli.registry().credentials()).isPresent();
    }

    @Test
    void withoutAConfigurationTheCommandsUseTheDefaultsAndTheEnvironment() throws Exception {
        KafkaOptions.Connection cli = options("send").resolve(Map.of(
                "BRIDGE_KAFKA_SECURITY_PROTOCOL", "SSL",
                "BRIDGE_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12"));
        assertThat(cli.producerConfig()).containsEntry("bootstrap.servers", "127.0.0.1:9092")
                .containsEntry("security.protocol", "SSL").containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12");
        assertThat(cli.kafka().topic(io.twsbridge.schema.catalogue.Topic.COMMANDS)).isEqualTo("ib.commands");
        assertThat(cli.registry().baseUrl()).hasToString("http://127.0.0.1:8081");
    }

    private Path configFile() throws Exception {
        Path keyPassword = dir.resolve("key-password");
        Files.writeString(keyPassword, "key-pw-1\n", StandardCharsets.UTF_8);
        Path config = dir.resolve("bridge.properties");
        Files.writeString(config, """
                kafka.bootstrap.servers=kafka-1.internal:9093
                kafka.security.protocol=SASL_SSL
                kafka.sasl.mechanism=SCRAM-SHA-512
                kafka.ssl.truststore.location=/etc/kafka/truststore.p12
                kafka.ssl.truststore.type=PKCS12
                kafka.ssl.truststore.password=truststore-pw-1
                kafka.ssl.keystore.location=/etc/kafka/bridge.p12
                kafka.ssl.keystore.type=PKCS12
                kafka.ssl.keystore.password=keystore-pw-1
                kafka.ssl.key.password=${file:%s}
                kafka.ssl.endpoint.identification.algorithm=https
                registry.url=https://registry.internal:8081
                registry.user=bridge
                registry.password=registry-pw-1
                """.formatted(keyPassword), StandardCharsets.UTF_8);
        return config;
    }

    private static KafkaOptions options(String command, String... args) {
        Object cmd = switch (command) {
            case "send" -> new SendCommand();
            case "replay" -> new ReplayCommand();
            case "topics" -> new TopicsCommand();
            default -> throw new IllegalArgumentException(command);
        };
        String[] all = command.equals("replay") ? concat(args, "--topic", "ib.fills") : args;
        new CommandLine(cmd).parseArgs(all);
        return switch (command) {
            case "send" -> ((SendCommand) cmd).kafka;
            case "replay" -> ((ReplayCommand) cmd).kafka;
            default -> ((TopicsCommand) cmd).kafka;
        };
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static AbstractConfig parse(String client, Map<String, Object> map) {
        Function<Map<String, Object>, AbstractConfig> parser;
        if (client.endsWith("producer")) {
            parser = ProducerConfig::new;
        } else if (client.contains("consumer") || client.contains("reader")) {
            parser = ConsumerConfig::new;
        } else {
            parser = AdminClientConfig::new;
        }
        return parser.apply(map);
    }

    private static String read(AbstractConfig config, String name) {
        Object value = config.values().get(name);
        return value instanceof Password p ? p.value() : String.valueOf(value);
    }

    private static Map<String, String> security() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", "SCRAM-SHA-512");
        s.put("sasl.jaas.config", JAAS);
        s.put("ssl.truststore.location", "/etc/kafka/truststore.p12");
        s.put("ssl.truststore.type", "PKCS12");
        s.put("ssl.truststore.password", "truststore-pw-1");
        s.put("ssl.keystore.location", "/etc/kafka/bridge.p12");
        s.put("ssl.keystore.type", "PKCS12");
        s.put("ssl.keystore.password", "keystore-pw-1");
        s.put("ssl.key.password", "key-pw-1");
        s.put("ssl.endpoint.identification.algorithm", "https");
        return s;
    }
}
