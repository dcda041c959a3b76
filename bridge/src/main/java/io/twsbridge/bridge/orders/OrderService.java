package io.twsbridge.bridge.orders;

import io.twsbridge.bridge.diagnostics.CrashPoints;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.results.LaterResults;
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

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
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
 *       error 103 (duplicate order id) one retry under a new id with the same orderRef.</li>
 *   <li>When the order ends, its final result ({@link LaterResults}): COMPLETED ORDER_FILLED or ORDER_CANCELLED,
 *       or REJECTED when IB rejected it after accepting it (Inactive, or cancelled with an error such as 201). The
 *       journal entry becomes DONE once that result is acknowledged, so a bridge that stops in between publishes it
 *       again at the next reconciliation rather than never. Fills and status changes on the way are on ib.orders and
 *       ib.fills.</li>
 * </ol>
 * A CancelOrder is ACCEPTED when sent and gets its final result when IB confirms the cancel (COMPLETED
 * ORDER_CANCELLED) or refuses it (REJECTED with IB's code, e.g. 10148), or the order ends otherwise first
 * (REJECTED ORDER_NOT_WORKING); the journal remembers the waiting cancel, so its final result survives a restart.
 * A ModifyOrder is ACCEPTED when sent and COMPLETED when IB reports the order with its new terms, REJECTED when IB
 * refuses; that wait is held in memory only.
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
    /** Commands sent for an order and waiting for IB's word: modifications, and cancels of orders not journaled. */
    private final Map<Long, Waiting> waitingByOrderId = new ConcurrentHashMap<>();
    /** Orders whose final result is on its way to Kafka (the journal says DONE once it is acknowledged). */
    private final Set<String> finishing = ConcurrentHashMap.newKeySet();
    private volatile LaterResults laterResults = LaterResults.NONE;
    private long lastAllocated;

    /** A placeOrder waiting for IB's answer. */
    private record Pending(String commandId, CompletableFuture<CommandOutcome> outcome) {
    }

    /** A ModifyOrder or CancelOrder waiting for IB to confirm or refuse it. */
    private record Waiting(String commandId, String commandType, String account) {
    }

    /** IB's statuses of an order that is over: nothing can change it any more. */
    private static final Set<String> ENDED = Set.of("Filled", "Cancelled", "ApiCancelled", "Inactive");
    /** IB's refusals of a cancel: the order it names is unknown, or not in a state that can be cancelled. */
    private static final Set<Integer> CANCEL_REFUSALS = Set.of(IbErrorCodes.CANCEL_ORDER_NOT_FOUND,
            IbErrorCodes.CANCEL_ORDER_NOT_POSSIBLE, IbErrorCodes.ORDER_NOT_CANCELLABLE);

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

    /** Where the final results of order commands go; set before the session starts. */
    public void publishLaterResultsTo(LaterResults results) {
        this.laterResults = results;
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
                JournalEntry.placing(commandId, account, order, orderId, clientId, clock.instant()));
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
        // IB may have acknowledged the order already (the session's thread recorded it): SENT only replaces PLACING.
        journal.update(entry.commandId(), e -> e.state() == JournalEntry.State.PLACING && e.orderId() == entry.orderId()
                ? e.with(JournalEntry.State.SENT, clock.instant()) : e);
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

    public CompletableFuture<CommandOutcome> cancel(Command command, CancelOrder cancel) {
        Optional<JournalEntry> target = target(cancel.getTargetCommandId(), cancel.getOrderId());
        if (target.isPresent() && !target.get().working()) {
            JournalEntry e = target.get();
            return done(new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ORDER_NOT_WORKING, e.placed()
                    ? "the order already ended (" + e.lastStatus() + "); nothing was sent"
                    : "the order is not working at IB (" + e.state() + "); nothing was sent", null, e.orderId(),
                    e.permId()));
        }
        long orderId = target.map(JournalEntry::orderId).orElse(cancel.getOrderId() == null ? -1L : cancel.getOrderId());
        if (orderId < 0) {
            return done(CommandOutcome.rejected(ReasonCodes.ORDER_NOT_FOUND, "no order for command "
                    + cancel.getTargetCommandId() + "; nothing was sent (a cancel read before its order is refused"
                    + " like this, and the order is placed when it comes)"));
        }
        if (target.isPresent()) {
            // Journaled before the send: IB's answer may come at once, and the final result must survive a restart.
            // Unless the order ended meanwhile (its end is being published): then it is over, and nothing is sent.
            JournalEntry now = journal.update(target.get().commandId(), e -> e.working()
                    ? e.cancelRequested(command.getCommandId(), clock.instant()) : e).orElseThrow();
            if (!command.getCommandId().equals(now.cancelCommandId())) {
                return done(new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ORDER_NOT_WORKING, "the order "
                        + "already ended (" + now.lastStatus() + "); nothing was sent", null, now.orderId(), now.permId()));
            }
        } else {
            waitingByOrderId.put(orderId, new Waiting(command.getCommandId(), "CancelOrder", command.getAccount()));
        }
        if (!session.send(new ClientMessage.CancelOrder(orderId, ""))) {
            target.ifPresent(t -> journal.update(t.commandId(), e -> e.cancelRefused(clock.instant())));
            waitingByOrderId.remove(orderId);
            return done(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "no link to the Gateway"));
        }
        return done(new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK, "cancel sent; the final result follows"
                + " when IB confirms or refuses it", null, orderId, target.map(JournalEntry::permId).orElse(null)));
    }

    public CompletableFuture<CommandOutcome> modify(Command command, ModifyOrder modify) {
        Optional<JournalEntry> target = target(modify.getTargetCommandId(), modify.getOrderId());
        if (target.isEmpty() || !target.get().working()) {
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
        JournalEntry modified = journal.update(e.commandId(), cur -> cur.working() ? cur.withTerms(p, clock.instant())
                : cur).orElseThrow();
        if (modified.order() != p) {
            return done(new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ORDER_NOT_WORKING, "the order already "
                    + "ended (" + modified.lastStatus() + "); nothing was sent", null, e.orderId(), e.permId()));
        }
        waitingByOrderId.put(e.orderId(), new Waiting(command.getCommandId(), "ModifyOrder", e.account()));
        if (!session.send(new ClientMessage.PlaceOrder(e.orderId(), Instruments.toContract(p.getInstrument()),
                toIbOrder(modified)))) {
            // The link dropped after the check: the order at IB keeps its former terms, and so does the journal.
            journal.update(e.commandId(), cur -> cur.withTerms(e.order(), clock.instant()));
            waitingByOrderId.remove(e.orderId());
            return done(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "no link to the Gateway; the modification"
                    + " was not sent"));
        }
        return done(new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK, "modification sent; the final result"
                + " follows when IB reports the new terms or refuses them", null, e.orderId(), e.permId()));
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
            modificationConfirmed(m.orderId(), m.orderState().status());
            // The end is taken from orderStatus, which IB sends beside it with the filled quantity and price.
        } else if (message instanceof ServerMessage.OrderStatus m) {
            acknowledged(m.orderId(), m.permId(), m.status());
            progressed(m.orderId(), m.clientId(), m.status(), m.filled(), m.avgFillPrice() > 0 ? m.avgFillPrice() : null);
        } else if (message instanceof ServerMessage.ErrorMessage m && m.id() > 0) {
            Pending pending = pendingByOrderId.get((long) m.id());
            if (pending != null && IbErrorCodes.lookup(m.code()).category() == IbErrorCategory.REQUEST_FAILED) {
                refused(pending, (long) m.id(), m.code(), m.message());
            } else if (pending == null) {
                errorAfterAcceptance(m.id(), m.code(), m.message());
            }
        }
    }

    /** IB reported the order with its terms: a modification waiting for that is done. */
    private void modificationConfirmed(long orderId, String status) {
        Waiting w = waitingByOrderId.get(orderId);
        if (w != null && w.commandType().equals("ModifyOrder") && !ENDED.contains(status)
                && waitingByOrderId.remove(orderId, w)) {
            laterResults.publish(w.commandId(), w.commandType(), w.account(), new CommandOutcome(CommandStatus.COMPLETED,
                    ReasonCodes.OK, "IB reports the order with its new terms (" + status + ")", null, orderId, null));
        }
    }

    /** A status of an order: if it is over, its commands get their final results. */
    private void progressed(long orderId, int clientId, String status, BigDecimal filled, Double averagePrice) {
        if (!ENDED.contains(status)) {
            return;
        }
        Optional<JournalEntry> entry = journalEntryOf(orderId, clientId);
        // In doubt too: IB reporting the order's end is as good an acknowledgement as any.
        if (entry.isPresent() && (entry.get().working() || entry.get().inDoubt())) {
            finish(entry.get(), status, filled, averagePrice);
        }
        Waiting w = waitingByOrderId.remove(orderId);
        if (w != null) {
            laterResults.publish(w.commandId(), w.commandType(), w.account(), waitingCommandEnd(w.commandType(), orderId,
                    null, new CommandOutcome.OrderEnd(status, filled, averagePrice)));
        }
    }

    /**
     * The final result of a CancelOrder or ModifyOrder that was waiting when its order ended: a cancel is done when the
     * order ended cancelled; anything else ended the order before the command took effect.
     */
    private static CommandOutcome waitingCommandEnd(String commandType, long orderId, Long permId,
                                                    CommandOutcome.OrderEnd end) {
        boolean cancelled = end.ibStatus().equals("Cancelled") || end.ibStatus().equals("ApiCancelled");
        if (commandType.equals("CancelOrder") && cancelled) {
            return new CommandOutcome(CommandStatus.COMPLETED, ReasonCodes.ORDER_CANCELLED, "IB cancelled the order",
                    null, orderId, permId, end);
        }
        return new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ORDER_NOT_WORKING, "the order ended ("
                + end.ibStatus() + ") before the " + (commandType.equals("CancelOrder") ? "cancel" : "modification")
                + " took effect", null, orderId, permId, end);
    }

    /**
     * Publishes the final results of an order that ended (its PlaceOrder's, and its waiting CancelOrder's), then marks
     * the journal entry DONE. Until Kafka acknowledged them the entry stays working: a bridge that stops in between
     * publishes them again at its next reconciliation.
     */
    private void finish(JournalEntry e, String status, BigDecimal filled, Double averagePrice) {
        if (!finishing.add(e.commandId())) {
            return;
        }
        CommandOutcome.OrderEnd end = new CommandOutcome.OrderEnd(status, filled, averagePrice);
        List<CompletableFuture<?>> sent = new ArrayList<>();
        sent.add(laterResults.publish(e.commandId(), "PlaceOrder", e.account(), placeOrderEnd(e, end)));
        if (e.cancelCommandId() != null) {
            sent.add(laterResults.publish(e.cancelCommandId(), "CancelOrder", e.account(),
                    waitingCommandEnd("CancelOrder", e.orderId(), e.permId(), end)));
        }
        log.info("order {} of command {} ended {}; final result published", e.orderId(), e.commandId(), status);
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((v, error) -> {
            if (error != null) {
                finishing.remove(e.commandId());
                log.warn("the final result of command {} was not published ({}); it is published again at the next"
                        + " reconciliation", e.commandId(), error.toString());
                return;
            }
            // The DONE entry keeps the cancel recorded last: one that came while the end was being published was
            // sent for an order already over, and IB's refusal would find the entry DONE, so it is answered here.
            String lateCancel = journal.update(e.commandId(), latest -> latest
                    .progressed(status, filled, averagePrice, clock.instant()).with(JournalEntry.State.DONE,
                            clock.instant())).map(JournalEntry::cancelCommandId).orElse(null);
            if (lateCancel != null && !lateCancel.equals(e.cancelCommandId())) {
                laterResults.publish(lateCancel, "CancelOrder", e.account(),
                        waitingCommandEnd("CancelOrder", e.orderId(), e.permId(), end));
            }
        });
    }

    private static CommandOutcome placeOrderEnd(JournalEntry e, CommandOutcome.OrderEnd end) {
        Long permId = e.permId();
        String quantity = e.order().getQuantity().stripTrailingZeros().toPlainString();
        String filled = end.filled() == null ? "" : end.filled().stripTrailingZeros().toPlainString() + " of ";
        Integer code = e.ibErrorCode() != null && e.ibErrorCode() != IbErrorCodes.ORDER_CANCELLED ? e.ibErrorCode() : null;
        return switch (end.ibStatus()) {
            case "Filled" -> new CommandOutcome(CommandStatus.COMPLETED, ReasonCodes.ORDER_FILLED, "filled " + quantity
                    + (end.averageFillPrice() == null ? "" : " at an average price of " + end.averageFillPrice()), null,
                    e.orderId(), permId, end);
            case "Inactive" -> new CommandOutcome(CommandStatus.REJECTED, code == null ? ReasonCodes.ORDER_INACTIVE
                    : ReasonCodes.ibError(code), "IB rejected the order after accepting it (Inactive" + (code == null
                    ? ")" : "): " + e.ibErrorMessage()), code, e.orderId(), permId, end);
            default -> code == null
                    ? new CommandOutcome(CommandStatus.COMPLETED, ReasonCodes.ORDER_CANCELLED, "cancelled (" + filled
                    + quantity + " filled)", null, e.orderId(), permId, end)
                    : new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ibError(code), "IB cancelled the order: "
                    + e.ibErrorMessage(), code, e.orderId(), permId, end);
        };
    }

    /**
     * An error IB reported for an order it had accepted: a refused cancel or modification ends that command; any
     * other refusal (201 after acceptance) is kept, for the order's final status to tell the end.
     */
    private void errorAfterAcceptance(long orderId, int code, String text) {
        if (code == IbErrorCodes.ORDER_CANCELLED) {
            return; // IB's note after the Cancelled status, which already ended the order and its cancel
        }
        boolean failed = IbErrorCodes.lookup(code).category() == IbErrorCategory.REQUEST_FAILED;
        Waiting w = waitingByOrderId.get(orderId);
        if (w != null && failed && (w.commandType().equals("ModifyOrder") || CANCEL_REFUSALS.contains(code))
                && waitingByOrderId.remove(orderId, w)) {
            laterResults.publish(w.commandId(), w.commandType(), w.account(), new CommandOutcome(CommandStatus.REJECTED,
                    ReasonCodes.ibError(code), text, code, orderId, null));
            if (w.commandType().equals("ModifyOrder")) {
                return;
            }
        }
        Optional<JournalEntry> entry = journalEntryOf(orderId, 0);
        if (entry.isEmpty() || !entry.get().working() || !failed) {
            return;
        }
        JournalEntry e = entry.get();
        if (CANCEL_REFUSALS.contains(code)) {
            if (e.cancelCommandId() != null) {
                journal.update(e.commandId(), latest -> latest.cancelRefused(clock.instant()));
                laterResults.publish(e.cancelCommandId(), "CancelOrder", e.account(), new CommandOutcome(
                        CommandStatus.REJECTED, ReasonCodes.ibError(code), text, code, orderId, e.permId()));
            }
            return;
        }
        log.warn("IB reported error {} for order {} of command {} after accepting it: {}", code, orderId, e.commandId(),
                text);
        journal.update(e.commandId(), latest -> latest.errorReported(code, text, clock.instant()));
    }

    /**
     * The journal entry of an order by IB's order id: ids are unique among everything the journal holds (the bridge
     * never reuses one). {@code clientId} 0 matches any client.
     */
    private Optional<JournalEntry> journalEntryOf(long orderId, int clientId) {
        return journal.all().stream()
                .filter(e -> e.orderId() == orderId && (clientId == 0 || e.clientId() == clientId))
                .max(Comparator.comparing(JournalEntry::updatedAt));
    }

    private void acknowledged(long orderId, long permId, String status) {
        Pending pending = pendingByOrderId.remove(orderId);
        if (pending == null) {
            return;
        }
        journal.update(pending.commandId(), e -> e.acknowledged(permId, status, clock.instant()));
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
        answer(pending, entry, new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ibError(code), text, code,
                orderId, null));
    }

    @Override
    public void onStateChange(SessionStateChange change) {
        if (change.to() == SessionState.READY && change.from() == SessionState.SYNCING) {
            reconcile();
        }
    }

    /**
     * After a sync the Gateway has reported every order it holds: settle every in-doubt journal entry, then publish
     * the final results of working orders that ended while the bridge was away (or whose final result was not yet
     * acknowledged when it stopped).
     */
    private void reconcile() {
        settleInDoubt();
        for (JournalEntry e : journal.all()) {
            Optional<GatewayOrderView.SeenOrder> seen = view.find(e.commandId());
            if (e.working() && seen.isPresent() && ENDED.contains(seen.get().status())) {
                finish(e, seen.get().status(), e.lastStatus() != null && e.lastStatus().equals(seen.get().status())
                        ? e.filled() : null, e.averageFillPrice());
            }
        }
    }

    private void settleInDoubt() {
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
                    answer(pending, e, CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "the link dropped before IB"
                            + " received the order; nothing was placed; sending the same command again is safe"));
                }
            }
        }
    }

    /**
     * Answers a placement with its final outcome: as its first result while the command waits for it, or as a later
     * result after the wait ended in ACCEPTED ACK_TIMEOUT (the command's final result was still owed).
     */
    private void answer(Pending pending, JournalEntry e, CommandOutcome outcome) {
        if (!pending.outcome().complete(outcome)) {
            laterResults.publish(e.commandId(), "PlaceOrder", e.account(), outcome);
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
