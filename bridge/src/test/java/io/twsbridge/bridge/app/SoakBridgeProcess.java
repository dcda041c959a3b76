package io.twsbridge.bridge.app;

import io.twsbridge.bridge.app.metrics.PrometheusText;
import io.twsbridge.bridge.testing.ProcessGauges;
import io.twsbridge.embedded.ChildProcesses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * The production jar as a process of its own, run the way docs/configuration.md recommends
 * ({@code java -Xms128m -Xmx128m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -jar bridge.jar run --config FILE}), so that
 * the threads, descriptors and sockets the soak counts are the bridge's alone. Its output goes to a log file that
 * stays beside the run's figures; its management endpoint listens on a free port, read from the line the run command
 * prints.
 */
final class SoakBridgeProcess implements AutoCloseable {

    /** docs/configuration.md, "JVM options"; keep the two in step. */
    static final List<String> PRODUCTION_JVM_OPTIONS =
            List.of("-Xms128m", "-Xmx128m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");

    private static final Pattern MANAGEMENT_LINE = Pattern.compile("management HTTP on (\\S+)");
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+).*$");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$");
    /** A log line at level ERROR (the production pattern: time, level, [thread], logger), or a stack trace. */
    private static final Pattern TROUBLE = Pattern.compile("^\\S+\\s+ERROR\\s.*|^\\s+at \\S+\\(.*\\)$|^Caused by: .*"
            + "|^Exception in thread .*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The live heap as {@code jcmd GC.class_histogram} sees it after the full collection it forces. */
    record LiveHeap(long bytes, Map<String, Long> bytesByClass) {

        /** The classes whose live bytes grew most since {@code earlier}, largest growth first. */
        String growthSince(LiveHeap earlier, int top) {
            Map<String, Long> growth = new HashMap<>();
            bytesByClass.forEach((name, bytes) -> growth.put(name, bytes - earlier.bytesByClass.getOrDefault(name, 0L)));
            return growth.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                    .map(e -> String.format(Locale.ROOT, "%s %+.1f KiB", e.getKey(), e.getValue() / 1024.0))
                    .collect(Collectors.joining(", "));
        }
    }

    /** How the process ended after SIGTERM. */
    record Stop(boolean graceful, Duration took, int exitCode) {
    }

    private final Process process;
    private final Path log;
    private volatile URI management;

    private SoakBridgeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Writes {@code config} to {@code dir/name.properties} and starts the jar on it, output to {@code dir/name.log}. */
    static SoakBridgeProcess start(Path jar, Properties config, Path dir, String name) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the production jar " + jar.toAbsolutePath() + " is missing: the soak runs "
                    + "in `mvn verify` after `package` has built it");
        }
        Files.createDirectories(dir);
        Path configFile = dir.resolve(name + ".properties");
        try (var out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            config.store(out, "soak " + name);
        }
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(javaTool("java").toString());
        command.addAll(PRODUCTION_JVM_OPTIONS);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "run", "--config", configFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Only the file and the command line configure it, nothing from the shell that started the build.
        builder.environment().keySet().removeIf(k -> k.startsWith("BRIDGE_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
        return new SoakBridgeProcess(ChildProcesses.adopt(builder.start()), log);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for the management endpoint, then for /health/ready (Gateway READY and Kafka reachable). */
    void awaitReady(Duration timeout) {
        await("the bridge's management endpoint").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            checkAlive();
            Matcher m = MANAGEMENT_LINE.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                management = URI.create(m.group(1));
            }
            return management != null;
        });
        // A loaded machine may let a request time out: that is no answer yet, while an exited process is the end.
        await("the bridge READY").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(IOException.class).until(() -> {
            checkAlive();
            return get("/health/ready").statusCode() == 200;
        });
    }

    /** Threads, descriptors and sockets, from /proc. */
    ProcessGauges.Snapshot gauges() {
        return ProcessGauges.of(process.pid());
    }

    /** One scrape of /metrics, parsed strictly. */
    PrometheusText metrics() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics");
        if (response.statusCode() != 200) {
            throw new IOException("/metrics answered " + response.statusCode());
        }
        return PrometheusText.parse(response.body());
    }

    /**
     * A full collection and the live objects it left, by class: {@code jcmd <pid> GC.class_histogram}. One JVM
     * start per call, and the first attach adds the target's "Attach Listener" thread for good, so call it once
     * before the counts are judged.
     */
    LiveHeap liveHeap() throws IOException, InterruptedException {
        Path out = Files.createTempFile(log.getParent(), "histogram-", ".txt");
        try {
            Process jcmd = new ProcessBuilder(javaTool("jcmd").toString(), Long.toString(process.pid()),
                    "GC.class_histogram").redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
                throw new IOException("jcmd GC.class_histogram did not finish within 60 s");
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            Map<String, Long> byClass = new HashMap<>();
            for (String line : lines) {
                Matcher total = HISTOGRAM_TOTAL.matcher(line);
                if (total.matches()) {
                    return new LiveHeap(Long.parseLong(total.group(1)), byClass);
                }
                Matcher row = HISTOGRAM_ROW.matcher(line);
                if (row.matches()) {
                    byClass.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
                }
            }
            throw new IOException("jcmd GC.class_histogram (exit " + jcmd.exitValue() + ") printed no total: "
                    + String.join("\n", lines.subList(0, Math.min(10, lines.size()))));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Threads by name (as /proc shows them, 15 characters at most), for a diagnosis of thread growth. */
    Map<String, Integer> threadNames() throws IOException {
        Map<String, Integer> names = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(process.pid()),
                "task"))) {
            for (Path task : tasks) {
                try {
                    // Numbered threads of a pool are one name: "kafka-producer-1" and "-2" are counted together.
                    names.merge(Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "#"), 1, Integer::sum);
                } catch (NoSuchFileException ended) {
                    // the thread ended between listing and reading
                }
            }
        }
        return names;
    }

    /** Log lines at level ERROR and lines of stack traces, the first {@code limit}. */
    List<String> troubleInLog(int limit) throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> TROUBLE.matcher(l).matches()).limit(limit).toList();
        }
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "last lines of " + log + ":\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines),
                    all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, as a service manager stops it; SIGKILL if it has not stopped within {@code grace}. */
    Stop stop(Duration grace) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        boolean graceful = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!graceful) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return new Stop(graceful, Duration.ofNanos(System.nanoTime() - start), process.isAlive() ? -1 : process.exitValue());
    }

    /** A bridge must never outlive the test. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the bridge exited with " + process.exitValue() + "\n" + logTail(40));
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(management.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Path javaTool(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool);
    }
}
