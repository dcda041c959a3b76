package io.twsbridge.bridge.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.ShutdownReport;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorState;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A clean shutdown sends its last requests: twenty times in a row against one simulator, a bridge connects,
 * subscribes, closes, and the simulator has received every cancel the bridge queued, although the writer paces
 * them (45 a second) and holds the last one in the rate limiter when the queue is already empty.
 */
class CleanShutdownIT {

    private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "IBM", "ORCL", "INTC", "CSCO", "KO", "PEP",
            "XOM", "JNJ");
    private static final int SHUTDOWNS = 20;

    /** The simulator's count of each cancel the bridge sends at shutdown. */
    private record Cancels(long marketData, long positions, long accountSummary) {
        static Cancels receivedBy(SimulatorState s) {
            return new Cancels(s.received("CancelMktData"), s.received("CancelPositions"),
                    s.received("CancelAccountSummary"));
        }

        static Cancels meantBy(ShutdownReport r) {
            return new Cancels(r.marketDataCancels(), r.positionsCancels(), r.accountSummaryCancels());
        }

        Cancels minus(Cancels o) {
            return new Cancels(marketData - o.marketData, positions - o.positions, accountSummary - o.accountSummary);
        }

        long total() {
            return marketData + positions + accountSummary;
        }
    }

    @Test
    void everyCancelTheBridgeQueuedAtShutdownReachesTheGatewayTwentyTimesInARow() throws Exception {
        List<String> mismatches = new ArrayList<>();
        long meantTotal = 0;
        long receivedTotal = 0;
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .symbols(SYMBOLS).tickRate(20).build())) {
            for (int run = 1; run <= SHUTDOWNS; run++) {
                GatewayService bridge = new GatewayService(GatewayHarness.fastConfig(sim.apiPort()).build(),
                        ZombieProbe.disabled(), Clock.systemUTC());
                SYMBOLS.forEach(s -> bridge.session().subscribeMarketData(Contract.stock(s, "SMART", "USD")));
                bridge.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> bridge.session().state() == SessionState.READY
                        && sim.state().subscriptions().size() == SYMBOLS.size());
                Cancels before = Cancels.receivedBy(sim.state());

                bridge.close();

                ShutdownReport report = bridge.shutdownReport().orElseThrow();
                // The simulator handles a connection's requests in order and drops it at the end of the stream:
                // once it is gone, everything the bridge wrote before its FIN has been counted.
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.state().connections().isEmpty());
                SimulatorState after = sim.state();
                Cancels meant = Cancels.meantBy(report);
                Cancels received = Cancels.receivedBy(after).minus(before);
                System.out.printf("shutdown %2d: cancels meant %d (%d market data, %d positions, %d account summary),"
                                + " received %d (%d, %d, %d); %d frames left unsent; drained in %d ms of a %d ms bound%n",
                        run, meant.total(), meant.marketData(), meant.positions(), meant.accountSummary(),
                        received.total(), received.marketData(), received.positions(), received.accountSummary(),
                        report.framesLeftUnsent(), report.drainTime().toMillis(), report.drainBound().toMillis());
                meantTotal += meant.total();
                receivedTotal += received.total();
                if (!received.equals(meant) || meant.marketData() != SYMBOLS.size()
                        || !after.subscriptions().isEmpty()) {
                    mismatches.add("shutdown " + run + ": meant " + meant + ", received " + received
                            + ", subscriptions left " + after.subscriptions());
                }
            }
        }
        System.out.printf("%d shutdowns: cancels meant %d, received %d; %d shutdowns lost some%n", SHUTDOWNS,
                meantTotal, receivedTotal, mismatches.size());
        assertThat(mismatches).as("shutdowns whose cancels did not all reach the Gateway").isEmpty();
        assertThat(meantTotal).as("every shutdown cancels each subscription, positions and the account summary")
                .isEqualTo((long) SHUTDOWNS * (SYMBOLS.size() + 2));
    }

    /**
     * The failover rule stays: an instance whose permit is revoked writes nothing more, so a shutdown then sends no
     * cancel and closes at the first refusal instead of waiting out its drain bound.
     */
    @Test
    void aBridgeThatMayNoLongerWriteSendsNoCancelAtShutdownAndDoesNotWaitForTheWriter() throws Exception {
        AtomicReference<String> refusal = new AtomicReference<>();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .symbols(SYMBOLS).tickRate(20).build())) {
            GatewayService bridge = new GatewayService(GatewayHarness.fastConfig(sim.apiPort()).build(),
                    ZombieProbe.disabled(), Clock.systemUTC(), refusal::get);
            SYMBOLS.forEach(s -> bridge.session().subscribeMarketData(Contract.stock(s, "SMART", "USD")));
            bridge.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.session().state() == SessionState.READY
                    && sim.state().subscriptions().size() == SYMBOLS.size());

            // The session says at INFO how its wait for the writer ended; tests log at WARN, so this test alone
            // lets the session's INFO lines through to the capture.
            Logger sessionLog = (Logger) LoggerFactory.getLogger(GatewaySession.class);
            Level level = sessionLog.getLevel();
            sessionLog.setLevel(Level.INFO);
            ShutdownReport report;
            List<String> drainEnds;
            try (LogCapture logs = LogCapture.capture()) {
                refusal.set("not the active instance: deposed for this test");
                bridge.close();
                report = bridge.shutdownReport().orElseThrow();
                drainEnds = logs.lines().stream().filter(l -> l.contains(GatewaySession.class.getName() + " - shutdown: "))
                        .toList();
            } finally {
                sessionLog.setLevel(level);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> sim.state().connections().isEmpty());
            Cancels received = Cancels.receivedBy(sim.state());
            System.out.printf("deposed shutdown: %d cancels queued, %d frames left unsent, %d received; closed after "
                    + "%d ms of a %d ms bound (%s)%n", report.cancels(), report.framesLeftUnsent(), received.total(),
                    report.drainTime().toMillis(), report.drainBound().toMillis(), drainEnds);
            assertThat(received).isEqualTo(new Cancels(0, 0, 0));
            assertThat(report.framesLeftUnsent()).isEqualTo(report.cancels()).isEqualTo(SYMBOLS.size() + 2);
            // Which way the wait for the writer ended, not how long it took (on a busy machine the two could come
            // close; the drain time stays a printed figure): the writer's first refusal closed the link, and the
            // close followed from that, not from the drain bound running out, which would say "still unsent after
            // the drain bound" at WARN instead.
            assertThat(drainEnds).as("how the shutdown's wait for the writer ended").singleElement().asString()
                    .contains("shutdown: the link ended before the writer was done (" + report.framesLeftUnsent()
                            + " frames unsent)");
        }
    }
}
