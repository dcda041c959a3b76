package io.twsbridge.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One benchmark's results: a markdown section (title, what was measured, a table, the target verdicts) and the same
 * rows as JSON, written to {@code <results>/<name>.md} and {@code <results>/<name>.json}.
 */
public final class Report {

    /** A target from the issue, its measured value and whether it was met. */
    public record Verdict(String target, String measured, boolean met) {
    }

    private final String name;
    private final String title;
    private final List<String> notes = new ArrayList<>();
    private final List<String> columns = new ArrayList<>();
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final List<Verdict> verdicts = new ArrayList<>();
    private boolean smoke;

    public Report(String name, String title) {
        this.name = name;
        this.title = title;
    }

    public String name() {
        return name;
    }

    public Report smoke(boolean smoke) {
        this.smoke = smoke;
        return this;
    }

    public Report note(String text) {
        notes.add(text);
        return this;
    }

    public Report columns(String... names) {
        columns.addAll(List.of(names));
        return this;
    }

    /** A row: values in the order of {@link #columns}; numbers are kept as numbers in the JSON. */
    public Report row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            row.put(columns.get(i), values[i]);
        }
        rows.add(row);
        return this;
    }

    public Report verdict(String target, String measured, boolean met) {
        verdicts.add(new Verdict(target, measured, met));
        return this;
    }

    public List<Map<String, Object>> rows() {
        return List.copyOf(rows);
    }

    public List<Verdict> verdicts() {
        return List.copyOf(verdicts);
    }

    public static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    public String markdown() {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        if (smoke) {
            md.append("**Smoke mode**: a short run that proves the benchmark works; its figures mean nothing.\n\n");
        }
        md.append("Machine: ").append(machine()).append(".\n\n");
        for (String n : notes) {
            md.append(n).append("\n\n");
        }
        if (!columns.isEmpty()) { // a benchmark that did not finish has no table
            md.append("| ").append(String.join(" | ", columns)).append(" |\n|")
                    .append("---|".repeat(columns.size())).append('\n');
            for (Map<String, Object> row : rows) {
                md.append("| ").append(row.values().stream().map(Report::cell).collect(Collectors.joining(" | ")))
                        .append(" |\n");
            }
        }
        if (!verdicts.isEmpty()) {
            md.append("\n| target | measured | met |\n|---|---|---|\n");
            for (Verdict v : verdicts) {
                md.append("| ").append(v.target()).append(" | ").append(v.measured()).append(" | ")
                        .append(v.met() ? "yes" : "**no**").append(" |\n");
            }
        }
        return md.toString();
    }

    public String json() {
        StringBuilder j = new StringBuilder("{\"name\":").append(quote(name)).append(",\"title\":").append(quote(title))
                .append(",\"smoke\":").append(smoke).append(",\"machine\":").append(quote(machine()))
                .append(",\"rows\":[");
        j.append(rows.stream().map(r -> r.entrySet().stream()
                        .map(e -> quote(e.getKey()) + ":" + jsonValue(e.getValue()))
                        .collect(Collectors.joining(",", "{", "}")))
                .collect(Collectors.joining(",\n  ")));
        j.append("],\"verdicts\":[");
        j.append(verdicts.stream().map(v -> "{\"target\":" + quote(v.target()) + ",\"measured\":" + quote(v.measured())
                + ",\"met\":" + v.met() + "}").collect(Collectors.joining(",\n  ")));
        return j.append("]}\n").toString();
    }

    /** Writes {@code name.md} and {@code name.json} to {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".md"), markdown());
        Files.writeString(dir.resolve(name + ".json"), json());
    }

    private static String cell(Object value) {
        if (value instanceof Double d) {
            return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%,.0f" : "%.2f", d);
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", value);
        }
        return String.valueOf(value);
    }

    private static String jsonValue(Object value) {
        if (value instanceof Double d) {
            return Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.format(Locale.ROOT, "%.4f", d);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return quote(String.valueOf(value));
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
