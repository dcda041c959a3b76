package io.twsbridge.client.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * The one text the bridge ever sends to the registry for a schema: Avro's {@link Schema#toString()} of the schema
 * as the generated class carries it ({@code Quote.getClassSchema()}, the same object {@code record.getSchema()}
 * returns).
 *
 * <p><b>Why exactly this text.</b> Apicurio compares schema text literally: the same schema with other whitespace,
 * another key order or one doc less is a different artifact version with a different id, and a lookup with it
 * finds nothing. Ids must stay stable across restarts and across bridge instances, so every call that names a
 * schema (register, lookup, compatibility check) sends the identical string, and the client's caches are keyed by
 * it. {@code Schema.toString()} is compact JSON written in a fixed order by Avro itself, so it is a pure function of
 * the schema for a given Avro version.
 *
 * <p><b>What is deliberately not used.</b>
 * <ul>
 *   <li>Avro's Parsing Canonical Form: it strips docs, defaults, aliases and logical types. Without defaults a
 *       registry cannot judge BACKWARD compatibility (an added optional field looks required), and without
 *       logical types a decimal is just bytes to every consumer that fetches the schema by id.</li>
 *   <li>Apicurio's {@code use-canonical-hash}: its canonical form re-orders record fields, and field order is the
 *       binary layout, so a consumer decoding with that schema reads garbage.</li>
 *   <li>Stripping docs or re-indenting the {@code .avsc} text: docs are part of the contract, and any rewriting is
 *       one more place for two instances to disagree.</li>
 * </ul>
 *
 * <p>An upgrade of Avro that printed schemas differently would register one new, identical-in-content version per
 * subject under Apicurio (compatible by definition); records already written keep their ids.
 */
public final class CanonicalSchema {

    private CanonicalSchema() {}

    /** The registry text of {@code schema}. */
    public static String text(Schema schema) {
        return Objects.requireNonNull(schema, "schema").toString();
    }
}
