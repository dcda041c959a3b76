package io.twsbridge.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** close() leaves nothing behind: no non-daemon thread, no bound port, no temporary directory. */
class EmbeddedKafkaCloseIT {

    @Test
    void closeLeavesNoNonDaemonThreadFreesThePortsAndDeletesTheTempDir() throws Exception {
        Set<Thread> before = nonDaemonThreads();
        EmbeddedKafka kafka = EmbeddedKafka.startDefault();
        Path tempRoot = kafka.logDir().getParent();
        try {
            kafka.awaitReady(Duration.ofSeconds(30));
            KafkaTestClients.createTopic(kafka, "t", 1);
            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(kafka, Duration.ofSeconds(10),
                    List.of("t"))) {
                producer.send(new ProducerRecord<>("t", "v")).get(10, TimeUnit.SECONDS);
            }
            assertThat(KafkaTestClients.readAll(kafka, "t", "g", 1, Duration.ofSeconds(30))).hasSize(1);
            assertThat(nonDaemonThreads()).as("the broker does run non-daemon threads").isNotEqualTo(before);
            assertThat(KafkaTestClients.portIsFree(kafka.brokerPort())).isFalse();
        } finally {
            kafka.close();
        }

        await().atMost(Duration.ofSeconds(10)).pollInSameThread().untilAsserted(() -> assertThat(
                nonDaemonThreads().stream().filter(t -> !before.contains(t)).map(Thread::getName).toList())
                .isEmpty());
        assertThat(KafkaTestClients.portIsFree(kafka.brokerPort())).isTrue();
        assertThat(KafkaTestClients.portIsFree(kafka.controllerPort())).isTrue();
        assertThat(Files.exists(tempRoot)).isFalse();
    }

    @Test
    void aGivenLogDirIsKeptAndReusedWithItsData(@TempDir Path dir) throws Exception {
        Path logDir = dir.resolve("kafka-data");
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.builder().logDir(logDir).build();
        String clusterId;
        try (EmbeddedKafka first = EmbeddedKafka.start(config)) {
            first.awaitReady(Duration.ofSeconds(30));
            clusterId = first.clusterId();
            KafkaTestClients.createTopic(first, "kept", 1);
            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(first, Duration.ofSeconds(10),
                    List.of("kept"))) {
                producer.send(new ProducerRecord<>("kept", "still-here")).get(10, TimeUnit.SECONDS);
            }
        }
        assertThat(logDir.resolve("meta.properties")).exists();

        // A new instance (new free ports), the same data.
        try (EmbeddedKafka second = EmbeddedKafka.start(config)) {
            second.awaitReady(Duration.ofSeconds(30));
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(KafkaTestClients.values(KafkaTestClients.readAll(second, "kept", "g", 1, Duration.ofSeconds(30))))
                    .containsExactly("still-here");
        }
        assertThat(logDir).exists();
    }

    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.isDaemon() && t.isAlive())
                .collect(Collectors.toSet());
    }
}
