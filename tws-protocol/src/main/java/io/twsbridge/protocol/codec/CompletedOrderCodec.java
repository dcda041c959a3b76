package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.codec.OrderFields.In;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage.CompletedOrder;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

/**
 * completedOrder (101): no version field and no order id; 95 fields at 157 and 100 from 176 (with
 * faProfile before 177 and the PEG BEST/MID offsets from 170) for a plain order.
 *
 * <p>Shares openOrder's order fields but not their order: no clientId, no sharesAllocation, four delta-neutral
 * extras instead of eight, and a tail of its own ending in completedTime and completedStatus.
 *
 * <p>faProfile: IB's own client and ib_async read it below server version 177; @stoqey/ib 1.6.10 never reads
 * it in this message. {@code writeFaProfile} lets a server serve either; the IB layout is the default.
 */
final class CompletedOrderCodec {

    private CompletedOrderCodec() {
    }

    static void write(FieldWriter w, CompletedOrder message, int sv, boolean writeFaProfile) {
        Contract c = message.contract();
        Order o = message.order();
        OrderState s = message.orderState();
        w.int32(message.messageId());
        ContractFields.writeWithExchange(w, c);
        OrderFields.writeBasics(w, o);
        w.int64(o.permId());
        w.bool(o.outsideRth());
        w.bool(o.hidden());
        w.empty();                                  // discretionaryAmt
        w.string(o.goodAfterTime());
        w.empty();                                  // faGroup
        w.empty();                                  // faMethod
        w.empty();                                  // faPercentage
        if (writeFaProfile && sv < ServerVersion.FA_PROFILE_DESUPPORT) {
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
        w.empty();                                  // startingPrice
        w.empty();                                  // stockRefPrice
        w.empty();                                  // delta
        w.empty();                                  // stockRangeLower
        w.empty();                                  // stockRangeUpper
        w.empty();                                  // displaySize
        w.bool(false);                              // sweepToFill
        w.bool(false);                              // allOrNone
        w.empty();                                  // minQty
        w.int32(0);                                 // ocaType
        w.int32(0);                                 // triggerMethod
        w.empty();                                  // volatility
        w.empty();                                  // volatilityType
        OrderFields.writeDeltaNeutral(w, In.COMPLETED_ORDER);
        w.bool(false);                              // continuousUpdate
        w.empty();                                  // referencePriceType
        w.doubleOrEmpty(o.trailStopPrice());
        w.doubleOrEmpty(o.trailingPercent());
        w.empty();                                  // comboLegsDescrip
        w.int32(0);                                 // comboLegs count
        w.int32(0);                                 // orderComboLegs count
        w.int32(0);                                 // smartComboRoutingParams count
        OrderFields.writeScale(w);
        OrderFields.writeHedge(w);
        w.empty();                                  // clearingAccount
        w.string("IB");                             // clearingIntent
        w.bool(false);                              // notHeld
        OrderFields.writeDeltaNeutralContract(w);
        OrderFields.writeAlgo(w, o);
        w.bool(false);                              // solicited
        w.string(s.status());
        w.bool(false);                              // randomizeSize
        w.bool(false);                              // randomizePrice
        OrderConditionFields.write(w, o.conditions());
        w.doubleOrEmpty(o.trailStopPrice());        // stop price
        w.empty();                                  // lmtPriceOffset
        w.empty();                                  // cashQty
        w.bool(false);                              // dontUseAutoPriceForHedge
        w.bool(false);                              // isOmsContainer
        w.empty();                                  // autoCancelDate
        w.empty();                                  // filledQuantity
        w.int32(0);                                 // refFuturesConId
        w.bool(false);                              // autoCancelParent
        w.empty();                                  // shareholder
        w.bool(false);                              // imbalanceOnly
        w.bool(false);                              // routeMarketableToBbo
        w.int64(0);                                 // parentPermId
        w.string(s.completedTime());
        w.string(s.completedStatus());
        OrderFields.writePegOffsets(w, In.COMPLETED_ORDER, sv, c.exchange(), o.orderType());
    }

    /** Reads completedOrder, in the IB layout, after its message id. */
    static CompletedOrder read(FieldReader r, int sv) {
        Contract contract = ContractFields.readWithExchange(r);
        Order.Builder b = OrderFields.readBasics(r);
        b.permId(r.int64());
        b.outsideRth(r.bool());
        b.hidden(r.bool());
        r.skip(1);                                  // discretionaryAmt
        b.goodAfterTime(r.string());
        r.skip(3);                                  // faGroup, faMethod, faPercentage
        if (sv < ServerVersion.FA_PROFILE_DESUPPORT) {
            r.skip(1);                              // faProfile
        }
        b.modelCode(r.string());
        b.goodTillDate(r.string());
        r.skip(19);                                 // rule80A .. volatilityType
        OrderFields.readDeltaNeutral(r, In.COMPLETED_ORDER);
        r.skip(2);                                  // continuousUpdate, referencePriceType
        b.trailStopPrice(r.doubleOrNull());
        b.trailingPercent(r.doubleOrNull());
        r.skip(1);                                  // comboLegsDescrip
        r.skip(OpenOrderCodec.checkedCount(r, r.int32(), 8) * 8);
        r.skip(OpenOrderCodec.checkedCount(r, r.int32(), 1));
        r.skip(OpenOrderCodec.checkedCount(r, r.int32(), 2) * 2);
        OrderFields.readScale(r);
        OrderFields.readHedge(r);
        r.skip(3);                                  // clearingAccount, clearingIntent, notHeld
        OrderFields.readDeltaNeutralContract(r);
        OrderFields.readAlgo(r, b);
        r.skip(1);                                  // solicited
        String status = r.string();
        r.skip(2);                                  // randomizeSize, randomizePrice
        OrderFields.readPegBench(r, b.build().orderType());
        Order order = b.conditions(OrderConditionFields.read(r)).build();
        // stop price .. parentPermId carry nothing the model keeps
        r.skip(13);
        String completedTime = r.string();
        String completedStatus = r.string();
        return new CompletedOrder(contract, order,
                new OrderState(status, null, null, null, "", "", completedTime, completedStatus));
    }
}
