package io.twsbridge.schema.catalogue;

import io.twsbridge.schema.AccountValue;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.ContractDetails;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.Position;
import io.twsbridge.schema.Quote;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the record key of each topic, a plain string serialized as UTF-8. Keys decide partitions
 * and, on compacted topics, which records replace each other; the bridge never reads meaning out of
 * a key, the value is always authoritative.
 */
public final class RecordKeys {

    /** Key of commands that name no account. */
    public static final String NO_ACCOUNT_KEY = "_default";

    /** Separator between the parts of a composite key. */
    public static final String SEPARATOR = "|";

    /** Prefix of an order key built from IB's permId, for orders without orderRef. */
    public static final String PERM_ID_PREFIX = "perm:";

    /** Prefix of an order key built from clientId and orderId, for orders without orderRef or permId. */
    public static final String ORDER_ID_PREFIX = "order:";

    private RecordKeys() {}

    /** {@code ib.commands}: the account, so one account's commands stay in order; {@link #NO_ACCOUNT_KEY} without one. */
    public static String command(Command command) {
        return commandKey(command.getAccount());
    }

    /** {@code ib.commands} key for a command acting on {@code account} (null for none). */
    public static String commandKey(String account) {
        return isBlank(account) ? NO_ACCOUNT_KEY : account;
    }

    /** {@code ib.command-results}: the commandId, so all results of a command stay in order. */
    public static String commandResult(CommandResult result) {
        return result.getCommandId();
    }

    /** {@code ib.accounts}: {@code account|key|currency}, the currency part empty when null. */
    public static String accountValue(AccountValue value) {
        return accountValueKey(value.getAccount(), value.getKey(), value.getCurrency());
    }

    /** {@code ib.accounts} key from its parts; {@code currency} may be null. */
    public static String accountValueKey(String account, String key, String currency) {
        return String.join(SEPARATOR, account, key, nullToEmpty(currency));
    }

    /** {@code ib.positions}: {@code account|<instrument key>}, which is {@code account|conId} as IB always gives the conId. */
    public static String position(Position position) {
        return position.getAccount() + SEPARATOR + instrument(position.getInstrument());
    }

    /**
     * {@code ib.orders}: the orderRef (the placing command's commandId for orders placed through the
     * bridge); else {@code perm:<permId>}; else {@code order:<clientId>:<orderId>}.
     */
    public static String order(OrderUpdate update) {
        return orderKey(update.getOrderRef(), update.getPermId(), update.getClientId(), update.getOrderId());
    }

    /** {@code ib.orders} key from its parts; {@code orderRef} and {@code permId} may be null. */
    public static String orderKey(String orderRef, Long permId, int clientId, long orderId) {
        if (!isBlank(orderRef)) {
            return orderRef;
        }
        if (permId != null && permId != 0L) {
            return PERM_ID_PREFIX + permId;
        }
        return ORDER_ID_PREFIX + clientId + ":" + orderId;
    }

    /** {@code ib.fills}: the execId. */
    public static String fill(Fill fill) {
        return fill.getExecId();
    }

    /** {@code ib.quotes}: the instrument key of the quoted instrument. */
    public static String quote(Quote quote) {
        return instrument(quote.getInstrument());
    }

    /** {@code ib.status}: the bridgeId. */
    public static String status(GatewayStatus status) {
        return status.getBridgeId();
    }

    /** {@code ib.contracts}: the conId in decimal, the same form as the instrument key of a resolved instrument. */
    public static String contractDetails(ContractDetails details) {
        return Long.toString(details.getConId());
    }

    /**
     * {@code ib.bars}: the instrument key of the bar's instrument, for historical and real-time bars alike, so that
     * every bar of an instrument is on one partition, in the order published.
     */
    public static String bar(Bar bar) {
        return instrument(bar.getInstrument());
    }

    /**
     * Key of an instrument: its conId in decimal when known. Otherwise
     * {@code symbol|secType|exchange|currency}, followed, when any of them is set, by
     * {@code |lastTradeDateOrContractMonth|strike|right|multiplier} with unset parts empty and the
     * strike without trailing zeros (190.0 is {@code 190}).
     */
    public static String instrument(Instrument instrument) {
        Objects.requireNonNull(instrument, "instrument");
        if (instrument.getConId() != null) {
            return Long.toString(instrument.getConId());
        }
        List<String> parts = new ArrayList<>(8);
        parts.add(instrument.getSymbol());
        parts.add(instrument.getSecType());
        parts.add(instrument.getExchange());
        parts.add(instrument.getCurrency());
        String expiry = instrument.getLastTradeDateOrContractMonth();
        Double strike = instrument.getStrike();
        String right = instrument.getRight();
        String multiplier = instrument.getMultiplier();
        if (expiry != null || strike != null || right != null || multiplier != null) {
            parts.add(nullToEmpty(expiry));
            parts.add(strike == null ? "" : BigDecimal.valueOf(strike).stripTrailingZeros().toPlainString());
            parts.add(nullToEmpty(right));
            parts.add(nullToEmpty(multiplier));
        }
        return String.join(SEPARATOR, parts);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
