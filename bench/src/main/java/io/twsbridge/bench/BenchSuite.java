package io.twsbridge.bench;

import io.twsbridge.bench.e2e.CommandPathBenchmark;
import io.twsbridge.bench.e2e.CompressionBenchmark;
import io.twsbridge.bench.e2e.MemoryBenchmark;
import io.twsbridge.bench.e2e.QuoteLatencyBenchmark;
import io.twsbridge.bench.e2e.QuoteThroughputBenchmark;
import io.twsbridge.bench.e2e.ResubscribeBenchmark;
import io.twsbridge.bench.jmh.JmhMain;
import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bench.support.Report;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The whole benchmark suite in one run: each benchmark writes {@code <name>.md} and {@code <name>.json} to the
 * results directory as it finishes, then {@code summary.md} and {@code summary.json} list every target with its
 * measured value. The in-process Kafka broker and the schema registry are started once, only if a chosen benchmark
 * needs them. A benchmark that fails, a stalled one included ({@link ProgressWatchdog}), is reported as failed, in
 * its own results file and in the summary, and the others still run; {@link #main} then exits with 1.
 */
public final class BenchSuite {

    /** One benchmark of the suite. */
    @FunctionalInterface
    interface Benchmark {
        Report run(StackSupplier stack, BenchMode mode) throws Exception;
    }

    /** Starts the shared stack on first use. */
    interface StackSupplier {
        BenchStack get() throws Exception;
    }

    private static final String CODEC = "io\\.twsbridge\\.bench\\.jmh\\.CodecBenchmark\\.";
    private static final String SERDE = "io\\.twsbridge\\.bench\\.jmh\\.SerdeBenchmark\\.";

    /** In the order they run: the quick micro-benchmarks first, the ten-minute memory run last. */
    static final Map<String, Benchmark> BENCHMARKS = benchmarks();

    private BenchSuite() {
    }

    private static Map<String, Benchmark> benchmarks() {
        Map<String, Benchmark> all = new LinkedHashMap<>();
        all.put("jmh", (stack, mode) -> JmhMain.run("jmh", List.of(CODEC, SERDE), mode));
        all.put("connect-to-ready", (stack, mode) -> ConnectToReadyBenchmark.run(mode));
        all.put("quote-throughput", (stack, mode) -> QuoteThroughputBenchmark.run(stack.get(), mode));
        all.put("quote-latency", (stack, mode) -> QuoteLatencyBenchmark.run(stack.get(), mode));
        all.put("command-path", (stack, mode) -> CommandPathBenchmark.run(stack.get(), mode));
        all.put("resubscribe", (stack, mode) -> ResubscribeBenchmark.run(stack.get(), mode));
        all.put("compression", (stack, mode) -> CompressionBenchmark.run(stack.get(), mode));
        all.put("memory", (stack, mode) -> MemoryBenchmark.run(stack.get(), mode));
        return all;
    }

    /** The outcome of a suite run. */
    public record Outcome(List<Report> reports, List<String> failures) {
    }

    /** Runs one benchmark and writes its report; the summary is left as the last suite run wrote it. */
    public static Outcome runOne(String name, BenchMode mode) throws IOException {
        return run(List.of(name), mode, false);
    }

    /** Runs {@code names} (all when empty) and writes every report and the summary to {@code mode.results()}. */
    public static Outcome run(List<String> names, BenchMode mode) throws IOException {
        return run(names, mode, true);
    }

    private static Outcome run(List<String> names, BenchMode mode, boolean summary) throws IOException {
        List<String> unknown = names.stream().filter(n -> !BENCHMARKS.containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown benchmark(s) " + unknown + "; known: " + BENCHMARKS.keySet());
        }
        List<Report> reports = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        BenchStack[] stack = new BenchStack[1];
        StackSupplier lazyStack = () -> {
            if (stack[0] == null) {
                stack[0] = BenchStack.start();
            }
            return stack[0];
        };
        try {
            for (Map.Entry<String, Benchmark> e : BENCHMARKS.entrySet()) {
                if (!names.isEmpty() && !names.contains(e.getKey())) {
                    continue;
                }
                System.out.println("==== " + e.getKey() + (mode.smoke() ? " (smoke)" : ""));
                try {
                    Report report = e.getValue().run(lazyStack, mode);
                    report.write(mode.results());
                    System.out.println(report.markdown());
                    reports.add(report);
                } catch (Exception | AssertionError failure) {
                    String why = describe(failure);
                    failures.add(e.getKey() + ": " + why);
                    System.err.println("benchmark " + e.getKey() + " failed: " + why);
                    if (!(failure instanceof ProgressWatchdog.StalledException)) {
                        failure.printStackTrace(); // a stall's message says all there is; anything else, where
                    }
                    // Replaces the results of an earlier run, which would otherwise pass for this run's.
                    failedReport(e.getKey(), why, mode).write(mode.results());
                }
            }
        } finally {
            if (stack[0] != null) {
                stack[0].close();
            }
        }
        if (summary) {
            writeSummary(reports, failures, mode);
        }
        return new Outcome(reports, failures);
    }

    private static void writeSummary(List<Report> reports, List<String> failures, BenchMode mode) throws IOException {
        Report summary = new Report("summary", "Benchmark summary: every target with its measured value")
                .smoke(mode.smoke())
                .note("Each row comes from the benchmark's own results file (`<benchmark>.md`), where the baseline "
                        + "measured in the same run is shown beside it.")
                .columns("benchmark", "target", "measured", "met");
        for (Report r : reports) {
            for (Report.Verdict v : r.verdicts()) {
                summary.row(r.name(), v.target(), v.measured(), v.met() ? "yes" : "**no**");
            }
        }
        for (String f : failures) {
            int colon = f.indexOf(": ");
            String firstLine = f.substring(colon + 2).lines().findFirst().orElse("");
            summary.row(f.substring(0, colon), "(the benchmark did not finish)",
                    "FAILED: " + firstLine.replace("|", "\\|"), "**no**");
        }
        Files.createDirectories(mode.results());
        summary.write(mode.results());
        System.out.println(summary.markdown());
    }

    /** A stall's own message (it names the benchmark, the phase and what stopped); else the exception itself. */
    private static String describe(Throwable failure) {
        return failure instanceof ProgressWatchdog.StalledException ? failure.getMessage() : failure.toString();
    }

    /** What a benchmark that did not finish writes as its results: why, and no figure. */
    private static Report failedReport(String name, String why, BenchMode mode) {
        return new Report(name, name + ": did not finish").smoke(mode.smoke())
                .note("**FAILED**, no figure measured:\n\n```\n" + why + "\n```");
    }

    public static void main(String[] args) throws Exception {
        String only = System.getProperty("bench.only", "");
        List<String> names = only.isBlank() ? List.of()
                : Arrays.stream(only.trim().split("[\\s,]+")).collect(Collectors.toList());
        Outcome outcome = run(names, BenchMode.fromSystemProperties());
        if (!outcome.failures().isEmpty()) {
            System.exit(1);
        }
    }
}
