package io.twsbridge.bridge.app;

import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.RequestAccountSnapshot;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.UnsubscribeQuotes;

import java.time.Instant;

/** Commands as a strategy process writes them. */
final class Commands {

    private Commands() {
    }

    static Instrument stock(String symbol) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency("USD").build();
    }

    static Command.Builder envelope(String commandId) {
        return Command.newBuilder().setCommandId(commandId).setIssuedAt(Instant.now());
    }

    static Command subscribe(String id, String symbol) {
        return envelope(id).setPayload(SubscribeQuotes.newBuilder().setInstrument(stock(symbol)).build()).build();
    }

    static Command unsubscribe(String id, String symbol) {
        return envelope(id).setPayload(UnsubscribeQuotes.newBuilder().setInstrument(stock(symbol)).build()).build();
    }

    static Command accountSnapshot(String id) {
        return envelope(id).setPayload(RequestAccountSnapshot.newBuilder().build()).build();
    }

    static Command positions(String id) {
        return envelope(id).setPayload(RequestPositions.newBuilder().build()).build();
    }

    static Command marketOrder(String id, String account, String symbol, String quantity) {
        return envelope(id).setAccount(account).setPayload(io.twsbridge.schema.PlaceOrder.newBuilder()
                .setInstrument(stock(symbol)).setAction(io.twsbridge.schema.OrderAction.BUY)
                .setQuantity(new java.math.BigDecimal(quantity).setScale(10)).setOrderType(io.twsbridge.schema.OrderType.MKT)
                .setTimeInForce(io.twsbridge.schema.TimeInForce.DAY).setOutsideRth(false).build()).build();
    }

    static Command limitOrder(String id, String account, String symbol, String quantity, double limit) {
        return envelope(id).setAccount(account).setPayload(io.twsbridge.schema.PlaceOrder.newBuilder()
                .setInstrument(stock(symbol)).setAction(io.twsbridge.schema.OrderAction.BUY)
                .setQuantity(new java.math.BigDecimal(quantity).setScale(10)).setOrderType(io.twsbridge.schema.OrderType.LMT)
                .setLimitPrice(limit).setTimeInForce(io.twsbridge.schema.TimeInForce.DAY).setOutsideRth(false).build())
                .build();
    }

    static Command executions(String id) {
        return envelope(id).setPayload(RequestExecutions.newBuilder().build()).build();
    }
}
