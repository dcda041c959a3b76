package io.twsbridge.bridge.compose;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found without a full parser: strings, label matchers, ranges and
 * grouping clauses are removed first; then every identifier that is not a function call, a keyword or part of a
 * number or duration is a metric name. Grafana's variables ({@code $instance}, {@code $__rate_interval}) only
 * appear inside matchers and ranges, so they are removed with them.
 */
final class PromQl {

    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("(?i)\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");

    private PromQl() {
    }

    static Set<String> metricNames(String expr) {
        String s = STRINGS.matcher(expr).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGES.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            boolean call = m.group(2) != null;
            if (!call && !KEYWORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * Whether {@code used} is one of {@code documented}, allowing the series Prometheus derives from a documented
     * histogram or summary ({@code _bucket}, {@code _count}, {@code _sum}) and Micrometer's {@code _max}.
     */
    static boolean isDocumented(String used, Set<String> documented) {
        if (documented.contains(used)) {
            return true;
        }
        for (String suffix : new String[]{"_bucket", "_count", "_sum", "_max"}) {
            if (used.endsWith(suffix) && documented.contains(used.substring(0, used.length() - suffix.length()))) {
                return true;
            }
        }
        return false;
    }
}
