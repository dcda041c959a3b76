package io.twsbridge.bridge.failover;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.StateRestorer;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.kafka.publish.PublishObserver;
import io.twsbridge.bridge.kafka.publish.Producers;
import io.twsbridge.bridge.kafka.publish.RecordEncoder;
import io.twsbridge.bridge.lifecycle.CloseStack;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One instance's part in a standby bridge: it joins the election as a STANDBY (following the state topics and
 * publishing its STANDBY heartbeat), takes over when it wins (fencing the previous active instance, then
 * starting the active part from the state it followed), and steps down, DEPOSED, when it no longer leads. It
 * keeps the role, since when, why, and the takeover counts that {@code /status} reports.
 *
 * <p>What only the bridge can do (publish through the fenced publisher, start the active part, close the Gateway
 * link) it asks of its {@link Bridge}. Threads: {@link #start} runs on the caller's; the election's outcome
 * arrives on the elector's thread; a takeover runs on a {@code takeover} thread of its own.
 */
public final class FailoverCoordinator {

    /** What the coordinator asks of the bridge it runs in. */
    public interface Bridge {
        /** From now on the bridge publishes through {@code fenced}, and flushes and closes it when it closes. */
        void publishThrough(EventPublisher fenced);

        /** Waits until {@code publisher}'s producer knows a leader for every partition the bridge writes. */
        void awaitPartitionLeaders(EventPublisher publisher) throws InterruptedException;

        /** Decodes what the follower kept (the live values of each state topic, by topic name). */
        StateRestorer.Restored restore(Map<String, Map<String, byte[]>> followed);

        /** Starts everything that only the active instance runs, from {@code state}; the Gateway link last but one. */
        void startActive(StateRestorer.Restored state);

        /** Stops connecting and closes the Gateway link at once, without a word to the Gateway. */
        void closeGatewayLink(String reason);
    }

    private static final Logger log = LoggerFactory.getLogger(FailoverCoordinator.class);
    /** How long a takeover under way may finish its step when the bridge closes. */
    private static final Duration TAKEOVER_STOP = Duration.ofSeconds(30);

    private final FailoverSettings settings;
    private final KafkaSettings kafka;
    private final List<String> stateTopics;
    private final Duration kafkaTimeout;
    private final Clock clock;
    private final PublishObserver publishObserver;
    private final Bridge bridge;
    private final LeaderLease lease;
    /** The standby's parts and a takeover under way: closed before the bridge's active part. */
    private final CloseStack standby = new CloseStack();
    /** Closed once the bridge has closed its link and committed what it published. */
    private final CloseStack election = new CloseStack();
    private final CompletableFuture<String> deposedBecause = new CompletableFuture<>();
    private RecordEncoder encoder;
    private LeaderElector elector;
    private StateFollower follower;
    private EventPublisher standbyPublisher;
    private StandbyStatus standbyStatus;
    private volatile EventPublisher fenced;
    private volatile FailoverStatus.Role role;
    private volatile Instant roleSince;
    private volatile String lastChange = "";
    private volatile long takeovers;
    private volatile long lastTakeoverMs = -1;
    private volatile boolean deposed;
    private Duration standAfter = Duration.ZERO;
    private volatile Thread takeoverThread;

    /**
     * @param stateTopics the topics the active instance starts from, which a standby follows
     * @param kafkaTimeout how long the follower may wait for Kafka when it reads them
     * @param publishObserver told of what the fenced publisher publishes
     */
    public FailoverCoordinator(FailoverSettings settings, KafkaSettings kafka, List<String> stateTopics,
                               Duration kafkaTimeout, Clock clock, PublishObserver publishObserver, Bridge bridge) {
        this.settings = settings;
        this.kafka = kafka;
        this.stateTopics = List.copyOf(stateTopics);
        this.kafkaTimeout = kafkaTimeout;
        this.clock = clock;
        this.publishObserver = publishObserver;
        this.bridge = bridge;
        this.lease = new LeaderLease(settings.leaseDuration(), System::nanoTime);
    }

    /** The right to write, which the Gateway writer and the publisher ask before every write. */
    public LeaderLease lease() {
        return lease;
    }

    /**
     * For a standby that replaces a deposed one in the same process: it follows the state topics at once but
     * stands for election only after {@code delay}, giving the other instances their turn. Call before
     * {@link #start}.
     */
    public void standAfter(Duration delay) {
        this.standAfter = delay;
    }

    /**
     * Follows the state topics, publishes the STANDBY heartbeat and joins the election; the active part starts
     * when this instance wins.
     *
     * @param encoder how the standby's and the fenced publisher encode their records
     */
    public void start(RecordEncoder encoder) {
        this.encoder = encoder;
        setRole(FailoverStatus.Role.STANDBY, "joined the election");
        follower = standby.push("the state follower",
                new StateFollower(new KafkaConsumer<>(kafka.stateReaderConfig()), stateTopics, kafkaTimeout));
        follower.start();
        standbyPublisher = standby.push("the standby publisher", EventPublisher.forStandby(kafka,
                Producers.plain(kafka), encoder, clock, settings.instanceId()));
        standbyStatus = standby.push("the standby status", new StandbyStatus(standbyPublisher, kafka.bridgeId(),
                settings.instanceId(), kafka.heartbeatInterval(), clock));
        standbyStatus.start();
        // The elector starts takeovers: one under way when the bridge closes stops before the standby's parts.
        standby.push("a takeover under way", this::stopTakeover);
        elector = election.push("the election", new LeaderElector(settings,
                new KafkaConsumer<>(LeaderElector.consumerConfig(kafka.clientConfig(), kafka.bridgeId(), settings)),
                lease, new LeaderElector.Listener() {
                    @Override
                    public void elected() {
                        Thread t = new Thread(FailoverCoordinator.this::takeOver, "takeover");
                        t.setDaemon(true);
                        takeoverThread = t;
                        t.start();
                    }

                    @Override
                    public void deposed(String reason) {
                        onDeposed(reason);
                    }
                }, System::nanoTime));
        elector.start(standAfter);
        log.info("standby: instance {} of bridge {} is a STANDBY (session timeout {} ms, lease {} ms)",
                settings.instanceId(), kafka.bridgeId(), settings.sessionTimeout().toMillis(),
                settings.leaseDuration().toMillis());
    }

    /**
     * Won the election: fences the previous active instance (initialising the transactional producer that all
     * instances share aborts its open transaction and rejects its later writes), reads the state topics to their
     * end, and starts everything the active instance runs. Any failure deposes this instance, which then
     * restarts as a standby.
     */
    private void takeOver() {
        long wonAt = System.nanoTime();
        try {
            if (!settings.takeoverDelay().isZero()) {
                try {
                    deposedBecause.get(settings.takeoverDelay().toMillis(), TimeUnit.MILLISECONDS);
                    return; // deposed while waiting
                } catch (TimeoutException e) {
                    // the delay is over
                }
            }
            if (!lease.holds() || deposed) {
                return;
            }
            setRole(FailoverStatus.Role.TAKING_OVER, "won the election");
            standbyStatus.close();
            standbyPublisher.close();
            EventPublisher p = new EventPublisher(kafka, Producers.transactional(kafka,
                    transactionalId(kafka.bridgeId()), transactionTimeout()), encoder, clock,
                    new EventPublisher.Fencing(settings.instanceId(), settings.commitInterval(), lease,
                            this::fencedByKafka));
            fenced = p;
            bridge.publishThrough(p);
            if (deposed) {
                p.abandon("deposed while taking over");
                return;
            }
            p.setPublishObserver(publishObserver);
            bridge.awaitPartitionLeaders(p);
            p.sendToTopic(kafka.topic(Topic.STATUS), StandbyStatus.key(kafka.bridgeId(), settings.instanceId()), null);
            Map<String, Map<String, byte[]>> state = follower.catchUp(System::nanoTime);
            StateRestorer.Restored restored = bridge.restore(state);
            synchronized (this) {
                if (deposed || !lease.holds()) {
                    return;
                }
                bridge.startActive(restored);
            }
            lastTakeoverMs = (System.nanoTime() - wonAt) / 1_000_000;
            takeovers++;
            setRole(FailoverStatus.Role.ACTIVE, "took over in " + lastTakeoverMs + " ms");
            log.warn("standby: instance {} is ACTIVE: took over in {} ms (previous instance fenced; {} quote and {} "
                    + "real-time bar subscription(s) and {} journal entries restored); connecting to the Gateway",
                    settings.instanceId(), lastTakeoverMs, restored.subscriptions().size(),
                    restored.realTimeBarSubscriptions().size(), restored.journal().size());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.error("standby: taking over failed; this instance steps down and starts again as a standby", e);
            elector.resign("taking over failed: " + e);
        }
    }

    /**
     * Lost the leadership. The lease is already revoked, so the Gateway writer and the publisher refuse from here
     * on; this closes the Gateway link at once, without a word to the Gateway (the next active instance needs
     * the client id free), and drops what the publisher still holds. {@link #awaitDeposed()} returns; the owner
     * then closes the bridge and starts a new standby in its place.
     */
    synchronized void onDeposed(String reason) {
        if (deposed) {
            return;
        }
        deposed = true;
        setRole(FailoverStatus.Role.DEPOSED, reason);
        bridge.closeGatewayLink("this instance no longer leads: " + reason);
        EventPublisher p = fenced;
        if (p != null) {
            p.abandon("this instance no longer leads: " + reason);
        }
        log.warn("standby: instance {} DEPOSED ({}): the Gateway link is closed with nothing more sent, and nothing more"
                + " is produced", settings.instanceId(), reason);
        deposedBecause.complete(reason);
    }

    /** Kafka fenced this instance's producer: another instance has taken over. */
    private void fencedByKafka(String why) {
        elector.resign("Kafka fenced this instance's producer (" + why + ")");
    }

    /** The transactional id every instance of a bridge shares: the next one to initialise it fences the rest. */
    static String transactionalId(String bridgeId) {
        return bridgeId + "-events";
    }

    /** A transaction Kafka heard nothing of for this long is aborted: well past the commit interval and a lease. */
    private Duration transactionTimeout() {
        Duration t = settings.sessionTimeout().multipliedBy(6);
        return t.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : t;
    }

    private void setRole(FailoverStatus.Role next, String why) {
        role = next;
        roleSince = clock.instant();
        lastChange = why;
    }

    /** Closing in the middle of a takeover: it stops at its next check, before it starts anything more. */
    private void stopTakeover() {
        Thread takeover = takeoverThread;
        if (takeover != null && takeover.isAlive()) {
            lease.revoke("shutting down");
            try {
                takeover.join(TAKEOVER_STOP.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** This instance's part in the election; null when the bridge runs alone. */
    public FailoverStatus status() {
        if (!settings.enabled()) {
            return null;
        }
        FailoverStatus.Role r = role;
        return new FailoverStatus(settings.instanceId(), r == null ? FailoverStatus.Role.STANDBY : r, roleSince,
                lease.remaining().toMillis(), lastChange, takeovers, lastTakeoverMs);
    }

    /** This instance has taken over and still holds the lease. */
    public boolean leads() {
        return role == FailoverStatus.Role.ACTIVE && lease.holds();
    }

    /**
     * Blocks until this instance is deposed and returns why. It never returns for a bridge that runs alone, nor
     * for one that never started.
     */
    public String awaitDeposed() throws InterruptedException {
        try {
            return deposedBecause.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * The first half of closing: stops a takeover under way and closes the standby's parts (its heartbeat, its
     * publisher, the follower). The bridge then closes its active part, its Gateway link and its publisher.
     */
    public void standDown() {
        standby.close();
    }

    /**
     * The second half: leaves the election. The bridge calls this once its Gateway link is closed and what it
     * published is committed, so that the next instance is elected at once rather than after a session timeout.
     */
    public void leaveElection() {
        election.close();
    }
}
