package io.twsbridge.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.awaitility.Awaitility.await;

/** Real Kafka clients against an {@link EmbeddedKafka}, as the bridge will use them. */
final class KafkaTestClients {

    private KafkaTestClients() {
    }

    static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(kafka.clientConfig());
    }

    static void createTopic(EmbeddedKafka kafka, String topic, int partitions)
            throws InterruptedException, ExecutionException {
        try (Admin admin = admin(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /**
     * {@link #producer(EmbeddedKafka, Duration)}, returned once it knows a leader for every partition of
     * {@code topics}, which it is about to write.
     *
     * <p>Why: an idempotent producer whose first request to a just-created partition is refused
     * (NOT_LEADER_OR_FOLLOWER) while a later request is appended can never deliver the first (KAFKA-15591).
     * The bridge's {@code PartitionLeaders} does this for the bridge; this module is below the bridge in the build,
     * so the tests here keep the few lines they need.
     */
    static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Duration timeout, List<String> topics) {
        return producer(kafka, timeout, topics, Map.of());
    }

    /** {@link #producer(EmbeddedKafka, Duration, List)} with {@code overrides} on top of its configuration. */
    static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Duration timeout, List<String> topics,
                                                  Map<String, Object> overrides) {
        KafkaProducer<String, String> producer = producer(kafka, timeout, overrides);
        try {
            await().atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> topics.stream().allMatch(t -> leadersKnown(producer, t)));
            return producer;
        } catch (RuntimeException | Error e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    private static boolean leadersKnown(KafkaProducer<String, String> producer, String topic) {
        List<PartitionInfo> partitions = producer.partitionsFor(topic);
        return !partitions.isEmpty() && partitions.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }

    /** An idempotent acks=all producer whose waits are bounded by {@code timeout}. */
    static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Duration timeout) {
        return producer(kafka, timeout, Map.of());
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Duration timeout,
                                                          Map<String, Object> overrides) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 1_000));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        config.putAll(overrides);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(EmbeddedKafka kafka, String group) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    /** Reads {@code topic} from the beginning, in a fresh group, until {@code expected} records arrived. */
    static List<ConsumerRecord<String, String>> readAll(
            EmbeddedKafka kafka, String topic, String group, int expected, Duration timeout) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(kafka, group)) {
            consumer.subscribe(List.of(topic));
            await().atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            // Anything beyond the expected count would show up here.
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    static Set<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).collect(Collectors.toSet());
    }

    /** Whether a server socket can be bound on {@code port} of the loopback interface right now. */
    static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    /** Resident set size of this JVM in KiB, from /proc (Linux), or -1. */
    static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
