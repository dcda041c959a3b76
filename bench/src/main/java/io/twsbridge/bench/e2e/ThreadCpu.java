package io.twsbridge.bench.e2e;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads by what they belong to (the simulator, the bridge's socket reader, its event
 * loop, the producer's I/O thread, the benchmark's own threads, the in-process broker), so a report can say which
 * part was busy: on two cores a part near 100% of one core is the limit.
 *
 * <p>A snapshot sums the CPU time of the threads alive at that moment; a thread that ends between two snapshots
 * loses its time, which is why the measured windows start and end with every part running.
 */
final class ThreadCpu {

    /** The groups, in report order. */
    static final String SIMULATOR = "simulator";
    static final String BRIDGE_READER = "bridge socket reader";
    static final String BRIDGE_LOOP = "bridge event loop";
    static final String PRODUCER_IO = "producer I/O";
    static final String BENCH = "bench threads";
    static final String BROKER_AND_OTHER = "broker and other";
    static final String PROCESS = "whole process";
    /** Not CPU: the time the collectors reported (pauses, for G1's young and mixed collections) in % of the wall. */
    static final String GC_TIME = "collector time";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<String, Long> nanosByGroup;
    private final long at;

    private ThreadCpu(Map<String, Long> nanosByGroup, long at) {
        this.nanosByGroup = nanosByGroup;
        this.at = at;
    }

    static ThreadCpu snapshot() {
        Map<String, Long> nanos = new LinkedHashMap<>();
        for (String group : new String[]{SIMULATOR, BRIDGE_READER, BRIDGE_LOOP, PRODUCER_IO, BENCH, BROKER_AND_OTHER}) {
            nanos.put(group, 0L);
        }
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue; // ended meanwhile
            }
            long cpu = THREADS.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                nanos.merge(group(info.getThreadName()), cpu, Long::sum);
            }
        }
        // Includes what no Java thread shows: the garbage collector and the JIT compilers.
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            nanos.put(PROCESS, os.getProcessCpuTime());
        }
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        nanos.put(GC_TIME, gcMillis * 1_000_000);
        return new ThreadCpu(nanos, System.nanoTime());
    }

    /** Per group, the CPU time in nanoseconds used since {@code earlier} (collector time: the collectors' time). */
    Map<String, Long> nanosSince(ThreadCpu earlier) {
        Map<String, Long> used = new LinkedHashMap<>();
        nanosByGroup.forEach((group, nanos) -> used.put(group,
                Math.max(0, nanos - earlier.nanosByGroup.getOrDefault(group, 0L))));
        return used;
    }

    /** Per group, the CPU used since {@code earlier} as a percentage of one core (collector time: of the wall). */
    Map<String, Double> percentOfOneCoreSince(ThreadCpu earlier) {
        double elapsed = at - earlier.at;
        Map<String, Double> percent = new LinkedHashMap<>();
        nanosByGroup.forEach((group, nanos) -> percent.put(group,
                100.0 * Math.max(0, nanos - earlier.nanosByGroup.getOrDefault(group, 0L)) / elapsed));
        return percent;
    }

    private static String group(String threadName) {
        if (threadName.startsWith("sim-")) {
            return SIMULATOR;
        }
        if (threadName.startsWith("gateway-") && threadName.endsWith("-reader")) {
            return BRIDGE_READER;
        }
        if (threadName.equals("gateway-session")) {
            return BRIDGE_LOOP;
        }
        if (threadName.startsWith("kafka-producer-network-thread")) {
            return PRODUCER_IO;
        }
        if (threadName.startsWith("bench-")) {
            return BENCH;
        }
        return BROKER_AND_OTHER;
    }
}
