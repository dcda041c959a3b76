package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.Contract;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.support.Decimals;

import java.math.BigDecimal;

/**
 * Turns the protocol's values into the contracts' values. The protocol spells "unset" as "" for text and, in
 * primitive doubles, as {@link Double#MAX_VALUE}; the contracts spell it null. Every decimal leaves here at scale
 * exactly {@value Decimals#SCALE}: Avro takes the scale from the schema, so any other scale would be rejected or,
 * with older readers, read as a different number.
 */
final class Values {

    private Values() {
    }

    /** The contracts' instrument of a protocol contract; conId 0 (unknown) becomes null. */
    static Instrument instrument(Contract c) {
        return Instrument.newBuilder()
                .setSymbol(c.symbol())
                .setSecType(c.secType())
                .setExchange(c.exchange())
                .setCurrency(c.currency())
                .setPrimaryExchange(textOrNull(c.primaryExchange()))
                .setConId(c.conId() == 0 ? null : (long) c.conId())
                .setLastTradeDateOrContractMonth(textOrNull(c.lastTradeDateOrContractMonth()))
                // No listed contract strikes at 0; IB sends 0 for instruments without a strike.
                .setStrike(c.strike() == null || c.strike() == 0.0 ? null : c.strike())
                .setRight(right(c.right()))
                .setMultiplier(textOrNull(c.multiplier()))
                .setLocalSymbol(textOrNull(c.localSymbol()))
                .setTradingClass(textOrNull(c.tradingClass()))
                .build();
    }

    /** IB sends "?" or "0" as the right of instruments that have none. */
    private static String right(String right) {
        return right.isEmpty() || right.equals("?") || right.equals("0") ? null : right;
    }

    static String textOrNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    /** A price IB sent as a primitive double: its unset marker and non-numbers become null. */
    static Double priceOrNull(double value) {
        return Double.isFinite(value) && value != Double.MAX_VALUE ? value : null;
    }

    static Double priceOrNull(Double value) {
        return value == null ? null : priceOrNull(value.doubleValue());
    }

    /**
     * A quantity IB sent as an exact decimal, at scale 10. Unchanged in amount whenever it fits (IB never sends
     * more than ten decimals); a value that did would be rounded half-even rather than lose the whole message.
     *
     * @throws IllegalArgumentException when it has more than 28 digits before the point
     */
    static BigDecimal quantity(BigDecimal value) {
        int integerDigits = integerDigits(value);
        if (integerDigits > Decimals.PRECISION - Decimals.SCALE) {
            throw new IllegalArgumentException("decimal(38,10) cannot hold " + value);
        }
        // Below 1e-11 a value rounds to zero. Checked before rescaling, which for a text such as "1E-999999999"
        // would compute a power of ten with a billion digits.
        if (integerDigits < -Decimals.SCALE) {
            return BigDecimal.ZERO.setScale(Decimals.SCALE);
        }
        try {
            return Decimals.exact(value);
        } catch (ArithmeticException e) {
            return Decimals.rounded(value);
        }
    }

    static BigDecimal quantityOrNull(BigDecimal value) {
        return value == null ? null : quantity(value);
    }

    /** A money amount IB sent as a double (cost, P&amp;L, commission): shortest decimal form, scale 10. */
    static BigDecimal moneyOrNull(double value) {
        Double v = priceOrNull(value);
        return v == null ? null : Decimals.fromDouble(v);
    }

    static BigDecimal moneyOrNull(Double value) {
        return value == null ? null : moneyOrNull(value.doubleValue());
    }

    /**
     * An account value's text as a number, rounded half-even to scale 10 as the schema says; null for text values
     * (AccountType is e.g. INDIVIDUAL) and for numbers the decimal cannot hold (IB's Double.MAX_VALUE marker has
     * 309 digits).
     */
    static BigDecimal numberOrNull(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        BigDecimal number;
        try {
            number = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
        // Checked before rescaling: "1E+999999999" parses, and rescaling it would build a billion-digit number.
        if (integerDigits(number) > Decimals.PRECISION - Decimals.SCALE) {
            return null;
        }
        return quantity(number);
    }

    /** Digits before the point, read without rescaling. */
    private static int integerDigits(BigDecimal value) {
        return value.precision() - value.scale();
    }
}
