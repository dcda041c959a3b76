package io.twsbridge.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A reader of the Prometheus text exposition format 0.0.4. {@link #parse} is strict, for tests of the exposition:
 * every line must be a well-formed {@code # HELP}, {@code # TYPE}, other comment, or
 * {@code name{labels} value [timestamp]} sample, every sample must belong to a family declared by a TYPE line before
 * it, and no family may be declared twice. {@link #parseSamples} reads the samples alone, for a benchmark that takes
 * figures from a scrape and leaves judging the exposition to the tests. Anything malformed fails with the line
 * number and the line.
 */
public final class PrometheusText {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile(
            "[+-]?(?:Inf|NaN|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {

        /** Whether this sample carries every one of {@code someLabels} (and perhaps others). */
        public boolean hasLabels(Map<String, String> someLabels) {
            return labels.entrySet().containsAll(someLabels.entrySet());
        }
    }

    /** A metric family: its TYPE and HELP lines. */
    public record Family(String name, String type, String help) {
    }

    private final Map<String, Family> families;
    private final List<Sample> samples;

    private PrometheusText(Map<String, Family> families, List<Sample> samples) {
        this.families = Collections.unmodifiableMap(families);
        this.samples = List.copyOf(samples);
    }

    /** Families by name, in the order they appear. */
    public Map<String, Family> families() {
        return families;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The value of the one sample with this name and exactly these labels. */
    public double value(String name, Map<String, String> labels) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + name + labels + " in:\n" + samples);
        }
        return found.get(0).value();
    }

    /** The value of the one sample with this name whose labels include these. */
    public double valueWith(String name, Map<String, String> someLabels) {
        List<Sample> found = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(someLabels.entrySet()))
                .toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples " + name + " with " + someLabels + " in:\n" + samples);
        }
        return found.get(0).value();
    }

    /** The samples with this name whose labels include these, in the order they appear. */
    public List<Sample> samplesWith(String name, Map<String, String> someLabels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.hasLabels(someLabels)).toList();
    }

    /** The sum of the samples with this name whose labels include these; 0 when there is none. */
    public double sumWith(String name, Map<String, String> someLabels) {
        return samplesWith(name, someLabels).stream().mapToDouble(Sample::value).sum();
    }

    /** Strictly, as a test of the exposition reads it (see the class comment). */
    public static PrometheusText parse(String text) {
        return parse(text, true);
    }

    /**
     * The samples alone: no TYPE line is required, HELP and TYPE lines are skipped unchecked, and the scrape need
     * not end with a line feed; each sample line must still be well-formed. {@link #families()} is empty.
     */
    public static PrometheusText parseSamples(String text) {
        return parse(text, false);
    }

    /** @throws AssertionError naming the first malformed line */
    private static PrometheusText parse(String text, boolean strict) {
        if (strict && !text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int lineNo = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (!strict && line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                    String[] parts = line.substring(7).split(" ", 2);
                    requireName(parts[0]);
                    if (line.startsWith("# HELP ")) {
                        if (helps.put(parts[0], parts.length > 1 ? parts[1] : "") != null) {
                            throw new IllegalArgumentException("second HELP for " + parts[0]);
                        }
                        requireEscapes(parts.length > 1 ? parts[1] : "", false);
                    } else {
                        if (parts.length != 2 || !TYPES.contains(parts[1])) {
                            throw new IllegalArgumentException("TYPE must be one of " + TYPES);
                        }
                        if (families.containsKey(parts[0])) {
                            throw new IllegalArgumentException("second TYPE for " + parts[0]);
                        }
                        if (samples.stream().anyMatch(s -> s.name().equals(parts[0]))) {
                            throw new IllegalArgumentException("TYPE after the first sample of " + parts[0]);
                        }
                        families.put(parts[0], new Family(parts[0], parts[1], helps.get(parts[0])));
                    }
                } else if (line.startsWith("#")) {
                    continue; // a plain comment
                } else {
                    Sample s = sample(line);
                    if (strict && familyOf(s.name(), families) == null) {
                        throw new IllegalArgumentException("sample without a TYPE line before it");
                    }
                    samples.add(s);
                }
            } catch (RuntimeException e) {
                throw new AssertionError("line " + lineNo + " is not Prometheus text format 0.0.4 (" + e.getMessage()
                        + "): " + line, e);
            }
        }
        return new PrometheusText(families, samples);
    }

    /** The family a sample belongs to: the same name, or a histogram's or summary's _bucket/_sum/_count. */
    public static Family familyOf(String sampleName, Map<String, Family> families) {
        Family f = families.get(sampleName);
        if (f != null) {
            return f;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sampleName.endsWith(suffix)) {
                Family base = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (base != null && (base.type().equals("histogram") || base.type().equals("summary"))
                        && !(suffix.equals("_bucket") && base.type().equals("summary"))) {
                    return base;
                }
            }
        }
        return null;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches()) {
                    throw new IllegalArgumentException("bad label name '" + label + "'");
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label value of " + label + " is not quoted");
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        switch (next) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException("bad escape \\" + next);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException("label " + label + " twice");
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else if (line.charAt(i) != '}') {
                    throw new IllegalArgumentException("expected , or } after label " + label);
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("expected one space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2 || !NUMBER.matcher(rest[0]).matches()
                || (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches())) {
            throw new IllegalArgumentException("expected 'value [timestamp]'");
        }
        return new Sample(name, labels, parseValue(rest[0]));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN", "+NaN", "-NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    private static void requireName(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name '" + name + "'");
        }
    }

    private static void requireEscapes(String s, boolean quotesEscaped) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                char next = i + 1 < s.length() ? s.charAt(i + 1) : ' ';
                if (next != '\\' && next != 'n' && !(quotesEscaped && next == '"')) {
                    throw new IllegalArgumentException("bad escape in HELP");
                }
                i++;
            }
        }
    }
}
