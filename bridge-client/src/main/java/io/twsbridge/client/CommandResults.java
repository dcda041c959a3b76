package io.twsbridge.client;

import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;

/**
 * What a result means for its command. A command gets at most one ACCEPTED result (handed to IB, more to come), then
 * exactly one final result; every status but ACCEPTED is final: COMPLETED, REJECTED, DUPLICATE, EXPIRED, and
 * UNKNOWN, which is what this reader sees of a status a newer bridge wrote.
 */
public final class CommandResults {

    private CommandResults() {}

    /** Whether nothing more will come for the command after {@code result}. */
    public static boolean isFinal(CommandResult result) {
        return result.getStatus() != CommandStatus.ACCEPTED;
    }
}
