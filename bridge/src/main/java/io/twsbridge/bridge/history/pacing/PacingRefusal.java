package io.twsbridge.bridge.history.pacing;

import java.time.Duration;

/**
 * Why a historical request got no {@link Permit}: the future {@link HistoricalPacer#admit} returned completes
 * exceptionally with this. A result, not a fault: it carries no stack trace.
 */
public final class PacingRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The two ways a request can be refused; an open breaker is not one of them (requests wait it out). */
    public enum Reason {
        /** The waiting queue was full (reason code PACING_QUEUE_FULL). */
        QUEUE_FULL,
        /** The request's expiry came while it was still waiting (reason code PACING_WAIT_EXPIRED). */
        WAIT_EXPIRED
    }

    private final Reason reason;
    private final transient PacedRequest request;
    private final Duration waited;

    PacingRefusal(Reason reason, PacedRequest request, Duration waited, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.request = request;
        this.waited = waited;
    }

    public Reason reason() {
        return reason;
    }

    /** The refused request. */
    public PacedRequest request() {
        return request;
    }

    /** How long it waited in the queue before it was refused (zero when refused on arrival). */
    public Duration waited() {
        return waited;
    }
}
