package io.twsbridge.bridge.failover;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.StateRestorer;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Being deposed, with the bridge's side faked: the Gateway link is closed once, with the reason, and the
 * instance reports DEPOSED. The election, the follower and a takeover over a real broker are in
 * {@code LeaderElectorIT} and {@code FailoverIT}.
 */
class FailoverCoordinatorTest {

    private static final Instant NOW = Instant.parse("2026-03-02T14:30:00Z");

    private final List<String> linksClosed = new ArrayList<>();
    private final FailoverCoordinator.Bridge bridge = new FailoverCoordinator.Bridge() {
        @Override
        public void publishThrough(EventPublisher fenced) {
            throw new AssertionError("no takeover here");
        }

        @Override
        public void awaitPartitionLeaders(EventPublisher publisher) {
            throw new AssertionError("no takeover here");
        }

        @Override
        public StateRestorer.Restored restore(Map<String, Map<String, byte[]>> followed) {
            throw new AssertionError("no takeover here");
        }

        @Override
        public void startActive(StateRestorer.Restored state) {
            throw new AssertionError("no takeover here");
        }

        @Override
        public void closeGatewayLink(String reason) {
            linksClosed.add(reason);
        }
    };

    private FailoverCoordinator coordinator(FailoverSettings settings) {
        return new FailoverCoordinator(settings, KafkaSettings.builder().build(), List.of("ib.subscriptions"),
                Duration.ofSeconds(1), Clock.fixed(NOW, ZoneOffset.UTC), (topic, elapsedNanos) -> { }, bridge);
    }

    @Test
    void deposedClosesTheGatewayLinkOnceAndReportsDeposedWithTheReason() throws Exception {
        FailoverCoordinator c = coordinator(FailoverSettings.builder().enabled(true).instanceId("alpha").build());

        c.onDeposed("the lease ran out");
        c.onDeposed("told twice");

        assertThat(linksClosed).containsExactly("this instance no longer leads: the lease ran out");
        FailoverStatus status = c.status();
        assertThat(status.instanceId()).isEqualTo("alpha");
        assertThat(status.role()).isEqualTo(FailoverStatus.Role.DEPOSED);
        assertThat(status.roleSince()).isEqualTo(NOW);
        assertThat(status.lastChange()).isEqualTo("the lease ran out");
        assertThat(status.takeovers()).isZero();
        assertThat(c.leads()).isFalse();
        assertThat(c.awaitDeposed()).as("returns at once, with the first reason").isEqualTo("the lease ran out");
    }

    @Test
    void aBridgeThatRunsAloneReportsNoPartInAnElection() {
        assertThat(coordinator(FailoverSettings.disabled()).status()).isNull();
    }
}
