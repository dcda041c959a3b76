package io.twsbridge.bridge.kafka.registry;

import io.twsbridge.schema.catalogue.Topic;
import java.util.Objects;

/**
 * What start-up registration did for one topic's value schema.
 *
 * @param topic     the topic
 * @param topicName the name the topic has in this deployment
 * @param subject   {@code <topicName>-value}
 * @param id        the schema id records of this topic carry
 * @param outcome   whether the schema was already there, or added as a new subject or a new version
 */
public record SubjectRegistration(Topic topic, String topicName, String subject, int id, Outcome outcome) {

    /** What registration had to do. */
    public enum Outcome {
        /** The subject already had this exact schema: nothing was registered. */
        ALREADY_REGISTERED,
        /** The subject did not exist: the schema is its first version. */
        NEW_SUBJECT,
        /** The subject had other versions and the schema passed the compatibility check: a new version. */
        NEW_VERSION
    }

    public SubjectRegistration {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(topicName, "topicName");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(outcome, "outcome");
    }
}
