package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Error 326: a failed attempt for the breaker, never a rapid retry loop; a fallback id gets through. */
class ClientIdInUseIT {

    @Test
    void aTakenClientIdOpensTheBreakerWithoutARetryLoop() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(),
                // No jitter: the breaker's first open wait is exactly the 2 s the quiet check below relies on (the
                // harness's jitter of 0.2 made it anything from 1.6 s to 2.4 s, and CI once saw 1.6 s).
                b -> b.failuresToOpen(1).retryInitialBackoff(Duration.ofSeconds(2)).retryMaxBackoff(Duration.ofSeconds(30))
                        .backoffJitter(0),
                ZombieProbe.disabled())) {
            // Let the bridge connect, then take its id from another client while the bridge reconnects.
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            h.service.supervisor().reconnect("test: free the id for another client");
            await().atMost(Duration.ofSeconds(5)).until(() -> h.simulator.state().connections().isEmpty()
                    || h.simulator.state().connections().stream().noneMatch(c -> c.clientId() == 17));
            try (TwsTestClient holder = TwsTestClient.connect(h.simulator.apiPort(), 17)) {
                holder.await(io.twsbridge.protocol.message.ServerMessage.NextValidId.class, Duration.ofSeconds(5));
                await().atMost(Duration.ofSeconds(10)).until(() -> h.service.supervisor().status().outcomes()
                        .getOrDefault("CLIENT_ID_IN_USE", 0L) >= 1L);
                assertThat(h.service.supervisor().status().breakerState()).isEqualTo("OPEN");
                assertThat(h.service.supervisor().status().lastError()).contains("326");
                long accepted = h.accepted();
                // The breaker's first open wait is 2 s: nothing reaches the Gateway for at least that long.
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> h.accepted() == accepted);
            }
        }
    }

    @Test
    void aFallbackClientIdConnects() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(),
                b -> b.clientId(17).fallbackClientIds(List.of(18)), ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            h.service.supervisor().reconnect("test: free the id for another client");
            await().atMost(Duration.ofSeconds(5)).until(() -> h.simulator.state().connections().stream()
                    .noneMatch(c -> c.clientId() == 17));
            try (TwsTestClient holder = TwsTestClient.connect(h.simulator.apiPort(), 17)) {
                holder.await(io.twsbridge.protocol.message.ServerMessage.NextValidId.class, Duration.ofSeconds(5));
                await().atMost(Duration.ofSeconds(10)).until(() -> h.state() == SessionState.READY
                        && h.service.session().snapshot().clientId() == 18);
                assertThat(h.service.supervisor().status().outcomes()).containsKey("CLIENT_ID_IN_USE");
                assertThat(h.simulator.state().connections()).anyMatch(c -> c.clientId() == 18 && c.state().equals("ACTIVE"));
            }
        }
    }
}
