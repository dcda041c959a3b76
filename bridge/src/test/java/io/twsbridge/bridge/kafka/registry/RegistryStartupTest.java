package io.twsbridge.bridge.kafka.registry;

import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.registry.SchemaRegistryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.twsbridge.bridge.testing.LogCapture;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RegistryStartupTest {

    private static final String URL = "http://registry.example:8081";
    private static final SchemaRegistryConfig FAST = SchemaRegistryConfig.builder(URL).initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(2)).startupMaxBackoff(Duration.ofMillis(8)).build();

    private final RegistryStartup startup = new RegistryStartup(FAST, Clock.systemUTC());

    private static SchemaRegistryException unreachable() {
        return SchemaRegistryException.ioError("POST", URL + "/subjects/ib.quotes-value", 5,
                new ConnectException("Connection refused"));
    }

    @Test
    void waitsOutAnUnreachableRegistrySayingSoThenGoesOn() throws Exception {
        List<Optional<String>> seen = new ArrayList<>();
        int[] calls = {0};
        try (LogCapture logs = LogCapture.capture()) {
            startup.run(() -> {
                seen.add(startup.waitingFor());
                if (++calls[0] <= 3) {
                    throw calls[0] == 2 ? SchemaRegistryException.httpError("GET", URL, 503, 50301, "down", 5)
                            : unreachable();
                }
            });

            assertThat(calls[0]).isEqualTo(4);
            assertThat(seen.get(0)).as("not waiting before the first round").isEmpty();
            assertThat(seen.subList(1, 4)).allSatisfy(w -> assertThat(w).hasValueSatisfying(reason -> assertThat(reason)
                    .startsWith("start-up waits for the schema registry at " + URL + ": ")));
            assertThat(seen.get(2)).hasValueSatisfying(reason -> assertThat(reason).contains("HTTP 503", "round 2"));
            assertThat(startup.waitingFor()).as("done waiting").isEmpty();
            assertThat(logs.atLeast(ch.qos.logback.classic.Level.WARN)).as("one WARN line per failed round")
                    .hasSize(3).allSatisfy(e -> assertThat(e.getFormattedMessage())
                            .contains("schema registry at " + URL + " is unavailable", "registers again in"));
        }
    }

    @Test
    void aRefusalEndsStartUpAtOnce() {
        int[] calls = {0};
        SchemaRegistryException wrongPassword = SchemaRegistryException.httpError("POST", URL, 401, 40101,
                "Unauthorized", 1);

        assertThatThrownBy(() -> startup.run(() -> {
            calls[0]++;
            throw wrongPassword;
        })).isSameAs(wrongPassword);
        assertThat(calls[0]).isEqualTo(1);
        assertThat(startup.waitingFor()).isEmpty();
    }

    /**
     * A day between rounds (jittered: 12 to 36 hours): while the test runs, nothing but the cancel can end such a
     * wait, so that {@link RegistryStartup#run} returns at all is the proof that closing ended it. No claim about how
     * fast: a bound on real elapsed time is flaky on a busy machine.
     */
    private static RegistryStartup waitingADay() {
        return new RegistryStartup(SchemaRegistryConfig.builder(URL).maxBackoff(Duration.ofDays(1))
                .startupMaxBackoff(Duration.ofDays(1)).build(), Clock.systemUTC());
    }

    /** What {@code run} ended with; waits at most a minute, a give-up for a run that would wait out its day. */
    private static Throwable outcome(Future<?> run) {
        Throwable t = catchThrowable(() -> run.get(1, TimeUnit.MINUTES));
        return t instanceof ExecutionException ? t.getCause() : t;
    }

    @Test
    void closingTheBridgeWhileStartUpWaitsEndsTheWait() throws Exception {
        RegistryStartup slow = waitingADay();
        AtomicInteger calls = new AtomicInteger();
        ExecutorService starter = Executors.newSingleThreadExecutor();
        try (LogCapture logs = LogCapture.capture()) {
            Future<?> run = starter.submit(() -> {
                slow.run(() -> {
                    calls.incrementAndGet();
                    throw unreachable();
                });
                return null;
            });
            // The WARN line comes just before the wait begins (and after waitingFor() is set).
            await().atMost(Duration.ofSeconds(30)).until(() -> !logs.atLeast(ch.qos.logback.classic.Level.WARN)
                    .isEmpty());
            assertThat(slow.waitingFor()).as("waiting, before the cancel").isPresent();
            assertThat(run).as("waiting out the first failed round").isNotDone();
            assertThat(logs.atLeast(ch.qos.logback.classic.Level.WARN)).singleElement()
                    .satisfies(e -> assertThat(announcedWait(e.getFormattedMessage()))
                            .as("the wait start-up announced").isGreaterThanOrEqualTo(Duration.ofHours(12)));

            slow.cancel();

            assertThat(outcome(run)).as("what run() ended with, the day's wait still ahead of it")
                    .isInstanceOf(CancellationException.class).hasMessageContaining(URL);
            assertThat(calls.get()).as("no round after the cancel").isEqualTo(1);
            assertThat(slow.waitingFor()).as("no longer waiting").isEmpty();
        } finally {
            starter.shutdownNow();
        }
    }

    @Test
    void closingTheBridgeDuringARoundEndsStartUpWithoutAWait() {
        RegistryStartup slow = waitingADay();
        AtomicInteger calls = new AtomicInteger();
        ExecutorService starter = Executors.newSingleThreadExecutor();
        try {
            Future<?> run = starter.submit(() -> {
                slow.run(() -> {
                    calls.incrementAndGet();
                    slow.cancel();
                    throw unreachable();
                });
                return null;
            });

            assertThat(outcome(run)).as("what run() ended with, a day's wait ahead of it if it had waited")
                    .isInstanceOf(CancellationException.class).hasMessageContaining(URL);
            assertThat(calls.get()).isEqualTo(1);
            assertThat(slow.waitingFor()).isEmpty();
        } finally {
            starter.shutdownNow();
        }
    }

    /** The wait a WARN line announces: "... registers again in N ms ...". */
    private static Duration announcedWait(String warn) {
        Matcher m = Pattern.compile("registers again in (\\d+) ms").matcher(warn);
        assertThat(m.find()).as("a wait announced in: %s", warn).isTrue();
        return Duration.ofMillis(Long.parseLong(m.group(1)));
    }
}
