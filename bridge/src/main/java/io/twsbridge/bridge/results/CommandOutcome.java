package io.twsbridge.bridge.results;

import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.ReasonCodes;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * How a command ended, before it becomes a CommandResult record.
 *
 * @param orderId  IB order id, for order commands
 * @param permId   IB permanent id, once IB assigned one
 * @param orderEnd how the order ended, in the final result of an order command; null otherwise
 * @param data     what a data command published (ResolveContract, RequestHistoricalBars); null otherwise
 */
public record CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode,
                             Long orderId, Long permId, OrderEnd orderEnd, Published data) {

    /**
     * What a data command published, so that a consumer knows the answer is complete.
     *
     * @param recordCount   records published for the command (contract details, bars)
     * @param conIds        the contracts resolved, or the candidates of an ambiguous description; empty for none
     * @param firstBarTime  start of the oldest bar; null without bars
     * @param lastBarTime   start of the newest bar; null without bars
     */
    public record Published(int recordCount, List<Long> conIds, Instant firstBarTime, Instant lastBarTime) {
        public Published {
            conIds = conIds == null ? List.of() : List.copyOf(conIds);
        }
    }

    public CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode, Long orderId,
                          Long permId, OrderEnd orderEnd) {
        this(status, reasonCode, message, ibErrorCode, orderId, permId, orderEnd, null);
    }

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
        this(status, reasonCode, message, ibErrorCode, orderId, permId, null, null);
    }

    public CommandOutcome(CommandStatus status, String reasonCode, String message, Integer ibErrorCode) {
        this(status, reasonCode, message, ibErrorCode, null, null, null, null);
    }

    /** This outcome, saying what its command published. */
    public CommandOutcome with(Published published) {
        return new CommandOutcome(status, reasonCode, message, ibErrorCode, orderId, permId, orderEnd, published);
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
