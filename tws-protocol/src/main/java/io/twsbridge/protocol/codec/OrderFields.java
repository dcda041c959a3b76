package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.TagValue;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

/** Order blocks that openOrder and completedOrder (and, for algos, placeOrder) share field for field. */
final class OrderFields {

    private OrderFields() {
    }

    /** action .. orderRef as the Gateway reports an order: unset prices as empty fields. */
    static void writeReportedBasics(FieldWriter w, Order o) {
        w.string(o.action());
        w.decimal(o.totalQuantity());
        w.string(o.orderType());
        w.doubleOrEmpty(o.lmtPrice());
        w.doubleOrEmpty(o.auxPrice());
        w.string(o.tif());
        w.string(o.ocaGroup());
        w.string(o.account());
        w.string(o.openClose());
        w.int32(o.origin());
        w.string(o.orderRef());
    }

    static Order.Builder readReportedBasics(FieldReader r) {
        Order.Builder b = Order.builder(r.string(), r.decimalOrNull(), r.string());
        b.lmtPrice(r.doubleOrNull());
        b.auxPrice(r.doubleOrNull());
        b.tif(r.string());
        b.ocaGroup(r.string());
        b.account(r.string());
        b.openClose(r.string());
        b.origin(r.int32());
        b.orderRef(r.string());
        return b;
    }

    /** algoStrategy, then its parameters (count and tag/value pairs) only when a strategy is set. */
    static void writeAlgo(FieldWriter w, Order o) {
        w.string(o.algoStrategy());
        if (!o.algoStrategy().isEmpty()) {
            w.int32(o.algoParams().size());
            for (TagValue p : o.algoParams()) {
                w.string(p.tag()).string(p.value());
            }
        }
    }

    static void readAlgo(FieldReader r, Order.Builder b) {
        String algoStrategy = r.string();
        b.algoStrategy(algoStrategy);
        if (!algoStrategy.isEmpty()) {
            b.algoParams(PlaceOrderCodec.readTagValues(r));
        }
    }
}
