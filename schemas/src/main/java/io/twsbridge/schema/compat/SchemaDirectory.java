package io.twsbridge.schema.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Reads sets of {@code .avsc} files laid out like {@code src/main/avro}: shared records under
 * {@code common/}, one value schema per topic beside it, and the records of the bridge's own state
 * topics under {@code state/}.
 */
public final class SchemaDirectory {

    /** Subdirectory holding the shared records that the value schemas refer to. */
    public static final String COMMON = "common";

    /**
     * Subdirectory holding the value schemas of the bridge's own state topics. They may refer to
     * named types defined inside the topic value schemas (e.g. {@code OrderAction} in
     * {@code Command}), so they are parsed after them.
     */
    public static final String STATE = "state";

    private static final String EXTENSION = ".avsc";

    private SchemaDirectory() {}

    /**
     * Parses one set with a single {@link Schema.Parser}: the files under {@code common/} first, so the
     * value schemas that use them resolve, then the value schemas, then the files under
     * {@code state/}, each group in name order.
     *
     * @return the value schemas, topic value schemas first, then state schemas (not the shared
     *     records), by full name, in file-name order
     */
    public static Map<String, Schema> parse(Path dir) {
        Schema.Parser parser = new Schema.Parser();
        for (Path shared : avscFiles(dir.resolve(COMMON))) {
            parseFile(parser, shared);
        }
        Map<String, Schema> valueSchemas = new LinkedHashMap<>();
        for (Path file : avscFiles(dir)) {
            Schema schema = parseFile(parser, file);
            valueSchemas.put(schema.getFullName(), schema);
        }
        for (Path file : avscFiles(dir.resolve(STATE))) {
            Schema schema = parseFile(parser, file);
            valueSchemas.put(schema.getFullName(), schema);
        }
        return Collections.unmodifiableMap(valueSchemas);
    }

    /**
     * Parses every released version under {@code releasedRoot}, one subdirectory per version named
     * like {@code 0.1.0}, each with {@link #parse(Path)}.
     *
     * @return value schemas by full name, by version, oldest version first
     */
    public static NavigableMap<String, Map<String, Schema>> parseReleases(Path releasedRoot) {
        NavigableMap<String, Map<String, Schema>> releases = new TreeMap<>(VERSION_ORDER);
        try (Stream<Path> entries = Files.list(releasedRoot)) {
            for (Path versionDir : entries.filter(Files::isDirectory).toList()) {
                releases.put(versionDir.getFileName().toString(), parse(versionDir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list released schema versions in " + releasedRoot, e);
        }
        return Collections.unmodifiableNavigableMap(releases);
    }

    /** Orders versions such as {@code 0.9.0} and {@code 0.10.0} by their numeric parts. */
    public static final Comparator<String> VERSION_ORDER = (a, b) -> {
        String[] pa = a.split("\\.");
        String[] pb = b.split("\\.");
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            String sa = i < pa.length ? pa[i] : "0";
            String sb = i < pb.length ? pb[i] : "0";
            int c = isNumber(sa) && isNumber(sb) ? Long.compare(Long.parseLong(sa), Long.parseLong(sb)) : sa.compareTo(sb);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() < 19 && s.chars().allMatch(Character::isDigit);
    }

    private static List<Path> avscFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> files = new ArrayList<>(entries
                    .filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(EXTENSION))
                    .toList());
            files.sort(Comparator.comparing(p -> p.getFileName().toString()));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static Schema parseFile(Schema.Parser parser, Path file) {
        try {
            return parser.parse(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
