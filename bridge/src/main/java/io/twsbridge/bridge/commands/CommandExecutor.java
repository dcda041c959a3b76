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
}
