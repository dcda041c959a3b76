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
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Under buffer pressure only quotes are shed; everything else still goes to the producer; acks are observed. */
class EventPublisherTest {

    private final AtomicLong available = new AtomicLong();
    private final KafkaSettings settings = KafkaSettings.builder().producerBufferBytes(8L * 1024 * 1024).build();
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
        assertThat(producer.history()).extracting(r -> r.topic())
                .containsExactly("ib.quotes", "ib.fills", "ib.orders");
        assertThat(publisher.published(Topic.FILLS)).isEqualTo(1);
    }

    @Test
    void theObserverHearsEachAcknowledgementWithTheEventItCarried() {
        java.util.List<String> heard = new java.util.ArrayList<>();
        publisher.setPublishObserver(new io.twsbridge.bridge.app.metrics.PublishObserver() {
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

        assertThat(heard).containsExactly("ib.quotes Quote", "state null");
    }
}
