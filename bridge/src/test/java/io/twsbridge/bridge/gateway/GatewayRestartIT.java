package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A Gateway restart: reconnect with backoff, sync again, and ask for the market data again. */
class GatewayRestartIT {

    @Test
    void reconnectsResyncsAndResubscribesAfterARestart() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder().symbols(List.of("AAPL", "MSFT")))) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            h.service.session().subscribeMarketData(Contract.stock("AAPL", "SMART", "USD"));
            h.service.session().subscribeMarketData(Contract.stock("MSFT", "SMART", "USD"));
            await().atMost(Duration.ofSeconds(5)).until(() -> symbols(h).equals(List.of("AAPL", "MSFT")));
            long readyBefore = readyCount(h);

            h.simulator.restart(Duration.ofSeconds(1));

            await().atMost(Duration.ofSeconds(5)).until(() -> h.state() != SessionState.READY);
            h.awaitState(SessionState.READY, Duration.ofSeconds(15));
            assertThat(readyCount(h)).isEqualTo(readyBefore + 1);
            assertThat(h.changes).anyMatch(c -> c.to() == SessionState.SYNCING && c.at().isAfter(
                    h.changes.stream().filter(x -> x.reason().startsWith("link lost")).findFirst().orElseThrow().at()));
            await().atMost(Duration.ofSeconds(5)).until(() -> symbols(h).equals(List.of("AAPL", "MSFT")));
            assertThat(h.service.supervisor().status().outcomes().getOrDefault("REFUSED", 0L))
                    .as("attempts refused while the Gateway restarted, each after a backoff").isBetween(0L, 6L);
        }
    }

    private static long readyCount(GatewayHarness h) {
        return h.changes.stream().filter(c -> c.to() == SessionState.READY).count();
    }

    private static List<String> symbols(GatewayHarness h) {
        return h.simulator.state().subscriptions().stream().map(SimulatorState.Subscription::symbol).sorted().toList();
    }
}
