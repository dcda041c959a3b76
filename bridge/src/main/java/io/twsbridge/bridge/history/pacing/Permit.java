package io.twsbridge.bridge.history.pacing;

import java.time.Duration;
import java.time.Instant;

/**
 * Leave to send one historical request now. It holds one of the open-request slots until the request has ended
 * at the Gateway, which the holder reports with exactly one of {@link #answered()}, {@link #pacingViolation()} or
 * {@link #release()}; the first of them counts, later calls do nothing. Every method may be called from any
 * thread. A permit never ended keeps its slot for good: end it on every path (answer, error, cancel, timeout, link
 * lost).
 */
public interface Permit {

    /** The request this permit admitted. */
    PacedRequest request();

    /** When it was admitted, on the pacer's clock: the instant IB's windows are counted from. */
    Instant admittedAt();

    /** How long it waited in the queue. */
    Duration waited();

    /**
     * The Gateway answered the request: bars, or an error that is not a pacing violation (no data, no permission,
     * unknown contract ...). Frees the slot; if this request was the breaker's half-open trial, closes the breaker.
     */
    void answered();

    /**
     * The Gateway refused the request with error 162 "pacing violation". Frees the slot and opens the breaker
     * (see {@link HistoricalPacer#onPacingViolation()}), unless the request was sent before the breaker last
     * opened: then the current wait already covers it, and it is only counted.
     */
    void pacingViolation();

    /**
     * The request ended without an answer from the Gateway: cancelled, timed out, the link lost. Frees the slot;
     * if this request was the breaker's half-open trial, another request may go as the trial.
     */
    void release();
}
