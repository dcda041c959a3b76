package io.twsbridge.bridge.time;

import io.twsbridge.bridge.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ThreadEventLoopTest {

    @Test
    void workHandedOverWhileTheLoopClosesIsDroppedQuietly() throws Exception {
        ThreadEventLoop loop = new ThreadEventLoop("test-loop", Clock.systemUTC());
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean handedOverRan = new AtomicBoolean();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (LogCapture log = LogCapture.capture()) {
            loop.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // Queued before the close, run after it: what a supervisor's last status does at shutdown.
            loop.execute(() -> {
                try {
                    loop.execute(() -> handedOverRan.set(true));
                    loop.schedule(Duration.ofMillis(1), () -> handedOverRan.set(true)).cancel();
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            Thread closer = new Thread(loop::close, "test-loop-closer");
            closer.start();
            // close() shuts the executor down first, then waits for the queued tasks.
            await().atMost(Duration.ofSeconds(5)).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
            release.countDown();
            closer.join(10_000);

            assertThat(closer.isAlive()).isFalse();
            assertThat(thrown.get()).isNull();
            assertThat(handedOverRan).isFalse();
            assertThat(log.lines()).isEmpty();

            loop.execute(() -> handedOverRan.set(true)); // after the close, from outside: dropped, no exception
            assertThat(handedOverRan).isFalse();
        }
    }
}
