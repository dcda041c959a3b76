package io.twsbridge.bridge.validation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects a settings builder's problems, then throws them all at once: one validation helper for every builder,
 * so that the same rule reads the same way whichever part of the configuration it is in.
 */
public final class SettingProblems {

    private final String part;
    private final List<SettingProblem> problems = new ArrayList<>();

    /** @param part the configuration's part, in the message ("gateway", "Kafka", "schema registry") */
    public SettingProblems(String part) {
        this.part = part;
    }

    public void add(String key, String message) {
        problems.add(new SettingProblem(key, message));
    }

    /** A problem of several settings together, which no single key owns. */
    public void addGeneral(String message) {
        problems.add(new SettingProblem(null, message));
    }

    /** {@code d} must be set and above zero. */
    public void positive(String key, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            add(key, "must be a positive duration but was " + d);
        }
    }

    /** {@code d} must be set and at least {@code min}. */
    public void atLeast(String key, Duration d, Duration min) {
        if (d == null || d.compareTo(min) < 0) {
            add(key, "must be >= " + min.toMillis() + " ms but was " + d);
        }
    }

    /** {@code value} must be in {@code min..max}. */
    public void inRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            add(key, "must be " + min + ".." + max + " but was " + value);
        }
    }

    /** {@code name} must be a legal Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'. */
    public void topicName(String key, String name) {
        if (name == null || !name.matches("[a-zA-Z0-9._-]{1,249}")) {
            add(key, "must be a legal Kafka topic name but was '" + name + "'");
        }
    }

    /** {@code value} must be set and not blank. */
    public void notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            add(key, "must not be empty");
        }
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** @throws InvalidSettingsException with every problem collected, if there is any */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(part, problems);
        }
    }
}
