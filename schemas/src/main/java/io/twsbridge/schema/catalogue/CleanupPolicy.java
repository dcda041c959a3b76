package io.twsbridge.schema.catalogue;

/** Kafka's {@code cleanup.policy} for a topic. */
public enum CleanupPolicy {
    /** Keep only the latest record of each key: the topic is a table of current state. */
    COMPACT("compact"),
    /** Drop records by age or size: the topic is a log of events. */
    DELETE("delete");

    private final String configValue;

    CleanupPolicy(String configValue) {
        this.configValue = configValue;
    }

    /** The value to give Kafka's {@code cleanup.policy} topic setting. */
    public String configValue() {
        return configValue;
    }
}
