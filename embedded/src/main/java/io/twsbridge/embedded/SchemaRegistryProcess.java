package io.twsbridge.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Confluent-compatible schema registry (Apicurio Registry 2.4.2, built by the {@code registry} module)
 * as a child process on 127.0.0.1, for the integration tests and the demo. {@link #start} keeps its data in
 * memory: every start is empty. {@link #startDurable} keeps it in an H2 database file in a temporary directory,
 * so that {@link #stop()} and {@link #restart} make an outage after which the registry comes back, on the same
 * port, with every schema and id it had, as a production registry does.
 *
 * <p>{@link #confluentApiUrl()} is the base URL of its Confluent API ({@code /apis/ccompat/v7}).
 *
 * <p>The child never outlives this JVM's normal end or its end by SIGTERM or SIGINT: {@link #close()} stops it,
 * and {@link ChildProcesses} stops it when a signal ends the JVM before {@code close()} could.
 */
public final class SchemaRegistryProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryProcess.class);
    /** Where the registry module puts the runnable jar, relative to the repository root. */
    public static final String JAR_IN_REPOSITORY = "registry/target/quarkus-app/quarkus-run.jar";

    private final Path jar;
    private final int port;
    private final Path logFile;
    /** Where a durable registry keeps its database; null for an in-memory one. */
    private final Path dataDir;
    private Process process;

    private SchemaRegistryProcess(Path jar, int port, Path logFile, Path dataDir) {
        this.jar = jar;
        this.port = port;
        this.logFile = logFile;
        this.dataDir = dataDir;
    }

    /**
     * Starts the registry on a free port and waits until its Confluent API answers.
     *
     * @param jar the registry's quarkus-run.jar (see {@link #locateJar})
     */
    public static SchemaRegistryProcess start(Path jar, Duration timeout) throws IOException, InterruptedException {
        return start(jar, timeout, null);
    }

    /**
     * Starts a registry that keeps its schemas across {@link #stop()} and {@link #restart}: its database is a file
     * in a temporary directory, deleted by {@link #close()}.
     */
    public static SchemaRegistryProcess startDurable(Path jar, Duration timeout) throws IOException, InterruptedException {
        return start(jar, timeout, Files.createTempDirectory("schema-registry-data"));
    }

    private static SchemaRegistryProcess start(Path jar, Duration timeout, Path dataDir)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no schema registry at " + jar + ": build it with 'mvn -pl registry install'");
        }
        SchemaRegistryProcess registry = new SchemaRegistryProcess(jar, freePort(),
                Files.createTempFile("schema-registry", ".log"), dataDir);
        registry.launch(timeout);
        return registry;
    }

    /** Finds the jar from a module directory or the repository root (system property {@code registry.jar} wins). */
    public static Path locateJar() {
        String configured = System.getProperty("registry.jar");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve(JAR_IN_REPOSITORY);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return Path.of(JAR_IN_REPOSITORY);
    }

    /** Where the registry process writes its output. */
    public Path logFile() {
        return logFile;
    }

    public int port() {
        return port;
    }

    /** The base URL of the Confluent-compatible API. */
    public String confluentApiUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Stops the process (an outage); {@link #restart} brings it back: empty, unless it was started durable. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Stops the process if it runs and starts it again on the same port; returns once its API answers. */
    public void restart(Duration timeout) throws IOException, InterruptedException {
        stop();
        launch(timeout);
    }

    private void launch(Duration timeout) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port, "-Dquarkus.log.level=WARN"));
        if (dataDir != null) {
            // Apicurio's SQL storage on an H2 file instead of its default in-memory H2 database.
            command.add("-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + dataDir.resolve("registry"));
        }
        command.addAll(List.of("-jar", jar.toString()));
        // Adopted: SIGTERM or SIGINT to this JVM alone must not leave the registry running and listening.
        process = ChildProcesses.adopt(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start());
        process.getOutputStream().close();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("the schema registry exited with " + process.exitValue() + "; its log: "
                        + Files.readString(logFile));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(confluentApiUrl() + "/subjects"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    log.info("schema registry ready on port {}", port);
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("the schema registry did not answer within " + timeout + "; its log: "
                        + Files.readString(logFile));
            }
            // Polling a starting process: a short pause between probes, bounded by the deadline above.
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(logFile);
        if (dataDir != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
