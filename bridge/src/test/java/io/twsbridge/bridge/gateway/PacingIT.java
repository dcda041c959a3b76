package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A burst queues behind the rate limiter instead of tripping IB's 50 messages/s limit (error 100). */
class PacingIT {

    @Test
    void aThousandRequestsAtOnceReachTheGatewayWithoutAPacingError() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder().pacingLimit(50), b -> b,
                ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            int before = h.messages.size();

            for (int i = 0; i < 1_000; i++) {
                assertThat(h.service.session().send(new ClientMessage.ReqCurrentTime())).isTrue();
            }

            // Copy first: a view of the live list would fail while the session keeps adding to it.
            await().atMost(Duration.ofSeconds(60)).until(() -> java.util.List.copyOf(h.messages).stream().skip(before)
                    .filter(ServerMessage.CurrentTime.class::isInstance).count() == 1_000);
            assertThat(h.messages).noneMatch(m -> m instanceof ServerMessage.ErrorMessage e && e.code() == 100);
            assertThat(h.simulator.state().connections()).singleElement()
                    .satisfies(c -> assertThat(c.pacingViolations()).isZero());
            assertThat(h.state()).isEqualTo(SessionState.READY);
        }
    }
}
