package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The next attempt the bridge announces is the one it makes, on the wall clock and seen from the Gateway's side:
 * another client holds the bridge's client id (326 on every attempt), the breaker opens and stays held, and each
 * connection the simulator accepts comes when {@code nextAttemptAt} said it would.
 */
class AnnouncedAttemptIT {

    private static final Logger log = LoggerFactory.getLogger(AnnouncedAttemptIT.class);
    private static final int ATTEMPTS_TO_WATCH = 6;

    @Test
    void eachAttemptComesWithinASecondOfTheTimeAnnouncedWhileTheBreakerIsHeld() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(),
                b -> b.failuresToOpen(2).retryInitialBackoff(Duration.ofMillis(500))
                        .retryMaxBackoff(Duration.ofSeconds(4)).backoffJitter(0.5),
                ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            h.service.supervisor().reconnect("test: another client takes the id");
            await().atMost(Duration.ofSeconds(5)).until(() -> h.simulator.state().connections().stream()
                    .noneMatch(c -> c.clientId() == 17));
            try (TwsTestClient holder = TwsTestClient.connect(h.simulator.apiPort(), 17)) {
                holder.await(ServerMessage.NextValidId.class, Duration.ofSeconds(5));
                // Seen from the simulator: the moment its count of accepted sockets grows (the holder's included).
                List<Instant> accepted = new ArrayList<>();
                long[] count = {h.accepted()};
                await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(60)).until(() -> {
                    long now = h.accepted();
                    if (now > count[0]) {
                        accepted.add(Instant.now());
                        count[0] = now;
                    }
                    return accepted.size() >= ATTEMPTS_TO_WATCH + 1;
                });

                Set<Instant> announced = new LinkedHashSet<>(h.statuses.stream().map(SupervisorStatus::nextAttemptAt)
                        .filter(Objects::nonNull).toList());
                assertThat(h.service.supervisor().status().outcomes().getOrDefault("CLIENT_ID_IN_USE", 0L))
                        .isGreaterThanOrEqualTo(ATTEMPTS_TO_WATCH);
                assertThat(h.statuses).as("the breaker was held OPEN between attempts")
                        .anyMatch(s -> s.breakerState().equals("OPEN") && s.nextAttemptAt() != null);
                // Skip the first one seen: it may be the first failed attempt, announced before the watch began.
                List<Long> offsets = new ArrayList<>();
                for (Instant at : accepted.subList(1, accepted.size())) {
                    Instant nearest = announced.stream().min((a, b) -> Long.compare(
                            Math.abs(Duration.between(a, at).toMillis()), Math.abs(Duration.between(b, at).toMillis())))
                            .orElseThrow();
                    offsets.add(Duration.between(nearest, at).toMillis());
                }
                log.info("{} attempts under a held breaker; each one's offset from the time announced (ms): {}",
                        offsets.size(), offsets);
                assertThat(offsets).as("ms from the announced time to the attempt the Gateway saw")
                        .hasSize(ATTEMPTS_TO_WATCH).allSatisfy(ms -> assertThat(Math.abs(ms)).isLessThan(1000));
            }
        }
    }
}
