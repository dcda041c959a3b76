package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.ExecutionSide;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins execDetails with its commissionReport into one {@link Fill}, published once per execId per bridge run.
 *
 * <p><b>Join.</b> The two halves arrive in either order. A Fill is published as soon as both are here. An
 * execution whose report does not follow within {@link EventMapperConfig#commissionGracePeriod()} is published
 * with a null commission, as the Fill schema allows, so a missing report never holds a fill back for long. The
 * grace period only runs out while the link is synced: a report that is missing because the link dropped comes
 * with the executions IB replays on the next sync, so an execution whose grace ran out while disconnected waits
 * for the next READY (which follows that replay) and is published then, joined if the replay brought its report.
 * A report that arrives after its fill went out without one is counted and logged: that commission is lost to
 * the fills topic (the topic is a log of events, keyed by execId; a second record would be a second fill).
 *
 * <p><b>Once per execId.</b> reqExecutions replays executions (reqId != -1) at every sync and on request; they
 * are not new fills. The execIds published in this run are remembered, bounded to
 * {@link EventMapperConfig#rememberedFills()} (least recently seen forgotten), which is far more than the
 * executions IB replays (those of the current day). A bridge restart forgets them: downstream deduplicates by
 * execId, the record key, across runs. A correction from IB has a new execId and is a new Fill.
 *
 * <p>Reports whose execution has not arrived yet wait in a bounded map too (10,000, least recent forgotten).
 *
 * <p>Event loop only; timers are scheduled on the same loop.
 */
final class FillEvents {

    private static final Logger log = LoggerFactory.getLogger(FillEvents.class);
    private static final int MAX_WAITING_COMMISSION_REPORTS = 10_000;

    /** An execution waiting for its commission report. */
    private static final class Waiting {
        final ServerMessage.ExecDetails exec;
        final Instant receivedAt;
        EventLoop.Timer timer;
        boolean graceOver;

        Waiting(ServerMessage.ExecDetails exec, Instant receivedAt) {
            this.exec = exec;
            this.receivedAt = receivedAt;
        }
    }

    private final EventSink sink;
    private final Timers timers;
    private final Clock clock;
    private final EventCounters counters;
    private final Duration gracePeriod;
    private final ZoneId executionTimeZone;
    private final Map<String, Waiting> waitingExecutions = new LinkedHashMap<>();
    private final LruMap<String, ServerMessage.CommissionReport> waitingReports =
            new LruMap<>(MAX_WAITING_COMMISSION_REPORTS);
    /** execId to whether its Fill carried a commission. */
    private final LruMap<String, Boolean> published;
    /** Optimistic until the first state change: if wrong, a fill is published without commission, as documented. */
    private boolean linkSynced = true;

    FillEvents(EventSink sink, Timers timers, Clock clock, EventCounters counters, EventMapperConfig config) {
        this.sink = sink;
        this.timers = timers;
        this.clock = clock;
        this.counters = counters;
        this.gracePeriod = config.commissionGracePeriod();
        this.executionTimeZone = config.executionTimeZone();
        this.published = new LruMap<>(config.rememberedFills());
    }

    void onExecDetails(ServerMessage.ExecDetails m, Instant receivedAt) {
        String execId = m.execution().execId();
        if (execId.isEmpty()) {
            throw new IllegalArgumentException("execDetails without an execId (order " + m.orderId() + ")");
        }
        if (published.get(execId) != null || waitingExecutions.containsKey(execId)) {
            counters.duplicateFill();
            log.debug("execution already seen, not published again: execId={} reqId={}", execId, m.reqId());
            return;
        }
        ServerMessage.CommissionReport report = waitingReports.remove(execId);
        if (report != null) {
            publish(m, receivedAt, report);
            return;
        }
        Waiting waiting = new Waiting(m, receivedAt);
        waitingExecutions.put(execId, waiting);
        waiting.timer = timers.schedule(gracePeriod, () -> graceOver(execId));
    }

    void onCommissionReport(ServerMessage.CommissionReport m) {
        String execId = m.execId();
        Waiting waiting = waitingExecutions.remove(execId);
        if (waiting != null) {
            waiting.timer.cancel();
            publish(waiting.exec, waiting.receivedAt, m);
            return;
        }
        Boolean hadCommission = published.get(execId);
        if (hadCommission != null) {
            if (!hadCommission) {
                counters.lateCommissionReport();
                log.warn("commission report arrived after its fill was published without commission; "
                        + "the commission is not on the fills topic: execId={} commission={} {}",
                        execId, m.commission(), m.currency());
            }
            return; // else a replay of a report already joined
        }
        waitingReports.put(execId, m);
    }

    /** READY comes after the sync's execution replay: what is still waiting past its grace gets no report. */
    void onSessionState(SessionState state) {
        linkSynced = state.isSynced();
        if (state == SessionState.READY) {
            for (Waiting w : List.copyOf(waitingExecutions.values())) {
                if (w.graceOver) {
                    publishWithoutCommission(w);
                }
            }
        }
    }

    /** Publishes every waiting execution now, without commission (shutdown). */
    void flush() {
        for (Waiting w : new ArrayList<>(waitingExecutions.values())) {
            w.timer.cancel();
            publishWithoutCommission(w);
        }
    }

    private void graceOver(String execId) {
        Waiting w = waitingExecutions.get(execId);
        if (w == null) {
            return;
        }
        if (!linkSynced) {
            w.graceOver = true;
            return;
        }
        publishWithoutCommission(w);
    }

    private void publishWithoutCommission(Waiting w) {
        waitingExecutions.remove(w.exec.execution().execId());
        publish(w.exec, w.receivedAt, null);
        counters.fillWithoutCommission();
        log.warn("no commission report within {} ms; fill published without commission: execId={}",
                gracePeriod.toMillis(), w.exec.execution().execId());
    }

    private void publish(ServerMessage.ExecDetails m, Instant receivedAt, ServerMessage.CommissionReport report) {
        Execution e = m.execution();
        if (e.shares() == null) {
            throw new IllegalArgumentException("execution without shares: execId=" + e.execId());
        }
        BigDecimal shares = Values.quantity(e.shares());
        BigDecimal commission = report == null ? null : Values.moneyOrNull(report.commission());
        Fill fill = Fill.newBuilder()
                .setExecId(e.execId())
                .setOrderRef(Values.textOrNull(e.orderRef()))
                .setOrderId(m.orderId())
                .setPermId(e.permId())
                .setClientId(e.clientId())
                .setAccount(e.account())
                .setInstrument(Values.instrument(m.contract()))
                .setSide(side(e))
                .setShares(shares)
                .setPrice(e.price())
                .setCumulativeQuantity(e.cumQty() == null ? shares : Values.quantity(e.cumQty()))
                .setAveragePrice(e.avgPrice())
                .setExecutionTime(executionTime(e, receivedAt))
                .setExchange(e.exchange())
                .setCommission(commission)
                .setCommissionCurrency(commission == null ? null : Values.textOrNull(report.currency()))
                .setRealizedPnl(report == null ? null : Values.moneyOrNull(report.realizedPnl()))
                .setPublishedAt(clock.instant())
                .build();
        sink.publish(Topic.FILLS, RecordKeys.fill(fill), fill);
        // Remembered only once the sink took it: a fill the sink refused may still come with a later replay.
        published.put(e.execId(), commission != null);
    }

    private static ExecutionSide side(Execution e) {
        return switch (e.side()) {
            case "BOT" -> ExecutionSide.BOT;
            case "SLD" -> ExecutionSide.SLD;
            default -> throw new IllegalArgumentException(
                    "execution side '" + e.side() + "' is neither BOT nor SLD: execId=" + e.execId());
        };
    }

    private Instant executionTime(Execution e, Instant receivedAt) {
        return ExecutionTimes.parse(e.time(), executionTimeZone).orElseGet(() -> {
            counters.unparsableExecutionTime();
            log.warn("unreadable execution time, using the time of receipt: execId={} time='{}'", e.execId(),
                    e.time());
            return receivedAt;
        });
    }
}
