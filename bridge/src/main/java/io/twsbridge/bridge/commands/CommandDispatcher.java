package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.events.Instruments;
import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.MarketDataSubscriptions;
import io.twsbridge.bridge.orders.OrderService;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestAccountSnapshot;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.UnsubscribeBars;
import io.twsbridge.schema.UnsubscribeQuotes;
import io.twsbridge.schema.catalogue.ReasonCodes;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * The bridge's {@link CommandExecutor}: carries out a valid command through the Gateway session and says how it
 * ended, by the command's payload.
 *
 * <p>Market-data commands (quotes and real-time bars) change the desired subscriptions (the session requests them
 * now and after every reconnect; the store keeps them across restarts); together they take at most
 * {@code market-data.line-limit} lines. Account commands ask the Gateway and complete when its End
 * message arrives; the answers themselves reach Kafka through the event mapper. Order commands go to the
 * {@link io.twsbridge.bridge.orders.OrderService}, which makes them idempotent and applies the guardrails.
 */
public final class CommandDispatcher implements CommandExecutor {

    private static final DateTimeFormatter IB_UTC_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private final GatewaySession session;
    private final GatewayRequests requests;
    private final SubscriptionStore store;
    private final int lineLimit;
    private final String accountSummaryTags;
    private final OrderService orders;

    public CommandDispatcher(GatewaySession session, GatewayRequests requests, SubscriptionStore store, int lineLimit,
                           String accountSummaryTags, OrderService orders) {
        this.orders = orders;
        this.session = session;
        this.requests = requests;
        this.store = store;
        this.lineLimit = lineLimit;
        this.accountSummaryTags = accountSummaryTags;
    }

    @Override
    public CompletableFuture<CommandOutcome> execute(Command command) {
        String account = command.getAccount();
        if (account != null && !session.accounts().contains(account) && !(command.getPayload() instanceof PlaceOrder)) {
            return done(CommandOutcome.rejected(ReasonCodes.ACCOUNT_NOT_MANAGED, "account " + account
                    + " is not managed by this Gateway login (managed: " + session.accounts() + ")"));
        }
        Object payload = command.getPayload();
        if (payload instanceof SubscribeQuotes s) {
            return subscribe(s);
        }
        if (payload instanceof UnsubscribeQuotes u) {
            Contract contract = Instruments.toContract(u.getInstrument());
            session.unsubscribeMarketData(contract);
            return store.removed(u.getInstrument()).thenApply(x -> CommandOutcome.completed(
                    "unsubscribed " + MarketDataSubscriptions.keyOf(contract)));
        }
        if (payload instanceof SubscribeBars s) {
            return subscribe(s);
        }
        if (payload instanceof UnsubscribeBars u) {
            BarSubscription subscription = new BarSubscription(Instruments.toContract(u.getInstrument()),
                    u.getWhatToShow().name(), u.getRegularTradingHoursOnly());
            session.unsubscribeRealTimeBars(subscription);
            return store.removedRealTimeBars(u.getInstrument(), u.getWhatToShow(), u.getRegularTradingHoursOnly())
                    .thenApply(x -> CommandOutcome.completed("unsubscribed real-time bars " + subscription.key()));
        }
        if (payload instanceof RequestAccountSnapshot) {
            return answered(requests.accountSummary(accountSummaryTags), "account summary published");
        }
        if (payload instanceof RequestPositions) {
            return answered(requests.positions(), "positions published");
        }
        if (payload instanceof RequestExecutions r) {
            return answered(requests.executions(filter(r, account)), "executions published");
        }
        if (payload instanceof PlaceOrder p) {
            return orders.place(command, p);
        }
        if (payload instanceof CancelOrder c) {
            return orders.cancel(command, c);
        }
        if (payload instanceof ModifyOrder m) {
            return orders.modify(command, m);
        }
        return done(CommandOutcome.rejected(ReasonCodes.UNSUPPORTED_COMMAND, "unknown command payload "
                + (payload == null ? "null" : payload.getClass().getSimpleName())));
    }

    private CompletableFuture<CommandOutcome> subscribe(SubscribeQuotes s) {
        Contract contract = Instruments.toContract(s.getInstrument());
        String key = MarketDataSubscriptions.keyOf(contract);
        // Read on this thread through the session's thread-safe view: the subscriptions themselves are the loop's.
        if (!session.wantsMarketData(contract) && session.wantedMarketDataLines() >= lineLimit) {
            return done(lineLimitReached());
        }
        session.subscribeMarketData(contract);
        return store.added(s.getInstrument()).thenApply(x -> CommandOutcome.completed("subscribed " + key));
    }

    /** As a quote subscription: a line of its own, one request however often it is subscribed. */
    private CompletableFuture<CommandOutcome> subscribe(SubscribeBars s) {
        BarSubscription subscription = new BarSubscription(Instruments.toContract(s.getInstrument()),
                s.getWhatToShow().name(), s.getRegularTradingHoursOnly());
        if (!session.wantsRealTimeBars(subscription) && session.wantedMarketDataLines() >= lineLimit) {
            return done(lineLimitReached());
        }
        session.subscribeRealTimeBars(subscription);
        return store.addedRealTimeBars(s.getInstrument(), s.getWhatToShow(), s.getRegularTradingHoursOnly())
                .thenApply(x -> CommandOutcome.completed("subscribed real-time bars " + subscription.key()));
    }

    private CommandOutcome lineLimitReached() {
        return CommandOutcome.rejected(ReasonCodes.LINE_LIMIT_REACHED, "already " + lineLimit
                + " market-data subscriptions, quotes and real-time bars together (market-data.line-limit); "
                + "unsubscribe one first");
    }

    private static ExecutionFilter filter(RequestExecutions r, String account) {
        OrderAction side = r.getSide();
        return new ExecutionFilter(r.getClientId(), account == null ? "" : account,
                r.getSince() == null ? "" : IB_UTC_TIME.format(r.getSince()), r.getSymbol(), r.getSecType(),
                r.getExchange(), side == null || side == OrderAction.UNKNOWN ? "" : side.name());
    }

    private static CompletableFuture<CommandOutcome> answered(CompletableFuture<Void> request, String message) {
        return request.handle((v, error) -> {
            if (error == null) {
                return CommandOutcome.completed(message);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof GatewayRequests.GatewayRequestException ib) {
                return new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ibError(ib.code()),
                        ib.getMessage(), ib.code());
            }
            if (cause instanceof TimeoutException) {
                return CommandOutcome.rejected(ReasonCodes.TIMEOUT, "the Gateway did not finish the answer in time");
            }
            return CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, cause.getMessage());
        });
    }

    private static CompletableFuture<CommandOutcome> done(CommandOutcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }
}
