package io.twsbridge.bridge.history.pacing;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One historical-data request as the pacer sees it: only what IB's pacing rules and the fairness of the queue need.
 *
 * @param identity    every parameter that makes two requests identical for IB's 15-second rule (contract, exchange,
 *                    end time, duration, bar size, what to show, regular hours ...), joined by the caller; two
 *                    requests with equal identities are the same request to the pacer
 * @param contractKey contract, exchange and what to show ("tick type"), for the 2-second rule
 * @param smallBars   bars of 30 s or less ({@link #isSmallBarSize}): only these fall under the 15 s, 2 s and
 *                    10-minute rules; every request counts against the open-request limit
 * @param weight      what the request counts in the 2-second and 10-minute windows: 2 for BID_ASK, else 1
 *                    ({@link #weightFor})
 * @param producer    whom the queue is fair between: the command's issuer, or its account, as the caller decides
 * @param expiry      the command's expiry: a request still waiting then is refused
 *                    ({@link PacingRefusal.Reason#WAIT_EXPIRED})
 */
public record PacedRequest(String identity, String contractKey, boolean smallBars, int weight, String producer,
                           Instant expiry) {

    /** The largest bar IB's pacing rules apply to. */
    public static final Duration LARGEST_PACED_BAR = Duration.ofSeconds(30);

    /** The heaviest request: BID_ASK counts twice, and nothing counts more. */
    public static final int MAX_WEIGHT = 2;

    public PacedRequest {
        requireText(identity, "identity");
        requireText(contractKey, "contractKey");
        requireText(producer, "producer");
        Objects.requireNonNull(expiry, "expiry");
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 1 or 2 (BID_ASK) but was " + weight);
        }
    }

    /** IB counts a BID_ASK request twice, every other kind once. */
    public static int weightFor(String whatToShow) {
        return "BID_ASK".equals(whatToShow) ? 2 : 1;
    }

    /** True for bars of 30 s or less, the sizes IB's pacing rules apply to. */
    public static boolean isSmallBarSize(Duration barLength) {
        return barLength.compareTo(LARGEST_PACED_BAR) <= 0;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty but was '" + value + "'");
        }
    }
}
