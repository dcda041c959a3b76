package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.TagValue;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * The order's field groups, written and read in one place for the three messages that carry an order: placeOrder
 * (client to Gateway), openOrder and completedOrder (Gateway to client). The three lay their fields out in
 * different orders, so each codec walks its own sequence; but every group whose presence depends on a value (the
 * delta-neutral extras, the scale extras, hedgeParam, the delta-neutral contract, the algo parameters, the PEG
 * BENCH fields, the conditions, the PEG BEST/MID offsets) is defined here once, with what differs between the
 * messages stated beside it, so that a field added to a group is added for all three.
 */
final class OrderFields {

    /** Which message a group is written in or read from, where the groups differ. */
    enum In { PLACE_ORDER, OPEN_ORDER, COMPLETED_ORDER }

    /**
     * The delta-neutral extras after a non-empty deltaNeutralOrderType: eight in placeOrder and openOrder (conId,
     * settlingFirm, clearingAccount, clearingIntent, openClose, shortSale, shortSaleSlot, designatedLocation), four
     * in completedOrder, which has no settlingFirm, clearingAccount, clearingIntent or openClose.
     */
    static int deltaNeutralExtraFields(In message) {
        return message == In.COMPLETED_ORDER ? 4 : 8;
    }

    /** Fields that follow a set, positive scalePriceIncrement, in every message. */
    static final int SCALE_EXTRA_FIELDS = 7;
    /** The reference contract and its pegging fields that follow the order type PEG BENCH, in every message. */
    static final int PEG_BENCH_FIELDS = 5;
    /** The exchange whose orders carry minTradeQty (IB's client compares the exchange case-sensitively). */
    static final String IBKRATS = "IBKRATS";
    /** What the Gateway writes as deltaNeutralOrderType and adjustedOrderType for an order without them. */
    static final String NONE = "None";

    private OrderFields() {
    }

    static boolean isPegBench(String orderType) {
        return "PEG BENCH".equals(orderType) || "PEGBENCH".equals(orderType);
    }

    static boolean isPegBest(String orderType) {
        return "PEG BEST".equals(orderType) || "PEGBEST".equals(orderType);
    }

    static boolean isPegMid(String orderType) {
        return "PEG MID".equals(orderType) || "PEGMID".equals(orderType);
    }

    /**
     * deltaNeutralOrderType, deltaNeutralAuxPrice, then the extras for an order that has a type. The model keeps no
     * delta-neutral order: placeOrder writes the type empty (no extras), as IB's client does; a Gateway reports
     * "None", which is not empty, so openOrder and completedOrder carry the extras, unset.
     */
    static void writeDeltaNeutral(FieldWriter w, In message) {
        if (message == In.PLACE_ORDER) {
            w.empty();                              // deltaNeutralOrderType: empty, so no extras
            w.empty();                              // deltaNeutralAuxPrice
            return;
        }
        w.string(NONE);                             // deltaNeutralOrderType, as the Gateway sends it
        w.empty();                                  // deltaNeutralAuxPrice
        w.int32(0);                                 // deltaNeutral conId
        if (message == In.OPEN_ORDER) {
            w.empty();                              // deltaNeutral settlingFirm
            w.empty();                              // deltaNeutral clearingAccount
            w.empty();                              // deltaNeutral clearingIntent
            w.empty();                              // deltaNeutral openClose
        }
        w.bool(false);                              // deltaNeutral shortSale
        w.int32(0);                                 // deltaNeutral shortSaleSlot
        w.empty();                                  // deltaNeutral designatedLocation
    }

    static void readDeltaNeutral(FieldReader r, In message) {
        String deltaNeutralOrderType = r.string();
        r.skip(1);                                  // deltaNeutralAuxPrice
        if (!deltaNeutralOrderType.isEmpty()) {
            r.skip(deltaNeutralExtraFields(message));
        }
    }

    /**
     * scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement, then the seven scale extras only when the
     * increment is set and positive (IB's rule; one client writes them for 0 too). The model keeps no scale order,
     * so all three go unset and no extras follow.
     */
    static void writeScale(FieldWriter w) {
        w.empty();                                  // scaleInitLevelSize
        w.empty();                                  // scaleSubsLevelSize
        w.empty();                                  // scalePriceIncrement: unset, so no scale extras
    }

    static void readScale(FieldReader r) {
        r.skip(2);                                  // scaleInitLevelSize, scaleSubsLevelSize
        Double scalePriceIncrement = r.doubleOrNull();
        if (scalePriceIncrement != null && scalePriceIncrement > 0) {
            r.skip(SCALE_EXTRA_FIELDS);
        }
    }

    /** hedgeType, then hedgeParam only after a type; the model keeps no hedge. */
    static void writeHedge(FieldWriter w) {
        w.empty();                                  // hedgeType: empty, so no hedgeParam
    }

    static void readHedge(FieldReader r) {
        if (!r.string().isEmpty()) {
            r.skip(1);                              // hedgeParam after a hedgeType
        }
    }

    /** Whether a delta-neutral contract follows, then its conId, delta and price; the model keeps none. */
    static void writeDeltaNeutralContract(FieldWriter w) {
        w.bool(false);                              // deltaNeutralContract present
    }

    static void readDeltaNeutralContract(FieldReader r) {
        if (r.bool()) {
            r.skip(3);                              // deltaNeutralContract conId, delta, price
        }
    }

    /** The PEG BENCH fields, before the conditions in every message; the model cannot express them. */
    static void readPegBench(FieldReader r, String orderType) {
        if (isPegBench(orderType)) {
            r.skip(PEG_BENCH_FIELDS);
        }
    }

    /**
     * From server version 170 (PEGBEST_PEGMID_OFFSETS): minTradeQty, minCompeteSize, competeAgainstBestOffset,
     * midOffsetAtWhole and midOffsetAtHalf. A Gateway reports all five on every openOrder and completedOrder;
     * placeOrder carries each only where it applies, as IB's client writes it: minTradeQty for an order routed to
     * IBKRATS, the first two for PEG BEST, the mid offsets for PEG MID. All unset: the model keeps none of them.
     */
    static void writePegOffsets(FieldWriter w, In message, int sv, String exchange, String orderType) {
        if (sv < ServerVersion.PEGBEST_PEGMID_OFFSETS) {
            return;
        }
        if (message != In.PLACE_ORDER) {
            w.empty().empty().empty().empty().empty();
            return;
        }
        for (int i = 0; i < pegOffsetFields(sv, exchange, orderType); i++) {
            w.empty();
        }
    }

    /** How many of the five placeOrder carries for this order at this version. */
    static int pegOffsetFields(int sv, String exchange, String orderType) {
        if (sv < ServerVersion.PEGBEST_PEGMID_OFFSETS) {
            return 0;
        }
        int count = IBKRATS.equals(exchange) ? 1 : 0;   // minTradeQty
        if (isPegBest(orderType) || isPegMid(orderType)) {
            count += 2;                             // minCompeteSize and competeAgainstBestOffset, or the mid offsets
        }
        return count;
    }

    /**
     * action .. orderRef, the same eleven fields in the same order in all three messages; unset prices as empty
     * fields, as IB's client writes them in placeOrder and the Gateway in its reports.
     */
    static void writeBasics(FieldWriter w, Order o) {
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

    static Order.Builder readBasics(FieldReader r) {
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
            b.algoParams(readTagValues(r));
        }
    }

    static List<TagValue> readTagValues(FieldReader r) {
        int count = r.int32();
        if (count < 0 || count > r.remaining() / 2) {
            throw new ProtocolException.MalformedField("tag/value count " + count + " exceeds the message");
        }
        List<TagValue> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(new TagValue(r.string(), r.string()));
        }
        return values;
    }
}
