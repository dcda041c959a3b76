package io.twsbridge.bridge.kafka.topics;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Waiting for partition leaders as the producer sees them, on a driven clock. */
class PartitionLeadersTest {

    private static final Node BROKER = new Node(1, "127.0.0.1", 9092);
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger looks = new AtomicInteger();

    /** A producer whose partition 1 of every topic gets its leader at the {@code leaderAt}-th look. */
    private MockProducer<byte[], byte[]> producer(int leaderAt) {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized List<PartitionInfo> partitionsFor(String topic) {
                int look = looks.incrementAndGet();
                nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(400)); // each look costs the driven clock 400 ms
                List<PartitionInfo> partitions = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Node leader = i == 1 && look < leaderAt ? null : BROKER;
                    partitions.add(new PartitionInfo(topic, i, leader, new Node[] {BROKER}, new Node[] {BROKER}));
                }
                return partitions;
            }
        };
    }

    @Test
    void returnsOnceEveryPartitionHasALeaderAndSaysMeanwhileWhichHaveNone() throws Exception {
        List<List<String>> reported = new ArrayList<>();
        PartitionLeaders.await(producer(5), List.of("ib.fills"), Duration.ofSeconds(30), nanos::get, reported::add);

        assertThat(looks.get()).isEqualTo(5);
        assertThat(reported).as("reported at once, then about once a second").hasSize(2)
                .allSatisfy(missing -> assertThat(missing).containsExactly("ib.fills partitions [1]"));
    }

    @Test
    void givesUpAfterTheTimeoutNamingThePartitionsStillWithoutALeader() {
        assertThatThrownBy(() -> PartitionLeaders.await(producer(Integer.MAX_VALUE), List.of("ib.fills", "ib.orders"),
                Duration.ofSeconds(2), nanos::get, missing -> { }))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no partition leader known after 2000 ms")
                .hasMessageContaining("ib.fills partitions [1]").hasMessageContaining("ib.orders partitions [1]");
    }

    @Test
    void aTopicTheProducerKnowsNoPartitionsOfIsMissingToo() {
        MockProducer<byte[], byte[]> empty = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        assertThat(PartitionLeaders.missing(empty, List.of("ib.status"))).containsExactly("ib.status (no partitions known)");
    }
}
