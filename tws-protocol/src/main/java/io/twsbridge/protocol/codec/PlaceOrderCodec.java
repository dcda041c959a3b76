package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.codec.OrderFields.In;
import io.twsbridge.protocol.message.ClientMessage.PlaceOrder;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

/**
 * placeOrder (3), without a version field from server version 145 on: 110 fields at 157 up to 115 at 176 for a
 * plain order, one more for an order routed to IBKRATS from 170 on.
 *
 * <h2>Unset numbers</h2>
 *
 * <p>A Gateway reads each unset number of placeOrder in the spelling IB's own client gives it, and that client
 * spells "unset" differently field by field: most fields go out empty, a few as the text of Integer.MAX_VALUE or
 * Double.MAX_VALUE (fact sheet {@code tws-protocol.md} §4.1). The writer follows this table field by field; the
 * spellings do not change inside the supported range, only the fields that exist do:
 *
 * <table>
 *   <caption>How IB's client writes each unset number of placeOrder, server versions 157..178</caption>
 *   <tr><th>fields</th><th>unset spelling</th><th>written at</th></tr>
 *   <tr><td>lmtPrice, auxPrice, minQty, percentOffset, nbboPriceCap, startingPrice, stockRefPrice, delta,
 *       stockRangeLower, stockRangeUpper, volatility, deltaNeutralAuxPrice, trailStopPrice, trailingPercent,
 *       scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement, cashQty</td>
 *       <td>empty</td><td>157..178</td></tr>
 *   <tr><td>usePriceMgmtAlgo</td><td>empty</td><td>157..178 (the field exists from 151)</td></tr>
 *   <tr><td>discretionaryAmt, triggerPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice,
 *       adjustedTrailingAmount</td><td>1.7976931348623157E308</td><td>157..178</td></tr>
 *   <tr><td>volatilityType, referencePriceType</td><td>2147483647</td><td>157..178</td></tr>
 *   <tr><td>duration</td><td>2147483647</td><td>158..178</td></tr>
 *   <tr><td>postToAts</td><td>2147483647</td><td>160..178</td></tr>
 *   <tr><td>minTradeQty, only when the exchange is IBKRATS</td><td>empty</td><td>170..178</td></tr>
 *   <tr><td>minCompeteSize and competeAgainstBestOffset, only for PEG BEST</td><td>empty</td><td>170..178</td></tr>
 *   <tr><td>midOffsetAtWhole and midOffsetAtHalf, only for PEG MID</td><td>empty</td><td>170..178</td></tr>
 * </table>
 *
 * <p>Numbers that are always set, such as auctionStrategy, displaySize or exemptCode, go out as IB's client
 * defaults them (0, 0, -1). The reader accepts every spelling of "unset" that clients use.
 *
 * <h2>Orders the model cannot express</h2>
 *
 * <p>{@link Order} carries no scale, hedge, delta-neutral, peg-to-benchmark, condition or PEG offset values, so the
 * fields that only follow such values (the 7 scale extras, hedgeParam, the 8 delta-neutral extras, the
 * delta-neutral contract, conditions) are never written, exactly as IB's client leaves them out when the values
 * are unset. PEG BEST and PEG MID orders are written with their offsets unset; "compete against best offset up to
 * mid" needs a value the model lacks, so a PEG BEST order never carries the mid offsets. Combo (BAG) and PEG BENCH
 * orders cannot be written faithfully without their legs or their reference contract and are reported as
 * {@link ProtocolException.UnsupportedFeature}.
 */
final class PlaceOrderCodec {

    /**
     * adjustedOrderType .. usePriceMgmtAlgo: the fields after conditionsCount (with no conditions) that every
     * supported server version carries.
     */
    private static final int FIXED_TAIL_FIELDS = 19;

    private PlaceOrderCodec() {
    }

    static void write(FieldWriter w, PlaceOrder message, int sv) {
        Order o = message.order();
        Contract c = message.contract();
        if ("BAG".equals(c.secType())) {
            throw new ProtocolException.UnsupportedFeature("combo (BAG) orders are not supported");
        }
        if (OrderFields.isPegBench(o.orderType())) {
            throw new ProtocolException.UnsupportedFeature("PEG BENCH orders are not supported");
        }
        w.int32(message.messageId());
        w.int64(message.orderId());
        ContractFields.writeRequest(w, c);
        w.empty();                                  // secIdType
        w.empty();                                  // secId
        OrderFields.writeBasics(w, o);              // lmtPrice empty for a market order
        w.bool(o.transmit());
        w.int64(o.parentId());
        w.bool(false);                              // blockOrder
        w.bool(false);                              // sweepToFill
        w.int32(0);                                 // displaySize
        w.int32(0);                                 // triggerMethod
        w.bool(o.outsideRth());
        w.bool(o.hidden());
        w.empty();                                  // deprecated sharesAllocation
        w.doubleMax(null);                          // discretionaryAmt: one of the few MAX_VALUE spellings
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
        w.empty();                                  // minQty
        w.empty();                                  // percentOffset
        w.bool(false);                              // deprecated eTradeOnly
        w.bool(false);                              // deprecated firmQuoteOnly
        w.empty();                                  // deprecated nbboPriceCap
        w.int32(0);                                 // auctionStrategy
        w.empty();                                  // startingPrice
        w.empty();                                  // stockRefPrice
        w.empty();                                  // delta
        w.empty();                                  // stockRangeLower
        w.empty();                                  // stockRangeUpper
        w.bool(false);                              // overridePercentageConstraints
        w.empty();                                  // volatility
        w.intMax(null);                             // volatilityType: MAX_VALUE, as IB's client writes it
        OrderFields.writeDeltaNeutral(w, In.PLACE_ORDER);
        w.bool(false);                              // continuousUpdate
        w.intMax(null);                             // referencePriceType: MAX_VALUE, as IB's client writes it
        w.doubleOrEmpty(o.trailStopPrice());
        w.doubleOrEmpty(o.trailingPercent());
        OrderFields.writeScale(w);
        w.empty();                                  // scaleTable
        w.empty();                                  // activeStartTime
        w.empty();                                  // activeStopTime
        OrderFields.writeHedge(w);
        w.bool(false);                              // optOutSmartRouting
        w.empty();                                  // clearingAccount
        w.empty();                                  // clearingIntent
        w.bool(false);                              // notHeld
        OrderFields.writeDeltaNeutralContract(w);
        OrderFields.writeAlgo(w, o);
        w.empty();                                  // algoId
        w.bool(o.whatIf());
        w.empty();                                  // orderMiscOptions
        w.bool(false);                              // solicited
        w.bool(false);                              // randomizeSize
        w.bool(false);                              // randomizePrice
        OrderConditionFields.write(w, o.conditions()); // none: the codec refuses an order with conditions
        w.empty();                                  // adjustedOrderType
        w.doubleMax(null);                          // triggerPrice: IB's client writes the five adjusted-order
        w.doubleMax(null);                          // lmtPriceOffset      prices as MAX_VALUE when unset
        w.doubleMax(null);                          // adjustedStopPrice
        w.doubleMax(null);                          // adjustedStopLimitPrice
        w.doubleMax(null);                          // adjustedTrailingAmount
        w.int32(0);                                 // adjustableTrailingUnit
        w.empty();                                  // extOperator
        w.empty();                                  // softDollarTier name
        w.empty();                                  // softDollarTier value
        w.empty();                                  // cashQty
        w.empty();                                  // mifid2DecisionMaker
        w.empty();                                  // mifid2DecisionAlgo
        w.empty();                                  // mifid2ExecutionTrader
        w.empty();                                  // mifid2ExecutionAlgo
        w.bool(false);                              // dontUseAutoPriceForHedge
        w.bool(false);                              // isOmsContainer
        w.bool(false);                              // discretionaryUpToLimitPrice
        w.empty();                                  // usePriceMgmtAlgo (sv >= 151, always in range): unset
        if (sv >= ServerVersion.DURATION) {
            w.intMax(null);                         // duration: MAX_VALUE, as IB's client writes it
        }
        if (sv >= ServerVersion.POST_TO_ATS) {
            w.intMax(null);                         // postToAts: MAX_VALUE, as IB's client writes it
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
        OrderFields.writePegOffsets(w, In.PLACE_ORDER, sv, c.exchange(), o.orderType());
    }

    /** Reads placeOrder after its message id. */
    static PlaceOrder read(FieldReader r, int sv) {
        long orderId = r.int64();
        Contract contract = ContractFields.readRequest(r);
        if ("BAG".equals(contract.secType())) {
            throw new ProtocolException.UnsupportedFeature("combo (BAG) orders are not supported");
        }
        r.skip(2);                                  // secIdType, secId
        Order.Builder b = OrderFields.readBasics(r);
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
        OrderFields.readDeltaNeutral(r, In.PLACE_ORDER);
        r.skip(2);                                  // continuousUpdate, referencePriceType
        b.trailStopPrice(r.doubleOrNull());
        b.trailingPercent(r.doubleOrNull());
        OrderFields.readScale(r);
        r.skip(3);                                  // scaleTable, activeStartTime, activeStopTime
        OrderFields.readHedge(r);
        r.skip(4);                                  // optOutSmartRouting, clearingAccount, clearingIntent, notHeld
        OrderFields.readDeltaNeutralContract(r);
        OrderFields.readAlgo(r, b);
        r.skip(1);                                  // algoId
        b.whatIf(r.bool());
        r.skip(4);                                  // orderMiscOptions, solicited, randomizeSize, randomizePrice
        Order order = b.build();
        if (OrderFields.isPegBench(order.orderType())) {
            throw new ProtocolException.UnsupportedFeature("PEG BENCH orders are not supported");
        }
        if (r.int32() != 0) {
            throw new ProtocolException.UnsupportedFeature("order conditions are not supported");
        }
        // adjustedOrderType .. usePriceMgmtAlgo and the version-gated tail carry nothing the model keeps, and
        // clients spell some of them differently, so they are skipped; but their number is checked, because a
        // writer that leaves out or adds a conditional field (minTradeQty for IBKRATS, the PEG offsets) would
        // shift a Gateway's reading of every later field.
        r.skip(FIXED_TAIL_FIELDS);
        int tail = tailFieldCount(sv, contract.exchange(), order.orderType());
        if (r.remaining() != tail) {
            throw new ProtocolException.MalformedField("placeOrder for a " + order.orderType() + " order on "
                    + contract.exchange() + " at server version " + sv + " must end with " + tail
                    + " version-gated fields but has " + r.remaining());
        }
        return new PlaceOrder(orderId, contract, order);
    }

    /** The fields after usePriceMgmtAlgo: duration .. manualOrderTime by version, then the exchange- and type-dependent ones. */
    private static int tailFieldCount(int sv, String exchange, String orderType) {
        int count = 0;
        if (sv >= ServerVersion.DURATION) {
            count++;
        }
        if (sv >= ServerVersion.POST_TO_ATS) {
            count++;
        }
        if (sv >= ServerVersion.AUTO_CANCEL_PARENT) {
            count++;
        }
        if (sv >= ServerVersion.ADVANCED_ORDER_REJECT) {
            count++;
        }
        if (sv >= ServerVersion.MANUAL_ORDER_TIME) {
            count++;
        }
        return count + OrderFields.pegOffsetFields(sv, exchange, orderType);
    }
}
