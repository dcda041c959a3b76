package io.twsbridge.client.registry;

import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@link SchemaRegistryConfig.Builder#build()} refused its values. The problems are typed ({@link #problems()}), each
 * keyed by its {@code registry.*} setting, so a configuration loader can report them beside its own without reading
 * message text; the message lists them too, one per line.
 */
public final class InvalidRegistryConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * One invalid setting.
     *
     * @param key     the setting, e.g. {@code registry.max-attempts}
     * @param message what is wrong, without the key, e.g. {@code must be >= 1 but was 0}
     */
    public record Problem(String key, String message) implements Serializable {

        /** The key, then the message. */
        public String text() {
            return key + " " + message;
        }
    }

    /** An array: the fields of a Serializable exception should have serializable types. */
    private final Problem[] problems;

    InvalidRegistryConfigException(List<Problem> problems) {
        super("invalid schema registry configuration:" + problems.stream().map(p -> "\n  - " + p.text())
                .collect(Collectors.joining()));
        this.problems = problems.toArray(Problem[]::new);
    }

    /** Every problem, in the order the builder found them. */
    public List<Problem> problems() {
        return List.of(problems);
    }
}
