package io.twsbridge.bridge.app;

import io.twsbridge.embedded.ChildProcesses;
import io.twsbridge.sim.GatewaySimulator;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bridge in a JVM of its own ({@link BridgeProcessMain}), for tests that kill it, size its heap as production
 * does, or measure its threads and descriptors apart from the broker's. The test reads its output line by line.
 */
final class BridgeProcess implements AutoCloseable {

    /** Production JVM options (docs/configuration.md, "JVM options"). */
    static final List<String> PRODUCTION_JVM_OPTIONS =
            List.of("-Xms128m", "-Xmx128m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private BridgeProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("READ-FAILED " + e);
            }
        }, "bridge-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** A bridge on {@code prefix}'s topics; {@code crashAt} (or null) names a crash point (see CrashPoints). */
    static BridgeProcess start(KafkaStack stack, GatewaySimulator sim, String prefix, String crashAt) throws Exception {
        return start(stack, sim, prefix, crashAt, List.of(), false);
    }

    /**
     * @param jvmOptions options before the main class, e.g. {@link #PRODUCTION_JVM_OPTIONS}
     * @param management whether to start the management HTTP endpoint (see {@link #awaitManagement})
     */
    static BridgeProcess start(KafkaStack stack, GatewaySimulator sim, String prefix, String crashAt,
                               List<String> jvmOptions, boolean management) throws Exception {
        return start(stack, sim, prefix, crashAt, jvmOptions, management ? java.util.Map.of(BridgeProcessMain.MANAGEMENT_ENV, "1")
                : java.util.Map.of());
    }

    /**
     * One instance of a standby bridge (failover) named {@code instance}, with its management endpoint on
     * {@code managementPort}, which stays the same when the instance, deposed, replaces itself with a fresh
     * standby.
     */
    static BridgeProcess startStandby(KafkaStack stack, GatewaySimulator sim, String prefix, String instance,
                                      Duration sessionTimeout, int managementPort) throws Exception {
        return start(stack, sim, prefix, null, List.of(), java.util.Map.of(
                BridgeProcessMain.FAILOVER_ENV, instance,
                BridgeProcessMain.SESSION_TIMEOUT_ENV, sessionTimeout.toString(),
                BridgeProcessMain.MANAGEMENT_ENV, String.valueOf(managementPort)));
    }

    private static BridgeProcess start(KafkaStack stack, GatewaySimulator sim, String prefix, String crashAt,
                                       List<String> jvmOptions, java.util.Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BridgeProcessMain.class.getName(),
                stack.kafka.bootstrapServers(), stack.registry.confluentApiUrl(), String.valueOf(sim.apiPort()), prefix));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("BRIDGE_CRASH_AT");
        pb.environment().remove(BridgeProcessMain.MANAGEMENT_ENV);
        pb.environment().remove(BridgeProcessMain.FAILOVER_ENV);
        if (crashAt != null) {
            pb.environment().put("BRIDGE_CRASH_AT", crashAt);
        }
        pb.environment().putAll(env);
        return new BridgeProcess(ChildProcesses.adopt(pb.start()));
    }

    /** Waits (up to a minute) for a line equal to {@code marker}. */
    void await(String marker) throws InterruptedException {
        awaitLine(marker, false);
    }

    /** The management endpoint's base URI, once the process printed it. */
    URI awaitManagement() throws InterruptedException {
        return URI.create(awaitLine(BridgeProcessMain.MANAGEMENT_MARKER, true)
                .substring(BridgeProcessMain.MANAGEMENT_MARKER.length()).trim());
    }

    private String awaitLine(String marker, boolean prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                if (!process.isAlive()) {
                    break;
                }
                continue;
            }
            seen.add(line);
            if (prefix ? line.startsWith(marker) : line.equals(marker)) {
                return line;
            }
        }
        throw new AssertionError("no '" + marker + "' from the bridge process; its output:\n" + output());
    }

    /** Everything the process printed so far (what the awaits consumed and what is still queued). */
    String output() {
        List<String> all = new ArrayList<>(seen);
        all.addAll(lines);
        return String.join("\n", all);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGSTOP: the process freezes, its sockets stay open, its clocks run on. */
    void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, then SIGKILL if it has not ended within {@code grace}.
     *
     * @return whether it ended on the SIGTERM (its shutdown ran), not on the SIGKILL
     */
    boolean stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            return false;
        }
        return true;
    }

    /** SIGKILL, not waiting for the end (a test's clean-up). */
    @Override
    public void close() {
        process.destroyForcibly();
    }
}
