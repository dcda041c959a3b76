package io.twsbridge.bridge.kafka.registry;

import io.twsbridge.client.registry.CompatibilityLevel;

import java.util.List;

/**
 * The registry refuses a value schema of this build as incompatible with what the subject already holds. Thrown at
 * start-up by {@link SchemaRegistrar}; the bridge must not start, since it would publish records that consumers of
 * the subject cannot read (or the registry would refuse the schema anyway).
 */
public final class IncompatibleSchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String subject;
    private final CompatibilityLevel level;
    private final List<String> reasons;

    IncompatibleSchemaException(String subject, String schemaName, CompatibilityLevel level, String against,
                                List<String> reasons, Throwable cause) {
        super(message(subject, schemaName, level, against, reasons), cause);
        this.subject = subject;
        this.level = level;
        this.reasons = List.copyOf(reasons);
    }

    private static String message(String subject, String schemaName, CompatibilityLevel level, String against,
                                  List<String> reasons) {
        return "Schema Registry subject " + subject + " refuses this build's " + schemaName + " schema: it is not "
                + level + " compatible with " + against + ". Registry's reason: "
                + (reasons.isEmpty() ? "(none given)" : String.join("; ", reasons))
                + ". Start-up stopped: make the schema change compatible (see schemas/README.md, Compatibility) or"
                + " publish to a new topic.";
    }

    /** The subject that refused the schema. */
    public String subject() {
        return subject;
    }

    /** The compatibility level the subject was checked under. */
    public CompatibilityLevel level() {
        return level;
    }

    /** The registry's reasons, possibly empty. */
    public List<String> reasons() {
        return reasons;
    }
}
