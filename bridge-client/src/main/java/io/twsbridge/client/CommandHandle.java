package io.twsbridge.client;

import io.twsbridge.schema.CommandResult;
import java.util.concurrent.CompletableFuture;

/**
 * A sent command's results to come. The futures complete on the client's consumer thread: a callback that blocks
 * or takes long should run elsewhere ({@code thenAcceptAsync}). Completing or cancelling them changes nothing in
 * the client: they are the caller's copies.
 */
public final class CommandHandle {

    private final String commandId;
    private final String commandType;
    private final CompletableFuture<CommandResult> accepted;
    private final CompletableFuture<CommandResult> result;

    CommandHandle(String commandId, String commandType, CompletableFuture<CommandResult> accepted,
                  CompletableFuture<CommandResult> result) {
        this.commandId = commandId;
        this.commandType = commandType;
        this.accepted = accepted.copy();
        this.result = result.copy();
    }

    public String commandId() {
        return commandId;
    }

    /** The payload's record name, e.g. {@code PlaceOrder}. */
    public String commandType() {
        return commandType;
    }

    /**
     * The ACCEPTED result (handed to IB, more to come), or the final result when none came before it (a command
     * refused or answered DUPLICATE, or one that gets only a final result). Fails with
     * {@link CommandTimeoutException} after the accept timeout, or with the producer's exception when the command
     * could not be written.
     */
    public CompletableFuture<CommandResult> accepted() {
        return accepted;
    }

    /**
     * The final result: any status but ACCEPTED ({@link CommandResults#isFinal}). Fails with
     * {@link CommandTimeoutException} after the result timeout, or with the producer's exception when the command
     * could not be written.
     */
    public CompletableFuture<CommandResult> result() {
        return result;
    }

    @Override
    public String toString() {
        return "CommandHandle[" + commandType + " " + commandId + "]";
    }
}
