package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TcpStates;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Zombies stop the storm. The simulator keeps its side of every closed connection open (CLOSE_WAIT) and, while
 * such a zombie exists, accepts new connections without ever answering them: what a real Gateway does. The
 * bridge must not feed it a new zombie per retry.
 */
class ZombieIT {

    private static final Duration WINDOW = Duration.ofSeconds(3);

    @Test
    void aLocalGatewaysZombiesHoldTheBreakerOpenUntilTheyAreCleared() throws Exception {
        assumeTrue(TcpStates.available(), "needs /proc/net/tcp");
        try (GatewayHarness h = GatewayHarness.start(zombieGateway())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            long acceptedBefore = h.accepted();

            h.service.supervisor().reconnect("test: the link drops");

            await().atMost(Duration.ofSeconds(5)).until(() -> h.service.supervisor().status().zombieCount() > 0);
            assertThat(h.service.supervisor().status().breakerState()).isEqualTo("FORCED_OPEN");
            assertThat(h.service.supervisor().status().advice()).contains("zombie").contains("Restart IB Gateway");
            assertThat(h.simulator.state().zombieCount()).isEqualTo(1);

            // No attempt while zombies exist: the simulator's accept count stays put over the whole window.
            long acceptedAfterDrop = h.accepted();
            assertThat(acceptedAfterDrop - acceptedBefore).as("attempts after the drop").isLessThanOrEqualTo(1);
            await().during(WINDOW).atMost(WINDOW.plusSeconds(2)).until(() -> h.accepted() == acceptedAfterDrop);
            assertThat(h.state()).isEqualTo(SessionState.DISCONNECTED);

            h.simulator.clearZombies();

            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            assertThat(h.accepted()).as("one attempt once the zombies were gone").isEqualTo(acceptedAfterDrop + 1);
            assertThat(h.service.supervisor().status().breakerState()).isEqualTo("CLOSED");
            assertThat(h.service.supervisor().status().zombieCount()).isZero();
        }
    }

    @Test
    void aRemoteGatewaysHandshakeStallIsKeptOpenRatherThanClosedIntoAnotherZombie() throws Exception {
        // A Gateway on another host: its zombies cannot be seen, only the stall they cause.
        try (GatewayHarness h = GatewayHarness.start(zombieGateway(), b -> b, ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            long acceptedBefore = h.accepted();

            h.service.supervisor().reconnect("test: the link drops");

            await().atMost(Duration.ofSeconds(10)).until(() -> h.service.supervisor().status().advice()
                    .contains("keeps the connection open"));
            assertThat(h.state()).isEqualTo(SessionState.HANDSHAKING);
            assertThat(h.service.supervisor().status().lastError()).startsWith("HANDSHAKE_STALL (connection kept open)");
            assertThat(h.accepted() - acceptedBefore).as("the one further attempt, still open").isEqualTo(1);
            assertThat(h.simulator.state().stalledCount()).isEqualTo(1);

            long acceptedAfterStall = h.accepted();
            await().during(WINDOW).atMost(WINDOW.plusSeconds(2)).until(() -> h.accepted() == acceptedAfterStall
                    && h.state() == SessionState.HANDSHAKING);

            // The Gateway's restart closes the kept connection from its side, and the bridge connects again.
            h.simulator.restart(Duration.ZERO);
            h.awaitState(SessionState.READY, Duration.ofSeconds(15));
        }
    }

    @Test
    void withCloseConfiguredARemoteGatewaysHandshakeStallHoldsTheBreakerOpen() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(zombieGateway(),
                b -> b.unansweredConnection(UnansweredConnection.CLOSE), ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            long acceptedBefore = h.accepted();

            h.service.supervisor().reconnect("test: the link drops");

            await().atMost(Duration.ofSeconds(10)).until(() -> h.service.supervisor().status().outcomes()
                    .getOrDefault("HANDSHAKE_STALL", 0L) == 1L);
            assertThat(h.service.supervisor().status().breakerState()).isEqualTo("OPEN");
            assertThat(h.service.supervisor().status().advice()).contains("never answered the handshake");
            assertThat(h.accepted() - acceptedBefore).as("the one further attempt that stalled").isEqualTo(1);

            long acceptedAfterStall = h.accepted();
            await().during(WINDOW).atMost(WINDOW.plusSeconds(2)).until(() -> h.accepted() == acceptedAfterStall);
        }
    }

    private static SimulatorConfig.Builder zombieGateway() {
        return SimulatorConfig.builder().zombieOnDisconnect(true).zombiesBlockHandshakes(true);
    }
}
