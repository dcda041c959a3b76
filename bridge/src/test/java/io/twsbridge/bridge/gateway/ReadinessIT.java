package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.sim.SimulatorConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

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
        List<String> observed = new CopyOnWriteArrayList<>();
        AtomicBoolean polling = new AtomicBoolean(true);
        try (GatewayHarness h = GatewayHarness.start(sim)) {
            // A caller asking all the time, as the failing worker did: what does it get while connecting?
            Thread poller = new Thread(() -> {
                while (polling.get()) {
                    SessionSnapshot s = h.service.session().snapshot();
                    if (s.connected() || !s.accounts().isEmpty()) {
                        observed.add(s.state() + " " + s.accounts());
                    }
                    Thread.onSpinWait();
                }
            });
            poller.start();
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            polling.set(false);
            poller.join();

            assertThat(h.service.session().accounts()).containsExactly("DU111111", "DU222222");
            assertThat(observed).as("every non-empty answer seen while connecting").isNotEmpty()
                    .allSatisfy(o -> assertThat(o).isEqualTo("READY [DU111111, DU222222]"));

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
