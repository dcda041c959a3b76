package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage.ReqHeadTimestamp;
import io.twsbridge.protocol.message.ClientMessage.ReqHistoricalData;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.sim.market.HistoricalBars;
import io.twsbridge.sim.market.Instrument;
import io.twsbridge.sim.market.Market;
import io.twsbridge.sim.net.ClientConnection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * reqHistoricalData, cancelHistoricalData and reqHeadTimestamp, as the Gateway answers them.
 *
 * <p>A request is checked in the Gateway's order: a request id still open on the connection (386), the contract
 * (200), keepUpToDate (refused: not served), the parameters ({@link HistoricalBars#check}), at most 50 open
 * requests over all clients (322), then, when pacing is on, {@link HistoricalPacing} (162). Its bars are computed
 * at once, on the simulator's clock, and sent {@code latency} later, as a farm's answer takes its time; until then
 * the request is open and cancelHistoricalData stops it (162 "query cancelled"); a cancel for an id that is not
 * open gets 366.
 *
 * <p>Threading: requests and cancels come from connection reader threads; answers leave from the simulator's
 * scheduler thread (or the reader's, with no latency).
 */
final class HistoricalRequests {

    static final int MAX_OPEN = 50;
    private static final String HMDS = "Historical Market Data Service error message:";
    private static final DateTimeFormatter HEAD_TEXT = DateTimeFormatter.ofPattern("yyyyMMdd-HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Counters for the admin state. */
    record Stats(long requests, long answered, long refused, long pacingViolations, long cancelled, int open,
                 long headTimestamps) {
    }

    private record Key(long connectionId, int reqId) {
    }

    private final Market market;
    private final HistoricalBars bars;
    private final HistoricalPacing pacing;
    private final Clock clock;
    private final Duration latency;
    private final ScheduledExecutorService scheduler;
    private final Supplier<SimulatorProbe> probe;
    private final Map<Key, ScheduledFuture<?>> open = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong pacingViolations = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong headTimestamps = new AtomicLong();

    /**
     * @param pacing null when the simulator does not enforce IB's pacing
     */
    HistoricalRequests(Market market, HistoricalBars bars, HistoricalPacing pacing, Clock clock, Duration latency,
                       ScheduledExecutorService scheduler, Supplier<SimulatorProbe> probe) {
        this.market = market;
        this.bars = bars;
        this.pacing = pacing;
        this.clock = clock;
        this.latency = latency;
        this.scheduler = scheduler;
        this.probe = probe;
    }

    void request(ClientConnection c, ReqHistoricalData m) {
        requests.incrementAndGet();
        Key key = new Key(c.id(), m.reqId());
        if (open.containsKey(key)) {
            refuse(c, m.reqId(), 386, "Duplicate ticker ID for API historical data query.");
            return;
        }
        Optional<Instrument> instrument = market.resolve(m.contract());
        if (instrument.isEmpty()) {
            refuse(c, m.reqId(), 200, "No security definition has been found for the request");
            return;
        }
        if (m.keepUpToDate()) {
            refuse(c, m.reqId(), 321, "Error validating request: the simulator does not serve keepUpToDate "
                    + "(historicalDataUpdate); ask with keepUpToDate false");
            return;
        }
        Instant now = clock.instant();
        HistoricalBars.Checked checked = HistoricalBars.check(m, instrument.get(), now);
        if (checked.refusal() != null) {
            refuse(c, m.reqId(), checked.refusal().code(), checked.refusal().text());
            return;
        }
        HistoricalBars.Query q = checked.query();
        if (open.size() >= MAX_OPEN) {
            refuse(c, m.reqId(), 322, "Error processing request:-'wd' : cause - Only " + MAX_OPEN
                    + " simultaneous API historical data requests allowed.");
            return;
        }
        if (pacing != null) {
            Optional<String> violation = pacing.admit(new HistoricalPacing.Request(identity(q, m),
                    q.instrument().conId() + "|" + q.exchange() + "|" + q.whatToShow(), q.barSize(),
                    q.whatToShow() == HistoricalBars.WhatToShow.BID_ASK));
            if (violation.isPresent()) {
                pacingViolations.incrementAndGet();
                refuse(c, m.reqId(), 162, HistoricalPacing.VIOLATION);
                return;
            }
        }
        HistoricalBars.Answer answer = bars.answer(m.reqId(), q, market.current(q.instrument()), now);
        if (latency.isZero()) {
            deliver(c, m.reqId(), answer);
            return;
        }
        synchronized (open) {
            ScheduledFuture<?> f = scheduler.schedule(() -> {
                boolean stillOpen;
                synchronized (open) { // the request is in the map once its scheduling returned
                    stillOpen = open.remove(key) != null;
                }
                if (stillOpen) {
                    deliver(c, m.reqId(), answer);
                }
            }, latency.toNanos(), TimeUnit.NANOSECONDS);
            open.put(key, f);
        }
    }

    void cancel(ClientConnection c, int reqId) {
        ScheduledFuture<?> f = open.remove(new Key(c.id(), reqId));
        if (f == null) {
            c.send(new ErrorMessage(reqId, 366, "No historical data query found for ticker id:" + reqId));
            return;
        }
        f.cancel(false);
        cancelled.incrementAndGet();
        c.send(new ErrorMessage(reqId, 162, HMDS + "API historical data query cancelled: " + reqId));
    }

    /**
     * The head timestamp is {@link HistoricalBars#HEAD} for every instrument and type: epoch seconds with
     * formatDate 2, else "YYYYMMDD-HH:MM:SS" in UTC.
     */
    void headTimestamp(ClientConnection c, ReqHeadTimestamp m) {
        Optional<Instrument> instrument = market.resolve(m.contract());
        if (instrument.isEmpty()) {
            c.send(new ErrorMessage(m.reqId(), 200, "No security definition has been found for the request"));
            return;
        }
        try {
            HistoricalBars.WhatToShow.valueOf(m.whatToShow().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            c.send(new ErrorMessage(m.reqId(), 321, "Error validating request:-'bS' : cause - Historical data type '"
                    + m.whatToShow() + "' is invalid"));
            return;
        }
        headTimestamps.incrementAndGet();
        c.send(new ServerMessage.HeadTimestamp(m.reqId(), m.formatDate() == 2
                ? Long.toString(HistoricalBars.HEAD.getEpochSecond()) : HEAD_TEXT.format(HistoricalBars.HEAD)));
    }

    /** A connection ended: its open requests will never be answered. */
    void forget(ClientConnection c) {
        open.entrySet().removeIf(e -> {
            if (e.getKey().connectionId() == c.id()) {
                e.getValue().cancel(false);
                return true;
            }
            return false;
        });
    }

    Stats stats() {
        return new Stats(requests.get(), answered.get(), refused.get(), pacingViolations.get(), cancelled.get(),
                open.size(), headTimestamps.get());
    }

    private void deliver(ClientConnection c, int reqId, HistoricalBars.Answer answer) {
        if (answer instanceof HistoricalBars.Answered a) {
            answered.incrementAndGet();
            c.send(a.data());
            probe.get().barsSent(c.id(), a.data());
        } else if (answer instanceof HistoricalBars.Refusal r) {
            refuse(c, reqId, r.code(), r.text());
        }
    }

    private void refuse(ClientConnection c, int reqId, int code, String text) {
        refused.incrementAndGet();
        c.send(new ErrorMessage(reqId, code, text));
    }

    private static String identity(HistoricalBars.Query q, ReqHistoricalData m) {
        return String.join("|", Integer.toString(q.instrument().conId()), q.exchange(), m.endDateTime(),
                m.durationStr(), m.barSizeSetting(), m.whatToShow(), Boolean.toString(m.useRth()),
                Integer.toString(m.formatDate()), m.chartOptions());
    }
}
