/**
 * Record values in the Confluent wire format ({@link io.twsbridge.client.serde.WireFormat}), shared by the bridge
 * and by client programs: the serializer
 * of the publish path, which never calls the registry, and the deserializer of the consume path, which resolves
 * schema evolution and refuses hostile values with typed exceptions and bounded memory.
 */
package io.twsbridge.client.serde;
