package io.twsbridge.bridge.results;

import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.ReasonCodes;

import java.math.BigDecimal;

/**
 * How a command ended, before it becomes a CommandResult record.
 *
 * @param orderId  IB order id, for order commands
 * @param permId   IB permanent id, once IB assigned one
 * @param orderEnd how the order ended, in the final result of an order command; null otherwise
 */
public record CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode,
                             Long orderId, Long permId, OrderEnd orderEnd) {

    /**
     * The order's end as IB reported it.
     *
     * @param filled           quantity filled; null when IB did not say (the order ended while the bridge was away)
     * @param averageFillPrice average price of the fills; null without fills
     */
    public record OrderEnd(String ibStatus, BigDecimal filled, Double averageFillPrice) {
    }

    public CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode, Long orderId,
                          Long permId) {
        this(status, reasonCode, message, ibErrorCode, orderId, permId, null);
    }

    public CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode) {
        this(status, reasonCode, message, ibErrorCode, null, null, null);
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
