package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.sim.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** 1100 degrades the session; 1101 brings it back and requests market data again; 1102 just brings it back. */
class ConnectivityNoticesIT {

    @Test
    void lostThenRestoredWithDataLostResubscribes() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(), b -> b, ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            h.service.session().subscribeMarketData(Contract.stock("AAPL", "SMART", "USD"));
            await().atMost(Duration.ofSeconds(5)).until(() -> h.simulator.state().subscriptions().size() == 1);
            int firstReqId = h.simulator.state().subscriptions().get(0).reqId();

            h.simulator.connectivityLost();
            h.awaitState(SessionState.DEGRADED, Duration.ofSeconds(5));
            assertThat(h.service.session().accounts()).as("still linked and synced").isNotEmpty();

            h.simulator.connectivityRestored(true);
            h.awaitState(SessionState.READY, Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> h.simulator.state().subscriptions().size() == 1
                    && h.simulator.state().subscriptions().get(0).reqId() != firstReqId);
            assertThat(h.service.supervisor().status().attempts()).as("no reconnect for a notice").isEqualTo(1);
        }
    }

    @Test
    void lostThenRestoredWithDataMaintainedKeepsTheSubscription() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(), b -> b, ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            h.service.session().subscribeMarketData(Contract.stock("AAPL", "SMART", "USD"));
            await().atMost(Duration.ofSeconds(5)).until(() -> h.simulator.state().subscriptions().size() == 1);
            int reqId = h.simulator.state().subscriptions().get(0).reqId();

            h.simulator.connectivityLost();
            h.awaitState(SessionState.DEGRADED, Duration.ofSeconds(5));
            h.simulator.connectivityRestored(false);
            h.awaitState(SessionState.READY, Duration.ofSeconds(5));

            assertThat(h.simulator.state().subscriptions()).singleElement()
                    .satisfies(s -> assertThat(s.reqId()).isEqualTo(reqId));
        }
    }
}
