package io.twsbridge.bridge.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.bridge.testing.ProcessGauges;
import io.twsbridge.protocol.message.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hostile Gateway: a raw-socket peer ({@link HostileGateway}) that breaks the TWS protocol in each way a broken
 * or malicious Gateway could, again on every connection. For each fault the bridge must close the link from its
 * side, say why (supervisor status, session state, one WARN per fault), leave the retry to the supervisor (spaced
 * attempts, never a tight loop), keep memory bounded and leave no thread behind once it is closed.
 */
class HostileGatewayIT {

    /** The transport's and the event loop's threads: none may outlive the service. */
    private static final Pattern OUR_THREADS = Pattern.compile("gateway-(\\d+-(reader|writer|connect)|session)");
    /** How long the hostile peer is left to repeat its fault while the attempts are counted. */
    private static final Duration WINDOW = Duration.ofSeconds(6);
    /**
     * Most attempts in the window plus the ones awaited before it. Backoff starts at 200 ms and doubles to 2 s (the
     * test configuration), so about eight fit; a tight loop would make hundreds.
     */
    private static final int MAX_ATTEMPTS = 12;
    /** Least spacing of two attempts: the first backoff (200 ms) less its jitter (20 %), less scheduling slack. */
    private static final Duration MIN_GAP = Duration.ofMillis(120);

    private LogCapture log;
    private ProcessGauges.Snapshot before;
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previousHandler;
    private Level previousSessionLevel;

    private HostileGateway peer;
    private GatewayService service;
    private final List<SupervisorStatus> statuses = new CopyOnWriteArrayList<>();
    private final List<SessionStateChange> changes = new CopyOnWriteArrayList<>();
    private final AtomicLong farmNotices = new AtomicLong();

    @BeforeEach
    void captureBaseline() {
        awaitNoThreadsOfOurs();
        System.gc();
        before = ProcessGauges.self();
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        // INFO from the session, so that "one line per notice" or "one line per skipped message" would be seen.
        Logger sessionLog = (Logger) LoggerFactory.getLogger(GatewaySession.class);
        previousSessionLevel = sessionLog.getLevel();
        sessionLog.setLevel(Level.INFO);
        log = LogCapture.capture();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (service != null) {
            service.close();
        }
        if (peer != null) {
            peer.close();
        }
        log.close();
        ((Logger) LoggerFactory.getLogger(GatewaySession.class)).setLevel(previousSessionLevel);
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }

    // ---- 1. oversized length prefix ------------------------------------------------------------------------

    @ParameterizedTest(name = "length prefix 0x{0}")
    @ValueSource(strings = {"7FFFFFFF"}) // the other lengths over the maximum: FrameReaderTest
    void anOversizedLengthPrefixIsRefusedWithoutAllocatingIt(String prefixHex) throws Exception {
        long length = Long.parseLong(prefixHex, 16);
        start(c -> {
            c.toReady();
            c.allocatedAtFault = HostileGateway.totalAllocatedBytes();
            c.faultSent();
            // The prefix alone; the peer then stays open and silent. Waiting for the payload would hang the link.
            c.raw(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        }, b -> b.frameTimeout(Duration.ofSeconds(60)));

        String reason = "frame length " + Integer.toUnsignedString((int) length) + " exceeds the maximum 16777215";
        Outcome o = faultHandled(reason, true);

        // Refused on the prefix (the reason above is the length's, not the frame timeout's), and without a buffer
        // of the announced size.
        for (HostileGateway.Connection c : o.faulted()) {
            assertThat(c.allocatedAtClose - c.allocatedAtFault)
                    .as("bytes allocated by the whole JVM between the prefix and the bridge's close")
                    .isLessThan(8L << 20);
        }
        long allocated = o.faulted().stream().mapToLong(c -> c.allocatedAtClose - c.allocatedAtFault).max().orElseThrow();
        report("oversized 0x" + prefixHex + " (most allocated by the JVM during one refusal: " + (allocated >> 10)
                + " KiB)", o);
    }

    // ---- 2. truncated frame, then silence --------------------------------------------------------------------

    @Test
    void aFrameThatStopsHalfWayAfterReadyClosesTheLinkWithinTheFrameTimeout() throws Exception {
        start(c -> {
            c.toReady();
            c.faultSent();
            // The header promises 100 bytes; 10 come; then nothing, with the socket left open.
            c.raw(new byte[] {0, 0, 0, 100});
            c.raw(HostileGateway.ascii("1\u00006\u00001\u00001\u0000"));
        }, b -> b.frameTimeout(Duration.ofSeconds(1)));

        Outcome o = faultHandled("frame incomplete: 8 of 100 bytes", true);
        for (HostileGateway.Connection c : o.faulted()) {
            // Not before the frame timeout; how soon after it is the machine's, and is reported, not asserted.
            assertThat(c.reaction()).as("detected after the frame timeout, not before")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
        report("truncated after READY", o);
    }

    @Test
    void aServerVersionReplyThatStopsHalfWayIsAProtocolErrorNotAStall() throws Exception {
        // The handshake timeout ends it first; a stall would hold the breaker open for minutes as if zombies blocked it.
        start(c -> {
            c.readHello();
            c.faultSent();
            c.raw(new byte[] {0, 0, 0, 26, '1', '7'});
        }, b -> b.handshakeTimeout(Duration.ofSeconds(1)).frameTimeout(Duration.ofSeconds(60)));

        Outcome o = faultHandled("the server-version reply began but did not complete within 1000 ms", false);
        assertThat(o.lastStatus().outcomes()).doesNotContainKey("HANDSHAKE_STALL");
        report("truncated server-version reply", o);
    }

    // ---- 3. a field that does not decode, on a synced link ---------------------------------------------------
    // (Each decode fault and each unmodelled or out-of-range message id is specified in GatewaySessionTest, in
    // memory; this one runs the whole way over a socket, through the market-data hand-over.)

    @Test
    void aTickPriceThatIsNoNumberAfterReadyClosesTheLink() throws Exception {
        start(c -> {
            c.toReady();
            c.send(new ServerMessage.TickPrice(1, 1, 101.25, BigDecimal.TEN, 0)); // a good one first
            c.faultSent();
            c.fields("1", "6", "1", "2", "abc", "100", "0");
        }, b -> b);
        report("non-numeric tickPrice", faultHandled("malformed message: field 4 is not a number: 'abc'", true));
    }

    // ---- 4. an endless stream of farm notices ---------------------------------------------------------------

    @Test
    void aFloodOfFarmNoticesIsNotAFaultAndNeitherFloodsTheLogNorGrowsTheHeap() throws Exception {
        int perBatch = 100;
        Duration flood = Duration.ofSeconds(4);
        AtomicLong sent = new AtomicLong();
        AtomicLong peakHeap = new AtomicLong();
        start(c -> {
            c.toReady();
            int[] codes = {2104, 2106, 2158};
            long end = System.nanoTime() + flood.toNanos();
            // 100 notices every 10 ms: 10,000 a second, for four seconds.
            while (System.nanoTime() < end) {
                for (int i = 0; i < perBatch; i++) {
                    c.send(HostileGateway.farmNotice(codes[(int) (sent.getAndIncrement() % codes.length)]));
                }
                peakHeap.accumulateAndGet(heapUsed(), Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // the peer's send rate, not a wait in the test
            }
            c.faultSent();
        }, b -> b);

        await().atMost(Duration.ofSeconds(30)).until(() -> peer.accepted() == 1 && peer.connections.get(0).faultSentNanos != 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> farmNotices.get() == sent.get());
        assertThat(service.session().state()).isEqualTo(SessionState.READY);
        assertThat(changes).noneMatch(ch -> ch.from() == SessionState.READY);
        assertThat(peer.accepted()).as("one connection: a flood of notices is no fault").isEqualTo(1);
        assertThat(linesContaining(Level.INFO, "gateway notice")).as("log lines for %d notices", sent.get())
                .isBetween(1L, 3L);
        assertThat(log.atLeast(Level.WARN)).isEmpty();

        service.close();
        assertOurSideClosedEveryConnection();
        assertNoLeaks();
        long heapGrowth = peakHeap.get() - before.heapUsedBytes();
        assertThat(heapGrowth).as("peak heap growth during the flood").isLessThan(256L << 20);
        System.out.printf("HOSTILE farm flood: notices=%d logLines=%d peakHeapGrowth=%dMiB threads=%s%n", sent.get(),
                linesContaining(Level.INFO, "gateway notice"), heapGrowth >> 20, ProcessGauges.self());
    }

    // ---- shutdown with a backlog ------------------------------------------------------------------------------

    @Test
    void closingTheBridgeInTheMiddleOfAFloodLeavesNoErrorAndNoThread() throws Exception {
        start(c -> {
            c.toReady();
            c.faultSent();
            // As fast as the socket takes them, until the bridge closes (a reset or an error ends the script).
            for (int i = 0; i < 200_000; i++) {
                c.send(new ServerMessage.TickPrice(1, 1 + i % 2, 100 + i % 50, BigDecimal.ONE, 0));
            }
        }, b -> b);
        AtomicLong ticks = new AtomicLong();
        service.session().addListener(new SessionListener() {
            @Override
            public void onMessage(ServerMessage message) {
                if (message instanceof ServerMessage.TickPrice) {
                    ticks.incrementAndGet();
                }
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> ticks.get() > 5_000);

        service.close();

        assertThat(service.session().state()).isEqualTo(SessionState.CLOSED);
        assertOurSideClosedEveryConnection();
        assertNoLeaks();
        assertThat(log.lines()).noneMatch(l -> l.contains("event-loop task failed"));
        System.out.printf("HOSTILE shutdown in a flood: ticks handled before close=%d threads=%s%n", ticks.get(),
                ProcessGauges.self());
    }

    // ---- the common checks -----------------------------------------------------------------------------------

    /** What a fault scenario saw, for its own checks and the report. */
    private record Outcome(int attempts, List<HostileGateway.Connection> faulted, List<Duration> gaps,
                           SupervisorStatus lastStatus, long warnLines) {
    }

    private void start(HostileGateway.Script script, UnaryOperator<GatewayConfig.Builder> tweak) throws IOException {
        peer = HostileGateway.start(script);
        GatewayConfig config = tweak.apply(GatewayHarness.fastConfig(peer.port())).build();
        service = new GatewayService(config, ZombieProbe.forThisHost(), Clock.systemUTC());
        service.session().addListener(new SessionListener() {
            @Override
            public void onStateChange(SessionStateChange change) {
                changes.add(change);
            }

            @Override
            public void onMessage(ServerMessage message) {
                if (message instanceof ServerMessage.ErrorMessage m && m.code() >= 2100 && m.code() < 2200) {
                    farmNotices.incrementAndGet();
                }
            }
        });
        service.supervisor().addStatusListener(statuses::add);
        service.start();
    }

    /**
     * Lets the peer repeat its fault for the window, closes the bridge, then checks everything each fault must
     * leave true.
     *
     * @param reason     what the bridge must say (status, state reason, one WARN line per faulted link)
     * @param afterReady whether the fault comes on a synced link (a lost link) or during the attempt (a failed one)
     */
    private Outcome faultHandled(String reason, boolean afterReady) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> peer.accepted() >= 3);
        // Never a tight loop: the peer repeats the fault on every connection, and the attempts stay few.
        await().during(WINDOW).atMost(WINDOW.plusSeconds(5)).until(() -> peer.accepted() <= MAX_ATTEMPTS);
        service.close();
        SupervisorStatus last = service.supervisor().status();

        int attempts = peer.accepted();
        List<HostileGateway.Connection> connections = List.copyOf(peer.connections);
        assertOurSideClosedEveryConnection();
        // Every connection but the last (which the shutdown may have cut short) ended in the fault.
        List<HostileGateway.Connection> faulted = connections.subList(0, connections.size() - 1);
        assertThat(faulted).allMatch(c -> c.faultSentNanos != 0 && c.bridgeClosedNanos > c.faultSentNanos);

        // Spaced: the supervisor's backoff, never back-to-back attempts.
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < connections.size(); i++) {
            gaps.add(Duration.ofNanos(connections.get(i).acceptedNanos - connections.get(i - 1).acceptedNanos));
        }
        assertThat(gaps).allMatch(g -> g.compareTo(MIN_GAP) >= 0, "at least " + MIN_GAP + " apart");
        if (afterReady) {
            // A peer that reaches READY and then breaks the protocol each time is retried ever more slowly. The
            // waits are measured from our close to the next accept: a gap between accepts also holds the link's
            // own life (a frame timeout, say), which does not grow.
            List<Duration> waits = new ArrayList<>();
            for (int i = 1; i < connections.size(); i++) {
                waits.add(Duration.ofNanos(connections.get(i).acceptedNanos - connections.get(i - 1).bridgeClosedNanos));
            }
            assertThat(waits.stream().max(Duration::compareTo).orElseThrow()).as("waits %s", waits)
                    .isGreaterThanOrEqualTo(waits.get(0).multipliedBy(2));
            assertThat(last.lastError()).startsWith("PROTOCOL_ERROR after READY").contains(reason);
            assertThat(changes).anyMatch(ch -> ch.from() == SessionState.READY && ch.to() == SessionState.DISCONNECTED
                    && ch.reason().contains(reason));
        } else {
            assertThat(statuses).anyMatch(s -> s.breakerState().equals("OPEN"));
            assertThat(last.lastError()).startsWith("PROTOCOL_ERROR").contains(reason);
            assertThat(last.outcomes().get("PROTOCOL_ERROR")).isGreaterThanOrEqualTo(faulted.size());
            assertThat(changes).anyMatch(ch -> ch.to() == SessionState.DISCONNECTED && ch.reason().contains(reason));
        }

        // Reported at WARN once per faulted link, not once per frame, and nothing worse.
        long warnLines = log.atLeast(Level.WARN).stream().filter(e -> e.getFormattedMessage().contains(reason)).count();
        assertThat(warnLines).isBetween((long) faulted.size(), (long) attempts);
        assertThat(log.errorsAndStackTraces()).extracting(LogCapture::line).isEmpty();

        assertNoLeaks();
        assertThat(peer.scriptFailures).isEmpty();
        return new Outcome(attempts, faulted, gaps, last, warnLines);
    }

    /** The peer saw our end of stream on every connection: we closed, the peer did not have to. */
    private void assertOurSideClosedEveryConnection() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(peer.connections)
                .allMatch(c -> c.bridgeClosedNanos != 0, "closed by the bridge"));
        // No CLOSE_WAIT on the port: not ours (we closed first), and the peer closed on our FIN.
        ZombieProbe probe = ZombieProbe.forThisHost();
        await().atMost(Duration.ofSeconds(5)).until(() -> probe.count(peer.port()).count() == 0);
    }

    private void assertNoLeaks() {
        awaitNoThreadsOfOurs();
        assertThat(uncaught).as("exceptions that ended a thread").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ProcessGauges.self().threads()).as("threads, against %s before", before)
                        .isLessThanOrEqualTo(before.threads() + 2));
        System.gc();
        long heapGrowth = heapUsed() - before.heapUsedBytes();
        assertThat(heapGrowth).as("heap retained after the bridge closed").isLessThan(64L << 20);
    }

    private static void awaitNoThreadsOfOurs() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName).noneMatch(n -> OUR_THREADS.matcher(n).matches()));
    }

    private long linesContaining(Level level, String text) {
        return log.atLeast(level).stream().filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text))
                .count();
    }

    private void report(String scenario, Outcome o) {
        ProcessGauges.Snapshot after = ProcessGauges.self();
        System.out.printf("HOSTILE %s: attempts=%d faulted=%d warnLines=%d gapsMs=%s reactionsMs=%s breaker=%s "
                        + "lastError=%s threads %d->%d heap %dMiB->%dMiB%n",
                scenario, o.attempts(), o.faulted().size(), o.warnLines(),
                o.gaps().stream().map(Duration::toMillis).toList(),
                o.faulted().stream().map(c -> c.reaction().toMillis()).toList(), o.lastStatus().breakerState(),
                o.lastStatus().lastError(), before.threads(), after.threads(), before.heapUsedBytes() >> 20,
                after.heapUsedBytes() >> 20);
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
