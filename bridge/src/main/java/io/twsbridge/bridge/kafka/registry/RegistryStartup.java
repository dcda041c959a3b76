package io.twsbridge.bridge.kafka.registry;

import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.registry.SchemaRegistryException;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up registration that outlasts a registry outage. A registry that is down while the bridge deploys must not
 * make the bridge crash-loop: {@link #run} repeats the registration until it succeeds, for as long as it takes,
 * waiting between rounds with capped exponential backoff (from {@link SchemaRegistryConfig#maxBackoff()}, doubling
 * to {@link SchemaRegistryConfig#startupMaxBackoff()}, jittered by {@link SchemaRegistryConfig#backoffJitter()}).
 * Each round is a full registration whose calls retry by the client's own policy first.
 *
 * <p>Only what waiting can cure is waited out: no answer, 5xx, 429 ({@link SchemaRegistryException#isRetriable()}).
 * A refusal (an incompatible schema, 401/403, a 404 from a wrong URL) ends start-up at once: no amount of waiting
 * fixes it.
 *
 * <p>Every failed round is logged once at WARN with the registry's URL, what failed and when the next round is;
 * while it waits, {@link #waitingFor()} says the same for readiness and {@code /status}.
 *
 * <p>Threading: {@link #run} blocks its caller; {@link #waitingFor()} and {@link #cancel()} may be called from any
 * thread. {@link #cancel()} ends a wait at once (the bridge is closing) and makes {@link #run} throw.
 */
public final class RegistryStartup {

    private static final Logger log = LoggerFactory.getLogger(RegistryStartup.class);

    private final SchemaRegistryConfig config;
    private final IntervalFunction backoff;
    private final Clock clock;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile String waitingFor;

    public RegistryStartup(SchemaRegistryConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(config.maxBackoff(), 2.0, config.backoffJitter(),
                config.startupMaxBackoff());
    }

    /**
     * Runs {@code registration} until it succeeds.
     *
     * @throws SchemaRegistryException      at once, when the registry refuses rather than fails to answer
     * @throws IncompatibleSchemaException  at once
     * @throws CancellationException        when {@link #cancel()} was called
     * @throws InterruptedException         when the calling thread is interrupted while waiting
     */
    public void run(Runnable registration) throws InterruptedException {
        Instant since = clock.instant();
        for (int round = 1; ; round++) {
            if (cancelled.getCount() == 0) {
                throw new CancellationException("start-up stopped while waiting for the schema registry at "
                        + config.baseUrl() + ": the bridge is closing");
            }
            try {
                registration.run();
                if (round > 1) {
                    log.info("schema registry at {} answers again: registration done after {} rounds, {} s after the"
                            + " first", config.baseUrl(), round,
                            Duration.between(since, clock.instant()).toSeconds());
                }
                waitingFor = null;
                return;
            } catch (SchemaRegistryException e) {
                if (!e.isRetriable()) {
                    waitingFor = null;
                    throw e;
                }
                Duration wait = Duration.ofMillis(backoff.apply(round));
                String cause = e.status() == SchemaRegistryException.NO_RESPONSE
                        ? "no answer (" + describe(e.getCause()) + ")" : "HTTP " + e.status();
                waitingFor = "start-up waits for the schema registry at " + config.baseUrl() + ": " + cause
                        + " since " + since + ", round " + round + " failed, next round at "
                        + clock.instant().plus(wait);
                log.warn("schema registry at {} is unavailable: {} on {} {}; start-up waits and registers again in {}"
                                + " ms (round {}, waiting since {}); the bridge is live but not ready",
                        config.baseUrl(), cause, e.method(), e.url(), wait.toMillis(), round, since);
                if (cancelled.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    waitingFor = null;
                    throw new CancellationException("start-up stopped while waiting for the schema registry at "
                            + config.baseUrl() + ": the bridge is closing");
                }
            }
        }
    }

    /** What start-up is waiting for, naming the registry, or empty when it is not waiting. */
    public Optional<String> waitingFor() {
        return Optional.ofNullable(waitingFor);
    }

    /** Ends the wait: {@link #run} throws {@link CancellationException} instead of trying again. */
    public void cancel() {
        cancelled.countDown();
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "no cause";
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message);
    }
}
