package io.twsbridge.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A real broker in this JVM: topics, idempotent acks=all produce, consume back, quiet logs. */
class EmbeddedKafkaIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaIT.class);

    private static EmbeddedKafka kafka;
    private static ListAppender<ILoggingEvent> captured;

    @BeforeAll
    static void startBroker() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        captured = new ListAppender<>();
        captured.setContext(context);
        captured.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(captured);

        long rssBefore = KafkaTestClients.rssKib();
        long t0 = System.nanoTime();
        kafka = EmbeddedKafka.start(EmbeddedKafkaConfig.builder().defaultPartitions(2).build());
        long started = System.nanoTime();
        kafka.awaitReady(Duration.ofSeconds(30));
        long ready = System.nanoTime();
        LOG.info("figures: start {} ms, start+ready {} ms, RSS {} MiB -> {} MiB",
                TimeUnit.NANOSECONDS.toMillis(started - t0), TimeUnit.NANOSECONDS.toMillis(ready - t0),
                rssBefore / 1024, KafkaTestClients.rssKib() / 1024);
    }

    @AfterAll
    static void closeBroker() {
        if (kafka != null) {
            kafka.close();
        }
        ((LoggerContext) LoggerFactory.getILoggerFactory())
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(captured);
    }

    @Test
    void producesWithAcksAllAndIdempotenceAndConsumesTheRecordsBack() throws Exception {
        KafkaTestClients.createTopic(kafka, "round-trip", 3);
        int count = 200;
        try (KafkaProducer<String, String> producer = KafkaTestClients.producer(kafka, Duration.ofSeconds(10),
                List.of("round-trip"))) {
            List<RecordMetadata> acks = IntStream.range(0, count)
                    .mapToObj(i -> producer.send(new ProducerRecord<>("round-trip", "key-" + (i % 7), "value-" + i)))
                    .toList().stream() // all sent before the first ack is awaited
                    .map(f -> {
                        try {
                            return f.get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new AssertionError("no ack", e);
                        }
                    })
                    .toList();
            assertThat(acks).allSatisfy(m -> assertThat(m.hasOffset()).isTrue());
        }

        List<ConsumerRecord<String, String>> records =
                KafkaTestClients.readAll(kafka, "round-trip", "round-trip-reader", count, Duration.ofSeconds(30));

        assertThat(records).hasSize(count);
        assertThat(KafkaTestClients.values(records))
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, count).mapToObj(i -> "value-" + i).toList());
        // Same key, same partition, in send order.
        assertThat(records.stream().filter(r -> r.key().equals("key-3")).map(ConsumerRecord::value).toList())
                .containsExactlyElementsOf(IntStream.range(0, count).filter(i -> i % 7 == 3)
                        .mapToObj(i -> "value-" + i).toList());
    }

    @Test
    void topicsAreNotCreatedOnFirstUseAndTakeTheDefaultPartitionCount() throws Exception {
        try (KafkaProducer<String, String> producer = KafkaTestClients.producer(kafka, Duration.ofSeconds(1));
             Admin admin = KafkaTestClients.admin(kafka)) {
            Throwable failure = catchThrowable(() -> producer.send(new ProducerRecord<>("typo-topic", "x")).get());

            assertThat(failure instanceof ExecutionException ? failure.getCause() : failure)
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("typo-topic");
            assertThat(admin.listTopics().names().get()).doesNotContain("typo-topic");

            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(
                    "default-count", java.util.Optional.empty(), java.util.Optional.empty()))).all().get();
            assertThat(admin.describeTopics(List.of("default-count")).allTopicNames().get()
                    .get("default-count").partitions()).hasSize(2);
        }
    }

    @Test
    void brokerLogsReachLogbackAtWarnOnlyByDefault() {
        assertThat(captured.list)
                .filteredOn(e -> BrokerLogging.BROKER_LOGGERS.stream()
                        .anyMatch(name -> e.getLoggerName().equals(name) || e.getLoggerName().startsWith(name + ".")))
                .allSatisfy(e -> assertThat(e.getLevel().isGreaterOrEqual(Level.WARN))
                        .as("%s %s %s", e.getLevel(), e.getLoggerName(), e.getFormattedMessage()).isTrue());
        assertThat(captured.list)
                .anySatisfy(e -> assertThat(e.getLoggerName()).isEqualTo(EmbeddedKafka.class.getName()));
        assertThat(level("kafka")).isEqualTo(Level.WARN);
        assertThat(level("org.apache.kafka.server")).isEqualTo(Level.WARN);
    }

    private static Level level(String logger) {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(logger).getLevel();
    }
}
