package io.twsbridge.testkit;

import io.twsbridge.embedded.ChildProcesses;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bridge in a JVM of its own: the production jar ({@link #runJar}) or a main class on this JVM's class path
 * ({@link #mainClass}), for tests and benchmarks that kill it, size its heap as production does, or count its
 * threads, descriptors and memory apart from the broker's. Its output is either read line by line into memory or
 * written to a log file that stays beside a run's figures; either way {@link #await(String)} and
 * {@link #awaitManagement} read it. Every process is adopted by {@link ChildProcesses}, so it never outlives the
 * JVM that started it.
 *
 * <p>One thread awaits lines; once the management endpoint is known, any thread may query it or run jcmd.
 */
public final class BridgeProcess implements AutoCloseable {

    /**
     * The JVM options docs/configuration.md ("JVM options") recommends for the bridge in production; keep the two
     * in step. A fixed heap, so that neither the RAM of the host or container nor a full collection changes the
     * footprint; G1 by name, because the JVM picks the Serial collector on a host or container with one CPU or under
     * 1792 MB; exit on an OutOfMemoryError, so that the supervisor restarts a bridge instead of it running on with
     * dead threads.
     */
    public static final List<String> PRODUCTION_JVM_OPTIONS =
            List.of("-Xms128m", "-Xmx128m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");
    /** What {@code bridge.jar run} prints once its management endpoint listens. */
    public static final Pattern RUN_COMMAND_MANAGEMENT_LINE = Pattern.compile("management HTTP on (\\S+)");
    /** How long {@link #await(String)} waits for a line. */
    public static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration LINE_POLL = Duration.ofMillis(20);
    private static final Duration HTTP_POLL = Duration.ofMillis(200);
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final int TAIL_LINES = 40;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** How the process ended after SIGTERM. */
    public record Stop(boolean graceful, Duration took, int exitCode) {
    }

    private final String name;
    private final Process process;
    /** The log file, or null when the output is read into {@link #captured}. */
    private final Path log;
    private final Pattern managementLine;
    private final List<String> captured = new ArrayList<>();
    private final Thread reader;
    /** Lines before this index were passed by an await. */
    private int cursor;
    /** Set by the driving thread, read by any that samples the endpoint. */
    private volatile URI management;

    private BridgeProcess(String name, Process process, Path log, Pattern managementLine) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.managementLine = managementLine;
        if (log != null) {
            reader = null;
            return;
        }
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (captured) {
                        captured.add(line);
                    }
                }
            } catch (IOException e) {
                synchronized (captured) {
                    captured.add("READ-FAILED " + e);
                }
            }
        }, "bridge-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * {@code java <options> -jar <jar> run --config <dir>/<name>.properties}, {@code config} written to that file and
     * the output to {@code <dir>/<name>.log}; {@link #PRODUCTION_JVM_OPTIONS} unless the launch says otherwise, and
     * nothing from the environment that configures a bridge or a JVM (see
     * {@link Launch#withoutInheritedBridgeOrJvmSettings()}).
     */
    public static Launch runJar(Path jar, Properties config, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path configFile = dir.resolve(name + ".properties");
        try (var out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            config.store(out, "bridge " + name);
        }
        return new Launch(name, List.of("-jar", jar.toAbsolutePath().toString(), "run", "--config",
                configFile.toString())).jvmOptions(PRODUCTION_JVM_OPTIONS).outputTo(dir.resolve(name + ".log"))
                .withoutInheritedBridgeOrJvmSettings();
    }

    /** {@code java -cp <this JVM's class path> <mainClass> <arguments>}, its output read into memory. */
    public static Launch mainClass(String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(arguments);
        return new Launch("bridge", command);
    }

    /** What to start and how; {@link #start()} starts it. */
    public static final class Launch {

        private final List<String> arguments;
        private String name;
        private List<String> jvmOptions = List.of();
        private Path log;
        private Pattern managementLine = RUN_COMMAND_MANAGEMENT_LINE;
        private Predicate<String> inheritedLeftOut = k -> false;
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Launch(String name, List<String> arguments) {
            this.name = name;
            this.arguments = List.copyOf(arguments);
        }

        /** How messages name the process ("the NAME bridge exited ..."). */
        public Launch name(String name) {
            this.name = name;
            return this;
        }

        /** Options before the jar or main class, e.g. {@link #PRODUCTION_JVM_OPTIONS}. */
        public Launch jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /**
         * The line that names the management endpoint, its URI the first group; {@link #RUN_COMMAND_MANAGEMENT_LINE}
         * unless set (a main class of a test may print its own).
         */
        public Launch managementLine(Pattern line) {
            this.managementLine = line;
            return this;
        }

        /** The output (stdout and stderr) to this file instead of into memory. */
        public Launch outputTo(Path logFile) {
            this.log = logFile;
            return this;
        }

        /** These variables of this JVM's environment are not passed on (set ones of the launch's own afterwards). */
        public Launch withoutInherited(String... variables) {
            List<String> names = List.of(variables);
            inheritedLeftOut = inheritedLeftOut.or(names::contains);
            return this;
        }

        /**
         * Only the config file and the command line configure the process: no {@code BRIDGE_*} variable and no JVM
         * options from the shell that started the build or the benchmark.
         */
        public Launch withoutInheritedBridgeOrJvmSettings() {
            inheritedLeftOut = inheritedLeftOut.or(k -> k.startsWith("BRIDGE_") || k.equals("JAVA_TOOL_OPTIONS")
                    || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
            return this;
        }

        public Launch environment(String variable, String value) {
            environment.put(variable, value);
            return this;
        }

        public Launch environment(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        public BridgeProcess start() throws IOException {
            List<String> command = new ArrayList<>();
            command.add(javaTool("java").toString());
            command.addAll(jvmOptions);
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (log != null) {
                builder.redirectOutput(log.toFile());
            }
            builder.environment().keySet().removeIf(inheritedLeftOut);
            builder.environment().putAll(environment);
            return new BridgeProcess(name, ChildProcesses.adopt(builder.start()), log, managementLine);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The log file the output goes to. */
    public Path log() {
        if (log == null) {
            throw new IllegalStateException("the " + name + " bridge's output is read into memory, not to a file");
        }
        return log;
    }

    /** Everything the process printed so far. */
    public String output() {
        return String.join("\n", lines(false));
    }

    /** The last lines of the output, named for a failure message. */
    public String logTail(int count) {
        List<String> all = lines(false);
        return "last lines of the " + name + " bridge's output" + (log == null ? "" : " (" + log + ")") + ":\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
    }

    /**
     * Waits (up to {@link #LINE_TIMEOUT}) for a line equal to {@code line}, after the lines earlier awaits passed:
     * awaiting the same line twice waits for its second appearance.
     *
     * @throws AssertionError if it did not come, or the process ended without printing it
     */
    public void await(String line) {
        await(line, LINE_TIMEOUT);
    }

    /** As {@link #await(String)}, waiting up to {@code timeout}. */
    public void await(String line, Duration timeout) {
        awaitLine(line::equals, "'" + line + "'", timeout);
    }

    /** As {@link #awaitManagement(Duration)}, waiting up to {@link #LINE_TIMEOUT}. */
    public URI awaitManagement() {
        return awaitManagement(LINE_TIMEOUT);
    }

    /**
     * Waits for the line naming the management endpoint (see {@link Launch#managementLine}) and keeps its URI for
     * {@link #get}.
     */
    public URI awaitManagement(Duration timeout) {
        String found = awaitLine(l -> managementLine.matcher(l).find(), "a line matching " + managementLine, timeout);
        Matcher m = managementLine.matcher(found);
        if (!m.find()) {
            throw new IllegalStateException(found);
        }
        management = URI.create(m.group(1).trim());
        return management;
    }

    /**
     * Waits for the management endpoint, unless an earlier await found it, then for /health/ready to answer 200 (Gateway READY and
     * Kafka reachable), each within {@code timeout}.
     */
    public void awaitReady(Duration timeout) {
        if (management == null) {
            awaitManagement(timeout);
        }
        try {
            // A loaded machine may let a request time out: that is no answer yet, while an exited process is the end.
            Awaitility.await("the " + name + " bridge READY").atMost(timeout).pollInSameThread()
                    .pollDelay(Duration.ZERO).pollInterval(HTTP_POLL).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        checkAlive();
                        return get("/health/ready").statusCode() == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the " + name + " bridge was not ready after " + timeout.toSeconds()
                    + " s; status: " + bodyOr("/status", "(no answer)") + "\n" + logTail(TAIL_LINES), e);
        }
    }

    /** A GET of {@code path} at the management endpoint found by {@link #awaitManagement}. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        if (management == null) {
            throw new IllegalStateException("the " + name + " bridge's management endpoint is not known yet");
        }
        return HTTP.send(HttpRequest.newBuilder(management.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The body of a GET of {@code path}, or {@code fallback} when there is no answer (for a failure message). */
    public String bodyOr(String path, String fallback) {
        try {
            return get(path).body();
        } catch (IOException | IllegalStateException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }

    /** One scrape of /metrics, as text. */
    public String scrapeMetrics() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics");
        if (response.statusCode() != 200) {
            throw new IOException("the " + name + " bridge's /metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** @throws IllegalStateException with the end of the output if the process has exited */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the " + name + " bridge exited with " + process.exitValue() + "\n"
                    + logTail(TAIL_LINES));
        }
    }

    /**
     * {@code jcmd <pid> <arguments>}, its output. The output goes to a file, read after the bounded wait: reading a
     * pipe until its end would wait for a jcmd whose attach hangs as long as it hangs.
     *
     * @throws IOException if it failed or did not end within 60 s, with what it printed
     */
    public String jcmd(String... arguments) throws IOException, InterruptedException {
        Path output = log == null ? Files.createTempFile("jcmd-", ".txt")
                : Files.createTempFile(log.toAbsolutePath().getParent(), "jcmd-", ".txt");
        try {
            List<String> command = new ArrayList<>(List.of(javaTool("jcmd").toString(), Long.toString(process.pid())));
            command.addAll(List.of(arguments));
            Process jcmd = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean ended = jcmd.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                jcmd.destroyForcibly();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (!ended || jcmd.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + (ended ? " failed (exit " + jcmd.exitValue()
                        + "): " : " did not end within " + JCMD_TIMEOUT.toSeconds() + " s: ") + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** SIGSTOP: the process freezes, its sockets stay open, its clocks run on. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye; returns once it ended (10 s at most). */
    /** Waits for the process to end by itself (no signal sent); its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still runs after " + timeout + "; " + logTail(TAIL_LINES));
        }
        return process.exitValue();
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, as a service manager stops it; SIGKILL if it has not ended within {@code grace}. */
    public Stop stop(Duration grace) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        boolean graceful = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!graceful) {
            kill();
        }
        return new Stop(graceful, Duration.ofNanos(System.nanoTime() - start),
                process.isAlive() ? -1 : process.exitValue());
    }

    /**
     * SIGTERM to every process at once (each shuts down in parallel with the others), then waits for each and kills
     * those still running {@code grace} after the signal, saying so on stderr.
     */
    public static void stopAll(Collection<BridgeProcess> processes, Duration grace) {
        processes.forEach(p -> p.process.destroy());
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        for (BridgeProcess p : processes) {
            try {
                if (!interrupted && p.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (p.process.isAlive()) {
                System.err.println("the " + p.name + " bridge did not stop within " + grace.toSeconds()
                        + " s of SIGTERM; killing it");
                p.process.destroyForcibly();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL and a short wait for the end: a bridge must never outlive the test that started it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String awaitLine(Predicate<String> wanted, String what, Duration timeout) {
        String[] found = new String[1];
        try {
            Awaitility.await(what + " from the " + name + " bridge").atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(LINE_POLL).until(() -> {
                        // Read after the end is known, so that a last line printed just before the exit is seen.
                        boolean ended = !process.isAlive() && outputComplete();
                        List<String> lines = lines(true);
                        for (int i = cursor; i < lines.size(); i++) {
                            if (wanted.test(lines.get(i))) {
                                cursor = i + 1;
                                found[0] = lines.get(i);
                                return true;
                            }
                        }
                        if (ended) {
                            throw new AssertionError("the " + name + " bridge exited with " + process.exitValue()
                                    + " before " + what + "; " + logTail(Integer.MAX_VALUE));
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " from the " + name + " bridge within " + timeout.toSeconds()
                    + " s; " + logTail(Integer.MAX_VALUE), e);
        }
        return found[0];
    }

    private boolean outputComplete() throws InterruptedException {
        if (reader == null) {
            return true;
        }
        reader.join(KILL_WAIT.toMillis());
        return !reader.isAlive();
    }

    /**
     * The output's lines; with {@code completeOnly} those ending in a line feed, so that a line still being written
     * to the log file is not matched by half.
     */
    private List<String> lines(boolean completeOnly) {
        if (log == null) {
            synchronized (captured) {
                return new ArrayList<>(captured);
            }
        }
        try {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (completeOnly) {
                text = text.substring(0, text.lastIndexOf('\n') + 1);
            }
            return text.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path javaTool(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool);
    }
}
