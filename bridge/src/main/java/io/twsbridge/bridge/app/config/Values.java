package io.twsbridge.bridge.app.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text to typed values and back, for configuration values. Parsers take text already trimmed and throw
 * {@link InvalidValue} with a reason that reads after the quoted value ("'abc' is not an integer"); formatters
 * write the simple forms the parsers read, so a loaded configuration can be printed and loaded again.
 */
final class Values {

    /** {@code 5s}, {@code 200 ms}, {@code 10m}: an integer and a unit; minutes are {@code m} or {@code min}. */
    private static final Pattern SIMPLE_DURATION =
            Pattern.compile("(-?\\d{1,18})\\s*(ms|s|m|min|h|d)", Pattern.CASE_INSENSITIVE);
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(b|kib|mib|gib)?", Pattern.CASE_INSENSITIVE);
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    private Values() {
    }

    /** A value that cannot be read; the reason follows the quoted value in the problem. */
    static final class InvalidValue extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidValue(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Reads one value of a setting. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String text) throws InvalidValue;
    }

    static String text(String text) {
        return text;
    }

    static int integer(String text) throws InvalidValue {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidValue("is not an integer");
        }
    }

    static short shortInteger(String text) throws InvalidValue {
        try {
            return Short.parseShort(text);
        } catch (NumberFormatException e) {
            throw new InvalidValue("is not an integer in " + Short.MIN_VALUE + ".." + Short.MAX_VALUE);
        }
    }

    static double decimal(String text) throws InvalidValue {
        return number(text).doubleValue();
    }

    /** A plain decimal number ({@code 1000}, {@code 0.5}, {@code 1e6}); no NaN, no infinity. */
    static BigDecimal number(String text) throws InvalidValue {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new InvalidValue("is not a number");
        }
    }

    static boolean bool(String text) throws InvalidValue {
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidValue("is not true or false");
    }

    /**
     * ISO-8601 ({@code PT5S}, {@code PT0.2S}, {@code P1D}), an integer with a unit ({@code 200ms}, {@code 5s},
     * {@code 10m} or {@code 10min}, {@code 2h}, {@code 1d}; a space before the unit is allowed), or {@code 0}.
     */
    static Duration duration(String text) throws InvalidValue {
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        String upper = t.toUpperCase(Locale.ROOT);
        if (upper.startsWith("P") || upper.startsWith("-P") || upper.startsWith("+P")) {
            try {
                return Duration.parse(upper);
            } catch (DateTimeParseException e) {
                throw new InvalidValue("is not an ISO-8601 duration (e.g. PT5S, PT0.2S, PT10M)");
            }
        }
        Matcher m = SIMPLE_DURATION.matcher(t);
        if (!m.matches()) {
            throw new InvalidValue("is not a duration (use e.g. 200ms, 5s, 10m, 2h, 1d or PT5S)");
        }
        long n = Long.parseLong(m.group(1));
        try {
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException e) {
            throw new InvalidValue("is too long a duration");
        }
    }

    /** The shortest simple form {@link #duration} reads: {@code 0}, {@code 200ms}, {@code 5s}, {@code 10m}, ... */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms;
        try {
            ms = d.toMillis();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /** A size in bytes: plain ({@code 67108864}) or with a binary unit ({@code 64MiB}, {@code 512 KiB}, {@code 1GiB}). */
    static long size(String text) throws InvalidValue {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new InvalidValue("is not a size in bytes (use e.g. 67108864, 64MiB, 512KiB or 1GiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "kib" -> KIB;
            case "mib" -> MIB;
            case "gib" -> GIB;
            default -> 1;
        };
        try {
            return Math.multiplyExact(n, factor);
        } catch (ArithmeticException e) {
            throw new InvalidValue("is too large");
        }
    }

    static String formatSize(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return Long.toString(bytes);
    }

    /** Comma-separated items, each trimmed; empty items are dropped, so an empty value is an empty list. */
    static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static Set<String> set(String text) {
        return new LinkedHashSet<>(list(text));
    }

    static List<Integer> integers(String text) throws InvalidValue {
        List<Integer> out = new ArrayList<>();
        for (String item : list(text)) {
            try {
                out.add(Integer.parseInt(item));
            } catch (NumberFormatException e) {
                throw new InvalidValue("is not a comma-separated list of integers ('" + item + "' is not one)");
            }
        }
        return out;
    }

    /** The items joined as {@link #list} reads them. */
    static String join(Iterable<?> items) {
        StringBuilder sb = new StringBuilder();
        for (Object item : items) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(item);
        }
        return sb.toString();
    }
}
