package io.twsbridge.bridge.kafka;

import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.SessionState;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether another process runs this bridge id now, read from the compacted status topic: every running bridge
 * publishes its status under its bridge id at least once per heartbeat interval, and a bridge that stops cleanly
 * publishes CLOSED last. So the latest status under the key tells:
 *
 * <ul>
 *   <li>none, CLOSED, or older than {@link #STALE_AFTER_HEARTBEATS} heartbeats: nobody runs it (a crashed
 *       bridge's key goes stale the same way, which is the rule consumers of the status topic apply too);</li>
 *   <li>fresh and not CLOSED: a bridge runs it, or one crashed within the last heartbeats. A live one publishes
 *       again within a heartbeat, so the check watches the topic for {@link #WATCH_HEARTBEATS} heartbeats: a newer
 *       status under the key is a live instance, silence is a crashed one.</li>
 * </ul>
 *
 * <p>The check compares the other instance's heartbeatAt with this host's clock: hosts' clocks must agree to
 * well within a heartbeat (NTP). Two bridges started within the same heartbeat both pass it; the second to join
 * the command group fences the first's consumer, which the first reports and acts on.
 */
public final class RunningInstanceCheck {

    private static final Logger log = LoggerFactory.getLogger(RunningInstanceCheck.class);

    /** A status older than this many heartbeat intervals was written by an instance that is gone. */
    public static final int STALE_AFTER_HEARTBEATS = 3;
    /** How long, in heartbeat intervals, a fresh status is watched for a newer one. */
    static final int WATCH_HEARTBEATS = 2;
    private static final Duration POLL = Duration.ofMillis(200);

    private final Function<byte[], GatewayStatus> decoder;
    private final Clock clock;

    /** @param decoder reads a status value in the wire format (the registry's deserializer) */
    public RunningInstanceCheck(Function<byte[], GatewayStatus> decoder, Clock clock) {
        this.decoder = decoder;
        this.clock = clock;
    }

    /**
     * The live instance's latest status under {@code bridgeId} in {@code topic}, or empty when none runs.
     *
     * @param consumer  a group-less consumer (it is assigned the topic's partitions), closed by the caller
     * @param heartbeat the heartbeat interval of the bridges that publish there
     */
    public Optional<GatewayStatus> liveInstance(Consumer<byte[], byte[]> consumer, String topic, String bridgeId,
                                                Duration heartbeat, Duration timeout) {
        Duration staleAfter = heartbeat.multipliedBy(STALE_AFTER_HEARTBEATS);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        // Only what was written since a status could still be fresh matters: the tail, not the whole topic.
        long since = clock.instant().minus(staleAfter).minus(heartbeat).toEpochMilli();
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, since));
        Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(times, timeout);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = from.get(p);
            if (at == null) {
                consumer.seekToEnd(List.of(p));
            } else {
                consumer.seek(p, at.offset());
            }
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        Instant deadline = clock.instant().plus(timeout);
        Latest latest = new Latest(bridgeId);
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
            if (clock.instant().isAfter(deadline)) {
                throw new IllegalStateException("reading " + topic + " took longer than " + timeout);
            }
            consumer.poll(POLL).forEach(latest::offer);
        }
        GatewayStatus seen = latest.status;
        if (seen == null || seen.getSessionState() == SessionState.CLOSED) {
            return Optional.empty();
        }
        Duration age = Duration.between(seen.getHeartbeatAt(), clock.instant());
        if (age.compareTo(staleAfter) > 0) {
            log.info("start-up: the last status under {} ({}, {} s old) is stale: its instance is gone", bridgeId,
                    seen.getSessionState(), age.toSeconds());
            return Optional.empty();
        }
        Instant watchUntil = clock.instant().plus(heartbeat.multipliedBy(WATCH_HEARTBEATS));
        log.info("start-up: a {} status under {} is {} ms old; watching {} for up to {} s to tell a running instance "
                        + "from one that crashed", seen.getSessionState(), bridgeId, age.toMillis(), topic,
                heartbeat.multipliedBy(WATCH_HEARTBEATS).toSeconds());
        while (clock.instant().isBefore(watchUntil)) {
            consumer.poll(POLL).forEach(latest::offer);
            GatewayStatus now = latest.status;
            if (now == null || now.getSessionState() == SessionState.CLOSED) {
                return Optional.empty();
            }
            if (now.getHeartbeatAt().isAfter(seen.getHeartbeatAt())) {
                return Optional.of(now);
            }
        }
        log.info("start-up: no status under {} for {} s after one {} s old: its instance crashed", bridgeId,
                heartbeat.multipliedBy(WATCH_HEARTBEATS).toSeconds(), age.toSeconds());
        return Optional.empty();
    }

    /** What a second bridge says when it refuses to start next to {@code live}. */
    public static String refusal(String bridgeId, GatewayStatus live, Instant now, String statusTopic) {
        String who = live.getInstanceId() != null ? "instance " + live.getInstanceId() + " (standby bridges)"
                : "an instance";
        String where = live.getHost() == null ? "" : " on " + live.getHost()
                + (live.getProcessId() == null ? "" : " (pid " + live.getProcessId() + ")");
        String since = live.getStartedAt() == null ? "" : ", started " + live.getStartedAt();
        return "bridge id '" + bridgeId + "' is already running: " + who + where + since + ", session "
                + live.getSessionState() + " since " + live.getSince() + ", last status "
                + Duration.between(live.getHeartbeatAt(), now).toMillis() + " ms ago on " + statusTopic
                + ". Two bridges with one id would share one command group and one Gateway client id, and neither"
                + " would execute commands reliably. Stop the other instance, give this one its own bridge.id, or run"
                + " both as a standby pair (failover.enabled=true on each, see docs/failover.md).";
    }

    /** The latest value under one key, tombstones included. */
    private final class Latest {
        private final String key;
        private GatewayStatus status;

        Latest(String key) {
            this.key = key;
        }

        void offer(ConsumerRecord<byte[], byte[]> r) {
            if (r.key() == null || !key.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                return;
            }
            if (r.value() == null) {
                status = null;
                return;
            }
            try {
                status = decoder.apply(r.value());
            } catch (RuntimeException e) {
                log.warn("start-up: skipping an unreadable status at {}-{}@{}: {}", r.topic(), r.partition(),
                        r.offset(), e.getMessage());
            }
        }
    }
}
