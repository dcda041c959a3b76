package io.twsbridge.client.registry;

import java.util.List;

/**
 * The registry's answer to "could this schema be registered under the subject?".
 *
 * @param compatible whether the registry accepts the schema under the subject's compatibility level
 * @param messages   the registry's reasons when it does not (Confluent's verbose messages, Apicurio's rule
 *                   violation); may be empty, never null
 */
public record CompatibilityCheck(boolean compatible, List<String> messages) {

    /** What a subject without versions answers: nothing to be incompatible with. */
    public static final CompatibilityCheck NO_VERSIONS_YET = new CompatibilityCheck(true, List.of());

    public CompatibilityCheck {
        messages = List.copyOf(messages);
    }
}
