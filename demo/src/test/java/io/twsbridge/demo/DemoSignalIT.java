package io.twsbridge.demo;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A signal to the demo (SIGTERM from {@code timeout}, systemd or a container runtime; SIGINT from Ctrl-C) ends it
 * and everything it started: the demo runs as its own JVM from the shaded jar, as a user runs it, and after the
 * signal no process it started is alive and no port it listened on is still listening. Only the demo's own pid
 * gets the signal, as {@code timeout} and {@code docker stop} send it: its children hear nothing from outside.
 */
class DemoSignalIT {

    private static final Pattern KAFKA = Pattern.compile("\\[demo] Kafka ready at 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern REGISTRY = Pattern.compile("\\[demo] schema registry ready at http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern GATEWAY = Pattern.compile(
            "\\[demo] simulated IB Gateway on 127\\.0\\.0\\.1:(\\d+) \\(admin http://127\\.0\\.0\\.1:(\\d+)/state\\)");
    private static final Pattern LOG_FILE = Pattern.compile("\\[demo] logs of Kafka, the simulator and the bridge go to (\\S+)");
    private static final String LIVE_VIEW = "[demo] live view until Ctrl-C:";
    private static final String STOPPED = "[demo] stopped; nothing left running";
    private static final String CONTRACT = "[demo] contract 265598 AAPL STK SMART/NASDAQ USD";
    private static final String BARS_SUMMARY = "[demo] bars   AAPL (conId 265598): ";
    /** A TCP socket in state LISTEN, in /proc/net/tcp and tcp6. */
    private static final String TCP_LISTEN = "0A";

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalToTheDemoLeavesNoProcessOfItAndNoPortListening(String signal) throws Exception {
        Path output = Files.createTempFile("demo-signal", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-Dregistry.jar=" + System.getProperty("registry.jar"), "-jar",
                System.getProperty("demo.jar"), "demo", "--duration", "0")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            await("the demo's live view").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        assertThat(demo.isAlive()).as("the demo is running; its output:%n%s", read(output)).isTrue();
                        return read(output).contains(LIVE_VIEW);
                    });
            // The sample commands' strategy data: the contract resolved, a session of 5-minute bars summarised.
            await("the demo's contract and bars").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> read(output).contains(BARS_SUMMARY) && read(output).contains(CONTRACT));
            String log = read(output);
            assertThat(log).contains(BARS_SUMMARY + "78 bars of MIN_5 from ");
            assertThat(log.lines()).as("the live view is not interleaved with framework logs")
                    .allMatch(l -> l.startsWith("[demo] "));
            Matcher named = LOG_FILE.matcher(log);
            assertThat(named.find()).as("the demo names its log file:%n%s", log).isTrue();
            assertThat(Files.readString(Path.of(named.group(1)))).as("the framework logs are in the file it names")
                    .contains("i.t.b.g.s.GatewaySession - session SYNCING -> READY");
            Map<String, Integer> printed = new TreeMap<>(Map.of("kafka", port(KAFKA, log, 1),
                    "registry", port(REGISTRY, log, 1), "gateway", port(GATEWAY, log, 1),
                    "gateway admin", port(GATEWAY, log, 2)));
            started.addAll(demo.descendants().toList());
            Set<Integer> listening = new TreeSet<>(listeningPorts(demo.pid()));
            for (ProcessHandle child : started) {
                listening.addAll(listeningPorts(child.pid()));
            }
            assertThat(started).as("the registry runs as a child process").isNotEmpty();
            assertThat(listening).as("every port the demo printed is one its processes listen on")
                    .containsAll(printed.values());

            String processes = describe(started);
            long signalled = System.nanoTime();
            signal(demo, signal);
            boolean exited = demo.waitFor(60, TimeUnit.SECONDS);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);

            assertThat(exited).as("the demo exits on SIG%s; its output:%n%s", signal, read(output)).isTrue();
            // A child that outlived the demo by its own fault would stay; one that is merely being reaped ends now.
            List<ProcessHandle> alive = aliveAfter(started, Duration.ofSeconds(5));
            Set<Integer> stillListening = new TreeSet<>(listeningPortsOnThisHost());
            stillListening.retainAll(listening);
            System.out.printf("SIG%s: demo pid %d, its processes %s, listening on %s (printed: %s); exited with %d "
                            + "%d ms after the signal; processes alive afterwards: %s; ports still listening: %s%n",
                    signal, demo.pid(), processes, listening, printed, demo.exitValue(), tookMs,
                    describe(alive), stillListening);
            assertThat(alive).as("processes of the demo still alive").isEmpty();
            assertThat(stillListening).as("ports of the demo still listening").isEmpty();
            assertThat(read(output)).as("the demo closed what it started before the JVM halted").contains(STOPPED);
        } finally {
            demo.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
            Files.deleteIfExists(output);
        }
    }

    /** Those of {@code processes} still alive once all have ended or {@code bound} has passed. */
    private static List<ProcessHandle> aliveAfter(List<ProcessHandle> processes, Duration bound) {
        try {
            await().atMost(bound).until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
        } catch (ConditionTimeoutException someStayed) {
            // reported and asserted by the caller
        }
        return processes.stream().filter(ProcessHandle::isAlive).toList();
    }

    private static void signal(Process demo, String signal) throws IOException, InterruptedException {
        if (signal.equals("TERM")) {
            demo.destroy(); // SIGTERM on Linux
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(demo.pid())).redirectErrorStream(true)
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as(new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
    }

    private static int port(Pattern pattern, String log, int group) {
        Matcher m = pattern.matcher(log);
        assertThat(m.find()).as("%s in the demo's output:%n%s", pattern, log).isTrue();
        return Integer.parseInt(m.group(group));
    }

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.pid() + " (" + p.info().command().map(c -> Path.of(c).getFileName()
                .toString()).orElse("?") + ")").toList().toString();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** The TCP ports a process listens on: its socket inodes (/proc/PID/fd) among the LISTEN rows of /proc/net. */
    private static Set<Integer> listeningPorts(long pid) throws IOException {
        Set<String> inodes = new TreeSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (NoSuchFileException closedMeanwhile) {
                    // the descriptor was closed between listing and reading
                }
            }
        }
        Set<Integer> ports = new TreeSet<>();
        for (String[] row : listenRows()) {
            if (inodes.contains(row[9])) {
                ports.add(portOf(row));
            }
        }
        return ports;
    }

    /** Every TCP port in state LISTEN on this host, by any process. */
    private static Set<Integer> listeningPortsOnThisHost() throws IOException {
        Set<Integer> ports = new TreeSet<>();
        for (String[] row : listenRows()) {
            ports.add(portOf(row));
        }
        return ports;
    }

    private static List<String[]> listenRows() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields[3].equals(TCP_LISTEN)) {
                    rows.add(fields);
                }
            }
        }
        return rows;
    }

    /** The port of a row's local address ({@code 0100007F:1F90}: hex address, colon, hex port). */
    private static int portOf(String[] row) {
        String local = row[1];
        return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
    }
}
