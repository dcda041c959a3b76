package io.twsbridge.client.serde;

import io.twsbridge.client.registry.SchemaRegistryException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The writer schema of a value could not be fetched because the registry failed (unreachable after retries, 5xx,
 * authentication refused...). The record is probably fine: do not dead-letter it; stop or retry later.
 * {@link #getCause()} is the {@link SchemaRegistryException}.
 */
public final class SchemaLookupException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    SchemaLookupException(int schemaId, SchemaRegistryException cause) {
        super("cannot fetch writer schema " + schemaId + " from the registry: " + cause.getMessage(), cause);
        this.schemaId = schemaId;
    }

    /** The schema id that could not be fetched. */
    public int schemaId() {
        return schemaId;
    }

    @Override
    public synchronized SchemaRegistryException getCause() {
        return (SchemaRegistryException) super.getCause();
    }
}
