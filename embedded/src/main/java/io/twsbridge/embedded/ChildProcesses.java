package io.twsbridge.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Child processes that must not outlive this JVM: the schema registry, a bridge a test runs apart, anything the
 * demo, a benchmark or a test fixture starts.
 *
 * <p>A JVM ended by SIGTERM or SIGINT runs its shutdown hooks and halts, and the try-with-resources blocks that
 * would have stopped its children never finish. When the signal went to the JVM's pid alone ({@code timeout},
 * {@code docker stop}, {@code kill PID}) the children heard nothing and run on, holding their ports.
 * {@link #adopt} puts a process in the care of one shutdown hook, which ends every adopted process still alive,
 * and its descendants: SIGTERM to all at once, then SIGKILL to those still alive after {@link #GRACE}.
 *
 * <p>A normal end needs nothing of this: the owner stops its child as before, and a process that has ended is
 * forgotten. SIGKILL of this JVM runs no hook, and nothing in this process can help then.
 */
public final class ChildProcesses {

    /**
     * How long the children get to end after SIGTERM before SIGKILL. The registry (Quarkus) stops in about a
     * second; ten leave room on a loaded machine and stay inside the shortest stop grace a runtime gives
     * ({@code docker stop}: 10 s, counted from the same signal).
     */
    static final Duration GRACE = Duration.ofSeconds(10);

    private static final Set<Process> ADOPTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> endAll(GRACE), "child-processes-stop"));
    }

    private ChildProcesses() {
    }

    /** Ends {@code process} (and its descendants) when this JVM ends, if it is still alive then. Returns it. */
    public static Process adopt(Process process) {
        ADOPTED.removeIf(p -> !p.isAlive());
        ADOPTED.add(process);
        return process;
    }

    /** The adopted processes still alive. */
    static List<Process> alive() {
        return ADOPTED.stream().filter(Process::isAlive).toList();
    }

    /** What the shutdown hook does: SIGTERM to every adopted process alive and its descendants, SIGKILL after grace. */
    static void endAll(Duration grace) {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : alive()) {
            // Listed before the signal: once the parent ends, its children are no longer its descendants. The
            // parent first: killed before its children, it ends by the SIGKILL itself, where a shell that saw its
            // child killed first would return from its wait and exit 0 in the meantime.
            all.add(p.toHandle());
            all.addAll(p.descendants().toList());
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException stillAlive) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            } catch (ExecutionException unexpected) {
                p.destroyForcibly();
            }
        }
        ADOPTED.removeIf(p -> !p.isAlive());
    }
}
