package io.twsbridge.bridge.results;

import java.util.concurrent.CompletableFuture;

/**
 * Where a result goes that comes after a command's first one: the final result of an order command, published when
 * IB reports the order's end, long after the command was read. Such a result never overtakes the command's first
 * result on the results topic.
 */
@FunctionalInterface
public interface LaterResults {

    /** Nowhere: for tests and tools without a results topic. */
    LaterResults NONE = (commandId, commandType, account, outcome) -> CompletableFuture.completedFuture(null);

    /**
     * Publishes {@code outcome} as a result of command {@code commandId}; completes when Kafka acknowledged it.
     *
     * @param commandType the command's payload name, e.g. PlaceOrder
     */
    CompletableFuture<?> publish(String commandId, String commandType, String account, CommandOutcome outcome);
}
