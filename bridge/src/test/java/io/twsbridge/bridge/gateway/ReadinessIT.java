package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.sim.SimulatorConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed failure: a worker answered "connected=false, accounts=[]" ~160 ms into a connect, before the API
 * handshake ended. With the Gateway slow at either step, the session must reach READY only after the accounts
 * arrive, report exactly the Gateway's accounts, and never an earlier empty answer.
 */
class ReadinessIT {

    @ParameterizedTest(name = "{0} delayed by 300 ms")
    @ValueSource(strings = {"api", "handshake"})
    void readyOnlyAfterTheHandshakeEndedWithExactlyTheGatewaysAccounts(String delayed) throws Exception {
        SimulatorConfig.Builder sim = SimulatorConfig.builder().accounts(List.of("DU111111", "DU222222"));
        if (delayed.equals("api")) {
            sim.apiDelay(Duration.ofMillis(300));
        } else {
            sim.handshakeDelay(Duration.ofMillis(300));
        }
        try (GatewayHarness h = GatewayHarness.start(sim)) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));

            assertThat(h.service.session().accounts()).containsExactly("DU111111", "DU222222");
            // What the failing worker would have read at any moment of the connect: every snapshot the session
            // ever published. Only READY carries accounts, and exactly the Gateway's.
            assertThat(h.snapshots).as("every answer the session gave while connecting")
                    .filteredOn(s -> s.connected() || !s.accounts().isEmpty())
                    .extracting(s -> s.state() + " " + s.accounts())
                    .containsExactly("READY [DU111111, DU222222]");

            List<SessionState> path = h.changes.stream().map(SessionStateChange::to).toList();
            assertThat(path).containsSubsequence(SessionState.CONNECTING, SessionState.HANDSHAKING,
                    SessionState.SYNCING, SessionState.READY);
            Instant connecting = h.changes.stream().filter(c -> c.to() == SessionState.CONNECTING).findFirst()
                    .orElseThrow().at();
            Instant ready = h.changes.stream().filter(c -> c.to() == SessionState.READY).findFirst().orElseThrow().at();
            assertThat(Duration.between(connecting, ready)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

            for (SupervisorStatus s : h.statuses) {
                if (s.sessionState() != SessionState.READY) {
                    assertThat(s.accounts()).as("accounts reported in state %s", s.sessionState()).isEmpty();
                } else {
                    assertThat(s.accounts()).containsExactly("DU111111", "DU222222");
                }
            }
            assertThat(h.service.supervisor().status().attempts()).isEqualTo(1);
        }
    }
}
