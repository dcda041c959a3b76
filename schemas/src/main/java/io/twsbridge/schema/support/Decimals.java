package io.twsbridge.schema.support;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Brings numbers to the one decimal type of the contracts, {@code decimal(38,10)}: quantities,
 * money amounts and P&amp;L. Writers must hand Avro a {@link BigDecimal} of scale exactly
 * {@value #SCALE}; these methods produce one, and refuse values that do not fit.
 */
public final class Decimals {

    /** Total digits of every decimal field. */
    public static final int PRECISION = 38;

    /** Digits after the point of every decimal field. */
    public static final int SCALE = 10;

    private Decimals() {}

    /**
     * {@code value} at scale {@value #SCALE}, unchanged in amount.
     *
     * @throws ArithmeticException if that would need rounding (more than ten significant decimals)
     * @throws IllegalArgumentException if the value has more than 28 digits before the point
     */
    public static BigDecimal exact(BigDecimal value) {
        Objects.requireNonNull(value, "value");
        return checkPrecision(value.setScale(SCALE, RoundingMode.UNNECESSARY));
    }

    /** {@link #exact(BigDecimal)} of a decimal literal such as {@code "0.00012345"}. */
    public static BigDecimal exact(String value) {
        Objects.requireNonNull(value, "value");
        return exact(new BigDecimal(value));
    }

    /** {@code value} rounded half-even to scale {@value #SCALE}, e.g. for a computed average. */
    public static BigDecimal rounded(BigDecimal value) {
        Objects.requireNonNull(value, "value");
        return checkPrecision(value.setScale(SCALE, RoundingMode.HALF_EVEN));
    }

    /**
     * A double as IB reports it (average cost, P&amp;L, commission), taken at its shortest decimal
     * representation (0.1 is 0.1, not the binary approximation) and rounded half-even to scale
     * {@value #SCALE}.
     *
     * @throws IllegalArgumentException for NaN and infinities; IB's "unset" markers such as
     *     {@link Double#MAX_VALUE} must be mapped to null by the caller before this point
     */
    public static BigDecimal fromDouble(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return rounded(BigDecimal.valueOf(value));
    }

    private static BigDecimal checkPrecision(BigDecimal scaled) {
        if (scaled.precision() > PRECISION) {
            throw new IllegalArgumentException(
                    "decimal(" + PRECISION + "," + SCALE + ") cannot hold " + scaled.toPlainString());
        }
        return scaled;
    }
}
