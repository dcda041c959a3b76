package io.twsbridge.client.registry;

import java.util.Locale;
import java.util.Optional;

/** Schema Registry compatibility levels, spelt as the Confluent API spells them. */
public enum CompatibilityLevel {
    NONE,
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE;

    /** The level named {@code text} (case-insensitive), or empty when the registry answered something else. */
    public static Optional<CompatibilityLevel> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
