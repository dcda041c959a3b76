package io.twsbridge.bridge.contracts;

import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the bridge resolved, by description: the matches IB gave, kept for {@link #TIME_TO_LIVE} and at most
 * {@code capacity} descriptions, the least recently used forgotten first. A description IB matched with nothing is
 * not kept: the contract may be listed tomorrow, and asking again costs one request.
 *
 * <p>A day, because IB's own descriptions change by the day (trading hours) while a conId's identity does not.
 * Thread-safe: commands resolve from the command consumer's thread while answers arrive on the session's.
 */
public final class ContractCache {

    static final Duration TIME_TO_LIVE = Duration.ofDays(1);

    private record Entry(List<ServerMessage.ContractDetails> matches, Instant at) {
    }

    private final Clock clock;
    private final Map<Contract, Entry> byDescription;

    public ContractCache(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
        }
        this.clock = clock;
        this.byDescription = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Contract, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The matches of {@code description} resolved within the last day. */
    public synchronized Optional<List<ServerMessage.ContractDetails>> get(Contract description) {
        Entry e = byDescription.get(description);
        if (e == null || !clock.instant().isBefore(e.at().plus(TIME_TO_LIVE))) {
            if (e != null) {
                byDescription.remove(description);
            }
            return Optional.empty();
        }
        return Optional.of(e.matches());
    }

    /**
     * Keeps what IB matched {@code description} with; each single match is kept under its conId too, so that
     * an instrument given by conId alone later is answered from here.
     */
    public synchronized void put(Contract description, List<ServerMessage.ContractDetails> matches) {
        if (matches.isEmpty()) {
            return;
        }
        Entry e = new Entry(List.copyOf(matches), clock.instant());
        byDescription.put(description, e);
        for (ServerMessage.ContractDetails m : matches) {
            byDescription.put(ContractResolver.byConId(m.contract().conId()), new Entry(List.of(m), e.at()));
        }
    }
}
