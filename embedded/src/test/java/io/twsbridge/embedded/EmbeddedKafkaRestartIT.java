package io.twsbridge.embedded;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
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

            // metadata.recovery.strategy=none: the producer keeps what it knew of the cluster through the outage.
            // With Kafka 4's default (rebootstrap) it drops the cached metadata as soon as no broker answers, and
            // a send() after that fails on max.block.ms instead ("Topic ... not present in metadata"), depending on
            // which came first: the test would not know which bound it met.
            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(kafka, DELIVERY_TIMEOUT,
                    List.of(TOPIC), Map.of(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none"))) {
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
                // A minute is a give-up for a record that never fails, not a claim about when it does.
                Throwable failure = catchThrowable(() -> during.get(1, TimeUnit.MINUTES));
                long failedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                // Which bound ended it, from the producer itself: its accumulator expired the batch on
                // delivery.timeout.ms (not a metadata wait on max.block.ms, which fails the same future with another
                // TimeoutException), and it says how old the batch was by its own clock, which it expires only once
                // that age reaches delivery.timeout.ms. No upper bound on real time: on a busy 2-core machine the
                // sender thread may see the deadline late, and that says nothing about the broker.
                assertThat(failure).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class)
                        .hasMessageContaining("Expiring 1 record(s) for " + TOPIC + "-0")
                        .hasMessageContaining("ms has passed since batch creation");
                Matcher age = Pattern.compile("(\\d+) ms has passed since batch creation")
                        .matcher(failure.getCause().getMessage());
                assertThat(age.find()).isTrue();
                assertThat(Long.parseLong(age.group(1))).as("the batch's age when the producer expired it, in ms")
                        .isGreaterThanOrEqualTo(DELIVERY_TIMEOUT.toMillis());
                // Our own clock agrees: not before the delivery timeout (less a little, for the producer's
                // millisecond wall clock against this nanosecond one).
                assertThat(failedAfterMs).as("ms from send() to the failure")
                        .isGreaterThanOrEqualTo(DELIVERY_TIMEOUT.toMillis() - 100);

                // A producer that has not seen the cluster yet cannot even fetch metadata: max.block.ms.
                try (KafkaProducer<String, String> fresh = KafkaTestClients.producer(kafka, DELIVERY_TIMEOUT)) {
                    Throwable blocked = catchThrowable(
                            () -> fresh.send(new ProducerRecord<>(TOPIC, "k", "fresh-during-outage")).get());
                    assertThat(blocked instanceof ExecutionException ? blocked.getCause() : blocked)
                            .isInstanceOf(TimeoutException.class).hasMessageContaining("not present in metadata after");
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
