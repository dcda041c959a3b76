package io.twsbridge.bridge.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.sim.Flapping;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorState;
import io.twsbridge.sim.support.TcpStates;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A minute of a flapping Gateway. For the first half it accepts the bridge and drops it again a few seconds later
 * (after READY); for the second half it drops every connection the moment it accepts it (before any handshake can
 * finish). Throughout: the bridge's attempts stay within the bound its backoff and breaker settings allow, it never
 * holds two connections at once, it leaves no socket of its own in CLOSE_WAIT; afterwards it is READY again with its
 * market-data subscriptions back.
 */
class GatewayFlappingIT {

    private static final int CLIENT_ID = 17;
    private static final Duration HALF = Duration.ofSeconds(30);
    /** How long the Gateway keeps the bridge in the first half: a few seconds, well past READY. */
    private static final Duration UP_FOR = Duration.ofSeconds(3);
    /** The supervisor's settings the bounds are derived from: production-like, scaled so the minute shows several
     *  breaker cycles and recovery stays short. */
    private static final Duration INITIAL = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofSeconds(8);
    private static final double JITTER = 0.2;
    private static final int FAILURES_TO_OPEN = 3;
    /** CLOSE_WAIT that lasts this long is a zombie, not the moment between the Gateway's FIN and our close. */
    private static final Duration ZOMBIE_AGE = Duration.ofSeconds(1);

    @Test
    void aMinuteOfFlappingIsBoundedSingleAndCleanAndEndsReady() throws Exception {
        assumeTrue(TcpStates.available(), "needs /proc/net/tcp");
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(),
                b -> b.clientId(CLIENT_ID).retryInitialBackoff(INITIAL).retryMaxBackoff(MAX).backoffJitter(JITTER)
                        .failuresToOpen(FAILURES_TO_OPEN),
                ZombieProbe.forThisHost());
             Sampler sampler = new Sampler(h)) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(30));
            h.service.session().subscribeMarketData(Contract.stock("AAPL", "SMART", "USD"));
            h.service.session().subscribeMarketData(Contract.stock("MSFT", "SMART", "USD"));
            await().atMost(Duration.ofSeconds(10)).until(() -> symbolsOf(h.simulator.state()).size() == 2);
            AtomicInteger opened = new AtomicInteger();
            AtomicInteger forcedOpen = new AtomicInteger();
            h.service.supervisor().circuitBreaker().getEventPublisher().onStateTransition(e -> {
                CircuitBreaker.State to = e.getStateTransition().getToState();
                if (to == CircuitBreaker.State.OPEN) {
                    opened.incrementAndGet();
                } else if (to == CircuitBreaker.State.FORCED_OPEN) {
                    forcedOpen.incrementAndGet();
                }
            });
            long attemptsBefore = h.service.supervisor().status().attempts();
            sampler.start();

            Flapping afterReady = h.simulator.startFlapping(UP_FOR);
            Duration first = hold(HALF);
            int openedInFirstHalf = opened.get();
            Flapping atOnce = h.simulator.startFlapping(Duration.ZERO);
            Duration second = hold(HALF);
            atOnce.close();
            long stoppedAt = System.nanoTime();

            long attempts = h.service.supervisor().status().attempts() - attemptsBefore;
            long accepted = afterReady.accepted() + atOnce.accepted();
            long bound1 = boundAfterReady(first);
            long bound2 = boundAtOnce(second);

            h.awaitState(SessionState.READY, Duration.ofSeconds(60));
            Duration recovery = Duration.ofNanos(System.nanoTime() - stoppedAt);
            await().atMost(Duration.ofSeconds(20)).until(() -> symbolsOf(h.simulator.state()).equals(Set.of("AAPL", "MSFT")));
            // Held steady afterwards: one session, its two subscriptions, no more attempts.
            long attemptsAtReady = h.service.supervisor().status().attempts();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    h.state() == SessionState.READY && h.simulator.state().connections().size() == 1);
            sampler.stop();

            System.out.printf("GatewayFlappingIT: first %d s (dropped %d ms after accept): %d accepted, %d dropped,"
                            + " bound %d, breaker opened %d times; second %d s (dropped at accept): %d accepted,"
                            + " bound %d, breaker opened %d times; whole minute: %d accepted by the simulator, %d"
                            + " attempts by the supervisor, bound %d; max connections at once %d (sampled %d times,"
                            + " at accept %d/%d), forced-open (zombies) %d, longest CLOSE_WAIT on our side %d ms"
                            + " (%d samples); READY %d ms after the flapping stopped, subscriptions %s%n",
                    first.toSeconds(), UP_FOR.toMillis(), afterReady.accepted(), afterReady.dropped(), bound1,
                    openedInFirstHalf, second.toSeconds(), atOnce.accepted(), bound2, opened.get() - openedInFirstHalf,
                    accepted, attempts, bound1 + bound2, sampler.maxConnections.get(), sampler.samples.get(),
                    afterReady.maxLiveAtAccept(), atOnce.maxLiveAtAccept(), forcedOpen.get(),
                    sampler.longestCloseWaitMillis.get(), sampler.closeWaitSamples.get(), recovery.toMillis(),
                    symbolsOf(h.simulator.state()));

            assertThat(afterReady.accepted()).as("reconnects while dropped after READY").isPositive()
                    .isLessThanOrEqualTo(bound1);
            assertThat(atOnce.accepted()).as("attempts while dropped at accept").isPositive().isLessThanOrEqualTo(bound2);
            assertThat(opened.get() - openedInFirstHalf).as("the breaker opened while every attempt failed")
                    .isPositive();
            assertThat(attempts).as("every attempt reached the simulator (none was refused)").isEqualTo(accepted);
            assertThat(sampler.maxConnections.get()).as("never two sessions at once").isLessThanOrEqualTo(1);
            assertThat(afterReady.maxLiveAtAccept()).isLessThanOrEqualTo(1);
            assertThat(atOnce.maxLiveAtAccept()).isLessThanOrEqualTo(1);
            assertThat(sampler.samples.get()).as("the sampler ran all minute").isGreaterThan(1000);
            assertThat(forcedOpen.get()).as("the zombie probe never found a CLOSE_WAIT socket").isZero();
            assertThat(Duration.ofMillis(sampler.longestCloseWaitMillis.get())).as("no zombie of our making")
                    .isLessThan(ZOMBIE_AGE);
            assertThat(h.service.supervisor().status().attempts()).isEqualTo(attemptsAtReady);
        }
    }

    /**
     * Every connection lives {@link #UP_FOR} from its accept, and after it is lost the supervisor waits at least the
     * first backoff, {@code initial * (1 - jitter)}, before the next attempt: accepts are at least that far apart.
     */
    private static long boundAfterReady(Duration phase) {
        double gap = UP_FOR.toMillis() + INITIAL.toMillis() * (1 - JITTER);
        return (long) Math.floor(phase.toMillis() / gap);
    }

    /**
     * Every attempt fails, so after the k-th consecutive failure the supervisor waits at least
     * {@code min(initial * 2^(k-1), max) * (1 - jitter)} (the breaker, open after {@code failuresToOpen}
     * failures, only adds to that). The first attempt may come at once (a wait begun before the phase).
     */
    private static long boundAtOnce(Duration phase) {
        long attempts = 1;
        double at = 0;
        for (int k = 1; ; k++) {
            double wait = Math.min(INITIAL.toMillis() * Math.pow(2, k - 1), MAX.toMillis()) * (1 - JITTER);
            at += wait;
            if (at > phase.toMillis()) {
                return attempts;
            }
            attempts++;
        }
    }

    /** Waits {@code length} of wall-clock time (the flapping runs meanwhile) and returns how long it really was. */
    private static Duration hold(Duration length) {
        long start = System.nanoTime();
        await().pollInterval(Duration.ofMillis(200)).atMost(length.plusSeconds(10))
                .until(() -> System.nanoTime() - start >= length.toNanos());
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static Set<String> symbolsOf(SimulatorState state) {
        return state.subscriptions().stream().filter(s -> s.clientId() == CLIENT_ID)
                .map(SimulatorState.Subscription::symbol).collect(Collectors.toSet());
    }

    /**
     * Samples, every 10 ms, how many connections the simulator holds (the bridge is its only client), and every
     * 50 ms the bridge's sockets towards the Gateway's port in CLOSE_WAIT, keeping the longest run of samples
     * that saw one.
     */
    private static final class Sampler implements AutoCloseable {
        final AtomicInteger maxConnections = new AtomicInteger();
        final AtomicLong samples = new AtomicLong();
        final AtomicLong closeWaitSamples = new AtomicLong();
        final AtomicLong longestCloseWaitMillis = new AtomicLong();
        private final GatewayHarness h;
        private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        private long closeWaitSince = -1;

        Sampler(GatewayHarness h) {
            this.h = h;
        }

        void start() {
            timer.scheduleAtFixedRate(() -> {
                int live = (int) h.simulator.state().connections().stream()
                        .filter(c -> !c.state().equals("CLOSED")).count();
                maxConnections.accumulateAndGet(live, Math::max);
                samples.incrementAndGet();
            }, 0, 10, TimeUnit.MILLISECONDS);
            int port = h.simulator.apiPort();
            timer.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                if (closeWaitTowards(port) > 0) {
                    closeWaitSamples.incrementAndGet();
                    if (closeWaitSince < 0) {
                        closeWaitSince = now;
                    }
                    longestCloseWaitMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(now - closeWaitSince), Math::max);
                } else {
                    closeWaitSince = -1;
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
        }

        void stop() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            stop();
        }

        /** Our side: sockets whose remote port is the Gateway's, in CLOSE_WAIT. */
        private static long closeWaitTowards(int gatewayPort) {
            long n = 0;
            String remote = ":" + String.format("%04X", gatewayPort);
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path p = Path.of(table);
                try {
                    for (String line : Files.readAllLines(p)) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 3 && f[3].equals(TcpStates.CLOSE_WAIT) && f[2].endsWith(remote)) {
                            n++;
                        }
                    }
                } catch (IOException e) {
                    // tcp6 may be missing; the other table still counts
                }
            }
            return n;
        }
    }
}
