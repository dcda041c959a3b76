/**
 * Our own client of the Confluent Schema Registry REST API (Confluent's Java client is not on Maven Central), shared
 * by the bridge and by client programs.
 *
 * <ul>
 *   <li>{@link io.twsbridge.client.registry.SchemaRegistryClient}: the calls, with timeouts, retries of transient
 *       failures, typed errors and the caches the serializers read.</li>
 *   <li>{@link io.twsbridge.client.registry.SchemaRegistryConfig}: how to reach the registry, validated.</li>
 *   <li>{@link io.twsbridge.client.registry.CanonicalSchema}: the one text sent for a schema, and why.</li>
 * </ul>
 *
 * Works against Confluent's registry and against Apicurio Registry's Confluent-compatible API
 * ({@code /apis/ccompat/v7}), whose differing error codes and answers are tolerated where they are met.
 */
package io.twsbridge.client.registry;
