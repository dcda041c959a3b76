package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.ClientMessage.PlaceOrder;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.TagValue;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * placeOrder (3), without a version field from server version 145 on: 110 fields at 157 up to 115 at 176 for a
 * plain order.
 *
 * <p>Unset numbers go out as IB's own client sends them to a Gateway (MAX_VALUE spellings); the reader accepts
 * every spelling clients use. Combo (BAG) orders, order conditions and PEG BENCH orders are not modelled and
 * are reported as {@link ProtocolException.UnsupportedFeature}.
 */
final class PlaceOrderCodec {

    private static final String PEG_BENCH = "PEG BENCH";
    /** Fields that follow a set, positive scalePriceIncrement. */
    private static final int SCALE_EXTRA_FIELDS = 7;
    /** Fields that follow a non-empty deltaNeutralOrderType. */
    private static final int DELTA_NEUTRAL_EXTRA_FIELDS = 8;

    private PlaceOrderCodec() {
    }

    static void write(FieldWriter w, PlaceOrder message, int sv) {
        Order o = message.order();
        Contract c = message.contract();
        if ("BAG".equals(c.secType())) {
            throw new ProtocolException.UnsupportedFeature("combo (BAG) orders are not supported");
        }
        if (PEG_BENCH.equals(o.orderType())) {
            throw new ProtocolException.UnsupportedFeature("PEG BENCH orders are not supported");
        }
        w.int32(message.messageId());
        w.int64(message.orderId());
        ContractFields.writeRequest(w, c);
        w.empty();                                  // secIdType
        w.empty();                                  // secId
        w.string(o.action());
        w.decimal(o.totalQuantity());
        w.string(o.orderType());
        w.doubleMax(o.lmtPrice());
        w.doubleMax(o.auxPrice());
        w.string(o.tif());
        w.string(o.ocaGroup());
        w.string(o.account());
        w.string(o.openClose());
        w.int32(o.origin());
        w.string(o.orderRef());
        w.bool(o.transmit());
        w.int64(o.parentId());
        w.bool(false);                              // blockOrder
        w.bool(false);                              // sweepToFill
        w.int32(0);                                 // displaySize
        w.int32(0);                                 // triggerMethod
        w.bool(o.outsideRth());
        w.bool(o.hidden());
        w.empty();                                  // deprecated sharesAllocation
        w.doubleMax(null);                          // discretionaryAmt
        w.string(o.goodAfterTime());
        w.string(o.goodTillDate());
        w.empty();                                  // faGroup
        w.empty();                                  // faMethod
        w.empty();                                  // faPercentage
        if (sv < ServerVersion.FA_PROFILE_DESUPPORT) {
            w.empty();                              // faProfile
        }
        w.string(o.modelCode());
        w.int32(0);                                 // shortSaleSlot
        w.empty();                                  // designatedLocation
        w.int32(-1);                                // exemptCode
        w.int32(0);                                 // ocaType
        w.empty();                                  // rule80A
        w.empty();                                  // settlingFirm
        w.bool(false);                              // allOrNone
        w.intMax(null);                             // minQty
        w.doubleMax(null);                          // percentOffset
        w.bool(false);                              // deprecated eTradeOnly
        w.bool(false);                              // deprecated firmQuoteOnly
        w.doubleMax(null);                          // deprecated nbboPriceCap
        w.int32(0);                                 // auctionStrategy
        w.doubleMax(null);                          // startingPrice
        w.doubleMax(null);                          // stockRefPrice
        w.doubleMax(null);                          // delta
        w.doubleMax(null);                          // stockRangeLower
        w.doubleMax(null);                          // stockRangeUpper
        w.bool(false);                              // overridePercentageConstraints
        w.doubleMax(null);                          // volatility
        w.intMax(null);                             // volatilityType
        w.empty();                                  // deltaNeutralOrderType: empty, so no delta-neutral extras
        w.doubleMax(null);                          // deltaNeutralAuxPrice
        w.bool(false);                              // continuousUpdate
        w.intMax(null);                             // referencePriceType
        w.doubleMax(o.trailStopPrice());
        w.doubleMax(o.trailingPercent());
        w.intMax(null);                             // scaleInitLevelSize
        w.intMax(null);                             // scaleSubsLevelSize
        w.doubleMax(null);                          // scalePriceIncrement: unset, so no scale extras
        w.empty();                                  // scaleTable
        w.empty();                                  // activeStartTime
        w.empty();                                  // activeStopTime
        w.empty();                                  // hedgeType: empty, so no hedgeParam
        w.bool(false);                              // optOutSmartRouting
        w.empty();                                  // clearingAccount
        w.empty();                                  // clearingIntent
        w.bool(false);                              // notHeld
        w.bool(false);                              // deltaNeutralContract present
        OrderFields.writeAlgo(w, o);
        w.empty();                                  // algoId
        w.bool(o.whatIf());
        w.empty();                                  // orderMiscOptions
        w.bool(false);                              // solicited
        w.bool(false);                              // randomizeSize
        w.bool(false);                              // randomizePrice
        w.int32(0);                                 // conditionsCount
        w.empty();                                  // adjustedOrderType
        w.doubleMax(null);                          // triggerPrice
        w.doubleMax(null);                          // lmtPriceOffset
        w.doubleMax(null);                          // adjustedStopPrice
        w.doubleMax(null);                          // adjustedStopLimitPrice
        w.doubleMax(null);                          // adjustedTrailingAmount
        w.int32(0);                                 // adjustableTrailingUnit
        w.empty();                                  // extOperator
        w.empty();                                  // softDollarTier name
        w.empty();                                  // softDollarTier value
        w.doubleMax(null);                          // cashQty
        w.empty();                                  // mifid2DecisionMaker
        w.empty();                                  // mifid2DecisionAlgo
        w.empty();                                  // mifid2ExecutionTrader
        w.empty();                                  // mifid2ExecutionAlgo
        w.bool(false);                              // dontUseAutoPriceForHedge
        w.bool(false);                              // isOmsContainer
        w.bool(false);                              // discretionaryUpToLimitPrice
        w.empty();                                  // usePriceMgmtAlgo (sv >= 151, always in range): unset
        if (sv >= ServerVersion.DURATION) {
            w.intMax(null);                         // duration
        }
        if (sv >= ServerVersion.POST_TO_ATS) {
            w.intMax(null);                         // postToAts
        }
        if (sv >= ServerVersion.AUTO_CANCEL_PARENT) {
            w.bool(false);                          // autoCancelParent
        }
        if (sv >= ServerVersion.ADVANCED_ORDER_REJECT) {
            w.empty();                              // advancedErrorOverride
        }
        if (sv >= ServerVersion.MANUAL_ORDER_TIME) {
            w.empty();                              // manualOrderTime
        }
    }

    /** Reads placeOrder after its message id. */
    static PlaceOrder read(FieldReader r, int sv) {
        long orderId = r.int64();
        Contract contract = ContractFields.readRequest(r);
        if ("BAG".equals(contract.secType())) {
            throw new ProtocolException.UnsupportedFeature("combo (BAG) orders are not supported");
        }
        r.skip(2);                                  // secIdType, secId
        Order.Builder b = Order.builder(r.string(), r.decimalOrNull(), r.string());
        b.lmtPrice(r.doubleOrNull());
        b.auxPrice(r.doubleOrNull());
        b.tif(r.string());
        b.ocaGroup(r.string());
        b.account(r.string());
        b.openClose(r.string());
        b.origin(r.int32());
        b.orderRef(r.string());
        b.transmit(r.bool());
        b.parentId(r.int64());
        r.skip(4);                                  // blockOrder, sweepToFill, displaySize, triggerMethod
        b.outsideRth(r.bool());
        b.hidden(r.bool());
        r.skip(2);                                  // sharesAllocation, discretionaryAmt
        b.goodAfterTime(r.string());
        b.goodTillDate(r.string());
        r.skip(3);                                  // faGroup, faMethod, faPercentage
        if (sv < ServerVersion.FA_PROFILE_DESUPPORT) {
            r.skip(1);                              // faProfile
        }
        b.modelCode(r.string());
        // shortSaleSlot .. overridePercentageConstraints, then volatility, volatilityType
        r.skip(19 + 2);
        String deltaNeutralOrderType = r.string();
        r.skip(1);                                  // deltaNeutralAuxPrice
        if (!deltaNeutralOrderType.isEmpty()) {
            r.skip(DELTA_NEUTRAL_EXTRA_FIELDS);
        }
        r.skip(2);                                  // continuousUpdate, referencePriceType
        b.trailStopPrice(r.doubleOrNull());
        b.trailingPercent(r.doubleOrNull());
        r.skip(2);                                  // scaleInitLevelSize, scaleSubsLevelSize
        Double scalePriceIncrement = r.doubleOrNull();
        if (scalePriceIncrement != null && scalePriceIncrement > 0) {
            r.skip(SCALE_EXTRA_FIELDS);
        }
        r.skip(3);                                  // scaleTable, activeStartTime, activeStopTime
        String hedgeType = r.string();
        if (!hedgeType.isEmpty()) {
            r.skip(1);                              // hedgeParam
        }
        r.skip(4);                                  // optOutSmartRouting, clearingAccount, clearingIntent, notHeld
        if (r.bool()) {
            r.skip(3);                              // deltaNeutralContract conId, delta, price
        }
        OrderFields.readAlgo(r, b);
        r.skip(1);                                  // algoId
        b.whatIf(r.bool());
        r.skip(4);                                  // orderMiscOptions, solicited, randomizeSize, randomizePrice
        Order order = b.build();
        if (PEG_BENCH.equals(order.orderType())) {
            throw new ProtocolException.UnsupportedFeature("PEG BENCH orders are not supported");
        }
        if (r.int32() != 0) {
            throw new ProtocolException.UnsupportedFeature("order conditions are not supported");
        }
        // adjustedOrderType .. discretionaryUpToLimitPrice, usePriceMgmtAlgo and the version-gated tail carry
        // nothing the model keeps; clients disagree on some of them, so they are not read.
        return new PlaceOrder(orderId, contract, order);
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
