package io.twsbridge.sim.broker;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.market.Instrument;
import io.twsbridge.sim.market.Market;
import io.twsbridge.sim.market.QuoteState;
import io.twsbridge.sim.net.ClientConnection;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated broker: accounts, positions, orders and executions, and the messages the Gateway sends about
 * them.
 *
 * <p>Orders fill against the simulated market: marketable orders at once at the touch, resting limit and stop
 * orders when the random walk reaches them. Orders, executions and holdings outlive connections and Gateway
 * restarts, as they do at IB. Every placeOrder is counted by orderRef, so tests can prove an order was placed
 * exactly once.
 *
 * <p>Thread-safe: one lock guards all state. Messages are only enqueued on connections under the lock, never
 * written, so the lock is never held across I/O.
 */
public final class Broker {

    /** Gateway error codes the broker answers with. */
    static final int NO_SECURITY_DEFINITION = 200;
    static final int ORDER_REJECTED = 201;
    static final int DUPLICATE_ORDER_ID = 103;
    static final int ORDER_CANCELED = 202;
    static final int CANCEL_NOT_FOUND = 10147;
    static final int CANCEL_NOT_POSSIBLE = 10148;
    /** The clientId IB gives orders entered in TWS. */
    static final int TWS_CLIENT_ID = 0;

    private static final ZoneId EXCHANGE_ZONE = ZoneId.of("America/New_York");
    private static final DateTimeFormatter EXEC_TIME = DateTimeFormatter.ofPattern("yyyyMMdd HH:mm:ss", Locale.US);
    private static final DateTimeFormatter FILTER_TIME_DASH = DateTimeFormatter.ofPattern("yyyyMMdd-HH:mm:ss");
    private static final BigDecimal COMMISSION_PER_SHARE = new BigDecimal("0.005");
    private static final double MIN_COMMISSION = 1.0;

    private record ExecutionRecord(int clientId, long orderId, Contract contract, Execution execution,
                                   ServerMessage.CommissionReport commission, ZonedDateTime at) {
    }

    private final Market market;
    private final int masterClientId;
    private final ClientDirectory clients;
    private final Clock clock;
    private final Accounts accounts;
    private final Map<String, SimOrder> orders = new LinkedHashMap<>();
    private final Map<Integer, Long> highestOrderId = new HashMap<>();
    private final List<ExecutionRecord> executions = new ArrayList<>();
    private final Map<String, Integer> placeOrderCountByOrderRef = new ConcurrentHashMap<>();
    private final Set<ClientConnection> positionSubscribers = ConcurrentHashMap.newKeySet();
    private final Map<ClientConnection, String> accountSubscribers = new ConcurrentHashMap<>();
    private final Map<ClientConnection, Map<Integer, AccountMultiSubscription>> accountMultiSubscribers =
            new ConcurrentHashMap<>();
    private long nextPermId;
    private long nextExecSeq = 1;

    public Broker(Market market, List<String> accountNames, ClientDirectory clients, Clock clock, long seed) {
        this(market, accountNames, clients, clock, seed, -1);
    }

    /**
     * @param masterClientId TWS's "Master API client id": it also receives every other client's order events;
     *                       -1 for none
     */
    public Broker(Market market, List<String> accountNames, ClientDirectory clients, Clock clock, long seed,
                  int masterClientId) {
        this.masterClientId = masterClientId;
        this.market = market;
        this.clients = clients;
        this.clock = clock;
        List<Instrument> instruments = List.copyOf(market.instruments());
        this.accounts = new Accounts(accountNames, instruments, i -> market.current(i).last());
        this.nextPermId = 1_000_000_000L + Math.floorMod(seed * 7919, 100_000_000L);
    }

    public List<String> accountNames() {
        return accounts.accountNames();
    }

    /** The id a client may use next: above every id it used. */
    public synchronized long nextValidId(int clientId) {
        return highestOrderId.getOrDefault(clientId, 0L) + 1;
    }

    /** placeOrder messages received per orderRef, modifications included. */
    public Map<String, Integer> placeOrderCounts() {
        return Map.copyOf(placeOrderCountByOrderRef);
    }

    public synchronized int openOrderCount() {
        return (int) orders.values().stream().filter(SimOrder::isOpen).count();
    }

    public synchronized int executionCount() {
        return executions.size();
    }

    /** The id of every execution so far, in the order they happened, of every client. */
    public synchronized List<String> executionIds() {
        return executions.stream().map(e -> e.execution().execId()).toList();
    }

    /** Forgets a closed connection's subscriptions. */
    public void forget(ClientConnection connection) {
        positionSubscribers.remove(connection);
        accountSubscribers.remove(connection);
        accountMultiSubscribers.remove(connection);
    }

    /** Forgets every subscription (a Gateway restart). */
    public void forgetAllSubscriptions() {
        positionSubscribers.clear();
        accountSubscribers.clear();
        accountMultiSubscribers.clear();
    }

    // ---- orders ---------------------------------------------------------------------------------------------

    public synchronized void placeOrder(ClientConnection c, ClientMessage.PlaceOrder request) {
        Order order = request.order();
        if (!order.orderRef().isEmpty()) {
            placeOrderCountByOrderRef.merge(order.orderRef(), 1, Integer::sum);
        }
        long orderId = request.orderId();
        String key = key(c.clientId(), orderId);
        SimOrder existing = orders.get(key);
        if (existing != null && existing.isOpen()) {
            modify(c, existing, order);
            return;
        }
        if (existing != null || orderId <= highestOrderId.getOrDefault(c.clientId(), 0L)) {
            c.send(new ServerMessage.ErrorMessage((int) orderId, DUPLICATE_ORDER_ID, "Duplicate order id"));
            return;
        }
        highestOrderId.put(c.clientId(), orderId);
        Optional<Instrument> instrument = market.resolve(request.contract());
        if (instrument.isEmpty()) {
            c.send(new ServerMessage.ErrorMessage((int) orderId, NO_SECURITY_DEFINITION,
                    "No security definition has been found for the request"));
            return;
        }
        String account = order.account().isEmpty() ? accounts.accountNames().get(0) : order.account();
        String rejection = validate(order, account);
        if (rejection != null) {
            c.send(new ServerMessage.ErrorMessage((int) orderId, ORDER_REJECTED, "Order rejected - reason:" + rejection));
            return;
        }
        SimOrder o = new SimOrder(c.clientId(), orderId, nextPermId++, instrument.get(),
                order.toBuilder().account(account).build());
        orders.put(key, o);
        report(o);
        if (order.transmit()) {
            o.status = SimOrder.SUBMITTED;
            report(o);
            tryFill(o, market.current(o.instrument));
        }
    }

    /**
     * An order entered in TWS itself rather than through the API, such as a conditional order (the API cannot
     * place those here yet): clientId 0 and orderId 0, as IB reports such orders, reported like any order change
     * to client 0 and the master client, and to every client asking for all open orders. The simulator does not
     * evaluate conditions: an order with conditions stays PreSubmitted, as IB holds one until its conditions hold,
     * and never fills.
     *
     * @return the order's permId
     * @throws IllegalArgumentException for an instrument the market does not list, or an order the broker would
     *                                  reject (the rejection's reason)
     */
    public synchronized long enterOrderInTws(Contract contract, Order order) {
        Instrument instrument = market.resolve(contract)
                .orElseThrow(() -> new IllegalArgumentException("no instrument " + contract.symbol() + " in the market"));
        String account = order.account().isEmpty() ? accounts.accountNames().get(0) : order.account();
        String rejection = validate(order, account);
        if (rejection != null) {
            throw new IllegalArgumentException(rejection);
        }
        long permId = nextPermId++;
        SimOrder o = new SimOrder(TWS_CLIENT_ID, 0, permId, instrument, order.toBuilder().account(account).build());
        orders.put("tws:" + permId, o);
        report(o);
        if (order.conditions().isEmpty()) {
            o.status = SimOrder.SUBMITTED;
            report(o);
            tryFill(o, market.current(o.instrument));
        }
        return permId;
    }

    /**
     * Refuses a placeOrder with error 103 as IB does for an id it considers used (fault injection): the message
     * is counted, the id is burnt, no order is created.
     */
    public synchronized void refuseAsDuplicateId(ClientConnection c, ClientMessage.PlaceOrder request) {
        if (!request.order().orderRef().isEmpty()) {
            placeOrderCountByOrderRef.merge(request.order().orderRef(), 1, Integer::sum);
        }
        highestOrderId.merge(c.clientId(), request.orderId(), Math::max);
        c.send(new ServerMessage.ErrorMessage((int) request.orderId(), DUPLICATE_ORDER_ID, "Duplicate order id"));
    }

    /** Error 201 with {@code reason} for an order that is counted but never created. */
    public synchronized void reject(ClientConnection c, ClientMessage.PlaceOrder request, String reason) {
        if (!request.order().orderRef().isEmpty()) {
            placeOrderCountByOrderRef.merge(request.order().orderRef(), 1, Integer::sum);
        }
        highestOrderId.merge(c.clientId(), request.orderId(), Math::max);
        c.send(new ServerMessage.ErrorMessage((int) request.orderId(), ORDER_REJECTED, "Order rejected - reason:" + reason));
    }

    private void modify(ClientConnection c, SimOrder o, Order changed) {
        String rejection = validate(changed, o.order.account());
        if (rejection != null) {
            c.send(new ServerMessage.ErrorMessage((int) o.orderId, ORDER_REJECTED, "Order rejected - reason:" + rejection));
            return;
        }
        o.order = changed.toBuilder().account(o.order.account()).clientId(o.clientId).permId(o.permId).build();
        report(o);
        tryFill(o, market.current(o.instrument));
    }

    private String validate(Order order, String account) {
        if (!accounts.exists(account)) {
            return "account " + account + " is not managed by this login";
        }
        if (!(order.action().equals("BUY") || order.action().equals("SELL"))) {
            return "action must be BUY or SELL";
        }
        if (order.totalQuantity() == null || order.totalQuantity().signum() <= 0) {
            return "The order size must be positive";
        }
        switch (order.orderType()) {
            case "MKT":
                return null;
            case "LMT":
                return order.lmtPrice() == null || order.lmtPrice() <= 0 ? "a limit order needs a limit price" : null;
            case "STP":
                return order.auxPrice() == null || order.auxPrice() <= 0 ? "a stop order needs a stop price" : null;
            case "STP LMT":
                return order.auxPrice() == null || order.lmtPrice() == null
                        ? "a stop-limit order needs a stop and a limit price" : null;
            default:
                return "order type " + order.orderType() + " is not supported by the simulator";
        }
    }

    public synchronized void cancelOrder(ClientConnection c, long orderId) {
        SimOrder o = orders.get(key(c.clientId(), orderId));
        if (o == null) {
            c.send(new ServerMessage.ErrorMessage((int) orderId, CANCEL_NOT_FOUND,
                    "OrderId " + orderId + " that needs to be cancelled is not found."));
            return;
        }
        if (!o.isOpen()) {
            c.send(new ServerMessage.ErrorMessage((int) orderId, CANCEL_NOT_POSSIBLE,
                    "OrderId " + orderId + " that needs to be cancelled cannot be cancelled, state: " + o.status + "."));
            return;
        }
        o.status = SimOrder.CANCELLED;
        o.completedTime = now().format(EXEC_TIME) + " America/New_York";
        o.completedStatus = "Cancelled by Trader";
        send(o.clientId, o.statusMessage());
        send(o.clientId, new ServerMessage.ErrorMessage((int) orderId, ORDER_CANCELED, "Order Canceled - reason:"));
    }

    /**
     * Cancels an order entered in TWS, as a trader would there: it ends Cancelled and is reported among the
     * completed orders from then on.
     *
     * @throws IllegalArgumentException when no open TWS order has that permId
     */
    public synchronized void cancelOrderInTws(long permId) {
        SimOrder o = orders.get("tws:" + permId);
        if (o == null || !o.isOpen()) {
            throw new IllegalArgumentException("no open order entered in TWS has permId " + permId);
        }
        o.status = SimOrder.CANCELLED;
        o.completedTime = now().format(EXEC_TIME) + " America/New_York";
        o.completedStatus = "Cancelled by Trader";
        send(o.clientId, o.statusMessage());
    }

    /**
     * Rejects a working order after IB accepted it, as an exchange or IB's risk checks do: error 201 with
     * {@code reason} under the order's id, then orderStatus and openOrder Inactive. The order is over and is
     * reported among the completed orders from then on.
     *
     * @throws IllegalArgumentException when no open order carries that orderRef
     */
    public synchronized void rejectWorkingOrder(String orderRef, String reason) {
        SimOrder o = orders.values().stream()
                .filter(x -> x.isOpen() && orderRef.equals(x.order.orderRef()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no open order has orderRef " + orderRef));
        o.status = SimOrder.INACTIVE;
        o.completedTime = now().format(EXEC_TIME) + " America/New_York";
        o.completedStatus = "Rejected: " + reason;
        send(o.clientId, new ServerMessage.ErrorMessage((int) o.orderId, ORDER_REJECTED,
                "Order rejected - reason:" + reason));
        send(o.clientId, o.statusMessage());
        send(o.clientId, o.openOrderMessage());
    }

    /** Called after every market update: resting orders the new prices reach are filled. */
    public synchronized void onQuote(QuoteState quote) {
        for (SimOrder o : orders.values()) {
            // Conditions are not evaluated: a conditional order waits for good.
            if (o.isOpen() && o.order.transmit() && o.order.conditions().isEmpty()
                    && o.instrument.equals(quote.instrument())) {
                tryFill(o, quote);
            }
        }
    }

    private void tryFill(SimOrder o, QuoteState q) {
        Double price = fillPrice(o, q);
        if (price == null) {
            return;
        }
        BigDecimal quantity = o.remaining();
        BigDecimal commission = quantity.multiply(COMMISSION_PER_SHARE).max(BigDecimal.valueOf(MIN_COMMISSION))
                .setScale(2, RoundingMode.HALF_UP);
        Accounts.Holding holding = accounts.book(o.order.account(), o.instrument, o.isBuy(), quantity, price,
                commission.doubleValue());
        market.trade(o.instrument, price, quantity);
        BigDecimal filledBefore = o.filled;
        o.filled = o.filled.add(quantity);
        o.avgFillPrice = filledBefore.signum() == 0 ? price
                : (filledBefore.doubleValue() * o.avgFillPrice + quantity.doubleValue() * price) / o.filled.doubleValue();
        o.lastFillPrice = price;
        o.status = SimOrder.FILLED;
        ZonedDateTime at = now();
        o.completedTime = at.format(EXEC_TIME) + " America/New_York";
        o.completedStatus = "Filled Size: " + o.filled.toPlainString();
        String execId = String.format(Locale.ROOT, "%08x.%08x.01.01", o.permId & 0xffffffffL, nextExecSeq++);
        Execution execution = new Execution(execId, at.format(EXEC_TIME) + " US/Eastern", o.order.account(),
                "ISLAND", o.isBuy() ? "BOT" : "SLD", quantity, price, o.permId, o.clientId, 0, o.filled,
                o.avgFillPrice, o.order.orderRef(), "", null, "", 2, false);
        ServerMessage.CommissionReport report = new ServerMessage.CommissionReport(execId,
                commission.doubleValue(), "USD", holding.realizedPnl == 0 ? null : holding.realizedPnl, null, 0);
        executions.add(new ExecutionRecord(o.clientId, o.orderId, o.contract, execution, report, at));
        send(o.clientId, new ServerMessage.ExecDetails(-1, o.orderId, o.contract, execution));
        send(o.clientId, report);
        report(o);
        publishHolding(holding);
    }

    /** The price a fill would happen at now, or null when the order does not trade at these prices. */
    private static Double fillPrice(SimOrder o, QuoteState q) {
        boolean buy = o.isBuy();
        double touch = buy ? q.ask() : q.bid();
        Order order = o.order;
        switch (order.orderType()) {
            case "MKT":
                return touch;
            case "LMT":
                return limitFill(buy, order.lmtPrice(), touch);
            case "STP":
                return stopTriggered(buy, order.auxPrice(), q.last()) ? touch : null;
            case "STP LMT":
                return stopTriggered(buy, order.auxPrice(), q.last()) ? limitFill(buy, order.lmtPrice(), touch) : null;
            default:
                return null;
        }
    }

    private static Double limitFill(boolean buy, double limit, double touch) {
        return (buy ? touch <= limit : touch >= limit) ? touch : null;
    }

    private static boolean stopTriggered(boolean buy, double stop, double last) {
        return buy ? last >= stop : last <= stop;
    }

    /** openOrder then orderStatus, as the Gateway reports every state change. */
    private void report(SimOrder o) {
        send(o.clientId, o.openOrderMessage());
        send(o.clientId, o.statusMessage());
    }

    public synchronized void sendOpenOrders(ClientConnection c, boolean allClients) {
        for (SimOrder o : orders.values()) {
            if (o.isOpen() && (allClients || o.clientId == c.clientId())) {
                c.send(o.openOrderMessage());
                c.send(o.statusMessage());
            }
        }
        c.send(new ServerMessage.OpenOrderEnd());
    }

    public synchronized void sendCompletedOrders(ClientConnection c) {
        for (SimOrder o : orders.values()) {
            if (!o.isOpen()) {
                c.send(o.completedMessage());
            }
        }
        c.send(new ServerMessage.CompletedOrdersEnd());
    }

    /**
     * Executions matching the filter, of every client (the simulator does not model IB's master-client rule),
     * each followed by its commission report.
     */
    public synchronized void sendExecutions(ClientConnection c, int reqId, ExecutionFilter filter) {
        ZonedDateTime after = parseFilterTime(filter.time());
        for (ExecutionRecord e : executions) {
            if (matches(e, filter, after)) {
                c.send(new ServerMessage.ExecDetails(reqId, e.orderId(), e.contract(), e.execution()));
                c.send(e.commission());
            }
        }
        c.send(new ServerMessage.ExecDetailsEnd(reqId));
    }

    private static boolean matches(ExecutionRecord e, ExecutionFilter f, ZonedDateTime after) {
        Execution x = e.execution();
        String side = f.side().equalsIgnoreCase("BUY") ? "BOT" : f.side().equalsIgnoreCase("SELL") ? "SLD" : f.side();
        return (f.clientId() == null || f.clientId() == e.clientId())
                && (f.accountCode().isEmpty() || f.accountCode().equals(x.account()))
                && (f.symbol().isEmpty() || f.symbol().equalsIgnoreCase(e.contract().symbol()))
                && (f.secType().isEmpty() || f.secType().equalsIgnoreCase(e.contract().secType()))
                && (side.isEmpty() || side.equalsIgnoreCase(x.side()))
                && (after == null || e.at().isAfter(after));
    }

    private static ZonedDateTime parseFilterTime(String text) {
        if (text.isBlank()) {
            return null;
        }
        String t = text.trim();
        for (DateTimeFormatter f : List.of(FILTER_TIME_DASH, EXEC_TIME)) {
            try {
                return LocalDateTime.parse(t.length() > 17 ? t.substring(0, 17) : t, f).atZone(EXCHANGE_ZONE);
            } catch (DateTimeParseException e) {
                // try the next spelling
            }
        }
        return null;
    }

    // ---- accounts and positions -----------------------------------------------------------------------------

    public synchronized void sendAccountSummary(ClientConnection c, int reqId, String tags) {
        List<String> wanted = tags.isBlank() ? Accounts.SUMMARY_TAGS
                : List.of(tags.split(",")).stream().map(String::trim).toList();
        for (String account : accounts.accountNames()) {
            Map<String, String[]> values = accounts.summary(account, this::price);
            for (String tag : wanted) {
                String[] v = values.get(tag);
                if (v != null) {
                    c.send(new ServerMessage.AccountSummary(reqId, account, tag, v[0], v[1]));
                } else if (ledgerCovers(tag)) {
                    accounts.ledger(account, this::price).forEach((ledgerTag, value) -> c.send(
                            new ServerMessage.AccountSummary(reqId, account, ledgerTag, value, Accounts.CURRENCY)));
                }
            }
        }
        c.send(new ServerMessage.AccountSummaryEnd(reqId));
    }

    /**
     * Whether a tag-list entry asks for the ledger of the simulator's one currency: {@code $LEDGER} (the base
     * currency), {@code $LEDGER:ALL} (every currency) or {@code $LEDGER:USD}. Another currency has no rows.
     */
    private static boolean ledgerCovers(String entry) {
        String e = entry.toUpperCase(Locale.ROOT);
        return e.equals("$LEDGER") || e.equals("$LEDGER:ALL") || e.equals("$LEDGER:" + Accounts.CURRENCY);
    }

    public synchronized void accountUpdates(ClientConnection c, boolean subscribe, String requested) {
        if (!subscribe) {
            accountSubscribers.remove(c);
            return;
        }
        String account = requested.isEmpty() ? accounts.accountNames().get(0) : requested;
        if (!accounts.exists(account)) {
            c.send(new ServerMessage.ErrorMessage(-1, 321, "Error validating request: unknown account " + account));
            return;
        }
        accountSubscribers.put(c, account);
        c.send(new ServerMessage.AccountValue("AccountCode", account, "", account));
        for (Map.Entry<String, String[]> e : accounts.summary(account, this::price).entrySet()) {
            c.send(new ServerMessage.AccountValue(e.getKey(), e.getValue()[0], e.getValue()[1], account));
        }
        for (Accounts.Holding h : accounts.holdings(account)) {
            c.send(portfolioValue(h));
        }
        c.send(new ServerMessage.AccountUpdateTime(now().format(DateTimeFormatter.ofPattern("HH:mm"))));
        c.send(new ServerMessage.AccountDownloadEnd(account));
    }

    /**
     * reqAccountUpdatesMulti: every value of the account (of every account for "" or "All") as accountUpdateMulti,
     * then accountUpdateMultiEnd, then updates after fills until the cancel. The simulator has no model
     * portfolios, so a model code is refused, as is an account it does not manage; both with 321 under the
     * request's id, and no End.
     */
    public synchronized void accountUpdatesMulti(ClientConnection c, ClientMessage.ReqAccountUpdatesMulti request) {
        int reqId = request.reqId();
        String requested = request.account();
        if (!request.modelCode().isEmpty()) {
            c.send(new ServerMessage.ErrorMessage(reqId, 321,
                    "Error validating request: model portfolios are not modelled: " + request.modelCode()));
            return;
        }
        List<String> covered = requested.isEmpty() || requested.equalsIgnoreCase("All") ? accounts.accountNames()
                : accounts.exists(requested) ? List.of(requested) : List.of();
        if (covered.isEmpty()) {
            c.send(new ServerMessage.ErrorMessage(reqId, 321, "Error validating request: unknown account " + requested));
            return;
        }
        AccountMultiSubscription s = new AccountMultiSubscription(reqId, covered, "", request.ledgerAndNlv());
        accountMultiSubscribers.computeIfAbsent(c, k -> new ConcurrentHashMap<>()).put(reqId, s);
        for (String account : covered) {
            if (s.wants("AccountCode")) {
                c.send(new ServerMessage.AccountUpdateMulti(reqId, account, s.modelCode(), "AccountCode", account, ""));
            }
            for (Map.Entry<String, String[]> e : accounts.summary(account, this::price).entrySet()) {
                if (s.wants(e.getKey())) {
                    c.send(new ServerMessage.AccountUpdateMulti(reqId, account, s.modelCode(), e.getKey(),
                            e.getValue()[0], e.getValue()[1]));
                }
            }
        }
        c.send(new ServerMessage.AccountUpdateMultiEnd(reqId));
    }

    /** cancelAccountUpdatesMulti: the updates stop; nothing is sent in answer. */
    public void cancelAccountUpdatesMulti(ClientConnection c, int reqId) {
        Map<Integer, AccountMultiSubscription> mine = accountMultiSubscribers.get(c);
        if (mine != null) {
            mine.remove(reqId);
        }
    }

    public synchronized void positions(ClientConnection c) {
        positionSubscribers.add(c);
        for (Accounts.Holding h : accounts.holdings()) {
            c.send(position(h));
        }
        c.send(new ServerMessage.PositionEnd());
    }

    public void cancelPositions(ClientConnection c) {
        positionSubscribers.remove(c);
    }

    private void publishHolding(Accounts.Holding h) {
        for (ClientConnection c : positionSubscribers) {
            c.send(position(h));
        }
        accountSubscribers.forEach((c, account) -> {
            if (account.equals(h.account)) {
                c.send(portfolioValue(h));
                Map<String, String[]> values = accounts.summary(account, this::price);
                for (String tag : List.of("NetLiquidation", "TotalCashValue", "GrossPositionValue")) {
                    c.send(new ServerMessage.AccountValue(tag, values.get(tag)[0], values.get(tag)[1], account));
                }
            }
        });
        accountMultiSubscribers.forEach((c, subscriptions) -> subscriptions.values().forEach(s -> {
            if (s.covers(h.account)) {
                Map<String, String[]> values = accounts.summary(h.account, this::price);
                for (String tag : List.of("NetLiquidation", "TotalCashValue", "GrossPositionValue")) {
                    if (s.wants(tag)) {
                        c.send(new ServerMessage.AccountUpdateMulti(s.reqId(), h.account, s.modelCode(), tag,
                                values.get(tag)[0], values.get(tag)[1]));
                    }
                }
            }
        }));
    }

    private ServerMessage.Position position(Accounts.Holding h) {
        return new ServerMessage.Position(h.account, h.instrument.contract("NASDAQ"), h.quantity, h.averageCost);
    }

    private ServerMessage.PortfolioValue portfolioValue(Accounts.Holding h) {
        double price = price(h.instrument);
        double value = h.quantity.doubleValue() * price;
        Contract c = h.instrument.contract("");
        Contract withPrimary = new Contract(c.conId(), c.symbol(), c.secType(), "", null, "", "", "",
                h.instrument.primaryExchange(), c.currency(), c.localSymbol(), c.tradingClass());
        return new ServerMessage.PortfolioValue(withPrimary, h.quantity, price, round2(value), h.averageCost,
                round2(value - h.quantity.doubleValue() * h.averageCost), round2(h.realizedPnl), h.account);
    }

    private double price(Instrument instrument) {
        return market.current(instrument).last();
    }

    /** To the order's client, and to the master client as TWS does. */
    private void send(int clientId, ServerMessage message) {
        clients.activeClient(clientId).ifPresent(c -> c.send(message));
        if (masterClientId >= 0 && masterClientId != clientId) {
            clients.activeClient(masterClientId).ifPresent(c -> c.send(message));
        }
    }

    private ZonedDateTime now() {
        return ZonedDateTime.now(clock).withZoneSameInstant(EXCHANGE_ZONE);
    }

    private static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    private static String key(int clientId, long orderId) {
        return clientId + ":" + orderId;
    }
}
