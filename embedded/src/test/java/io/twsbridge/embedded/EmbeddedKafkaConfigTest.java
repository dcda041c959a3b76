package io.twsbridge.embedded;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class EmbeddedKafkaConfigTest {

    @Test
    void defaultsAreFreePortsTempDirOnePartitionNoAutoCreateAndWarn() {
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.defaults();

        assertThat(config.brokerPort()).isZero();
        assertThat(config.controllerPort()).isZero();
        assertThat(config.logDir()).isEmpty();
        assertThat(config.defaultPartitions()).isEqualTo(1);
        assertThat(config.autoCreateTopics()).isFalse();
        assertThat(config.brokerLogLevel()).isEqualTo(Level.WARN);
        assertThat(config.brokerProperties()).isEmpty();
        assertThat(config.clientProperties()).isEmpty();
        assertThat(config.scramCredentials()).isEmpty();
    }

    @Test
    void scramListenerMapsTheClientListenerToSaslAndTheClientsLogIn() {
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.builder()
                .scramListener("SCRAM-SHA-256", "broker", "b-secret")
                .scramCredential("SCRAM-SHA-256", "app", "a-secret")
                .build();
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"broker\" password=\"b-secret\";";
        assertThat(config.brokerProperties())
                .containsEntry("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .containsEntry("sasl.enabled.mechanisms", "SCRAM-SHA-256")
                .containsEntry("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256")
                .containsEntry("listener.name.client.scram-sha-256.sasl.jaas.config", jaas);
        assertThat(config.clientProperties()).containsOnly(Map.entry("security.protocol", "SASL_PLAINTEXT"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-256"), Map.entry("sasl.jaas.config", jaas));
        assertThat(config.scramCredentials()).extracting(EmbeddedKafkaConfig.ScramCredential::user)
                .containsExactly("broker", "app");
        assertThat(config.scramCredentials().toString()).doesNotContain("b-secret", "a-secret");
    }

    @Test
    void scramCredentialsTheFormatCannotCarryAreRefusedWithoutShowingThePassword() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> EmbeddedKafkaConfig.builder()
                        .scramCredential("SCRAM-SHA-1", "app", "ok")
                        .scramCredential("SCRAM-SHA-512", "a,b", "ok")
                        .scramCredential("SCRAM-SHA-512", "app", "has]bracket")
                        .build())
                .withMessageContaining("scram mechanism must be one of [SCRAM-SHA-256, SCRAM-SHA-512] but was 'SCRAM-SHA-1'")
                .withMessageContaining("scram user must be letters, digits, '.', '_' or '-' but was 'a,b'")
                .withMessageContaining("scram password of user 'app' must be letters")
                .withMessageNotContaining("has]bracket");
    }

    @Test
    void everyProblemIsReportedAtOnceNamingTheSettingAndTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> EmbeddedKafkaConfig.builder()
                        .brokerPort(70_000)
                        .controllerPort(-1)
                        .defaultPartitions(0)
                        .brokerLogLevel(null)
                        .brokerProperty("listeners", "PLAINTEXT://0.0.0.0:9092")
                        .brokerProperty("log.dirs", "/var/kafka")
                        .build())
                .withMessageContaining("brokerPort must be 0 (free port) or 1..65535 but was 70000")
                .withMessageContaining("controllerPort must be 0 (free port) or 1..65535 but was -1")
                .withMessageContaining("defaultPartitions must be at least 1 but was 0")
                .withMessageContaining("brokerLogLevel must be set but was null")
                .withMessageContaining("must not set 'listeners' (owned by EmbeddedKafka) but was 'PLAINTEXT://0.0.0.0:9092'")
                .withMessageContaining("must not set 'log.dirs'");
    }

    @Test
    void theSameFixedPortTwiceIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> EmbeddedKafkaConfig.builder().brokerPort(9092).controllerPort(9092).build())
                .withMessageContaining("brokerPort and controllerPort must differ but both were 9092");
    }

    @Test
    void brokerPropertiesHoldTheSingleNodeSettingsThenTheExtras(@org.junit.jupiter.api.io.TempDir Path dir) {
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.builder()
                .brokerPort(19092).controllerPort(19093).logDir(dir)
                .defaultPartitions(3).autoCreateTopics(true)
                .brokerProperties(Map.of("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"))
                .build();
        try (EmbeddedKafka kafka = new EmbeddedKafka(config)) {
            Properties p = kafka.brokerProperties();

            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:19092");
            assertThat(p).containsEntry("process.roles", "broker,controller")
                    .containsEntry("node.id", "1")
                    .containsEntry("controller.quorum.voters", "1@127.0.0.1:19093")
                    .containsEntry("listeners", "CLIENT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093")
                    .containsEntry("controller.listener.names", "CONTROLLER")
                    .containsEntry("log.dirs", dir.toAbsolutePath().toString())
                    .containsEntry("num.partitions", "3")
                    .containsEntry("auto.create.topics.enable", "true")
                    .containsEntry("offsets.topic.replication.factor", "1")
                    .containsEntry("transaction.state.log.replication.factor", "1")
                    .containsEntry("transaction.state.log.min.isr", "1")
                    .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                    .containsEntry("share.coordinator.state.topic.min.isr", "1")
                    .containsEntry("group.initial.rebalance.delay.ms", "0")
                    .containsEntry("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        }
        assertThat(dir).exists();
    }

    @Test
    void clientConfigIsTheBootstrapAddressPlusTheClientProperties() {
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.builder()
                .brokerPort(19092).clientProperty("security.protocol", "SASL_PLAINTEXT").build();
        try (EmbeddedKafka kafka = new EmbeddedKafka(config)) {
            assertThat(kafka.clientConfig()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "bootstrap.servers", "127.0.0.1:19092", "security.protocol", "SASL_PLAINTEXT"));
        }
        assertThatIllegalArgumentException()
                .isThrownBy(() -> EmbeddedKafkaConfig.builder().clientProperty("bootstrap.servers", "x:1").build())
                .withMessageContaining("clientProperties must not set 'bootstrap.servers'");
    }

    @Test
    void freePortsAreDistinctAndKnownBeforeStart() {
        try (EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafkaConfig.defaults())) {
            assertThat(kafka.brokerPort()).isPositive().isNotEqualTo(kafka.controllerPort());
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.brokerPort());
            assertThat(kafka.isRunning()).isFalse();
        }
    }
}
