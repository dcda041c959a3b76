/**
 * The Java client kit of the bridge: typed, immutable commands ({@link io.twsbridge.client.Commands}), and
 * {@link io.twsbridge.client.BridgeClient}, which writes them to the commands topic keyed as the bridge documents
 * and completes a future per commandId from the command-results topic: {@code accepted()} with the ACCEPTED result
 * (or the final one when there is none), {@code result()} with the final one. The serde and the registry client it
 * uses are the bridge's own ({@code io.twsbridge.client.serde}, {@code io.twsbridge.client.registry}).
 */
package io.twsbridge.client;
