package io.twsbridge.bridge.kafka.registry;

import io.twsbridge.client.registry.CompatibilityCheck;
import io.twsbridge.client.registry.CompatibilityLevel;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryException;
import io.twsbridge.client.registry.SubjectVersion;

import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Registers, at start-up, the value schema of every topic that has one under its subject {@code <topicName>-value}
 * (TopicNameStrategy), and sets the subject's compatibility level. After {@link #registerAll} returns, the
 * client's cache holds every id the bridge publishes with, so serializing never calls the registry.
 *
 * <p>Per subject:
 * <ol>
 *   <li>If the subject already holds this exact schema (lookup), its id is used and nothing is registered.</li>
 *   <li>If the subject does not exist, the schema is registered as its first version, then the level is set
 *       (Apicurio keeps levels as rules on an existing artifact, so the level cannot be set before).</li>
 *   <li>Otherwise the level is set, the schema is checked against the latest version, and an incompatible schema
 *       stops start-up with an {@link IncompatibleSchemaException} naming the subject and the registry's reason.
 *       A compatible one is registered as a new version; if the registry still refuses it (HTTP 409: Confluent
 *       {@code error_code} 409, Apicurio 0), that is the same exception.</li>
 * </ol>
 * The level is always written, never read first: Apicurio answers {@code GET /config/{subject}} with the global
 * level when the subject has none of its own, so reading cannot tell whether the subject is protected.
 *
 * <p><b>Level.</b> The default is {@link CompatibilityLevel#BACKWARD}: a new version must read data written with the
 * latest one, which is also what the start-up check tests. The schemas module's own build guard is stricter
 * (BACKWARD_TRANSITIVE against every released version); pass that level to make the registry enforce the same.
 *
 * <p>Not thread-safe; meant to run once, on the start-up thread, before any record is published.
 */
public final class SchemaRegistrar {

    /** The compatibility level set on every subject unless another is given. */
    public static final CompatibilityLevel DEFAULT_LEVEL = CompatibilityLevel.BACKWARD;

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistrar.class);

    private final SchemaRegistryClient client;
    private final CompatibilityLevel level;

    public SchemaRegistrar(SchemaRegistryClient client) {
        this(client, DEFAULT_LEVEL);
    }

    public SchemaRegistrar(SchemaRegistryClient client, CompatibilityLevel level) {
        this.client = Objects.requireNonNull(client, "client");
        this.level = Objects.requireNonNull(level, "level");
    }

    /** Every topic that has a value schema, under its default name. */
    public static Map<Topic, String> defaultTopicNames() {
        Map<Topic, String> names = new EnumMap<>(Topic.class);
        for (Topic topic : Topic.values()) {
            if (topic.valueSchema().isPresent()) {
                names.put(topic, topic.defaultName());
            }
        }
        return Collections.unmodifiableMap(names);
    }

    /**
     * Registers or verifies the value schema of every topic that has one.
     *
     * @param topicNames the deployment's name of each topic; must name every topic with a value schema (entries for
     *                   topics without one, such as the dead-letter topic, are ignored)
     * @return what was done per topic, with the id records of that topic carry, in {@link Topic} order
     * @throws IllegalArgumentException     listing every topic without a name and every name used twice
     * @throws IncompatibleSchemaException  when a subject refuses this build's schema
     * @throws SchemaRegistryException      when the registry cannot be reached or answers an error
     */
    public Map<Topic, SubjectRegistration> registerAll(Map<Topic, String> topicNames) {
        Objects.requireNonNull(topicNames, "topicNames");
        validate(topicNames);
        Map<Topic, SubjectRegistration> result = new EnumMap<>(Topic.class);
        for (Topic topic : Topic.values()) {
            if (topic.valueSchema().isPresent()) {
                result.put(topic, register(topic, topicNames.get(topic)));
            }
        }
        // One line for all of them: the start-up log's first screen is for what an operator checks first.
        log.info("Schema Registry: {} subjects at {}; schema ids {}", result.size(), level, result.values().stream()
                .map(r -> r.subject() + "=" + r.id() + (r.outcome() == SubjectRegistration.Outcome.ALREADY_REGISTERED
                        ? "" : " (" + r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")"))
                .collect(java.util.stream.Collectors.joining(", ")));
        return Collections.unmodifiableMap(result);
    }

    /** Registers or verifies the value schema of one topic, called {@code topicName} in this deployment. */
    public SubjectRegistration register(Topic topic, String topicName) {
        Schema schema = topic.valueSchema()
                .orElseThrow(() -> new IllegalArgumentException(topic + " has no value schema"));
        String subject = topic.valueSubject(topicName).orElseThrow();

        Optional<SubjectVersion> existing = client.lookup(subject, schema);
        if (existing.isPresent()) {
            setLevel(subject);
            return done(topic, topicName, subject, existing.get().id(), SubjectRegistration.Outcome.ALREADY_REGISTERED);
        }
        Optional<SubjectVersion> latest = client.latestVersion(subject);
        if (latest.isEmpty()) {
            int id = registerOrExplain(subject, schema, "the subject's existing versions");
            setLevel(subject);
            return done(topic, topicName, subject, id, SubjectRegistration.Outcome.NEW_SUBJECT);
        }
        setLevel(subject);
        String against = "its latest version " + latest.get().version() + " (schema id " + latest.get().id() + ")";
        CompatibilityCheck check = client.checkCompatibility(subject, schema);
        if (!check.compatible()) {
            throw new IncompatibleSchemaException(subject, schema.getFullName(), level, against, check.messages(), null);
        }
        int id = registerOrExplain(subject, schema, against);
        return done(topic, topicName, subject, id, SubjectRegistration.Outcome.NEW_VERSION);
    }

    private int registerOrExplain(String subject, Schema schema, String against) {
        try {
            return client.register(subject, schema);
        } catch (SchemaRegistryException e) {
            if (e.isIncompatible()) {
                List<String> reasons = e.registryMessage() == null ? List.of() : List.of(e.registryMessage());
                throw new IncompatibleSchemaException(subject, schema.getFullName(), level, against, reasons, e);
            }
            throw e;
        }
    }

    private void setLevel(String subject) {
        CompatibilityLevel reported = client.setCompatibility(subject, level);
        if (reported != level) {
            log.warn("Schema Registry subject {}: asked for compatibility {}, the registry reports {}",
                    subject, level, reported);
        }
    }

    private SubjectRegistration done(Topic topic, String topicName, String subject, int id,
                                     SubjectRegistration.Outcome outcome) {
        log.debug("Schema Registry subject {}: schema id {} ({}), compatibility {}", subject, id,
                outcome.name().toLowerCase(Locale.ROOT).replace('_', ' '), level);
        return new SubjectRegistration(topic, topicName, subject, id, outcome);
    }

    private static void validate(Map<Topic, String> topicNames) {
        List<String> problems = new ArrayList<>();
        Map<String, Topic> byName = new HashMap<>();
        for (Topic topic : Topic.values()) {
            if (topic.valueSchema().isEmpty()) {
                continue;
            }
            String name = topicNames.get(topic);
            if (name == null || name.isBlank()) {
                problems.add("no topic name for " + topic + " (default " + topic.defaultName() + ")");
                continue;
            }
            Topic other = byName.putIfAbsent(name, topic);
            if (other != null) {
                problems.add("topic name " + name + " is given to both " + other + " and " + topic
                        + "; their value schemas would share the subject " + name + Topic.VALUE_SUBJECT_SUFFIX);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot register value schemas:\n  - " + String.join("\n  - ", problems));
        }
    }
}
