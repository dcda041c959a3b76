package io.twsbridge.bridge.failover;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.PartitionLeaders;
import io.twsbridge.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby's copy of the state topics against a real broker: each key's latest value, tombstones honoured,
 * what was written while it followed included, and what a deposed instance left in an aborted transaction never
 * counted.
 */
class StateFollowerIT {

    private static final String JOURNAL = "sf.ib.order-journal";
    private static final String SUBSCRIPTIONS = "sf.ib.subscriptions";
    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.startDefault();
        kafka.awaitReady(Duration.ofSeconds(60));
        admin = Admin.create(kafka.clientConfig());
        admin.createTopics(List.of(new NewTopic(JOURNAL, 1, (short) 1), new NewTopic(SUBSCRIPTIONS, 2, (short) 1)))
                .all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopKafka() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theCatchUpHoldsEachKeysLatestCommittedValueInTheOrderOfTheirLastWrites() throws Exception {
        KafkaSettings settings = KafkaSettings.builder().bootstrapServers(kafka.bootstrapServers()).build();
        try (KafkaProducer<byte[], byte[]> plain = producer(null);
             KafkaProducer<byte[], byte[]> deposed = producer("sf-events")) {
            send(plain, JOURNAL, "order-a", "a1");
            send(plain, JOURNAL, "order-b", "b1");
            send(plain, SUBSCRIPTIONS, "AAPL", "aapl");
            send(plain, SUBSCRIPTIONS, "MSFT", "msft");
            plain.flush();

            StateFollower follower = new StateFollower(new KafkaConsumer<>(settings.stateReaderConfig()),
                    List.of(JOURNAL, SUBSCRIPTIONS), Duration.ofSeconds(20));
            follower.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> follower.recordsRead() >= 4);

            // While it follows: an update, a tombstone, and a deposed instance's transaction that Kafka aborts.
            send(plain, JOURNAL, "order-a", "a2");
            plain.send(new ProducerRecord<>(SUBSCRIPTIONS, bytes("MSFT"), null)).get();
            deposed.initTransactions();
            deposed.beginTransaction();
            send(deposed, JOURNAL, "order-c", "c-aborted");
            send(deposed, JOURNAL, "order-a", "a-aborted");
            deposed.flush();
            deposed.abortTransaction();
            deposed.beginTransaction();
            send(deposed, JOURNAL, "order-d", "d1");
            deposed.commitTransaction();
            await().atMost(Duration.ofSeconds(20)).until(() -> follower.recordsRead() >= 7);

            Map<String, Map<String, byte[]>> state = follower.catchUp(System::nanoTime);

            assertThat(state.get(JOURNAL).values()).extracting(StateFollowerIT::text)
                    .as("b untouched, then a's latest, then d; nothing of the aborted transaction")
                    .containsExactly("b1", "a2", "d1");
            assertThat(state.get(JOURNAL).keySet()).as("each under its key").containsExactly("order-b", "order-a",
                    "order-d");
            assertThat(state.get(SUBSCRIPTIONS).values()).extracting(StateFollowerIT::text).containsExactly("aapl");
            System.out.printf("StateFollowerIT: %d records read, journal %s, subscriptions %s%n",
                    follower.recordsRead(), state.get(JOURNAL).values().stream().map(StateFollowerIT::text).toList(),
                    state.get(SUBSCRIPTIONS).values().stream().map(StateFollowerIT::text).toList());
        }
    }

    /** A producer of the state topics, once it knows their leaders: the topics were created a moment ago. */
    private static KafkaProducer<byte[], byte[]> producer(String transactionalId) throws Exception {
        Map<String, Object> c = new HashMap<>(kafka.clientConfig());
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(c);
        try {
            PartitionLeaders.await(producer, List.of(JOURNAL, SUBSCRIPTIONS), Duration.ofSeconds(20));
            return producer;
        } catch (Exception e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, bytes(key), bytes(value))).get(20, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
