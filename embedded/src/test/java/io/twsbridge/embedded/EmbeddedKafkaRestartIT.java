package io.twsbridge.embedded;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** A Kafka outage: stop the broker, see produce fail within its bounds, restart, data survives. */
class EmbeddedKafkaRestartIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaRestartIT.class);
    private static final String TOPIC = "outage";
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void stopRefusesAcksAndRestartOnTheSamePortKeepsTheData() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startDefault()) {
            kafka.awaitReady(Duration.ofSeconds(30));
            String bootstrap = kafka.bootstrapServers();
            String clusterId = kafka.clusterId();
            KafkaTestClients.createTopic(kafka, TOPIC, 1);

            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(kafka, DELIVERY_TIMEOUT,
                    List.of(TOPIC))) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k", "before-" + i)).get(10, TimeUnit.SECONDS);
                }

                long t0 = System.nanoTime();
                kafka.stop();
                long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(kafka.isRunning()).isFalse();
                assertThat(KafkaTestClients.portIsFree(kafka.brokerPort())).as("broker port free").isTrue();
                assertThat(KafkaTestClients.portIsFree(kafka.controllerPort())).as("controller port free").isTrue();

                // The producer knows the topic's leader, so send() queues the record; no ack can come,
                // and the record fails once delivery.timeout.ms has passed.
                long sent = System.nanoTime();
                Future<RecordMetadata> during = producer.send(new ProducerRecord<>(TOPIC, "k", "during-outage"));
                Throwable failure = catchThrowable(() -> during.get(DELIVERY_TIMEOUT.toMillis() * 5, TimeUnit.MILLISECONDS));
                long failedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                assertThat(failure).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(TimeoutException.class);
                assertThat(failedAfterMs).isBetween(DELIVERY_TIMEOUT.toMillis() - 100, DELIVERY_TIMEOUT.toMillis() * 3);

                // A producer that has not seen the cluster yet cannot even fetch metadata: max.block.ms.
                try (KafkaProducer<String, String> fresh = KafkaTestClients.producer(kafka, DELIVERY_TIMEOUT)) {
                    Throwable blocked = catchThrowable(
                            () -> fresh.send(new ProducerRecord<>(TOPIC, "k", "fresh-during-outage")).get());
                    assertThat(blocked instanceof ExecutionException ? blocked.getCause() : blocked)
                            .isInstanceOf(TimeoutException.class);
                }

                long t1 = System.nanoTime();
                kafka.start();
                long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
                kafka.awaitReady(Duration.ofSeconds(30));
                long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
                LOG.info("figures: stop {} ms, produce failed after {} ms, restart {} ms, restart+ready {} ms",
                        stopMs, failedAfterMs, restartMs, readyMs);

                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(kafka.clusterId()).isEqualTo(clusterId);

                // The same producer recovers on its own once the broker is back.
                RecordMetadata after = await().atMost(Duration.ofSeconds(30)).pollInSameThread()
                        .ignoreExceptionsInstanceOf(ExecutionException.class)
                        .until(() -> producer.send(new ProducerRecord<>(TOPIC, "k", "after-restart"))
                                .get(10, TimeUnit.SECONDS), m -> m != null && m.hasOffset());
                assertThat(after.offset()).isGreaterThanOrEqualTo(10);
            }

            Set<String> values = KafkaTestClients.values(
                    KafkaTestClients.readAll(kafka, TOPIC, "after-restart-reader", 11, Duration.ofSeconds(30)));
            Set<String> expected = IntStream.range(0, 10).mapToObj(i -> "before-" + i).collect(Collectors.toSet());
            assertThat(values).containsAll(expected).contains("after-restart")
                    .doesNotContain("during-outage", "fresh-during-outage");
        }
    }

    @Test
    void stopAndStartAreIdempotentAndCloseIsFinal() {
        EmbeddedKafka kafka = new EmbeddedKafka(EmbeddedKafkaConfig.defaults());
        try {
            kafka.stop(); // not started yet: nothing to do
            kafka.start();
            kafka.start(); // already running: nothing to do
            assertThat(kafka.isRunning()).isTrue();
            kafka.stop();
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
        } finally {
            kafka.close();
            kafka.close();
        }
        assertThat(catchThrowable(kafka::start)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(catchThrowable(() -> kafka.awaitReady(Duration.ofSeconds(1))))
                .isInstanceOf(IllegalStateException.class);
        assertThat(kafka.logDir().getParent()).doesNotExist();
    }
}
