/**
 * Our own client of the Confluent Schema Registry REST API (Confluent's Java client is not on Maven Central), and
 * the start-up registration of every topic's value schema.
 *
 * <ul>
 *   <li>{@link io.twsbridge.bridge.kafka.registry.SchemaRegistryClient}: the calls, with timeouts, retries of
 *       transient failures, typed errors and the caches the serializers read.</li>
 *   <li>{@link io.twsbridge.bridge.kafka.registry.SchemaRegistrar}: at start-up, registers or verifies each value
 *       schema under {@code <topic>-value}, sets the subject's compatibility level and stops start-up on an
 *       incompatible schema.</li>
 *   <li>{@link io.twsbridge.bridge.kafka.registry.CanonicalSchema}: the one text sent for a schema, and why.</li>
 * </ul>
 *
 * Works against Confluent's registry and against Apicurio Registry's Confluent-compatible API
 * ({@code /apis/ccompat/v7}), whose differing error codes and answers are tolerated where they are met.
 */
package io.twsbridge.bridge.kafka.registry;
