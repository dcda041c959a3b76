package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.history.BarRequestRules;
import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.ResolveContract;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.UnsubscribeBars;
import io.twsbridge.schema.UnsubscribeQuotes;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.ReasonCodes;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks a decoded command before anything reaches the Gateway. Every problem found is named in the rejection
 * message, so a sender fixes them all at once.
 *
 * <p>Every text that can reach the Gateway is bounded and free of control characters: the TWS protocol ends each
 * field with a NUL, so a NUL inside a symbol, a localSymbol or a commandId (the order's orderRef) would split one
 * field into two and shift every field after it, an order the guardrails never saw. Values are repeated in the
 * message only abbreviated and escaped ({@link Printable}).
 */
public final class CommandValidator {

    /** Security types IB's API knows. */
    static final Set<String> SEC_TYPES = Set.of("STK", "OPT", "FUT", "FOP", "CASH", "CRYPTO", "IND", "BOND",
            "CFD", "WAR", "CMDTY", "FUND", "IOPT", "BAG", "NEWS");
    private static final Set<String> RIGHTS = Set.of("C", "P", "CALL", "PUT");
    private static final Pattern MULTIPLIER = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,6})?");
    private static final Pattern EXPIRY = Pattern.compile("[0-9]{6}|[0-9]{8}");
    private static final DateTimeFormatter EXPIRY_DAY = DateTimeFormatter.ofPattern("uuuuMMdd")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter EXPIRY_MONTH = DateTimeFormatter.ofPattern("uuuuMM")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final int MAX_TEXT = 64;
    private static final int MAX_COMMAND_ID = 200;
    private static final int MAX_ISSUED_BY = 200;
    /** How much of a bad value a message repeats. */
    private static final int SHOWN = 20;
    /** Larger than any real order; beyond it a quantity is a typo or an attack. */
    private static final BigDecimal MAX_QUANTITY = new BigDecimal("1000000000");
    /** Decimal(38,10) holds at most 38 digits, 127 bits; a longer value is not printed, only refused. */
    private static final int MAX_QUANTITY_BITS = 127;
    private static final double MAX_PRICE = 1e9;
    /** The kinds IB gives real-time bars of (reqRealTimeBars refuses any other with error 420). */
    private static final Set<WhatToShow> REAL_TIME_BAR_KINDS = EnumSet.of(WhatToShow.TRADES, WhatToShow.MIDPOINT,
            WhatToShow.BID, WhatToShow.ASK);

    private final Clock clock;

    /** A validator on the system clock (the command line's check before sending). */
    public CommandValidator() {
        this(Clock.systemUTC());
    }

    /** @param clock tells which contract expiries are in the past */
    public CommandValidator(Clock clock) {
        this.clock = clock;
    }

    /** The problems of {@code command}, or empty when it may be executed. */
    public Optional<Rejection> validate(Command command) {
        List<String> problems = new ArrayList<>();
        commandId(command.getCommandId(), "commandId", problems);
        if (command.getAccount() != null && !validText(command.getAccount())) {
            problems.add("account must be 1.." + MAX_TEXT + " printable characters but was '" + shown(command.getAccount())
                    + "'");
        }
        String issuedBy = command.getIssuedBy();
        if (issuedBy != null && (issuedBy.length() > MAX_ISSUED_BY || Printable.hasControlCharacter(issuedBy))) {
            problems.add("issuedBy must be at most " + MAX_ISSUED_BY + " characters without control characters");
        }
        if (command.getExpiresAt() != null && command.getIssuedAt() != null
                && command.getExpiresAt().isBefore(command.getIssuedAt())) {
            problems.add("expiresAt " + command.getExpiresAt() + " is before issuedAt " + command.getIssuedAt());
        }
        Object payload = command.getPayload();
        if (payload instanceof SubscribeQuotes s) {
            instrument(s.getInstrument(), true, problems);
        } else if (payload instanceof UnsubscribeQuotes u) {
            // An instrument that expired since it was subscribed must still be unsubscribable.
            instrument(u.getInstrument(), false, problems);
        } else if (payload instanceof SubscribeBars s) {
            instrument(s.getInstrument(), true, problems);
            realTimeBarKind(s.getWhatToShow(), problems);
        } else if (payload instanceof UnsubscribeBars u) {
            instrument(u.getInstrument(), false, problems);
            realTimeBarKind(u.getWhatToShow(), problems);
        } else if (payload instanceof PlaceOrder p) {
            placeOrder(p, problems);
        } else if (payload instanceof CancelOrder c) {
            target("CancelOrder", c.getTargetCommandId(), c.getOrderId(), problems);
        } else if (payload instanceof ModifyOrder m) {
            modifyOrder(m, problems);
        } else if (payload instanceof RequestExecutions r) {
            executionFilter(r, problems);
        } else if (payload instanceof ResolveContract r) {
            resolveContract(r, problems);
        } else if (payload instanceof RequestHistoricalBars h) {
            // History of an expired contract is still history: its expiry may be in the past.
            instrument(h.getInstrument(), false, problems);
            BarRequestRules.problem(h.getDuration(), h.getBarSize(), h.getWhatToShow()).ifPresent(problems::add);
        } else if (payload == null) {
            return Optional.of(new Rejection(ReasonCodes.UNSUPPORTED_COMMAND, "the command has no payload"));
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Rejection(ReasonCodes.VALIDATION_FAILED, String.join("; ", problems)));
    }

    private void placeOrder(PlaceOrder p, List<String> problems) {
        instrument(p.getInstrument(), true, problems);
        if (p.getAction() == null || p.getAction() == OrderAction.UNKNOWN) {
            problems.add("action must be BUY or SELL");
        }
        quantity(p.getQuantity(), "quantity", problems);
        OrderType type = p.getOrderType();
        if (type == null || type == OrderType.UNKNOWN) {
            problems.add("orderType must be MKT, LMT, STP or STP_LMT");
        } else {
            boolean needsLimit = type == OrderType.LMT || type == OrderType.STP_LMT;
            boolean needsStop = type == OrderType.STP || type == OrderType.STP_LMT;
            price(p.getLimitPrice(), "limitPrice", needsLimit, problems);
            price(p.getStopPrice(), "stopPrice", needsStop, problems);
            if (!needsLimit && p.getLimitPrice() != null) {
                problems.add("limitPrice is only for LMT and STP_LMT orders");
            }
            if (!needsStop && p.getStopPrice() != null) {
                problems.add("stopPrice is only for STP and STP_LMT orders");
            }
        }
        if (p.getTimeInForce() == null || p.getTimeInForce() == TimeInForce.UNKNOWN) {
            problems.add("timeInForce must be DAY, GTC, IOC or OPG");
        }
    }

    private static void modifyOrder(ModifyOrder m, List<String> problems) {
        target("ModifyOrder", m.getTargetCommandId(), m.getOrderId(), problems);
        if (m.getQuantity() == null && m.getLimitPrice() == null && m.getStopPrice() == null
                && m.getTimeInForce() == null && m.getOutsideRth() == null) {
            problems.add("ModifyOrder changes nothing");
        }
        if (m.getQuantity() != null) {
            quantity(m.getQuantity(), "quantity", problems);
        }
        price(m.getLimitPrice(), "limitPrice", false, problems);
        price(m.getStopPrice(), "stopPrice", false, problems);
        if (m.getTimeInForce() == TimeInForce.UNKNOWN) {
            problems.add("timeInForce must be DAY, GTC, IOC or OPG");
        }
    }

    /** One of the kinds IB streams real-time bars of; UNKNOWN (a kind this bridge's schema does not know) is none. */
    private static void realTimeBarKind(WhatToShow whatToShow, List<String> problems) {
        if (whatToShow == null || !REAL_TIME_BAR_KINDS.contains(whatToShow)) {
            problems.add("whatToShow must be one of " + REAL_TIME_BAR_KINDS + " for real-time bars but was "
                    + whatToShow);
        }
    }

    /** Exactly one of the two names an order, as the contract says; IB order ids are positive 32-bit numbers. */
    private static void target(String what, String targetCommandId, Long orderId, List<String> problems) {
        if ((targetCommandId == null) == (orderId == null)) {
            problems.add(what + " needs exactly one of targetCommandId and orderId");
        }
        if (targetCommandId != null) {
            commandId(targetCommandId, "targetCommandId", problems);
        }
        if (orderId != null && (orderId <= 0 || orderId > Integer.MAX_VALUE)) {
            problems.add("orderId must be a positive IB order id (at most " + Integer.MAX_VALUE + ") but was " + orderId);
        }
    }

    private static void executionFilter(RequestExecutions r, List<String> problems) {
        optionalText(r.getSymbol(), "symbol", problems);
        optionalText(r.getSecType(), "secType", problems);
        optionalText(r.getExchange(), "exchange", problems);
        if (r.getSide() == OrderAction.UNKNOWN) {
            problems.add("side must be BUY, SELL or null");
        }
    }

    /** A description of at least one field IB can search by; every field given is well formed. */
    private static void resolveContract(ResolveContract r, List<String> problems) {
        if (!present(r.getSymbol()) && r.getConId() == null && !present(r.getLocalSymbol())) {
            problems.add("ResolveContract needs a symbol, a localSymbol or a conId");
        }
        optionalText(r.getSymbol(), "symbol", problems);
        if (present(r.getSecType()) && !SEC_TYPES.contains(r.getSecType())) {
            problems.add("secType must be one of " + new TreeSet<>(SEC_TYPES) + " but was '" + shown(r.getSecType())
                    + "'");
        }
        optionalText(r.getExchange(), "exchange", problems);
        optionalText(r.getPrimaryExchange(), "primaryExchange", problems);
        if (present(r.getCurrency()) && !r.getCurrency().matches("[A-Z]{3}")) {
            problems.add("currency must be a three-letter code but was '" + shown(r.getCurrency()) + "'");
        }
        if (r.getConId() != null && (r.getConId() <= 0 || r.getConId() > Integer.MAX_VALUE)) {
            problems.add("conId must be a positive IB contract id but was " + r.getConId());
        }
        if (present(r.getLastTradeDateOrContractMonth()) && !EXPIRY.matcher(r.getLastTradeDateOrContractMonth()).matches()) {
            problems.add("lastTradeDateOrContractMonth must be YYYYMMDD or YYYYMM but was '"
                    + shown(r.getLastTradeDateOrContractMonth()) + "'");
        }
        if (r.getStrike() != null && !(Double.isFinite(r.getStrike()) && r.getStrike() >= 0 && r.getStrike() < MAX_PRICE)) {
            problems.add("strike must be a finite non-negative price but was " + r.getStrike());
        }
        if (present(r.getRight()) && !RIGHTS.contains(r.getRight())) {
            problems.add("right must be C, P, CALL or PUT but was '" + shown(r.getRight()) + "'");
        }
        if (present(r.getMultiplier()) && !MULTIPLIER.matcher(r.getMultiplier()).matches()) {
            problems.add("multiplier must be a positive number but was '" + shown(r.getMultiplier()) + "'");
        }
        optionalText(r.getLocalSymbol(), "localSymbol", problems);
        optionalText(r.getTradingClass(), "tradingClass", problems);
    }

    /**
     * An instrument is described in full (symbol, secType, exchange, currency) or by its conId, which identifies
     * a contract on its own: symbol, secType and currency may then be empty, and the bridge fills them in from IB.
     */
    private void instrument(Instrument i, boolean mustBeTradable, List<String> problems) {
        if (i == null) {
            problems.add("instrument is missing");
            return;
        }
        boolean byConId = i.getConId() != null;
        if (!(byConId && isEmpty(i.getSymbol())) && !validText(i.getSymbol())) {
            problems.add("instrument.symbol must be 1.." + MAX_TEXT + " printable characters but was '"
                    + shown(i.getSymbol()) + "'" + (byConId ? "" : " (or give the conId alone)"));
        }
        if (!(byConId && isEmpty(i.getSecType())) && (i.getSecType() == null || !SEC_TYPES.contains(i.getSecType()))) {
            problems.add("instrument.secType must be one of " + new TreeSet<>(SEC_TYPES) + " but was '"
                    + shown(i.getSecType()) + "'");
        }
        if (!validText(i.getExchange())) {
            problems.add("instrument.exchange must be 1.." + MAX_TEXT + " printable characters but was '"
                    + shown(i.getExchange()) + "'");
        }
        if (!(byConId && isEmpty(i.getCurrency())) && (i.getCurrency() == null || !i.getCurrency().matches("[A-Z]{3}"))) {
            problems.add("instrument.currency must be a three-letter code but was '" + shown(i.getCurrency()) + "'");
        }
        optionalText(i.getPrimaryExchange(), "instrument.primaryExchange", problems);
        optionalText(i.getLocalSymbol(), "instrument.localSymbol", problems);
        optionalText(i.getTradingClass(), "instrument.tradingClass", problems);
        if (present(i.getRight()) && !RIGHTS.contains(i.getRight())) {
            problems.add("instrument.right must be C, P, CALL or PUT but was '" + shown(i.getRight()) + "'");
        }
        if (present(i.getMultiplier()) && !MULTIPLIER.matcher(i.getMultiplier()).matches()) {
            problems.add("instrument.multiplier must be a positive number but was '" + shown(i.getMultiplier()) + "'");
        }
        expiry(i.getLastTradeDateOrContractMonth(), mustBeTradable, problems);
        if (i.getStrike() != null && !(Double.isFinite(i.getStrike()) && i.getStrike() >= 0 && i.getStrike() < MAX_PRICE)) {
            problems.add("instrument.strike must be a finite non-negative price but was " + i.getStrike());
        }
        if (i.getConId() != null && (i.getConId() <= 0 || i.getConId() > Integer.MAX_VALUE)) {
            problems.add("instrument.conId must be a positive IB contract id but was " + i.getConId());
        }
    }

    /**
     * YYYYMMDD or YYYYMM, as IB writes it. For a contract that is to be traded or streamed, not in the past: a day
     * before yesterday (UTC) or a month before yesterday's has ended in every time zone, so IB can only refuse it.
     */
    private void expiry(String expiry, boolean mustNotBePast, List<String> problems) {
        if (!present(expiry)) {
            return;
        }
        String field = "instrument.lastTradeDateOrContractMonth";
        if (!EXPIRY.matcher(expiry).matches()) {
            problems.add(field + " must be YYYYMMDD or YYYYMM but was '" + shown(expiry) + "'");
            return;
        }
        LocalDate yesterday = LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(1);
        try {
            boolean past = expiry.length() == 8 ? LocalDate.parse(expiry, EXPIRY_DAY).isBefore(yesterday)
                    : YearMonth.parse(expiry, EXPIRY_MONTH).isBefore(YearMonth.from(yesterday));
            if (past && mustNotBePast) {
                problems.add(field + " " + expiry + " is in the past: the contract has expired");
            }
        } catch (DateTimeParseException e) {
            problems.add(field + " " + expiry + " is not a calendar date or month");
        }
    }

    private static void commandId(String id, String field, List<String> problems) {
        if (id == null || id.isBlank()) {
            problems.add(field + " must not be empty");
        } else if (id.length() > MAX_COMMAND_ID) {
            problems.add(field + " must be at most " + MAX_COMMAND_ID + " characters but has " + id.length());
        } else if (Printable.hasControlCharacter(id)) {
            // The commandId is the order's orderRef on the wire.
            problems.add(field + " must not contain control characters but was '" + shown(id) + "'");
        }
    }

    private static void quantity(BigDecimal q, String field, List<String> problems) {
        if (q == null) {
            problems.add(field + " is missing");
        } else if (q.unscaledValue().bitLength() > MAX_QUANTITY_BITS) {
            // Printing a number of a million digits would take seconds and make a message of megabytes.
            problems.add(field + " has more than the 38 digits of Decimal(38,10)");
        } else if (q.signum() <= 0) {
            problems.add(field + " must be positive but was " + q.toPlainString());
        } else if (q.compareTo(MAX_QUANTITY) > 0) {
            problems.add(field + " must be at most " + MAX_QUANTITY.toPlainString() + " but was " + q.toPlainString());
        }
    }

    private static void price(Double price, String field, boolean required, List<String> problems) {
        if (price == null) {
            if (required) {
                problems.add(field + " is required for this order type");
            }
            return;
        }
        if (!Double.isFinite(price) || price <= 0 || price >= MAX_PRICE) {
            problems.add(field + " must be a finite positive price below " + (long) MAX_PRICE + " but was " + price);
        }
    }

    /** An optional text field: null and "" mean unset (the same on the wire), anything else must be valid text. */
    private static void optionalText(String s, String field, List<String> problems) {
        if (present(s) && !validText(s)) {
            problems.add(field + " must be at most " + MAX_TEXT + " printable characters but was '" + shown(s) + "'");
        }
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static boolean present(String s) {
        return s != null && !s.isEmpty();
    }

    private static boolean validText(String s) {
        return s != null && !s.isBlank() && s.length() <= MAX_TEXT && s.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
    }

    private static String shown(String s) {
        return Printable.of(s, SHOWN);
    }
}
