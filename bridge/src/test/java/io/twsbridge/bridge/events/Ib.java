package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage;

import java.math.BigDecimal;

/**
 * Gateway messages as the simulator (and IB) send them, for the tests: a paper account, the bridge's clientId 17,
 * AAPL and MSFT with their real conIds, and a market order of 100 AAPL placed by a PlaceOrder command.
 */
final class Ib {

    static final String ACCOUNT = "DU1234567";
    static final int CLIENT_ID = 17;
    static final Contract AAPL = new Contract(265598, "AAPL", "STK", "", null, "", "", "SMART", "", "USD", "AAPL", "NMS");
    static final Contract MSFT = new Contract(272093, "MSFT", "STK", "", null, "", "", "SMART", "", "USD", "MSFT", "NMS");

    static final long ORDER_ID = 5;
    static final long PERM_ID = 1_000_004_321L;
    static final String ORDER_REF = "cmd-7f3a";
    static final String EXEC_ID = "3b9ae1e1.00000001.01.01";

    private Ib() {
    }

    /** BUY 100 AAPL MKT DAY, as openOrder reports it back. */
    static Order marketBuy(String orderRef, int clientId, long permId) {
        return Order.builder("BUY", new BigDecimal("100"), "MKT").tif("DAY").account(ACCOUNT).orderRef(orderRef)
                .clientId(clientId).permId(permId).build();
    }

    static ServerMessage.OpenOrder openOrder(String status) {
        return new ServerMessage.OpenOrder(ORDER_ID, AAPL, marketBuy(ORDER_REF, CLIENT_ID, PERM_ID), OrderState.of(status));
    }

    static ServerMessage.OrderStatus orderStatus(String status, String filled, String remaining, double avgFillPrice,
                                                 double lastFillPrice) {
        return new ServerMessage.OrderStatus(ORDER_ID, status, new BigDecimal(filled), new BigDecimal(remaining),
                avgFillPrice, PERM_ID, 0, lastFillPrice, CLIENT_ID, "", 0.0);
    }

    /** The fill of the whole order at 189.52, at 09:30:00 New York time on the ManualEventLoop's day. */
    static ServerMessage.ExecDetails execDetails(int reqId) {
        return execDetails(reqId, EXEC_ID, "20261128 09:30:00 US/Eastern");
    }

    static ServerMessage.ExecDetails execDetails(int reqId, String execId, String time) {
        Execution execution = new Execution(execId, time, ACCOUNT, "ISLAND", "BOT", new BigDecimal("100"), 189.52,
                PERM_ID, CLIENT_ID, 0, new BigDecimal("100"), 189.52, ORDER_REF, "", null, "", 2, false);
        return new ServerMessage.ExecDetails(reqId, ORDER_ID, AAPL, execution);
    }

    /** The simulator's commission: 100 shares at 0.005, at least 1.00 USD; nothing realized on an opening buy. */
    static ServerMessage.CommissionReport commission(String execId) {
        return new ServerMessage.CommissionReport(execId, 1.0, "USD", null, null, 0);
    }
}
