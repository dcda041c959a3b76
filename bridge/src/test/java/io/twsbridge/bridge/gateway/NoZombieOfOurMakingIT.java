package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TcpStates;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bridge never leaves a socket of its own in CLOSE_WAIT, and closes its side so the Gateway can close too. */
class NoZombieOfOurMakingIT {

    @Test
    void whenTheGatewayDropsTheLinkTheBridgeClosesItsSideAtOnce() throws Exception {
        assumeTrue(TcpStates.available(), "needs /proc/net/tcp");
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(),
                b -> b.retryInitialBackoff(java.time.Duration.ofSeconds(30)).retryMaxBackoff(java.time.Duration.ofMinutes(1)),
                ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            int port = h.simulator.apiPort();

            h.simulator.dropAllConnections();

            await().atMost(Duration.ofSeconds(5)).until(() -> h.state() == SessionState.DISCONNECTED);
            // Our side: no socket towards the Gateway's port is left half-closed.
            await().atMost(Duration.ofSeconds(2)).until(() -> closeWaitTowards(port) == 0);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> closeWaitTowards(port) == 0);
        }
    }

    @Test
    void onShutdownTheBridgeCancelsItsSubscriptionsAndClosesItsSide() throws Exception {
        assumeTrue(TcpStates.available(), "needs /proc/net/tcp");
        GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(), b -> b, ZombieProbe.disabled());
        try {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
            h.service.session().subscribeMarketData(Contract.stock("AAPL", "SMART", "USD"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !h.simulator.state().subscriptions().isEmpty());
            int port = h.simulator.apiPort();

            h.service.close();

            assertThat(h.state()).isEqualTo(SessionState.CLOSED);
            // The simulator saw the cancel, then our FIN, and closed its side: no connection, no zombie, no CLOSE_WAIT.
            await().atMost(Duration.ofSeconds(5)).until(() -> h.simulator.state().connections().isEmpty());
            assertThat(h.simulator.state().subscriptions()).isEmpty();
            assertThat(h.simulator.state().zombieCount()).isZero();
            assertThat(TcpStates.count(port, -1, TcpStates.CLOSE_WAIT)).isZero();
            assertThat(closeWaitTowards(port)).isZero();
        } finally {
            h.close();
        }
    }

    private static long closeWaitTowards(int gatewayPort) throws java.io.IOException {
        long n = 0;
        for (String table : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            java.nio.file.Path p = java.nio.file.Path.of(table);
            if (!java.nio.file.Files.isReadable(p)) {
                continue;
            }
            for (String line : java.nio.file.Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[3].equals("08") && f[2].endsWith(":" + String.format("%04X", gatewayPort))) {
                    n++;
                }
            }
        }
        return n;
    }
}
