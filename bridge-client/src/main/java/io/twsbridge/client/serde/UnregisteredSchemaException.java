package io.twsbridge.client.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record was to be serialized with a schema that was never registered (or looked up) under the topic's subject by
 * this process's {@link io.twsbridge.client.registry.SchemaRegistryClient}. The serializer never calls the registry,
 * so this is a start-up wiring error: the topic's schema was not registered before the first send (the bridge
 * registers every topic at start-up, {@code BridgeClient} the commands topic), or the record was sent to a topic that
 * carries another type.
 */
public final class UnregisteredSchemaException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    UnregisteredSchemaException(String topic, String subject, String schemaName) {
        super("no schema id for " + schemaName + " under subject " + subject + " (topic " + topic + "): it was not"
                + " registered at start-up, and the serializer never calls the registry");
        this.subject = subject;
    }

    /** The subject that has no id for the schema. */
    public String subject() {
        return subject;
    }
}
