package io.twsbridge.bridge.orders;

import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.state.OrderJournalEntry;
import io.twsbridge.schema.state.OrderJournalState;
import io.twsbridge.schema.support.Decimals;

/** Journal entries to and from their Avro form on the journal topic. */
final class JournalRecords {

    private JournalRecords() {
    }

    static OrderJournalEntry toRecord(JournalEntry e, String bridgeId) {
        PlaceOrder p = e.order();
        return OrderJournalEntry.newBuilder()
                .setCommandId(e.commandId()).setAccount(e.account() == null ? "" : e.account())
                .setInstrument(p.getInstrument()).setAction(p.getAction()).setQuantity(p.getQuantity())
                .setOrderType(p.getOrderType()).setLimitPrice(p.getLimitPrice()).setStopPrice(p.getStopPrice())
                .setTimeInForce(p.getTimeInForce()).setOutsideRth(p.getOutsideRth())
                .setOrderId(e.orderId()).setClientId(e.clientId()).setPermId(e.permId())
                .setState(OrderJournalState.valueOf(e.state().name())).setLastStatus(e.lastStatus())
                .setIbErrorCode(e.ibErrorCode()).setIbErrorMessage(e.ibErrorMessage()).setAttempts(e.attempts())
                .setCreatedAt(e.createdAt()).setUpdatedAt(e.updatedAt()).setBridgeId(bridgeId)
                .setFilled(e.filled() == null ? null : Decimals.rounded(e.filled()))
                .setAverageFillPrice(e.averageFillPrice()).setCancelCommandId(e.cancelCommandId())
                .build();
    }

    /**
     * The entry a record describes. A state this bridge does not know (written by a newer one) is read as
     * SENT: in doubt, so reconciliation settles it instead of anything being placed again.
     */
    static JournalEntry fromRecord(OrderJournalEntry r) {
        JournalEntry.State state = r.getState() == OrderJournalState.UNKNOWN ? JournalEntry.State.SENT
                : JournalEntry.State.valueOf(r.getState().name());
        PlaceOrder order = PlaceOrder.newBuilder().setInstrument(r.getInstrument()).setAction(r.getAction())
                .setQuantity(r.getQuantity()).setOrderType(r.getOrderType()).setLimitPrice(r.getLimitPrice())
                .setStopPrice(r.getStopPrice()).setTimeInForce(r.getTimeInForce()).setOutsideRth(r.getOutsideRth())
                .build();
        return new JournalEntry(r.getCommandId(), r.getAccount(), order, r.getOrderId(), r.getClientId(), r.getPermId(),
                state, r.getLastStatus(), r.getIbErrorCode(), r.getIbErrorMessage(), r.getAttempts(), r.getCreatedAt(),
                r.getUpdatedAt(), r.getFilled(), r.getAverageFillPrice(), r.getCancelCommandId());
    }
}
