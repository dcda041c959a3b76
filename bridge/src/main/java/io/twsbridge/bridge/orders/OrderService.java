package io.twsbridge.bridge.orders;

import io.twsbridge.bridge.diagnostics.CrashPoints;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.events.Instruments;
import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.bridge.gateway.IbErrorCategory;
import io.twsbridge.bridge.gateway.IbErrorCodes;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Places, modifies and cancels orders so that a redelivered or retried command never places a second order.
 *
 * <p>The rules, in order, for a PlaceOrder:
 * <ol>
 *   <li>The journal knows the commandId (its orderRef) and IB has, or may have, the order: DUPLICATE with the
 *       original ids. Only an entry that reconciliation proved never reached IB (NOT_SENT) may be placed again.</li>
 *   <li>The Gateway reports an order with this orderRef (open, completed or executed): DUPLICATE.</li>
 *   <li>The guardrails must pass (placement on, kill switch off, account, symbol, quantity, notional).</li>
 *   <li>A fresh order id (above IB's nextValidId and above every id the journal ever used), a PLACING entry made
 *       durable in Kafka, and only then placeOrder.</li>
 *   <li>ACCEPTED when IB acknowledges (openOrder or orderStatus); REJECTED with IB's code when IB refuses; on
 *       error 103 (duplicate order id) one retry under a new id with the same orderRef. The order's later life
 *       (fills, cancel) is on ib.orders and ib.fills, not in further results.</li>
 * </ol>
 * At every READY the journal is reconciled with what the Gateway reports: an in-doubt entry whose orderRef
 * the Gateway knows is ACKNOWLEDGED; one it does not know never reached IB and becomes NOT_SENT.
 *
 * <p>Threading: commands arrive on the consumer thread, Gateway messages on the session's event loop.
 */
public final class OrderService implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(OrderService.class);

    private final OrderSettings settings;
    private final Guardrails guardrails;
    private final OrderJournal journal;
    private final GatewayOrderView view;
    private final GatewaySession session;
    private final Clock clock;
    private final Function<String, Optional<Double>> lastPrice;
    private final Map<Long, Pending> pendingByOrderId = new ConcurrentHashMap<>();
    private long lastAllocated;

    /** A placeOrder waiting for IB's answer. */
    private record Pending(String commandId, CompletableFuture<CommandOutcome> outcome) {
    }

    public OrderService(OrderSettings settings, Guardrails guardrails, OrderJournal journal, GatewayOrderView view,
                        GatewaySession session, Clock clock, Function<String, Optional<Double>> lastPrice) {
        this.settings = settings;
        this.guardrails = guardrails;
        this.journal = journal;
        this.view = view;
        this.session = session;
        this.clock = clock;
        this.lastPrice = lastPrice;
    }

    public Guardrails guardrails() {
        return guardrails;
    }

    // ---- PlaceOrder -------------------------------------------------------------------------------------------

    public CompletableFuture<CommandOutcome> place(Command command, PlaceOrder order) {
        String commandId = command.getCommandId();
        Optional<JournalEntry> known = journal.get(commandId);
        if (known.isPresent() && known.get().state() != JournalEntry.State.NOT_SENT) {
            return done(duplicate(known.get(), "the journal already holds this command (" + known.get().state() + ")"));
        }
        Optional<GatewayOrderView.SeenOrder> atGateway = view.find(commandId);
        if (atGateway.isPresent()) {
            GatewayOrderView.SeenOrder seen = atGateway.get();
            return done(new CommandOutcome(CommandStatus.DUPLICATE, ReasonCodes.DUPLICATE_COMMAND,
                    "IB already has an order with orderRef " + commandId, null, seen.orderId(), seen.permId()));
        }
        // One reading of the session for every check: a link that drops between two readings would leave an
        // empty account list, and the order would be refused for its account (a reason that invites no retry)
        // instead of for the missing link.
        SessionSnapshot now = session.snapshot();
        if (!now.state().isSynced()) {
            return done(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "no link to the Gateway ("
                    + now.state() + "); nothing was sent"));
        }
        String account = command.getAccount() != null ? command.getAccount()
                : now.accounts().size() == 1 ? now.accounts().get(0) : null;
        Optional<Rejection> refused = guardrails.check(order, account, now.accounts(),
                lastPrice.apply(order.getInstrument().getSymbol()));
        if (refused.isPresent()) {
            log.warn("order {} refused: {}", commandId, refused.get().message());
            return done(CommandOutcome.rejected(refused.get()));
        }
        int clientId = session.snapshot().clientId();
        long orderId = allocateOrderId();
        JournalEntry entry = known.map(e -> e.sendingAs(orderId, clientId, clock.instant())).orElseGet(() ->
                new JournalEntry(commandId, account, order, orderId, clientId, null, JournalEntry.State.PLACING, null,
                        null, null, 1, clock.instant(), clock.instant()));
        return send(entry);
    }

    private CompletableFuture<CommandOutcome> send(JournalEntry entry) {
        try {
            journal.write(entry).get(settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Without a durable journal entry nothing may be sent.
            return done(CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR, "the order journal could not be written ("
                    + e + "); nothing was sent to IB"));
        }
        CrashPoints.reach(CrashPoints.AFTER_JOURNAL);
        CompletableFuture<CommandOutcome> outcome = new CompletableFuture<>();
        pendingByOrderId.put(entry.orderId(), new Pending(entry.commandId(), outcome));
        if (!session.send(new ClientMessage.PlaceOrder(entry.orderId(), Instruments.toContract(entry.order().getInstrument()),
                toIbOrder(entry)))) {
            pendingByOrderId.remove(entry.orderId());
            journal.write(entry.with(JournalEntry.State.NOT_SENT, clock.instant()));
            return done(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "no link to the Gateway; nothing was sent"));
        }
        journal.write(entry.with(JournalEntry.State.SENT, clock.instant()));
        log.info("placeOrder sent for command {} as order {} (attempt {})", entry.commandId(), entry.orderId(),
                entry.attempts());
        CrashPoints.reach(CrashPoints.AFTER_PLACE_ORDER);
        return outcome.completeOnTimeout(new CommandOutcome(CommandStatus.ACCEPTED, "ACK_TIMEOUT",
                "placeOrder sent; IB has not confirmed it within " + settings.ackTimeout().toMillis()
                        + " ms: follow the order on the orders topic (retrying under the same commandId is safe)",
                null, entry.orderId(), null), settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Order toIbOrder(JournalEntry e) {
        PlaceOrder p = e.order();
        String type = p.getOrderType() == OrderType.STP_LMT ? "STP LMT" : p.getOrderType().name();
        return Order.builder(p.getAction().name(), p.getQuantity().stripTrailingZeros(), type)
                .lmtPrice(p.getLimitPrice()).auxPrice(p.getStopPrice()).tif(p.getTimeInForce().name())
                .account(e.account()).orderRef(e.commandId()).outsideRth(p.getOutsideRth()).transmit(true).build();
    }

    private synchronized long allocateOrderId() {
        long next = Math.max(Math.max(session.nextOrderId(), journal.highestOrderId() + 1), lastAllocated + 1);
        lastAllocated = next;
        return next;
    }

    // ---- CancelOrder and ModifyOrder ---------------------------------------------------------------------------

    public CompletableFuture<CommandOutcome> cancel(CancelOrder cancel) {
        Optional<JournalEntry> target = target(cancel.getTargetCommandId(), cancel.getOrderId());
        long orderId = target.map(JournalEntry::orderId).orElse(cancel.getOrderId() == null ? -1L : cancel.getOrderId());
        if (orderId < 0) {
            return done(CommandOutcome.rejected(ReasonCodes.ORDER_NOT_FOUND, "no order for command "
                    + cancel.getTargetCommandId()));
        }
        if (!session.send(new ClientMessage.CancelOrder(orderId, ""))) {
            return done(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "no link to the Gateway"));
        }
        target.ifPresent(e -> journal.write(e.with(JournalEntry.State.CANCEL_REQUESTED, clock.instant())));
        return done(new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK, "cancel sent; the order's end is on the"
                + " orders topic", null, orderId, target.map(JournalEntry::permId).orElse(null)));
    }

    public CompletableFuture<CommandOutcome> modify(ModifyOrder modify) {
        Optional<JournalEntry> target = target(modify.getTargetCommandId(), modify.getOrderId());
        if (target.isEmpty() || !target.get().placed()) {
            return done(CommandOutcome.rejected(ReasonCodes.ORDER_NOT_FOUND, "no working order placed by this bridge for "
                    + (modify.getTargetCommandId() != null ? "command " + modify.getTargetCommandId() : "order " + modify.getOrderId())));
        }
        JournalEntry e = target.get();
        PlaceOrder p = PlaceOrder.newBuilder(e.order())
                .setQuantity(modify.getQuantity() != null ? modify.getQuantity() : e.order().getQuantity())
                .setLimitPrice(modify.getLimitPrice() != null ? modify.getLimitPrice() : e.order().getLimitPrice())
                .setStopPrice(modify.getStopPrice() != null ? modify.getStopPrice() : e.order().getStopPrice())
                .setTimeInForce(modify.getTimeInForce() != null ? modify.getTimeInForce() : e.order().getTimeInForce())
                .setOutsideRth(modify.getOutsideRth() != null ? modify.getOutsideRth() : e.order().getOutsideRth())
                .build();
        SessionSnapshot now = session.snapshot();
        if (!now.state().isSynced()) {
            return done(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "no link to the Gateway ("
                    + now.state() + "); nothing was sent"));
        }
        Optional<Rejection> refused = guardrails.check(p, e.account(), now.accounts(),
                lastPrice.apply(p.getInstrument().getSymbol()));
        if (refused.isPresent()) {
            return done(CommandOutcome.rejected(refused.get()));
        }
        JournalEntry modified = new JournalEntry(e.commandId(), e.account(), p, e.orderId(), e.clientId(), e.permId(),
                JournalEntry.State.ACKNOWLEDGED, e.lastStatus(), null, null, e.attempts(), e.createdAt(), clock.instant());
        journal.write(modified);
        if (!session.send(new ClientMessage.PlaceOrder(e.orderId(), Instruments.toContract(p.getInstrument()),
                toIbOrder(modified)))) {
            // The link dropped after the check: the order at IB keeps its former terms, and so does the journal.
            journal.write(e.with(e.state(), clock.instant()));
            return done(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "no link to the Gateway; the modification"
                    + " was not sent"));
        }
        return done(new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK, "modification sent", null, e.orderId(),
                e.permId()));
    }

    private Optional<JournalEntry> target(String commandId, Long orderId) {
        if (commandId != null) {
            return journal.get(commandId);
        }
        return journal.all().stream().filter(e -> orderId != null && e.orderId() == orderId).findFirst();
    }

    // ---- what the Gateway says --------------------------------------------------------------------------------

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.OpenOrder m) {
            acknowledged(m.orderId(), m.order().permId(), m.orderState().status());
        } else if (message instanceof ServerMessage.OrderStatus m) {
            acknowledged(m.orderId(), m.permId(), m.status());
        } else if (message instanceof ServerMessage.ErrorMessage m && m.id() > 0) {
            Pending pending = pendingByOrderId.get((long) m.id());
            if (pending != null && IbErrorCodes.lookup(m.code()).category() == IbErrorCategory.REQUEST_FAILED) {
                refused(pending, (long) m.id(), m.code(), m.message());
            }
        }
    }

    private void acknowledged(long orderId, long permId, String status) {
        Pending pending = pendingByOrderId.remove(orderId);
        if (pending == null) {
            return;
        }
        journal.get(pending.commandId()).ifPresent(e -> journal.write(e.acknowledged(permId, status, clock.instant())));
        CrashPoints.reach(CrashPoints.AFTER_ACK);
        pending.outcome().complete(new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK, "IB acknowledged the order ("
                + status + ")", null, orderId, permId == 0 ? null : permId));
    }

    private void refused(Pending pending, long orderId, int code, String text) {
        pendingByOrderId.remove(orderId);
        JournalEntry entry = journal.get(pending.commandId()).orElseThrow();
        if (code == IbErrorCodes.DUPLICATE_ORDER_ID && entry.attempts() == 1) {
            // IB says the id was used: take a fresh one above everything known and try once more, same orderRef.
            log.warn("order id {} for command {} was already used (103); retrying once under a new id", orderId,
                    pending.commandId());
            session.send(new ClientMessage.ReqIds(1));
            long next = allocateOrderId();
            CompletableFuture.supplyAsync(() -> send(entry.sendingAs(next, entry.clientId(), clock.instant())))
                    .thenCompose(f -> f).whenComplete((o, e) -> pending.outcome().complete(o != null ? o
                            : CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR, String.valueOf(e))));
            return;
        }
        journal.write(entry.rejected(code, text, clock.instant()));
        pending.outcome().complete(new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ibError(code), text, code,
                orderId, null));
    }

    @Override
    public void onStateChange(SessionStateChange change) {
        if (change.to() == SessionState.READY && change.from() == SessionState.SYNCING) {
            reconcile();
        }
    }

    /** After a sync the Gateway has reported every order it holds: settle every in-doubt journal entry. */
    private void reconcile() {
        for (JournalEntry e : journal.all()) {
            if (!e.inDoubt()) {
                continue;
            }
            Optional<GatewayOrderView.SeenOrder> seen = view.find(e.commandId());
            Pending pending = pendingByOrderId.remove(e.orderId());
            if (seen.isPresent()) {
                log.info("reconciled: order of command {} is at IB as order {} ({})", e.commandId(), seen.get().orderId(),
                        seen.get().status());
                journal.write(e.acknowledged(seen.get().permId(), seen.get().status(), clock.instant()));
                if (pending != null) {
                    pending.outcome().complete(new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK,
                            "IB has the order (found at reconciliation after the link dropped)", null, e.orderId(),
                            seen.get().permId() == 0 ? null : seen.get().permId()));
                }
            } else {
                log.warn("reconciled: IB has no trace of command {} (order {}): it never reached IB", e.commandId(),
                        e.orderId());
                journal.write(e.with(JournalEntry.State.NOT_SENT, clock.instant()));
                if (pending != null) {
                    pending.outcome().complete(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "the link dropped "
                            + "before IB received the order; nothing was placed; sending the same command again is safe"));
                }
            }
        }
    }

    private static CommandOutcome duplicate(JournalEntry e, String why) {
        return new CommandOutcome(CommandStatus.DUPLICATE, ReasonCodes.DUPLICATE_COMMAND, why, e.ibErrorCode(),
                e.orderId(), e.permId());
    }

    private static CompletableFuture<CommandOutcome> done(CommandOutcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    /** For tests and status: in-doubt entries. */
    public List<JournalEntry> inDoubt() {
        return journal.all().stream().filter(JournalEntry::inDoubt).toList();
    }
}
