package io.twsbridge.bridge.validation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A settings builder refused its values. The problems are typed ({@link #problems()}); the message lists them too,
 * one per line, for a caller that only logs it. An {@link IllegalArgumentException}, because an invalid value is
 * an invalid argument to the builder.
 */
public final class InvalidSettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** An array: the fields of a Serializable exception should have serializable types. */
    private final SettingProblem[] problems;

    InvalidSettingsException(String part, List<SettingProblem> problems) {
        super("invalid " + part + " configuration:" + problems.stream().map(p -> "\n  - " + p.text())
                .collect(Collectors.joining()));
        this.problems = problems.toArray(SettingProblem[]::new);
    }

    /** Every problem, in the order the builder found them. */
    public List<SettingProblem> problems() {
        return List.of(problems);
    }
}
