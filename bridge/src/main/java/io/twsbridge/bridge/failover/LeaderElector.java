package io.twsbridge.bridge.failover;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Elects the active instance through Kafka: every instance joins one consumer group on the one-partition lease
 * topic, and the member assigned the partition leads. Nothing is read from or written to the topic; the group's
 * membership is the election.
 *
 * <p>The leader renews its {@link LeaderLease} by committing an offset for the lease partition every
 * {@link FailoverSettings#renewInterval()}: the coordinator accepts a commit only from a member of the current
 * generation, and restarts that member's session timer when it does. The lease is granted by the first such
 * commit after the assignment, not by the assignment itself.
 *
 * <p>Leadership ends, with the lease revoked before the listener hears of it, when the partition is revoked or
 * lost, when the lease runs out without a renewal (Kafka unreachable, this process paused), on
 * {@link #resign}, or when the elector closes. A deposed elector does not stand again: it leaves the group at
 * once, so that the partition moves, and ends; its owner starts a fresh instance.
 *
 * <p>Members are static ({@code group.instance.id} from the instance id): a standby restarted under the same name
 * takes its own place without a rebalance, so restarting a standby never disturbs the leader's renewals.
 *
 * <p>One thread of its own; the listener is called on it and must not block for long.
 */
public final class LeaderElector implements AutoCloseable {

    /** Told of the election's outcome, on the elector's thread. */
    public interface Listener {
        /** This instance leads; the lease holds. */
        void elected();

        /** This instance no longer leads; the lease is already revoked. */
        void deposed(String reason);
    }

    private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);
    private static final Duration LONGEST_POLL = Duration.ofMillis(200);

    private final FailoverSettings settings;
    private final Consumer<byte[], byte[]> consumer;
    private final LeaderLease lease;
    private final Listener listener;
    private final LongSupplier nanoTime;
    private final TopicPartition partition;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile String resignation;
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private Duration standAfter = Duration.ZERO;
    /** Elector thread only. */
    private boolean owned;
    private boolean leading;
    private long lastRenewalAttempt;

    public LeaderElector(FailoverSettings settings, Consumer<byte[], byte[]> consumer, LeaderLease lease,
                         Listener listener, LongSupplier nanoTime) {
        this.settings = settings;
        this.consumer = consumer;
        this.lease = lease;
        this.listener = listener;
        this.nanoTime = nanoTime;
        this.partition = new TopicPartition(settings.leaseTopic(), 0);
        this.thread = new Thread(this::run, "leader-elector");
        thread.setDaemon(true);
    }

    /**
     * The lease group's consumer: the classic group protocol, whose session timeout is the client's to set and
     * whose offset commits restart a member's session; the cooperative assignor, so that an instance joining or
     * leaving as a standby does not take the partition from the leader, even for a moment; static membership.
     *
     * @param base the bridge's common client settings ({@code KafkaSettings.clientConfig()})
     */
    public static Map<String, Object> consumerConfig(Map<String, Object> base, String bridgeId, FailoverSettings settings) {
        Map<String, Object> c = new HashMap<>(base);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(bridgeId));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, bridgeId + "-leader-" + settings.instanceId());
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, bridgeId + "-leader-" + settings.instanceId());
        c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) settings.heartbeatInterval().toMillis());
        // The rebalance timeout: a member that does not rejoin within a session timeout is dropped like one that
        // stopped answering; the elector polls every few hundred milliseconds.
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return c;
    }

    /** The group every instance of one bridge joins. */
    public static String groupId(String bridgeId) {
        return bridgeId + "-leader";
    }

    public void start() {
        thread.start();
    }

    /**
     * Starts after {@code delay}: an instance that has just been deposed waits this long before it stands again,
     * so that another instance gets its turn rather than the same one winning straight back.
     */
    public void start(Duration delay) {
        standAfter = delay;
        thread.start();
    }

    /** Whether this instance leads now (the lease holds). */
    public boolean leads() {
        return lease.holds();
    }

    private void run() {
        try {
            if (!standAfter.isZero()) {
                log.info("standby: instance {} stands for election in {} ms", settings.instanceId(), standAfter.toMillis());
                if (closeRequested.await(standAfter.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            consumer.subscribe(List.of(settings.leaseTopic()), new Rebalance());
            log.info("standby: instance {} joined the election for the lease on {}", settings.instanceId(),
                    settings.leaseTopic());
            while (!closing) {
                consumer.poll(pollTimeout());
                if (owned && nanoTime.getAsLong() - lastRenewalAttempt >= settings.renewInterval().toNanos()) {
                    renew();
                }
                String resigned = resignation;
                if (resigned != null) {
                    resignation = null;
                    depose(resigned);
                } else if (leading && !lease.holds()) {
                    depose("the leader lease ran out: Kafka did not confirm this instance's leadership for "
                            + settings.leaseDuration().toMillis() + " ms");
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                log.error("standby: the leader election stopped unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("standby: the leader election failed; this instance no longer takes part", e);
        } finally {
            depose(closing ? "shutting down" : "the leader election stopped");
            try {
                // A static member leaves only when told to: the partition moves to a standby at once, not after a
                // session timeout.
                consumer.close(CloseOptions.groupMembershipOperation(
                        CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                log.debug("closing the lease consumer", e);
            }
            stopped.countDown();
        }
    }

    private Duration pollTimeout() {
        Duration quarter = settings.renewInterval().dividedBy(4);
        return quarter.compareTo(LONGEST_POLL) < 0 ? quarter : LONGEST_POLL;
    }

    /** Commits the lease partition's offset; an accepted commit confirms the leadership from when it was sent. */
    private void renew() {
        long sentAt = nanoTime.getAsLong();
        lastRenewalAttempt = sentAt;
        try {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(0, settings.instanceId())),
                    settings.renewInterval());
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            // Not confirmed: a rebalance in progress, a timeout, a coordinator moving. The lease runs on as granted
            // and ends by itself if this goes on; a commit refused because this member is gone ends it sooner, in
            // the rebalance listener's onPartitionsLost.
            log.debug("lease renewal not confirmed: {}", e.toString());
            return;
        }
        lease.confirmed(sentAt);
        // Not when a resignation or close revoked the lease while the commit was in flight: the lease ignored it.
        if (!leading && lease.holds()) {
            leading = true;
            log.warn("standby: instance {} won the election and leads from now on (lease {} ms, renewed every {} ms)",
                    settings.instanceId(), settings.leaseDuration().toMillis(), settings.renewInterval().toMillis());
            listener.elected();
        }
    }

    /**
     * Ends the leadership, and with it this elector: its thread leaves the group and ends. A candidate that had not
     * yet led (its first renewal after the assignment failed) stays in the election.
     */
    private void depose(String reason) {
        lease.revoke(reason);
        if (leading) {
            closing = true;
            leading = false;
            log.warn("standby: instance {} no longer leads: {}", settings.instanceId(), reason);
            listener.deposed(reason);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.contains(partition)) {
                owned = true;
                renew();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.contains(partition)) {
                owned = false;
                depose("the lease partition was handed to another instance");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (partitions.contains(partition)) {
                owned = false;
                depose("Kafka's group coordinator dropped this instance from the election (session timeout)");
            }
        }
    }

    /**
     * Gives up the leadership from any thread: the lease is revoked at once; the elector's thread then tells the
     * listener, leaves the group and stands again.
     */
    public void resign(String reason) {
        lease.revoke(reason);
        resignation = reason;
    }

    /** Leaves the election (the lease is revoked first) and waits for the elector's thread to end. */
    @Override
    public void close() {
        closing = true;
        lease.revoke("shutting down");
        closeRequested.countDown();
        consumer.wakeup();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
