package io.twsbridge.sim;

import io.twsbridge.sim.market.BarSize;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * IB's pacing rules for historical data, as the fact sheet (§7.7) gives them. For bars of 30 seconds or less a
 * request is a violation when
 * <ul>
 *   <li>an identical request (every parameter but the request id) was made less than 15 s before;</li>
 *   <li>it would make 6 or more requests for the same contract, exchange and type within 2 s;</li>
 *   <li>it would make more than 60 requests in 10 minutes.</li>
 * </ul>
 * A BID_ASK request counts twice in both counts. Requests for larger bars are not limited (IB says those limits
 * "have been lifted"). A violation is not counted as a request.
 *
 * <p>Time is the simulator's clock, so tests drive the windows exactly. Thread-safe: requests come from every
 * connection's reader thread.
 */
final class HistoricalPacing {

    static final String VIOLATION = "Historical Market Data Service error message:Historical data request pacing "
            + "violation";
    static final Duration IDENTICAL_WINDOW = Duration.ofSeconds(15);
    static final Duration BURST_WINDOW = Duration.ofSeconds(2);
    static final int BURST_LIMIT = 5;
    static final Duration LONG_WINDOW = Duration.ofMinutes(10);
    static final int LONG_LIMIT = 60;

    /**
     * One request as the rules compare them.
     *
     * @param identity every parameter but the request id: equal identities are identical requests
     * @param series   contract, exchange and type: the 2-second rule's key
     */
    record Request(String identity, String series, BarSize barSize, boolean bidAsk) {
        int weight() {
            return bidAsk ? 2 : 1;
        }
    }

    private record Made(Instant at, Request request) {
    }

    private final Clock clock;
    private final Deque<Made> recent = new ArrayDeque<>();

    HistoricalPacing(Clock clock) {
        this.clock = clock;
    }

    /** Records the request and returns nothing, or returns which rule it breaks (and records nothing). */
    synchronized Optional<String> admit(Request r) {
        if (!r.barSize().isSmall()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        for (Iterator<Made> it = recent.iterator(); it.hasNext(); ) {
            if (!it.next().at().isAfter(now.minus(LONG_WINDOW))) {
                it.remove();
            }
        }
        int inLongWindow = r.weight();
        int inBurst = r.weight();
        for (Made m : recent) {
            inLongWindow += m.request().weight();
            if (m.at().isAfter(now.minus(BURST_WINDOW)) && m.request().series().equals(r.series())) {
                inBurst += m.request().weight();
            }
            if (m.at().isAfter(now.minus(IDENTICAL_WINDOW)) && m.request().identity().equals(r.identity())) {
                return Optional.of("an identical request less than 15 s before");
            }
        }
        if (inBurst > BURST_LIMIT) {
            return Optional.of("6 or more requests for one contract, exchange and type within 2 s");
        }
        if (inLongWindow > LONG_LIMIT) {
            return Optional.of("more than 60 requests in 10 minutes");
        }
        recent.addLast(new Made(now, r));
        return Optional.empty();
    }
}
