package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TcpStates;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What each {@code gateway.unanswered-connection} policy leaves on a Gateway that accepts connections and does not
 * answer them, counted as an operator counts them: CLOSE_WAIT sockets on the Gateway's port in the kernel's table.
 * Two such Gateways, each run against both policies at once:
 * <ul>
 *   <li><b>stall</b>: handshakes blocked by a zombie whose client left with a reset, so the kernel shows no CLOSE_WAIT
 *       for it and the bridge's probe (on the Gateway's host) finds none, while the Gateway still counts it;</li>
 *   <li><b>stall-remote</b>: the same Gateway on another host as far as the bridge knows (no probe);</li>
 *   <li><b>api-silent</b>: the Gateway answers the server version and never the API start (nextValidId,
 *       managedAccounts); the Gateway is on another host as far as the bridge knows (no probe).</li>
 * </ul>
 * {@code mvn verify} runs it for {@code PT8S} on short timeouts; {@code -Dunanswered.duration=PT10M} runs it on the
 * production defaults ({@code ops/unanswered-connection.sh}); the figures are logged in a table either way, and kept
 * in {@code bridge/target/unanswered-connection/figures.txt}.
 */
class UnansweredConnectionIT {

    private static final Logger log = LoggerFactory.getLogger(UnansweredConnectionIT.class);

    enum GatewayKind { STALL, STALL_REMOTE, API_SILENT }

    record Figures(GatewayKind gateway, UnansweredConnection policy, long closeWait, long established,
                   long accepted, SessionState state, String reason) {
    }

    @Test
    void keepingAnUnansweredConnectionLeavesNoZombieWhereClosingItLeavesOnePerAttempt() throws Exception {
        assumeTrue(TcpStates.available(), "needs /proc/net/tcp to count CLOSE_WAIT sockets");
        Duration duration = Duration.parse(System.getProperty("unanswered.duration", "PT8S"));
        boolean production = duration.compareTo(Duration.ofMinutes(1)) >= 0;
        List<CompletableFuture<Figures>> runs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(GatewayKind.values().length * 2);
        try {
            for (GatewayKind gateway : GatewayKind.values()) {
                for (UnansweredConnection policy : UnansweredConnection.values()) {
                    runs.add(CompletableFuture.supplyAsync(() -> run(gateway, policy, duration, production), pool));
                }
            }
            List<Figures> figures = runs.stream().map(CompletableFuture::join).toList();
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                    "%nafter %s (%s timings):%n%-12s %-6s %10s %12s %9s  %s%n", duration,
                    production ? "production" : "short", "gateway", "policy", "CLOSE_WAIT", "ESTABLISHED", "accepted",
                    "bridge state"));
            for (Figures f : figures) {
                table.append(String.format(Locale.ROOT, "%-12s %-6s %10d %12d %9d  %s: %s%n", f.gateway(), f.policy(),
                        f.closeWait(), f.established(), f.accepted(), f.state(), f.reason()));
            }
            log.info("{}", table);
            Path figuresFile = Path.of("target", "unanswered-connection", "figures.txt");
            Files.createDirectories(figuresFile.getParent());
            Files.writeString(figuresFile, table.toString());

            Map<GatewayKind, Map<UnansweredConnection, Figures>> by = new EnumMap<>(GatewayKind.class);
            figures.forEach(f -> by.computeIfAbsent(f.gateway(), g -> new EnumMap<>(UnansweredConnection.class))
                    .put(f.policy(), f));
            for (GatewayKind gateway : GatewayKind.values()) {
                Figures keep = by.get(gateway).get(UnansweredConnection.KEEP);
                Figures close = by.get(gateway).get(UnansweredConnection.CLOSE);
                assertThat(keep.closeWait()).as("%s, keep: CLOSE_WAIT sockets on the Gateway's port", gateway)
                        .isZero();
                assertThat(keep.accepted()).as("%s, keep: connections the Gateway accepted from the bridge", gateway)
                        .isEqualTo(1);
                assertThat(keep.established()).as("%s, keep: the one connection, held open", gateway).isEqualTo(1);
                assertThat(keep.state()).isEqualTo(SessionState.HANDSHAKING);
                assertThat(keep.reason()).contains("kept open");
                // A closed stalled attempt is a zombie; a closed silent one is too, and it holds the client id, so
                // the attempts after it get 326 (which the Gateway closes itself).
                assertThat(close.closeWait()).as("%s, close: zombies made by closing", gateway)
                        .isGreaterThanOrEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Figures run(GatewayKind gateway, UnansweredConnection policy, Duration duration,
                               boolean production) {
        boolean stall = gateway != GatewayKind.API_SILENT;
        SimulatorConfig.Builder sim = SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .zombieOnDisconnect(true).zombiesBlockHandshakes(stall);
        if (gateway == GatewayKind.API_SILENT) {
            sim.apiDelay(Duration.ofDays(1));
        }
        try (GatewaySimulator simulator = GatewaySimulator.start(sim.build())) {
            if (stall) {
                try (TwsTestClient earlier = TwsTestClient.connect(simulator.apiPort(), 99)) {
                    earlier.reset();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> simulator.state().zombieCount() == 1);
            }
            long acceptedBefore = simulator.state().connectionsAccepted();
            GatewayConfig.Builder config = production
                    ? GatewayConfig.builder().host("127.0.0.1").port(simulator.apiPort()).clientId(17)
                    : GatewayHarness.fastConfig(simulator.apiPort()).apiReadyTimeout(Duration.ofSeconds(1))
                            .stallHold(Duration.ofSeconds(3));
            ZombieProbe probe = gateway == GatewayKind.STALL ? ZombieProbe.forThisHost() : ZombieProbe.disabled();
            try (GatewayHarness h = GatewayHarness.startAgainst(simulator,
                    config.unansweredConnection(policy).build(), probe)) {
                // The length of the run, not a wait for something: nothing is expected to end it.
                await().pollDelay(duration).atMost(duration.plusSeconds(30)).until(() -> true);
                int port = simulator.apiPort();
                return new Figures(gateway, policy, TcpStates.count(port, -1, TcpStates.CLOSE_WAIT),
                        TcpStates.count(port, -1, TcpStates.ESTABLISHED),
                        simulator.state().connectionsAccepted() - acceptedBefore, h.state(),
                        h.service.session().snapshot().reason());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
