package io.twsbridge.bridge.kafka.consume;

import io.twsbridge.schema.CommandStatus;

/**
 * Hears the result of every command, as it is handed to the producer: one call per CommandResult.
 *
 * <p>Called on the command consumer's thread: an implementation must be quick and must not block or throw.
 */
@FunctionalInterface
public interface CommandObserver {

    /** Observes nothing. */
    CommandObserver NONE = (commandType, status) -> { };

    /**
     * @param commandType the payload's record name ({@code PlaceOrder}, {@code SubscribeQuotes}, ...), null when
     *                    the command could not be decoded
     * @param status      the result's status
     */
    void result(String commandType, CommandStatus status);
}
