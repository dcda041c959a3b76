package io.twsbridge.schema.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;

/**
 * The contracts' compatibility rule, BACKWARD_TRANSITIVE: every current value schema, as reader,
 * must be able to read data written with every released version of it, checked with Avro's own
 * {@link SchemaCompatibility#checkReaderWriterCompatibility}.
 */
public final class CompatibilityGuard {

    private CompatibilityGuard() {}

    /** One problem found by the guard. */
    public record Finding(String version, String schema, String type, String location, String message) {
        public Finding {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return schema + " vs released " + version + ": " + type + " at " + location + ": " + message;
        }
    }

    /** Outcome of a check: compatible when there are no findings. */
    public record Report(List<Finding> findings) {
        public Report {
            findings = List.copyOf(findings);
        }

        public boolean compatible() {
            return findings.isEmpty();
        }

        /** The findings, one per line, for a failure message. */
        public String describe() {
            if (findings.isEmpty()) {
                return "all schemas are backward compatible with every released version";
            }
            StringBuilder sb = new StringBuilder("incompatible with released schemas:");
            for (Finding f : findings) {
                sb.append(System.lineSeparator()).append("  - ").append(f);
            }
            return sb.toString();
        }
    }

    /** Finding type for a released value schema that no longer exists. */
    public static final String MISSING_SCHEMA = "MISSING_SCHEMA";

    /**
     * Checks {@code current} value schemas (by full name) against every released version (value
     * schemas by full name, by version). A schema new since a version is not checked against it; a
     * released schema with no current counterpart is a finding, as data written with it could no
     * longer be read.
     */
    public static Report check(Map<String, Schema> current, SortedMap<String, Map<String, Schema>> releases) {
        List<Finding> findings = new ArrayList<>();
        releases.forEach((version, released) -> released.forEach((name, writer) -> {
            Schema reader = current.get(name);
            if (reader == null) {
                findings.add(new Finding(version, name, MISSING_SCHEMA, "/", "released schema has no current version"));
            } else {
                findings.addAll(check(version, reader, writer));
            }
        }));
        return new Report(findings);
    }

    /** Whether {@code reader} can read data written with {@code writer}, released as {@code version}. */
    public static List<Finding> check(String version, Schema reader, Schema writer) {
        SchemaCompatibilityResult result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        List<Finding> findings = new ArrayList<>();
        for (Incompatibility incompatibility : result.getIncompatibilities()) {
            findings.add(new Finding(
                    version,
                    reader.getFullName(),
                    incompatibility.getType().name(),
                    incompatibility.getLocation(),
                    incompatibility.getMessage()));
        }
        return findings;
    }
}
