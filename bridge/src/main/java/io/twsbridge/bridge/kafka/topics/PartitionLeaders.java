package io.twsbridge.bridge.kafka.topics;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.PartitionInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Waits until a producer sees a leader for every partition of the topics it is about to write.
 *
 * <p>Why: an idempotent producer whose first produce request to a partition is refused (NOT_LEADER_OR_FOLLOWER,
 * as a just-created partition answers until its leader is elected and known everywhere) while a later request
 * of the same producer is appended can never deliver that first batch: the broker took the later sequence as the
 * producer's first, and every retry of the first batch is out of order from then on (KAFKA-15591, also filed as
 * KAFKA-14312 and KAFKA-19880). Nothing is sent to a partition before its leader is known, which closes most of
 * that window on a new topic, but not all of it: a Kafka 4.4 broker publishes a new partition's leader in its
 * metadata before its replica manager has made the partition (its {@code BrokerMetadataPublisher} sets the
 * metadata image first), so the first request can still be refused. What slips through, and a leader that moves
 * later, is the publisher's watchdog's business ({@code EventPublisher}), which heals the partition.
 *
 * <p>The producer's own metadata is what counts, not an admin client's: it is the producer that routes the
 * records. A partition the producer knows without a leader makes it ask for fresh metadata by itself, so asking
 * again shortly after sees the change.
 */
public final class PartitionLeaders {

    /** How long between two looks at the producer's metadata while a leader is missing. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private PartitionLeaders() {
    }

    /** Topics (with the partitions) whose leaders the producer does not know yet; empty when it knows them all. */
    public static List<String> missing(Producer<?, ?> producer, Collection<String> topics) {
        List<String> missing = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> partitions = producer.partitionsFor(topic);
            List<Integer> leaderless = partitions.stream().filter(p -> p.leader() == null || p.leader().isEmpty())
                    .map(PartitionInfo::partition).toList();
            if (partitions.isEmpty()) {
                missing.add(topic + " (no partitions known)");
            } else if (!leaderless.isEmpty()) {
                missing.add(topic + " partitions " + leaderless);
            }
        }
        return missing;
    }

    /**
     * Blocks until the producer knows a leader for every partition of {@code topics}.
     *
     * @param onWait told, at most once per second, what is still missing (for the readiness report)
     * @throws TimeoutException naming the partitions still without a leader when {@code timeout} has passed
     */
    public static void await(Producer<?, ?> producer, Collection<String> topics, Duration timeout,
                             LongSupplier nanoTime, Consumer<List<String>> onWait)
            throws InterruptedException, TimeoutException {
        long start = nanoTime.getAsLong();
        long lastReport = start - TimeUnit.SECONDS.toNanos(1);
        while (true) {
            List<String> missing = missing(producer, topics);
            if (missing.isEmpty()) {
                return;
            }
            long now = nanoTime.getAsLong();
            if (now - start >= timeout.toNanos()) {
                throw new TimeoutException("no partition leader known after " + timeout.toMillis() + " ms for "
                        + String.join(", ", missing));
            }
            if (now - lastReport >= TimeUnit.SECONDS.toNanos(1)) {
                onWait.accept(missing);
                lastReport = now;
            }
            TimeUnit.NANOSECONDS.sleep(POLL_NANOS); // the producer refreshes its metadata meanwhile
        }
    }

    /** {@link #await(Producer, Collection, Duration, LongSupplier, java.util.function.Consumer)} on the system clock. */
    public static void await(Producer<?, ?> producer, Collection<String> topics, Duration timeout)
            throws InterruptedException, TimeoutException {
        await(producer, topics, timeout, System::nanoTime, missing -> { });
    }
}
