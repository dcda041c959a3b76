package io.twsbridge.console;

import org.apache.avro.Schema;

/** The writer schema of a Confluent wire-format record, by the id in its header. */
@FunctionalInterface
public interface SchemaSource {

    /** @throws Exception when there is no such schema or the registry cannot be asked; the record is then undecodable */
    Schema byId(int id) throws Exception;
}
