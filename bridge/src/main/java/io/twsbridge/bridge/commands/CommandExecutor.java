package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.schema.Command;

import java.util.concurrent.CompletableFuture;

/**
 * Carries out a command that is valid and not expired, and says how it ended. {@link CommandDispatcher} is the
 * bridge's; the command handling takes any, so that its tests state what execution does instead of provoking it.
 */
@FunctionalInterface
public interface CommandExecutor {

    /** Completes with the command's outcome; may complete exceptionally for a fault of the bridge. */
    CompletableFuture<CommandOutcome> execute(Command command);

    /**
     * Whether {@code command}'s outcome may be long in coming (a historical request waiting its turn under IB's
     * pacing): the command handling then goes on with the next command at once and publishes the result when
     * the outcome comes, rather than holding every command behind it.
     */
    default boolean answersLater(Command command) {
        return false;
    }
}
