package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.contracts.ContractResolver;
import io.twsbridge.bridge.events.Instruments;
import io.twsbridge.bridge.gateway.GatewayRequestException;
import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.MarketDataSubscriptions;
import io.twsbridge.bridge.history.HistoricalBarsService;
import io.twsbridge.bridge.orders.OrderService;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestAccountSnapshot;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.ResolveContract;
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
import java.util.function.Function;

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
    private final ContractResolver contracts;
    private final boolean requireQualified;
    private final HistoricalBarsService history;

    /**
     * @param contracts        resolves ResolveContract's descriptions and qualifies other commands' instruments
     * @param requireQualified every instrument is resolved first, and one that does not name exactly one contract
     *                         is refused ({@code contracts.require-qualified}); otherwise only instruments given by
     *                         conId alone are resolved (to fill in their fields)
     * @param history          carries out RequestHistoricalBars, within IB's pacing
     */
    public CommandDispatcher(GatewaySession session, GatewayRequests requests, SubscriptionStore store, int lineLimit,
                             String accountSummaryTags, OrderService orders, ContractResolver contracts,
                             boolean requireQualified, HistoricalBarsService history) {
        this.orders = orders;
        this.contracts = contracts;
        this.requireQualified = requireQualified;
        this.history = history;
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
            return qualified(command, s.getInstrument(), false, this::subscribe);
        }
        if (payload instanceof UnsubscribeQuotes u) {
            // An instrument subscribed qualified is known by its conId; if it no longer resolves, as given.
            return qualified(command, u.getInstrument(), true, this::unsubscribe);
        }
        if (payload instanceof ResolveContract r) {
            return resolve(command, r);
        }
        if (payload instanceof RequestHistoricalBars h) {
            return history.request(command, h);
        }
        if (payload instanceof SubscribeBars s) {
            return qualified(command, s.getInstrument(), false, instrument -> subscribe(instrument, s));
        }
        if (payload instanceof UnsubscribeBars u) {
            return qualified(command, u.getInstrument(), true, instrument -> unsubscribe(instrument, u));
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
            return qualified(command, p.getInstrument(), false, instrument -> orders.place(command,
                    instrument == p.getInstrument() ? p : PlaceOrder.newBuilder(p).setInstrument(instrument).build()));
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

    /**
     * Runs {@code then} with the command's instrument as it is to reach IB: resolved when it is given by conId
     * alone (its fields filled in from IB) or when every instrument must be qualified; otherwise as given.
     *
     * @param asGivenIfUnresolved a resolution that fails leaves the instrument as given (unsubscribing), rather than
     *                            refusing the command
     */
    private CompletableFuture<CommandOutcome> qualified(Command command, Instrument instrument,
                                                        boolean asGivenIfUnresolved,
                                                        Function<Instrument, CompletableFuture<CommandOutcome>> then) {
        boolean byConIdAlone = instrument.getConId() != null && instrument.getSymbol().isEmpty();
        if (!requireQualified && !byConIdAlone) {
            return then.apply(instrument);
        }
        return contracts.qualify(instrument, command.getCommandId()).handle((q, error) -> {
            if (error == null) {
                return then.apply(q.instrument());
            }
            if (asGivenIfUnresolved && !byConIdAlone) {
                return then.apply(instrument);
            }
            return CompletableFuture.completedFuture(unqualified(error));
        }).thenCompose(f -> f);
    }

    /** Why an instrument could not be qualified, as the command's result. */
    static CommandOutcome unqualified(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ContractResolver.NotQualified n) {
            return n.outcome();
        }
        return failed(cause, "the Gateway did not finish resolving the contract in time");
    }

    /** ResolveContract: every match published on the contracts topic; exactly one unless several are allowed. */
    private CompletableFuture<CommandOutcome> resolve(Command command, ResolveContract r) {
        Contract description = new Contract(r.getConId() == null ? 0 : r.getConId().intValue(), r.getSymbol(),
                r.getSecType(), r.getLastTradeDateOrContractMonth(), r.getStrike(), r.getRight(), r.getMultiplier(),
                r.getExchange(), r.getPrimaryExchange(), r.getCurrency(), r.getLocalSymbol(), r.getTradingClass());
        return contracts.resolve(description, command.getCommandId()).handle((resolution, error) -> {
            if (error != null) {
                return failed(unwrap(error), "the Gateway did not finish the contract details in time");
            }
            CommandOutcome.Published published = new CommandOutcome.Published(resolution.matches().size(),
                    resolution.conIds(), null, null);
            boolean several = resolution.matches().size() > 1;
            if (resolution.matches().isEmpty() || several && !r.getAllowMultipleMatches()) {
                return CommandOutcome.rejected(resolution.notExactlyOne().orElseThrow()).with(published);
            }
            String message = several ? resolution.matches().size() + " contracts published: " + resolution.conIds()
                    : "resolved to " + ContractResolver.describeMatch(resolution.matches().get(0))
                    + longName(resolution.matches().get(0));
            return CommandOutcome.completed(message).with(published);
        });
    }

    private static String longName(ServerMessage.ContractDetails m) {
        String name = m.specification().longName();
        return name.isEmpty() ? "" : " (" + name + ")";
    }

    private CompletableFuture<CommandOutcome> unsubscribe(Instrument instrument) {
        Contract contract = Instruments.toContract(instrument);
        session.unsubscribeMarketData(contract);
        return store.removed(instrument).thenApply(x -> CommandOutcome.completed(
                "unsubscribed " + MarketDataSubscriptions.keyOf(contract)));
    }

    /** A historical request may wait minutes for its turn under IB's pacing: nothing else waits with it. */
    @Override
    public boolean answersLater(Command command) {
        return command.getPayload() instanceof RequestHistoricalBars;
    }

    private CompletableFuture<CommandOutcome> subscribe(Instrument instrument) {
        Contract contract = Instruments.toContract(instrument);
        String key = MarketDataSubscriptions.keyOf(contract);
        // Read on this thread through the session's thread-safe view: the subscriptions themselves are the loop's.
        if (!session.wantsMarketData(contract) && session.wantedMarketDataLines() >= lineLimit) {
            return done(lineLimitReached());
        }
        session.subscribeMarketData(contract);
        return store.added(instrument).thenApply(x -> CommandOutcome.completed("subscribed " + key));
    }

    /** As a quote subscription: a line of its own, one request however often it is subscribed. */
    private CompletableFuture<CommandOutcome> subscribe(Instrument instrument, SubscribeBars s) {
        BarSubscription subscription = new BarSubscription(Instruments.toContract(instrument),
                s.getWhatToShow().name(), s.getRegularTradingHoursOnly());
        if (!session.wantsRealTimeBars(subscription) && session.wantedMarketDataLines() >= lineLimit) {
            return done(lineLimitReached());
        }
        session.subscribeRealTimeBars(subscription);
        return store.addedRealTimeBars(instrument, s.getWhatToShow(), s.getRegularTradingHoursOnly())
                .thenApply(x -> CommandOutcome.completed("subscribed real-time bars " + subscription.key()));
    }

    private CompletableFuture<CommandOutcome> unsubscribe(Instrument instrument, UnsubscribeBars u) {
        BarSubscription subscription = new BarSubscription(Instruments.toContract(instrument),
                u.getWhatToShow().name(), u.getRegularTradingHoursOnly());
        session.unsubscribeRealTimeBars(subscription);
        return store.removedRealTimeBars(instrument, u.getWhatToShow(), u.getRegularTradingHoursOnly())
                .thenApply(x -> CommandOutcome.completed("unsubscribed real-time bars " + subscription.key()));
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
        return request.handle((v, error) -> error == null ? CommandOutcome.completed(message)
                : failed(unwrap(error), "the Gateway did not finish the answer in time"));
    }

    /** A request that failed: IB refused it, it timed out ({@code timedOut} says so), or the link was not there. */
    static CommandOutcome failed(Throwable cause, String timedOut) {
        if (cause instanceof GatewayRequestException ib) {
            return new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ibError(ib.code()), ib.getMessage(), ib.code());
        }
        if (cause instanceof TimeoutException) {
            return CommandOutcome.rejected(ReasonCodes.TIMEOUT, timedOut);
        }
        return CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, cause.getMessage());
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static CompletableFuture<CommandOutcome> done(CommandOutcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }
}
