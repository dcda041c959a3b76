package io.twsbridge.bridge.results;

import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.ReasonCodes;

/**
 * How a command ended, before it becomes a CommandResult record.
 *
 * @param orderId IB order id, for order commands
 * @param permId  IB permanent id, once IB assigned one
 */
public record CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode,
                             Long orderId, Long permId) {

    public CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode) {
        this(status, reasonCode, message, ibErrorCode, null, null);
    }

    public static CommandOutcome completed(String message) {
        return new CommandOutcome(CommandStatus.COMPLETED, ReasonCodes.OK, message, null);
    }

    public static CommandOutcome rejected(Rejection r) {
        return new CommandOutcome(CommandStatus.REJECTED, r.reasonCode(), r.message(), null);
    }

    public static CommandOutcome rejected(String reasonCode, String message) {
        return new CommandOutcome(CommandStatus.REJECTED, reasonCode, message, null);
    }
}
