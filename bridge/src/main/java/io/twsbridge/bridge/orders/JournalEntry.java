package io.twsbridge.bridge.orders;

import io.twsbridge.schema.PlaceOrder;

import java.time.Instant;

/**
 * The latest state of one order command, as the order journal keeps it (keyed by commandId, which is also the
 * orderRef sent to IB). Immutable; each change is a new entry.
 */
public record JournalEntry(String commandId, String account, PlaceOrder order, long orderId, int clientId,
                           Long permId, State state, String lastStatus, Integer ibErrorCode, String ibErrorMessage,
                           int attempts, Instant createdAt, Instant updatedAt) {

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
        /** Filled or cancelled. */
        DONE
    }

    /** True while the journal cannot tell whether IB has the order. */
    public boolean inDoubt() {
        return state == State.PLACING || state == State.SENT;
    }

    /** True when the order is known to be at IB (or finished there): a new placeOrder would be a duplicate. */
    public boolean placed() {
        return state == State.ACKNOWLEDGED || state == State.CANCEL_REQUESTED || state == State.DONE;
    }

    public JournalEntry with(State newState, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, newState, lastStatus, ibErrorCode,
                ibErrorMessage, attempts, createdAt, at);
    }

    public JournalEntry acknowledged(long permIdFromIb, String status, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permIdFromIb == 0 ? permId : permIdFromIb,
                State.ACKNOWLEDGED, status, ibErrorCode, ibErrorMessage, attempts, createdAt, at);
    }

    public JournalEntry rejected(int code, String message, Instant at) {
        return new JournalEntry(commandId, account, order, orderId, clientId, permId, State.REJECTED, lastStatus, code,
                message, attempts, createdAt, at);
    }

    public JournalEntry sendingAs(long newOrderId, int newClientId, Instant at) {
        return new JournalEntry(commandId, account, order, newOrderId, newClientId, permId, State.PLACING, lastStatus,
                ibErrorCode, ibErrorMessage, attempts + 1, createdAt, at);
    }
}
