package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Under pressure only quotes are shed; everything else still goes to the producer, from the publisher's own
 * thread, so a producer that blocks never blocks the caller; acknowledgements are observed.
 */
class EventPublisherTest {

    private final AtomicLong available = new AtomicLong();
    private final KafkaSettings settings = KafkaSettings.builder().producerBufferBytes(8L * 1024 * 1024)
            // Closing waits a stuck-partition timeout for records Kafka never acknowledges (as these are not).
            .stuckPartitionTimeout(KafkaSettings.MIN_STUCK_PARTITION_TIMEOUT).build();
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer()) {
        @Override
        public synchronized Map<MetricName, Metric> metrics() {
            MetricName name = new MetricName("buffer-available-bytes", "producer-metrics", "", Map.of());
            return Map.of(name, new Metric() {
                @Override
                public MetricName metricName() {
                    return name;
                }

                @Override
                public Object metricValue() {
                    return (double) available.get();
                }
            });
        }
    };
    private final EventPublisher publisher = new EventPublisher(settings, producer, (topic, record) -> new byte[] {1},
            Clock.systemUTC());

    @org.junit.jupiter.api.AfterEach
    void closePublisher() {
        publisher.close();
    }

    @Test
    void quotesAreShedOnlyWhenTheBufferIsNearlyFullAndNothingElseEverIs() {
        SpecificRecord quote = new Quote();
        SpecificRecord fill = new Fill();

        available.set(settings.producerBufferBytes());
        publisher.publish(Topic.QUOTES, "265598", quote);
        available.set(settings.producerBufferBytes() / 10); // 90 % full
        publisher.publish(Topic.QUOTES, "265598", quote);
        publisher.publish(Topic.QUOTES, "272093", quote);
        publisher.publish(Topic.FILLS, "exec-1", fill);
        publisher.publish(Topic.ORDERS, "cmd-1", fill);

        assertThat(publisher.quotesShed()).isEqualTo(2);
        publisher.flush();
        assertThat(producer.history()).extracting(r -> r.topic())
                .containsExactly("ib.quotes", "ib.fills", "ib.orders");
        assertThat(publisher.published(Topic.FILLS)).isEqualTo(1);
    }

    @Test
    void quotesAreShedOnceTooManyWaitForKafkaAndCountAgainAsAcknowledgementsArrive() {
        MockProducer<byte[], byte[]> unanswered = new MockProducer<>(false, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        try (EventPublisher p = new EventPublisher(settings, unanswered, (topic, record) -> new byte[] {1},
                Clock.systemUTC())) {
            SpecificRecord quote = new Quote();
            for (int i = 0; i < EventPublisher.MAX_PENDING_QUOTES; i++) {
                p.publish(Topic.QUOTES, "265598", quote);
            }
            assertThat(p.pendingQuotes()).isEqualTo(EventPublisher.MAX_PENDING_QUOTES);
            assertThat(p.quotesShed()).isZero();

            p.publish(Topic.QUOTES, "265598", quote);
            p.publish(Topic.FILLS, "exec-1", new Fill());
            assertThat(p.quotesShed()).as("the quote over the limit").isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> unanswered.history().size() == EventPublisher.MAX_PENDING_QUOTES + 1);
            assertThat(unanswered.history()).last().extracting(r -> r.topic()).isEqualTo("ib.fills");

            assertThat(unanswered.completeNext()).isTrue();
            assertThat(unanswered.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"))).isTrue();
            assertThat(p.pendingQuotes()).as("acknowledged and failed quotes both leave").isEqualTo(
                    EventPublisher.MAX_PENDING_QUOTES - 2);
            p.publish(Topic.QUOTES, "265598", quote);
            assertThat(p.quotesShed()).isEqualTo(1);
            assertThat(p.pendingQuotes()).isEqualTo(EventPublisher.MAX_PENDING_QUOTES - 1);
        }
    }

    @Test
    void aProducerThatBlocksNeverBlocksTheCallerAndLosesNothing() throws Exception {
        java.util.concurrent.CountDownLatch brokerBack = new java.util.concurrent.CountDownLatch(1);
        MockProducer<byte[], byte[]> stuck = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record,
                    org.apache.kafka.clients.producer.Callback callback) {
                try {
                    brokerBack.await(); // as KafkaProducer.send waits for metadata while the broker is away
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(record, callback);
            }
        };
        try (EventPublisher p = new EventPublisher(settings, stuck, (topic, record) -> new byte[] {1}, Clock.systemUTC())) {
            java.util.concurrent.CompletableFuture<org.apache.kafka.clients.producer.RecordMetadata> fill = null;
            for (int i = 0; i < 100; i++) {
                p.publish(Topic.QUOTES, "265598", new Quote());
                fill = p.send(Topic.FILLS, "exec-" + i, new Fill());
            }
            // Reaching this line at all is the point: 200 publishes returned while the producer was stuck.
            assertThat(fill).isNotDone();
            // The publisher thread holds the first record inside the stuck send; the other 199 wait in order.
            await().atMost(Duration.ofSeconds(10)).until(() -> p.queued() == 199);
            assertThat(p.pendingQuotes()).isEqualTo(100);

            brokerBack.countDown();
            assertThat(fill.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            p.flush();
            assertThat(stuck.history()).hasSize(200);
            assertThat(stuck.history()).filteredOn(r -> r.topic().equals("ib.fills")).extracting(r -> new String(r.key(),
                    java.nio.charset.StandardCharsets.UTF_8)).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 100).mapToObj(i -> "exec-" + i).toList());
            assertThat(p.pendingQuotes()).isZero();
        }
    }

    @Test
    void theObserverHearsEachAcknowledgementWithTheEventItCarried() {
        java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        publisher.setPublishObserver(new io.twsbridge.bridge.kafka.publish.PublishObserver() {
            @Override
            public void acknowledged(String topic, long elapsedNanos) {
                heard.add("latency-only " + topic);
            }

            @Override
            public void acknowledged(String topic, SpecificRecord value, long sentAtNanos, long ackedAtNanos) {
                assertThat(ackedAtNanos).isGreaterThanOrEqualTo(sentAtNanos);
                heard.add(topic + " " + (value == null ? "null" : value.getClass().getSimpleName()));
            }
        });
        available.set(settings.producerBufferBytes());

        publisher.publish(Topic.QUOTES, "265598", new Quote());
        publisher.sendToTopic("state", "key", null);
        publisher.flush();

        assertThat(heard).containsExactly("ib.quotes Quote", "state null");
    }
}
