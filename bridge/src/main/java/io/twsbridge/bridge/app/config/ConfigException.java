package io.twsbridge.bridge.app.config;

import java.util.List;

/**
 * The configuration cannot be used. Carries every problem found, not just the first: unknown keys, values that
 * do not parse, and each settings builder's own validation. Each problem is one line that names its key (and,
 * when the value came from the environment, the variable). Secret values never appear.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Arrays rather than lists: the fields of a Serializable exception should have serializable types. */
    private final String[] problems;
    private final String[] warnings;

    ConfigException(String source, List<String> problems) {
        this(source, problems, List.of());
    }

    ConfigException(String source, List<String> problems, List<String> warnings) {
        super(message(source, problems, warnings));
        this.problems = problems.toArray(String[]::new);
        this.warnings = warnings.toArray(String[]::new);
    }

    /** Each problem, one line each, in key order. */
    public List<String> problems() {
        return List.of(problems);
    }

    /**
     * What was ignored (see {@link LoadedConfig#warnings()}); listed too because a misspelt variable is often the
     * reason for a problem.
     */
    public List<String> warnings() {
        return List.of(warnings);
    }

    private static String message(String source, List<String> problems, List<String> warnings) {
        StringBuilder sb = new StringBuilder("invalid configuration (").append(source).append("), ")
                .append(problems.size()).append(problems.size() == 1 ? " problem:" : " problems:");
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        if (!warnings.isEmpty()) {
            sb.append("\nignored:");
            for (String w : warnings) {
                sb.append("\n  - ").append(w);
            }
        }
        return sb.toString();
    }
}
