/**
 * The start-up registration of every topic's value schema, through the registry client shared with client programs
 * ({@link io.twsbridge.client.registry.SchemaRegistryClient}, module {@code bridge-client}).
 *
 * <ul>
 *   <li>{@link io.twsbridge.bridge.kafka.registry.SchemaRegistrar}: at start-up, registers or verifies each value
 *       schema under {@code <topic>-value}, sets the subject's compatibility level and stops start-up on an
 *       incompatible schema.</li>
 *   <li>{@link io.twsbridge.bridge.kafka.registry.RegistryStartup}: waits for the registry while it is
 *       unavailable at start-up.</li>
 * </ul>
 */
package io.twsbridge.bridge.kafka.registry;
