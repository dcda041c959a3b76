package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Maps the Gateway session's decoded messages to the Avro event records and hands them to an {@link EventSink}:
 *
 * <ul>
 *   <li>accountSummary, updateAccountValue: {@code AccountValue} on {@link Topic#ACCOUNTS};
 *   <li>position, updatePortfolio: {@code Position} on {@link Topic#POSITIONS};
 *   <li>openOrder, orderStatus, and request-failed errors about a known order: {@code OrderUpdate} on
 *       {@link Topic#ORDERS}, one per message, each the merged latest state ({@code OrderEvents});
 *   <li>execDetails joined with commissionReport: one {@code Fill} per execId on {@link Topic#FILLS}
 *       ({@code FillEvents});
 *   <li>tickPrice, tickSize (and marketDataType): {@code Quote} on {@link Topic#QUOTES}, merged per instrument,
 *       optionally conflated ({@code QuoteEvents});
 *   <li>realtimeBar: a 5-second {@code Bar} on {@link Topic#BARS} per message ({@code RealTimeBarEvents}).
 * </ul>
 *
 * Every other message publishes nothing. completedOrder is among them: it carries no orderId and no filled
 * quantity, so it cannot make a complete OrderUpdate.
 *
 * <p><b>Threading.</b> Register it as a {@link SessionListener}: every callback, and every timer it schedules,
 * runs on the session's {@link EventLoop}, one at a time, so its state has no locks. {@link #flush()} must be
 * called on that loop too. Only {@link #counters()} may be read from any thread.
 *
 * <p><b>Failures.</b> A message that cannot be mapped (or whose record the sink refuses) is logged and counted
 * and costs only itself: the exception never reaches the session, which would otherwise skip the listeners after
 * this one.
 *
 * <p><b>Time.</b> Every timestamp is read from the loop's clock, the one its timers run on, so tests drive both
 * with one manual clock.
 */
public final class EventMapper implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(EventMapper.class);

    private final SessionView session;
    private final Clock clock;
    private final EventCounters counters = new EventCounters();
    private final AccountEvents accounts;
    private final OrderEvents orders;
    private final FillEvents fills;
    private final QuoteEvents quotes;
    private final RealTimeBarEvents realTimeBars;

    /**
     * @param sink    where records go; called on the event loop
     * @param session the session's subscriptions and clientId ({@link SessionView#of})
     * @param loop    the session's event loop: its clock stamps the records, its timers conflate quotes and end
     *                the wait for commission reports
     * @param config  bridgeId, conflation window, grace period and bounds
     */
    public EventMapper(EventSink sink, SessionView session, EventLoop loop, EventMapperConfig config) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(config, "config");
        this.session = Objects.requireNonNull(session, "session");
        this.clock = loop.clock();
        EventSink counting = new CountingSink(sink, counters);
        Timers timers = (delay, task) -> loop.schedule(delay, () -> guarded("a timer", task));
        this.accounts = new AccountEvents(counting);
        this.orders = new OrderEvents(counting, config.trackedOrders());
        this.fills = new FillEvents(counting, timers, clock, counters, config);
        this.quotes = new QuoteEvents(counting, session, timers, clock, counters, config);
        this.realTimeBars = new RealTimeBarEvents(counting, session, counters);
    }

    @Override
    public void onMessage(ServerMessage message) {
        guarded(message.getClass().getSimpleName(), () -> map(message));
    }

    @Override
    public void onStateChange(SessionStateChange change) {
        guarded("a state change to " + change.to(), () -> fills.onSessionState(change.to()));
    }

    /**
     * Publishes now what waits: executions still without their commission report (with a null commission) and
     * conflated quotes. For an orderly shutdown, before the sink closes. Event loop only.
     */
    public void flush() {
        guarded("flush", () -> {
            fills.flush();
            quotes.flush();
        });
    }

    /** Counts of what was published, dropped and suppressed; readable from any thread. */
    public EventCounters counters() {
        return counters;
    }

    private void map(ServerMessage message) {
        Instant now = clock.instant();
        if (message instanceof ServerMessage.TickPrice m) {
            quotes.onTickPrice(m, now);
        } else if (message instanceof ServerMessage.TickSize m) {
            quotes.onTickSize(m, now);
        } else if (message instanceof ServerMessage.MarketDataType m) {
            quotes.onMarketDataType(m);
        } else if (message instanceof ServerMessage.RealTimeBar m) {
            realTimeBars.onRealTimeBar(m);
        } else if (message instanceof ServerMessage.OrderStatus m) {
            orders.onOrderStatus(m, now);
        } else if (message instanceof ServerMessage.OpenOrder m) {
            orders.onOpenOrder(m, now);
        } else if (message instanceof ServerMessage.ExecDetails m) {
            fills.onExecDetails(m, now);
        } else if (message instanceof ServerMessage.CommissionReport m) {
            fills.onCommissionReport(m);
        } else if (message instanceof ServerMessage.ErrorMessage m) {
            onError(m, now);
        } else if (message instanceof ServerMessage.AccountSummary m) {
            accounts.onAccountSummary(m, now);
        } else if (message instanceof ServerMessage.AccountValue m) {
            accounts.onAccountValue(m, now);
        } else if (message instanceof ServerMessage.Position m) {
            accounts.onPosition(m, now);
        } else if (message instanceof ServerMessage.PortfolioValue m) {
            accounts.onPortfolioValue(m, now);
        }
    }

    /**
     * IB numbers requests and orders in one id space for errors. An id that is an active market-data or real-time
     * bar request is that request's error, whatever order may share the number; only the others can be about an
     * order.
     */
    private void onError(ServerMessage.ErrorMessage m, Instant now) {
        if (m.id() > 0 && session.contractForReqId(m.id()).isEmpty()
                && session.barSubscriptionForReqId(m.id()).isEmpty()) {
            orders.onError(m, session.clientId(), now);
        }
    }

    private void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            counters.unmappableMessage();
            log.error("event mapping failed, nothing published for it: what={}", what, e);
        }
    }

    /** Counts what the sink accepted, per topic. */
    private record CountingSink(EventSink sink, EventCounters counters) implements EventSink {
        @Override
        public void publish(Topic topic, String key, SpecificRecord value) {
            sink.publish(topic, key, value);
            counters.countPublished(topic);
        }
    }
}
