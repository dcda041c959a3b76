package io.twsbridge.bench.jmh;

import io.twsbridge.protocol.ServerVersion;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Version;

/**
 * Runs the JMH benchmarks of this package with the gc profiler and writes {@code results/<name>.json} (JMH's own
 * JSON) and {@code results/<name>.md} (benchmark, ops/s, ± error, B/op).
 *
 * <p>Defaults suit a 2-core shared machine: 3 warm-up and 5 measured iterations of 1 s, 1 fork, 1 thread. Override
 * with {@code -Dbench.jmh.warmup=N}, {@code -Dbench.jmh.measurement=N}, {@code -Dbench.jmh.forks=N} and narrow
 * with {@code -Dbench.jmh.include=<regex>}; the results directory is {@code -Dbench.results} (default
 * {@code results}).
 */
public final class JmhMain {

    private static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private JmhMain() {
    }

    /** {@code name} names the output files; {@code includes} are JMH include patterns (regexes). */
    public static void run(String name, List<String> includes) throws Exception {
        exposeClassPathToForks();
        int warmup = Integer.getInteger("bench.jmh.warmup", 3);
        int measurement = Integer.getInteger("bench.jmh.measurement", 5);
        int forks = Integer.getInteger("bench.jmh.forks", 1);
        Path results = Path.of(System.getProperty("bench.results", "results"));
        Files.createDirectories(results);
        Path json = results.resolve(name + ".json").toAbsolutePath();

        ChainedOptionsBuilder options = new OptionsBuilder()
                .addProfiler(GCProfiler.class)
                .warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                .measurementIterations(measurement).measurementTime(TimeValue.seconds(1))
                .forks(forks).threads(1)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON).result(json.toString());
        String include = System.getProperty("bench.jmh.include");
        for (String pattern : include == null || include.isBlank() ? includes : List.of(include)) {
            options.include(pattern);
        }
        Collection<RunResult> runs = new Runner(options.build()).run();

        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT,
                "JMH %s, %d warm-up x 1 s, %d measured x 1 s, %d fork(s), 1 thread, gc profiler; on %d cores, Java %s, %s %s.%n%n",
                jmhVersion(), warmup, measurement, forks, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.arch")));
        md.append("| benchmark | ops/s | ± error (99.9%) | B/op |\n|---|---:|---:|---:|\n");
        for (RunResult run : runs) {
            Result<?> primary = run.getPrimaryResult();
            Result<?> alloc = run.getSecondaryResults().get(ALLOC_NORM);
            String benchmark = run.getParams().getBenchmark();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n",
                    benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1),
                    grouped(primary.getScore()), grouped(primary.getScoreError()),
                    alloc == null ? "n/a" : String.format(Locale.ROOT, "%.0f", alloc.getScore())));
        }
        md.append(String.format(Locale.ROOT, "%nSamples (newest server version %d): payloads %s; Confluent-wire values %s.%n",
                ServerVersion.MAX_SUPPORTED, CodecBenchmark.payloadSizes(),
                SerdeBenchmark.valueSizes()));
        Files.writeString(results.resolve(name + ".md"), md.toString());
        System.out.println();
        System.out.print(md);
        System.out.println();
        System.out.println("wrote " + json + " and " + results.resolve(name + ".md").toAbsolutePath());
    }

    private static String grouped(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String jmhVersion() {
        return Version.getPlainVersion();
    }

    /**
     * JMH forks its measuring JVM with {@code java.class.path}. Under {@code mvn exec:java} that is Maven's own
     * launcher, and the benchmark's classes sit in the plugin's class loader instead, so hand its URLs on.
     */
    private static void exposeClassPathToForks() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader ucl) {
                for (URL url : ucl.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        entries.add(new File(url.toURI()).getPath());
                    }
                }
            }
        }
        if (entries.isEmpty()) {
            return; // plain `java -cp ...`: java.class.path is already right
        }
        List<String> all = new ArrayList<>(entries);
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty() && !entries.contains(e)) {
                all.add(e);
            }
        }
        System.setProperty("java.class.path", String.join(File.pathSeparator, all));
    }
}
