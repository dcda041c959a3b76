package io.twsbridge.bridge.contracts;

import io.twsbridge.bridge.events.AcknowledgedSink;
import io.twsbridge.bridge.events.ContractDetailsRecords;
import io.twsbridge.bridge.events.Instruments;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.ContractDetails;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.catalogue.ReasonCodes;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Resolves descriptions to IB's contracts: asks the Gateway ({@link ContractLookup}), publishes every match it
 * learns as a {@code ContractDetails} record on the contracts topic (compacted on conId, so the topic holds the
 * latest description of every contract the bridge resolved) and keeps it in the {@link ContractCache}.
 *
 * <p>Two uses. A ResolveContract command asks afresh ({@link #resolve}) and gets every match. Another command's
 * instrument is <em>qualified</em> ({@link #qualify}): from the cache when it can, and only a single match will do.
 */
public final class ContractResolver {

    /** At most this many candidates are named in a refusal; the result's conIds lists them all. */
    private static final int CANDIDATES_NAMED = 5;

    /** A description and every contract IB matched it with, in IB's order. */
    public record Resolution(Contract description, List<ServerMessage.ContractDetails> matches) {
        public Resolution {
            matches = List.copyOf(matches);
        }

        public List<Long> conIds() {
            return matches.stream().map(m -> (long) m.contract().conId()).toList();
        }

        /** Why this resolution does not name exactly one contract; empty when it does. */
        public Optional<Rejection> notExactlyOne() {
            if (matches.isEmpty()) {
                return Optional.of(new Rejection(ReasonCodes.CONTRACT_NOT_FOUND, "IB knows no contract matching "
                        + describe(description) + " (error 200: no security definition)"));
            }
            if (matches.size() > 1) {
                return Optional.of(new Rejection(ReasonCodes.CONTRACT_AMBIGUOUS, matches.size()
                        + " contracts match " + describe(description) + ": " + candidates(matches)
                        + "; add primaryExchange, currency or exchange, or give the conId"));
            }
            return Optional.empty();
        }
    }

    /** A command's instrument as IB resolved it: the one contract, and the instrument with IB's fields. */
    public record Qualified(Contract contract, Instrument instrument, ServerMessage.ContractDetails details) {
    }

    /** Asks IB which contracts match a description: {@link ContractLookup#lookUp}; a fake in tests. */
    @FunctionalInterface
    public interface Lookup {
        CompletableFuture<List<ServerMessage.ContractDetails>> lookUp(Contract description);
    }

    private final Lookup lookup;
    private final ContractCache cache;
    private final AcknowledgedSink sink;
    private final Clock clock;
    /** Qualifications waiting for the resolution of their description under way, in the order they came. */
    private final Map<Contract, List<CompletableFuture<Resolution>>> waiting = new HashMap<>();

    public ContractResolver(Lookup lookup, ContractCache cache, AcknowledgedSink sink, Clock clock) {
        this.lookup = lookup;
        this.cache = cache;
        this.sink = sink;
        this.clock = clock;
    }

    /**
     * Asks IB afresh which contracts match {@code description}, publishes each, and completes once Kafka has
     * acknowledged them all.
     *
     * @param commandId the command that asked, stamped on the records
     */
    public CompletableFuture<Resolution> resolve(Contract description, String commandId) {
        return fetch(description, commandId).thenApply(r -> {
            cache.put(cacheKey(description), r.matches());
            return r;
        });
    }

    /** Asks IB and publishes every match; caches nothing. */
    private CompletableFuture<Resolution> fetch(Contract description, String commandId) {
        return lookup.lookUp(description).thenCompose(matches ->
                published(matches, commandId).thenApply(x -> new Resolution(description, matches)));
    }

    /**
     * The one contract {@code instrument} names: from the cache when it was resolved within the day, otherwise
     * from IB (publishing what IB said). Completes with the refusal (CONTRACT_NOT_FOUND, CONTRACT_AMBIGUOUS) as an
     * exception of type {@link NotQualified} when it names none or several.
     */
    public CompletableFuture<Qualified> qualify(Instrument instrument, String commandId) {
        Contract description = Instruments.toContract(instrument);
        Contract key = cacheKey(description);
        CompletableFuture<Resolution> resolution = knownOrJoinOrStart(key, description, commandId);
        return resolution.thenApply(r -> {
            Optional<Rejection> refusal = r.notExactlyOne();
            if (refusal.isPresent()) {
                throw new NotQualified(refusal.get(), r);
            }
            return qualified(instrument, r.matches().get(0));
        });
    }

    /**
     * The resolution of {@code key}: cached, a place among those waiting for the one under way, or a new one. Many
     * commands for one new instrument at once (a strategy's warm-up) make one request, not many; the waiting ones
     * are told in the order they came, so that what they do next (a historical request's turn) keeps that order,
     * which a single future's dependents, run last first, would not.
     *
     * <p>The list stays open until its last member has been told, and a command that comes meanwhile joins its end
     * rather than take the answer from the cache: otherwise it would be told before the earlier ones still waiting
     * their turn, and its historical request could overtake theirs. Each is told outside the lock, since what it
     * does next (sending an order, say) must not hold up every other qualification.
     */
    private CompletableFuture<Resolution> knownOrJoinOrStart(Contract key, Contract description, String commandId) {
        CompletableFuture<Resolution> mine = new CompletableFuture<>();
        synchronized (waiting) {
            List<CompletableFuture<Resolution>> queue = waiting.get(key);
            if (queue != null) {
                queue.add(mine);
                return mine;
            }
            Optional<List<ServerMessage.ContractDetails>> known = cache.get(key);
            if (known.isPresent()) {
                return CompletableFuture.completedFuture(new Resolution(description, known.get()));
            }
            waiting.put(key, new ArrayList<>(List.of(mine)));
        }
        fetch(description, commandId).whenComplete((r, e) -> {
            if (e != null) {
                // Not cached, so nobody can overtake: those waiting are told of the failure and later ones ask again.
                List<CompletableFuture<Resolution>> told;
                synchronized (waiting) {
                    told = waiting.remove(key);
                }
                told.forEach(f -> f.completeExceptionally(e));
                return;
            }
            synchronized (waiting) {
                cache.put(key, r.matches());
            }
            tellInTurn(key, r);
        });
        return mine;
    }

    /** Tells the commands waiting for {@code key}, first come first, until none is left; then closes the list. */
    private void tellInTurn(Contract key, Resolution resolution) {
        while (true) {
            CompletableFuture<Resolution> next;
            synchronized (waiting) {
                List<CompletableFuture<Resolution>> queue = waiting.get(key);
                if (queue.isEmpty()) {
                    waiting.remove(key);
                    return;
                }
                next = queue.remove(0);
            }
            next.complete(resolution);
        }
    }

    /** A command's instrument names no contract or several; carries the refusal for its result. */
    public static final class NotQualified extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Rejection rejection;
        private final transient Resolution resolution;

        NotQualified(Rejection rejection, Resolution resolution) {
            super(rejection.message(), null, false, false);
            this.rejection = rejection;
            this.resolution = resolution;
        }

        public Rejection rejection() {
            return rejection;
        }

        public Resolution resolution() {
            return resolution;
        }

        /** The command's result: the refusal, with how many contracts matched and their conIds. */
        public CommandOutcome outcome() {
            return CommandOutcome.rejected(rejection).with(new CommandOutcome.Published(resolution.matches().size(),
                    resolution.conIds(), null, null));
        }
    }

    /** The description a conId alone makes: IB's conId wins over every other field. */
    static Contract byConId(int conId) {
        return new Contract(conId, "", "", "", null, "", "", "", "", "", "", "");
    }

    private static Contract cacheKey(Contract description) {
        return description.conId() != 0 ? byConId(description.conId()) : description;
    }

    /**
     * IB's contract, routed as the command asked: IB reports the exchange it matched, and a command that gave
     * one (SMART, say) keeps it.
     */
    private static Qualified qualified(Instrument asked, ServerMessage.ContractDetails match) {
        Contract c = match.contract();
        String exchange = asked.getExchange() == null || asked.getExchange().isEmpty() ? c.exchange() : asked.getExchange();
        Contract routed = new Contract(c.conId(), c.symbol(), c.secType(), c.lastTradeDateOrContractMonth(), c.strike(),
                c.right(), c.multiplier(), exchange, c.primaryExchange(), c.currency(), c.localSymbol(),
                c.tradingClass());
        return new Qualified(routed, Instruments.toInstrument(routed), match);
    }

    private CompletableFuture<Void> published(List<ServerMessage.ContractDetails> matches, String commandId) {
        List<CompletableFuture<?>> acks = new ArrayList<>(matches.size());
        for (ServerMessage.ContractDetails m : matches) {
            ContractDetails record = ContractDetailsRecords.of(m, commandId, clock.instant());
            acks.add(sink.send(Topic.CONTRACTS, RecordKeys.contractDetails(record), record));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }

    private static String candidates(List<ServerMessage.ContractDetails> matches) {
        String named = matches.stream().limit(CANDIDATES_NAMED).map(ContractResolver::describeMatch)
                .collect(Collectors.joining(", "));
        return matches.size() > CANDIDATES_NAMED ? named + " and " + (matches.size() - CANDIDATES_NAMED) + " more"
                : named;
    }

    /** conId 265598 AAPL STK SMART/NASDAQ USD. */
    public static String describeMatch(ServerMessage.ContractDetails m) {
        Contract c = m.contract();
        StringBuilder s = new StringBuilder("conId ").append(c.conId()).append(' ').append(c.symbol()).append(' ')
                .append(c.secType()).append(' ').append(c.exchange());
        if (!c.primaryExchange().isEmpty()) {
            s.append('/').append(c.primaryExchange());
        }
        s.append(' ').append(c.currency());
        if (!c.lastTradeDateOrContractMonth().isEmpty()) {
            s.append(' ').append(c.lastTradeDateOrContractMonth());
        }
        return s.toString();
    }

    /** The fields a description sets, as symbol=AAPL secType=STK ... */
    static String describe(Contract c) {
        List<String> parts = new ArrayList<>();
        if (c.conId() != 0) {
            parts.add("conId=" + c.conId());
        }
        add(parts, "symbol", c.symbol());
        add(parts, "secType", c.secType());
        add(parts, "exchange", c.exchange());
        add(parts, "primaryExchange", c.primaryExchange());
        add(parts, "currency", c.currency());
        add(parts, "lastTradeDateOrContractMonth", c.lastTradeDateOrContractMonth());
        if (c.strike() != null && c.strike() != 0.0) {
            parts.add("strike=" + c.strike());
        }
        add(parts, "right", c.right());
        add(parts, "multiplier", c.multiplier());
        add(parts, "localSymbol", c.localSymbol());
        add(parts, "tradingClass", c.tradingClass());
        return parts.isEmpty() ? "an empty description" : String.join(" ", parts);
    }

    private static void add(List<String> parts, String name, String value) {
        if (value != null && !value.isEmpty()) {
            parts.add(name + "=" + value);
        }
    }
}
