package io.twsbridge.bridge.orders;

import io.twsbridge.schema.PlaceOrder;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The latest state of one order command, as the order journal keeps it (keyed by commandId, which is also the
 * orderRef sent to IB). Immutable; each change is a new entry.
 *
 * @param filled          quantity filled, as IB last reported it; null before IB reported a status
 * @param averageFillPrice average price of the fills, as IB last reported it; null before the first fill
 * @param cancelCommandId the CancelOrder waiting for IB's answer, whose final result follows the order's end
 */
public record JournalEntry(String commandId, String account, PlaceOrder order, long orderId, int clientId,
                           Long permId, State state, String lastStatus, Integer ibErrorCode, String ibErrorMessage,
                           int attempts, Instant createdAt, Instant updatedAt, BigDecimal filled,
                           Double averageFillPrice, String cancelCommandId) {

    /** Where an order command stands. */
    public enum State {
        /** Written; placeOrder about to be sent. */
        PLACING,
        /** placeOrder handed to the transport. */
        SENT,
        /** IB reported the order. */
        ACKNOWLEDGED,
        /** IB refused it. */
        REJECTED,
        /** Reconciliation found no trace at IB: placeOrder never reached it; a redelivery may place it. */
        NOT_SENT,
        /** A cancel was sent. */
        CANCEL_REQUESTED,
        /** Ended (filled, cancelled, inactive) and its final result published. */
        DONE
    }

    /** A first entry, before anything was sent. */
    public static JournalEntry placing(String commandId, String account, PlaceOrder order, long orderId, int clientId,
                                       Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, null, State.PLACING, null, null, null, 1,
                at, at, null, null, null);
    }

    /** True while the journal cannot tell whether IB has the order. */
    public boolean inDoubt() {
        return state == State.PLACING || state == State.SENT;
    }

    /** True when the order is known to be at IB (or finished there): a new placeOrder would be a duplicate. */
    public boolean placed() {
        return state == State.ACKNOWLEDGED || state == State.CANCEL_REQUESTED || state == State.DONE;
    }

    /** True while the order may still end at IB, and so still owes its command a final result. */
    public boolean working() {
        return state == State.ACKNOWLEDGED || state == State.CANCEL_REQUESTED;
    }

    public JournalEntry with(State newState, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, newState, lastStatus, ibErrorCode,
                ibErrorMessage, attempts, createdAt, at, filled, averageFillPrice, cancelCommandId);
    }

    public JournalEntry acknowledged(long permIdFromIb, String status, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permIdFromIb == 0 ? permId : permIdFromIb,
                State.ACKNOWLEDGED, status, ibErrorCode, ibErrorMessage, attempts, createdAt, at, filled,
                averageFillPrice, cancelCommandId);
    }

    public JournalEntry rejected(int code, String message, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, State.REJECTED, lastStatus, code,
                message, attempts, createdAt, at, filled, averageFillPrice, cancelCommandId);
    }

    public JournalEntry sendingAs(long newOrderId, int newClientId, Instant at) {
        return new JournalEntry(commandId, account, order, newOrderId, newClientId, permId, State.PLACING, lastStatus,
                ibErrorCode, ibErrorMessage, attempts + 1, createdAt, at, filled, averageFillPrice, cancelCommandId);
    }

    /** The order's new terms, sent as a modification (IB's last error forgotten: it was about the former ones). */
    public JournalEntry withTerms(PlaceOrder newTerms, Instant at) {
        return new JournalEntry(commandId, account, newTerms, orderId, clientId, permId, state, lastStatus, null, null,
                attempts, createdAt, at, filled, averageFillPrice, cancelCommandId);
    }

    /** A cancel sent for the order on behalf of CancelOrder {@code cancelId}. */
    public JournalEntry cancelRequested(String cancelId, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, State.CANCEL_REQUESTED, lastStatus,
                ibErrorCode, ibErrorMessage, attempts, createdAt, at, filled, averageFillPrice, cancelId);
    }

    /** IB refused the cancel: the order works on, and no cancel waits any more. */
    public JournalEntry cancelRefused(Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, State.ACKNOWLEDGED, lastStatus,
                ibErrorCode, ibErrorMessage, attempts, createdAt, at, filled, averageFillPrice, null);
    }

    /** IB reported an error for the working order (a rejection after acceptance, say); its status tells the end. */
    public JournalEntry errorReported(int code, String message, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, state, lastStatus, code, message,
                attempts, createdAt, at, filled, averageFillPrice, cancelCommandId);
    }

    /** IB's latest progress of the order. */
    public JournalEntry progressed(String status, BigDecimal filledNow, Double averageNow, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, state, status, ibErrorCode,
                ibErrorMessage, attempts, createdAt, at, filledNow != null ? filledNow : filled,
                averageNow != null ? averageNow : averageFillPrice, cancelCommandId);
    }
}
