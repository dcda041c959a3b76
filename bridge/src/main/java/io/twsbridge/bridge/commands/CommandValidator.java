package io.twsbridge.bridge.commands;

import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.UnsubscribeQuotes;
import io.twsbridge.schema.catalogue.ReasonCodes;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a decoded command before anything reaches the Gateway. Every problem found is named in the rejection
 * message, so a sender fixes them all at once.
 */
public final class CommandValidator {

    /** Security types IB's API knows. */
    private static final Set<String> SEC_TYPES = Set.of("STK", "OPT", "FUT", "FOP", "CASH", "CRYPTO", "IND", "BOND",
            "CFD", "WAR", "CMDTY", "FUND", "IOPT", "BAG", "NEWS");
    private static final int MAX_TEXT = 64;
    private static final int MAX_COMMAND_ID = 200;
    /** Larger than any real order; beyond it a quantity is a typo or an attack. */
    private static final BigDecimal MAX_QUANTITY = new BigDecimal("1000000000");
    private static final double MAX_PRICE = 1e9;

    /** The problems of {@code command}, or empty when it may be executed. */
    public Optional<Rejection> validate(Command command) {
        List<String> problems = new ArrayList<>();
        String id = command.getCommandId();
        if (id == null || id.isBlank()) {
            problems.add("commandId must not be empty");
        } else if (id.length() > MAX_COMMAND_ID) {
            problems.add("commandId must be at most " + MAX_COMMAND_ID + " characters but has " + id.length());
        }
        if (command.getAccount() != null && !validText(command.getAccount())) {
            problems.add("account must be 1.." + MAX_TEXT + " printable characters");
        }
        if (command.getExpiresAt() != null && command.getIssuedAt() != null
                && command.getExpiresAt().isBefore(command.getIssuedAt())) {
            problems.add("expiresAt " + command.getExpiresAt() + " is before issuedAt " + command.getIssuedAt());
        }
        Object payload = command.getPayload();
        if (payload instanceof SubscribeQuotes s) {
            instrument(s.getInstrument(), problems);
        } else if (payload instanceof UnsubscribeQuotes u) {
            instrument(u.getInstrument(), problems);
        } else if (payload instanceof PlaceOrder p) {
            placeOrder(p, problems);
        } else if (payload instanceof CancelOrder c) {
            if (c.getTargetCommandId() == null && c.getOrderId() == null) {
                problems.add("CancelOrder needs targetCommandId or orderId");
            }
        } else if (payload instanceof ModifyOrder m) {
            modifyOrder(m, problems);
        } else if (payload == null) {
            return Optional.of(new Rejection(ReasonCodes.UNSUPPORTED_COMMAND, "the command has no payload"));
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Rejection(ReasonCodes.VALIDATION_FAILED, String.join("; ", problems)));
    }

    private static void placeOrder(PlaceOrder p, List<String> problems) {
        instrument(p.getInstrument(), problems);
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
        if (m.getTargetCommandId() == null && m.getOrderId() == null) {
            problems.add("ModifyOrder needs targetCommandId or orderId");
        }
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

    private static void instrument(Instrument i, List<String> problems) {
        if (i == null) {
            problems.add("instrument is missing");
            return;
        }
        if (!validText(i.getSymbol())) {
            problems.add("instrument.symbol must be 1.." + MAX_TEXT + " printable characters");
        }
        if (i.getSecType() == null || !SEC_TYPES.contains(i.getSecType())) {
            problems.add("instrument.secType must be one of " + new java.util.TreeSet<>(SEC_TYPES) + " but was '"
                    + abbreviate(i.getSecType()) + "'");
        }
        if (!validText(i.getExchange())) {
            problems.add("instrument.exchange must be 1.." + MAX_TEXT + " printable characters");
        }
        if (i.getCurrency() == null || !i.getCurrency().matches("[A-Z]{3}")) {
            problems.add("instrument.currency must be a three-letter code but was '" + abbreviate(i.getCurrency()) + "'");
        }
        if (i.getStrike() != null && !(Double.isFinite(i.getStrike()) && i.getStrike() >= 0 && i.getStrike() < MAX_PRICE)) {
            problems.add("instrument.strike must be a finite non-negative price but was " + i.getStrike());
        }
        if (i.getConId() != null && (i.getConId() <= 0 || i.getConId() > Integer.MAX_VALUE)) {
            problems.add("instrument.conId must be a positive IB contract id but was " + i.getConId());
        }
    }

    private static void quantity(BigDecimal q, String field, List<String> problems) {
        if (q == null || q.signum() <= 0) {
            problems.add(field + " must be positive but was " + q);
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

    private static boolean validText(String s) {
        return s != null && !s.isBlank() && s.length() <= MAX_TEXT && s.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 20 ? s.substring(0, 20) + "..." : s;
    }
}
