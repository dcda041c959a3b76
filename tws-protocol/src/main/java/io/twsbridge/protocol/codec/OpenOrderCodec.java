package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.codec.OrderFields.In;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage.OpenOrder;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

/**
 * openOrder (5), without a version field from server version 145 on: 128 fields at 157 up to 136 at 176 for a
 * plain order.
 *
 * <p>Written as the Gateway writes it for a plain order: deltaNeutralOrderType "None" (which makes every client
 * read the eight delta-neutral fields), empty lists, and "" for unset numbers, which all known clients read as
 * unset. Order conditions are written and read ({@link OrderConditionFields}); combo legs, scale extras and PEG
 * BENCH fields are read and skipped when a peer sends them.
 */
final class OpenOrderCodec {

    private OpenOrderCodec() {
    }

    static void write(FieldWriter w, OpenOrder message, int sv) {
        Contract c = message.contract();
        Order o = message.order();
        OrderState s = message.orderState();
        w.int32(message.messageId());
        w.int64(message.orderId());
        ContractFields.writeWithExchange(w, c);
        OrderFields.writeBasics(w, o);
        w.int32(o.clientId());
        w.int64(o.permId());
        w.bool(o.outsideRth());
        w.bool(o.hidden());
        w.empty();                                  // discretionaryAmt
        w.string(o.goodAfterTime());
        w.empty();                                  // deprecated sharesAllocation
        w.empty();                                  // faGroup
        w.empty();                                  // faMethod
        w.empty();                                  // faPercentage
        if (sv < ServerVersion.FA_PROFILE_DESUPPORT) {
            w.empty();                              // faProfile
        }
        w.string(o.modelCode());
        w.string(o.goodTillDate());
        w.empty();                                  // rule80A
        w.empty();                                  // percentOffset
        w.empty();                                  // settlingFirm
        w.int32(0);                                 // shortSaleSlot
        w.empty();                                  // designatedLocation
        w.int32(-1);                                // exemptCode
        w.int32(0);                                 // auctionStrategy
        w.empty();                                  // startingPrice
        w.empty();                                  // stockRefPrice
        w.empty();                                  // delta
        w.empty();                                  // stockRangeLower
        w.empty();                                  // stockRangeUpper
        w.empty();                                  // displaySize
        w.bool(false);                              // blockOrder
        w.bool(false);                              // sweepToFill
        w.bool(false);                              // allOrNone
        w.empty();                                  // minQty
        w.int32(0);                                 // ocaType
        w.bool(false);                              // deprecated eTradeOnly
        w.bool(false);                              // deprecated firmQuoteOnly
        w.empty();                                  // deprecated nbboPriceCap
        w.int64(o.parentId());
        w.int32(0);                                 // triggerMethod
        w.empty();                                  // volatility
        w.empty();                                  // volatilityType
        OrderFields.writeDeltaNeutral(w, In.OPEN_ORDER);
        w.bool(false);                              // continuousUpdate
        w.empty();                                  // referencePriceType
        w.doubleOrEmpty(o.trailStopPrice());
        w.doubleOrEmpty(o.trailingPercent());
        w.empty();                                  // basisPoints
        w.empty();                                  // basisPointsType
        w.empty();                                  // comboLegsDescrip
        w.int32(0);                                 // comboLegs count
        w.int32(0);                                 // orderComboLegs count
        w.int32(0);                                 // smartComboRoutingParams count
        OrderFields.writeScale(w);
        OrderFields.writeHedge(w);
        w.bool(false);                              // optOutSmartRouting
        w.empty();                                  // clearingAccount
        w.string("IB");                             // clearingIntent, as the Gateway sends it
        w.bool(false);                              // notHeld
        OrderFields.writeDeltaNeutralContract(w);
        OrderFields.writeAlgo(w, o);
        w.bool(false);                              // solicited
        OrderStateFields.writeWhatIfAndState(w, o.whatIf(), s);
        w.bool(false);                              // randomizeSize
        w.bool(false);                              // randomizePrice
        OrderConditionFields.write(w, o.conditions());
        w.string(OrderFields.NONE);                 // adjustedOrderType, as the Gateway sends it
        w.empty();                                  // triggerPrice
        w.doubleOrEmpty(o.trailStopPrice());        // trailStopPrice again
        w.empty();                                  // lmtPriceOffset
        w.empty();                                  // adjustedStopPrice
        w.empty();                                  // adjustedStopLimitPrice
        w.empty();                                  // adjustedTrailingAmount
        w.int32(0);                                 // adjustableTrailingUnit
        w.empty();                                  // softDollarTier name
        w.empty();                                  // softDollarTier value
        w.empty();                                  // softDollarTier displayName
        w.empty();                                  // cashQty
        w.bool(false);                              // dontUseAutoPriceForHedge
        w.bool(false);                              // isOmsContainer
        w.bool(false);                              // discretionaryUpToLimitPrice
        w.bool(false);                              // usePriceMgmtAlgo (sv >= 151, always in range)
        if (sv >= ServerVersion.DURATION) {
            w.empty();                              // duration
        }
        if (sv >= ServerVersion.POST_TO_ATS) {
            w.empty();                              // postToAts
        }
        if (sv >= ServerVersion.AUTO_CANCEL_PARENT) {
            w.bool(false);                          // autoCancelParent
        }
        OrderFields.writePegOffsets(w, In.OPEN_ORDER, sv, c.exchange(), o.orderType());
    }

    /** Reads openOrder after its message id. */
    static OpenOrder read(FieldReader r, int sv) {
        long orderId = r.int64();
        Contract contract = ContractFields.readWithExchange(r);
        Order.Builder b = OrderFields.readBasics(r);
        b.clientId(r.int32());
        b.permId(r.int64());
        b.outsideRth(r.bool());
        b.hidden(r.bool());
        r.skip(1);                                  // discretionaryAmt
        b.goodAfterTime(r.string());
        r.skip(4);                                  // sharesAllocation, faGroup, faMethod, faPercentage
        if (sv < ServerVersion.FA_PROFILE_DESUPPORT) {
            r.skip(1);                              // faProfile
        }
        b.modelCode(r.string());
        b.goodTillDate(r.string());
        r.skip(21);                                 // rule80A .. deprecated nbboPriceCap
        b.parentId(r.int64());
        r.skip(3);                                  // triggerMethod, volatility, volatilityType
        OrderFields.readDeltaNeutral(r, In.OPEN_ORDER);
        r.skip(2);                                  // continuousUpdate, referencePriceType
        b.trailStopPrice(r.doubleOrNull());
        b.trailingPercent(r.doubleOrNull());
        r.skip(3);                                  // basisPoints, basisPointsType, comboLegsDescrip
        int comboLegs = checkedCount(r, r.int32(), 8);
        r.skip(comboLegs * 8);
        int orderComboLegs = checkedCount(r, r.int32(), 1);
        r.skip(orderComboLegs);
        int smartComboParams = checkedCount(r, r.int32(), 2);
        r.skip(smartComboParams * 2);
        OrderFields.readScale(r);
        OrderFields.readHedge(r);
        r.skip(4);                                  // optOutSmartRouting, clearingAccount, clearingIntent, notHeld
        OrderFields.readDeltaNeutralContract(r);
        OrderFields.readAlgo(r, b);
        r.skip(1);                                  // solicited
        b.whatIf(r.bool());
        OrderState state = OrderStateFields.readState(r);
        r.skip(2);                                  // randomizeSize, randomizePrice
        OrderFields.readPegBench(r, b.build().orderType());
        Order order = b.conditions(OrderConditionFields.read(r)).build();
        // The adjusted-order, soft-dollar and version-gated tail carries nothing the model keeps.
        return new OpenOrder(orderId, contract, order, state);
    }

    static int checkedCount(FieldReader r, int count, int fieldsEach) {
        if (count < 0 || (long) count * fieldsEach > r.remaining()) {
            throw new ProtocolException.MalformedField("list count " + count + " exceeds the message");
        }
        return count;
    }
}
