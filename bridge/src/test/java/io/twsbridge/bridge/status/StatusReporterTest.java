package io.twsbridge.bridge.status;

import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.schema.GatewayStatus;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class StatusReporterTest {

    private final ManualEventLoop manual = new ManualEventLoop();
    private final List<SpecificRecord> published = new CopyOnWriteArrayList<>();
    private final SessionSnapshot notConnected =
            new SessionSnapshot(SessionState.DISCONNECTED, "not connected yet", List.of(), 0, -1);

    /** A reporter of bridge-1 on {@code loop}, heartbeat 5 s, Kafka reachable, nothing shed. */
    private StatusReporter reporter(EventLoop loop) {
        return new StatusReporter((topic, key, value) -> published.add(value), () -> notConnected, loop, "bridge-1",
                Duration.ofSeconds(5), () -> true, () -> 0L);
    }

    @Test
    void aStatusArrivingAfterStopDoesNotTouchTheLoop() {
        ClosingLoop loop = new ClosingLoop(manual);
        StatusReporter reporter = reporter(loop);
        reporter.start();
        manual.runReady();
        assertThat(published).hasSize(1);

        reporter.stop();
        manual.runReady();
        loop.closed = true; // the bridge closes the Gateway's loop after the reporter

        // The supervisor still reports during shutdown; a closed loop must not be asked for anything.
        reporter.onStatus(status());
        manual.advance(Duration.ofSeconds(30));
        assertThat(published).hasSize(1);
        assertThat(manual.pendingTimers()).isZero();
    }

    @Test
    void theLastStatusOfAStoppingBridgeSaysClosedAndWhyOnTheCallersThreadOnceTheLoopHasClosed() {
        ClosingLoop loop = new ClosingLoop(manual);
        StatusReporter reporter = reporter(loop);
        reporter.start();
        manual.runReady();
        reporter.onStatus(failing("connection refused"));
        manual.runReady();
        assertThat(published).hasSize(2);

        reporter.stop();
        manual.runReady();
        loop.closed = true; // the Gateway's loop closes with the session, before the last status
        manual.advance(Duration.ofSeconds(7));
        reporter.publishClosed("the bridge shut down");

        assertThat(published).hasSize(3);
        GatewayStatus last = (GatewayStatus) published.get(2);
        assertThat(last.getSessionState()).isEqualTo(io.twsbridge.schema.SessionState.CLOSED);
        assertThat(last.getStateReason()).isEqualTo("the bridge shut down");
        assertThat(last.getBridgeId()).isEqualTo("bridge-1");
        assertThat(last.getHeartbeatAt()).isEqualTo(manual.clock().instant());
        assertThat(last.getSince()).as("CLOSED from now, not since the supervisor's last change")
                .isEqualTo(manual.clock().instant());
        assertThat(manual.pendingTimers()).as("no heartbeat after the last word").isZero();
    }

    @Test
    void aSupervisorStatusThatRepeatsTheLastOneWaitsForTheHeartbeatInsteadOfPublishingTwice() {
        StatusReporter reporter = reporter(manual);
        reporter.start();
        manual.runReady();
        reporter.onStatus(failing("connection refused"));
        manual.runReady();
        assertThat(published).as("the first start-up status, then the supervisor's").hasSize(2);

        manual.advance(Duration.ofSeconds(2));
        reporter.onStatus(failing("connection refused")); // a held breaker's consideration: nothing new
        manual.runReady();
        assertThat(published).as("a repeat is not published").hasSize(2);

        manual.advance(Duration.ofSeconds(3));
        assertThat(published).as("the heartbeat, 5 s after the last record").hasSize(3);

        reporter.onStatus(failing("connection reset"));
        manual.runReady();
        assertThat(published).as("a status that changed goes at once").hasSize(4);
        assertThat(((GatewayStatus) published.get(3)).getLastError()).isEqualTo("connection reset");
    }

    @Test
    void aReadyRecordCarriesNoPastFailureButAKafkaOutageStillShows() {
        AtomicReference<SessionSnapshot> snapshot = new AtomicReference<>(new SessionSnapshot(
                SessionState.DISCONNECTED, "link lost", List.of(), 0, 17));
        AtomicBoolean kafkaReachable = new AtomicBoolean(true);
        StatusReporter reporter = new StatusReporter((topic, key, value) -> published.add(value), snapshot::get,
                manual, "bridge-1", Duration.ofSeconds(5), kafkaReachable::get, () -> 0L);
        reporter.start();
        reporter.onStatus(failing("REFUSED: connection refused"));
        manual.runReady();
        assertThat(last(published).getLastError()).as("while not READY").isEqualTo("REFUSED: connection refused");

        snapshot.set(new SessionSnapshot(SessionState.READY, "ready",
                List.of("DU123"), 176, 17));
        reporter.onStatus(failing("REFUSED: connection refused")); // the supervisor still holds the old failure
        manual.runReady();
        assertThat(last(published).getSessionState()).isEqualTo(io.twsbridge.schema.SessionState.READY);
        assertThat(last(published).getLastError()).as("READY: the failure is over").isNull();

        kafkaReachable.set(false);
        manual.advance(Duration.ofSeconds(5));
        assertThat(last(published).getLastError()).as("a present problem still shows when READY")
                .isEqualTo("Kafka unreachable: events are buffered");
    }

    @Test
    void everyStatusCarriesTheLatestBrokerClockSkewAndWhenItWasMeasuredNoneBeforeTheFirst() {
        AtomicReference<Optional<BrokerClock.Reading>> clock = new AtomicReference<>(Optional.empty());
        StatusReporter reporter = new StatusReporter((topic, key, value) -> published.add(value), () -> notConnected,
                manual, "bridge-1", Duration.ofSeconds(5), () -> true, () -> 0L, null, clock::get);
        reporter.start();
        manual.runReady();
        assertThat(last(published).getBrokerClockSkewMillis()).as("before the first measure").isNull();
        assertThat(last(published).getBrokerClockCheckedAt()).isNull();

        Instant checked = manual.clock().instant().plusSeconds(1);
        clock.set(Optional.of(new BrokerClock.Reading(-3_120, checked, Instant.parse("2026-11-28T14:29:58Z"), 4)));
        manual.advance(Duration.ofSeconds(5));
        assertThat(last(published).getBrokerClockSkewMillis()).as("the heartbeat carries it").isEqualTo(-3_120L);
        assertThat(last(published).getBrokerClockCheckedAt()).isEqualTo(checked);

        reporter.stop();
        manual.runReady();
        reporter.publishClosed("the bridge shut down");
        assertThat(last(published).getBrokerClockSkewMillis()).as("and the last word").isEqualTo(-3_120L);
    }

    @Test
    void everyStatusNamesTheProcessThatWroteIt() {
        StatusReporter reporter = new StatusReporter((topic, key, value) -> published.add(value),
                () -> new SessionSnapshot(SessionState.DISCONNECTED, "not connected yet", List.of(), 0, -1),
                manual, "bridge-1", Duration.ofSeconds(5), () -> true, () -> 0L);
        reporter.start();
        manual.runReady();
        GatewayStatus first = last(published);
        assertThat(first.getProcessId()).isEqualTo(ProcessHandle.current().pid());
        assertThat(first.getHost()).isNotBlank();
        assertThat(first.getStartedAt()).isBeforeOrEqualTo(Instant.now());

        reporter.publishClosed("the bridge shut down");
        assertThat(last(published).getProcessId()).as("the CLOSED record too").isEqualTo(first.getProcessId());
    }

    private static GatewayStatus last(List<SpecificRecord> published) {
        return (GatewayStatus) published.get(published.size() - 1);
    }

    /** A supervisor's status after a failed attempt: unlike the start-up status, it has an error to tell. */
    private static SupervisorStatus failing(String lastError) {
        return new SupervisorStatus(SessionState.DISCONNECTED, "link lost", "CLOSED", 0, true, 17, List.of(),
                lastError, 1, Map.of("READY", 1L), Instant.parse("2026-11-28T14:30:00Z"), null, "");
    }

    private static SupervisorStatus status() {
        return new SupervisorStatus(SessionState.DISCONNECTED, "shut down", "CLOSED", 0, true, 17, List.of(), "", 1,
                Map.of("READY", 1L), Instant.parse("2026-11-28T14:30:00Z"), null, "");
    }

    /** A loop that refuses work once closed, as an executor does. */
    private static final class ClosingLoop implements EventLoop {
        private final ManualEventLoop delegate;
        volatile boolean closed;

        ClosingLoop(ManualEventLoop delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable task) {
            if (closed) {
                throw new IllegalStateException("loop closed");
            }
            delegate.execute(task);
        }

        @Override
        public Timer schedule(Duration delay, Runnable task) {
            if (closed) {
                throw new IllegalStateException("loop closed");
            }
            return delegate.schedule(delay, task);
        }

        @Override
        public Clock clock() {
            return delegate.clock();
        }

        @Override
        public boolean inLoop() {
            return delegate.inLoop();
        }
    }
}
