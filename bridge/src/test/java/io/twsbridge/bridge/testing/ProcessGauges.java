package io.twsbridge.bridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Threads, open file descriptors and sockets of a process, read from {@code /proc} (Linux), and the heap of
 * this JVM: what leak checks compare before and after, or sample through a soak.
 */
public final class ProcessGauges {

    /** One reading. {@code heapUsedBytes} is -1 for another process. */
    public record Snapshot(int threads, int fileDescriptors, int sockets, long heapUsedBytes) {
        @Override
        public String toString() {
            return "threads=" + threads + " fds=" + fileDescriptors + " sockets=" + sockets
                    + (heapUsedBytes < 0 ? "" : " heap=" + (heapUsedBytes >> 20) + "MiB");
        }
    }

    private ProcessGauges() {
    }

    /** This JVM. */
    public static Snapshot self() {
        Snapshot s = of(ProcessHandle.current().pid());
        return new Snapshot(s.threads(), s.fileDescriptors(), s.sockets(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** Another process, by pid. */
    public static Snapshot of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        int fds = 0;
        int sockets = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : dir) {
                fds++;
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        sockets++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between listing and reading: counted, not a socket
                }
            }
            return new Snapshot(threads(proc), fds, sockets, -1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + proc, e);
        }
    }

    private static int threads(Path proc) throws IOException {
        List<String> status = Files.readAllLines(proc.resolve("status"));
        return status.stream().filter(l -> l.startsWith("Threads:"))
                .mapToInt(l -> Integer.parseInt(l.substring("Threads:".length()).trim())).findFirst()
                .orElseThrow(() -> new IOException("no Threads line in " + proc.resolve("status")));
    }
}
