package io.twsbridge.bridge.app;

import io.twsbridge.testkit.BridgeProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the soak reads of the production jar's process beyond its /metrics: the live heap by class, threads by name
 * and the trouble in its log.
 */
final class SoakProbes {

    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+).*$");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$");
    /** A log line at level ERROR (the production pattern: time, level, [thread], logger), or a stack trace. */
    private static final Pattern TROUBLE = Pattern.compile("^\\S+\\s+ERROR\\s.*|^\\s+at \\S+\\(.*\\)$|^Caused by: .*"
            + "|^Exception in thread .*");

    private SoakProbes() {
    }

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

    /** The soak runs the jar that {@code package} built; without it there is nothing to soak. */
    static void requireJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the production jar " + jar.toAbsolutePath() + " is missing: the soak runs "
                    + "in `mvn verify` after `package` has built it");
        }
    }

    /**
     * A full collection and the live objects it left, by class: {@code jcmd <pid> GC.class_histogram}. One JVM
     * start per call, and the first attach adds the target's "Attach Listener" thread for good, so call it once
     * before the counts are judged.
     */
    static LiveHeap liveHeap(BridgeProcess bridge) throws IOException, InterruptedException {
        List<String> lines = bridge.jcmd("GC.class_histogram").lines().toList();
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
        throw new IOException("jcmd GC.class_histogram printed no total: "
                + String.join("\n", lines.subList(0, Math.min(10, lines.size()))));
    }

    /** Threads by name (as /proc shows them, 15 characters at most), for a diagnosis of thread growth. */
    static Map<String, Integer> threadNames(long pid) throws IOException {
        Map<String, Integer> names = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
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
    static List<String> troubleInLog(Path log, int limit) throws IOException {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> TROUBLE.matcher(l).matches()).limit(limit).toList();
        }
    }
}
