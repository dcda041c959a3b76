package io.twsbridge.protocol.message;

import java.math.BigDecimal;
import java.util.List;

/**
 * The order fields the bridge and the simulator act on. Fields of placeOrder/openOrder that are not modelled
 * here are written with the values IB's clients send for a plain order and ignored when read.
 *
 * @param totalQuantity exact, since quantities may be fractional
 * @param lmtPrice      limit price, {@code null} when unset
 * @param auxPrice      stop price for STP and STP LMT, {@code null} when unset
 * @param orderRef      free text carried through to executions; the bridge stores its commandId here
 * @param clientId      the API client that owns the order (read from openOrder, not sent in placeOrder)
 * @param permId        IB's permanent id (read from openOrder, not sent in placeOrder)
 * @param conditions    what submits or cancels a conditional order (read from openOrder and completedOrder;
 *                      placeOrder cannot send them yet); {@link OrderConditions#NONE} for a plain order
 */
public record Order(
        String action,
        BigDecimal totalQuantity,
        String orderType,
        Double lmtPrice,
        Double auxPrice,
        String tif,
        String ocaGroup,
        String account,
        String openClose,
        int origin,
        String orderRef,
        boolean transmit,
        long parentId,
        boolean outsideRth,
        boolean hidden,
        String goodAfterTime,
        String goodTillDate,
        int clientId,
        long permId,
        Double trailStopPrice,
        Double trailingPercent,
        String algoStrategy,
        List<TagValue> algoParams,
        boolean whatIf,
        String modelCode,
        OrderConditions conditions) {

    public Order {
        action = Strings.orEmpty(action);
        orderType = Strings.orEmpty(orderType);
        tif = Strings.orEmpty(tif);
        ocaGroup = Strings.orEmpty(ocaGroup);
        account = Strings.orEmpty(account);
        openClose = Strings.orEmpty(openClose);
        orderRef = Strings.orEmpty(orderRef);
        goodAfterTime = Strings.orEmpty(goodAfterTime);
        goodTillDate = Strings.orEmpty(goodTillDate);
        algoStrategy = Strings.orEmpty(algoStrategy);
        algoParams = algoParams == null ? List.of() : List.copyOf(algoParams);
        modelCode = Strings.orEmpty(modelCode);
        conditions = conditions == null ? OrderConditions.NONE : conditions;
    }

    /** A transmitted order with every optional field unset. */
    public static Builder builder(String action, BigDecimal totalQuantity, String orderType) {
        return new Builder(action, totalQuantity, orderType);
    }

    public Builder toBuilder() {
        Builder b = new Builder(action, totalQuantity, orderType);
        b.lmtPrice = lmtPrice;
        b.auxPrice = auxPrice;
        b.tif = tif;
        b.ocaGroup = ocaGroup;
        b.account = account;
        b.openClose = openClose;
        b.origin = origin;
        b.orderRef = orderRef;
        b.transmit = transmit;
        b.parentId = parentId;
        b.outsideRth = outsideRth;
        b.hidden = hidden;
        b.goodAfterTime = goodAfterTime;
        b.goodTillDate = goodTillDate;
        b.clientId = clientId;
        b.permId = permId;
        b.trailStopPrice = trailStopPrice;
        b.trailingPercent = trailingPercent;
        b.algoStrategy = algoStrategy;
        b.algoParams = algoParams;
        b.whatIf = whatIf;
        b.modelCode = modelCode;
        b.conditions = conditions;
        return b;
    }

    /** Builds an {@link Order}; the protocol has too many order fields for a readable constructor call. */
    public static final class Builder {
        private final String action;
        private final BigDecimal totalQuantity;
        private final String orderType;
        private Double lmtPrice;
        private Double auxPrice;
        private String tif = "";
        private String ocaGroup = "";
        private String account = "";
        private String openClose = "";
        private int origin;
        private String orderRef = "";
        private boolean transmit = true;
        private long parentId;
        private boolean outsideRth;
        private boolean hidden;
        private String goodAfterTime = "";
        private String goodTillDate = "";
        private int clientId;
        private long permId;
        private Double trailStopPrice;
        private Double trailingPercent;
        private String algoStrategy = "";
        private List<TagValue> algoParams = List.of();
        private boolean whatIf;
        private String modelCode = "";
        private OrderConditions conditions = OrderConditions.NONE;

        private Builder(String action, BigDecimal totalQuantity, String orderType) {
            this.action = action;
            this.totalQuantity = totalQuantity;
            this.orderType = orderType;
        }

        public Builder lmtPrice(Double v) { lmtPrice = v; return this; }
        public Builder auxPrice(Double v) { auxPrice = v; return this; }
        public Builder tif(String v) { tif = v; return this; }
        public Builder ocaGroup(String v) { ocaGroup = v; return this; }
        public Builder account(String v) { account = v; return this; }
        public Builder openClose(String v) { openClose = v; return this; }
        public Builder origin(int v) { origin = v; return this; }
        public Builder orderRef(String v) { orderRef = v; return this; }
        public Builder transmit(boolean v) { transmit = v; return this; }
        public Builder parentId(long v) { parentId = v; return this; }
        public Builder outsideRth(boolean v) { outsideRth = v; return this; }
        public Builder hidden(boolean v) { hidden = v; return this; }
        public Builder goodAfterTime(String v) { goodAfterTime = v; return this; }
        public Builder goodTillDate(String v) { goodTillDate = v; return this; }
        public Builder clientId(int v) { clientId = v; return this; }
        public Builder permId(long v) { permId = v; return this; }
        public Builder trailStopPrice(Double v) { trailStopPrice = v; return this; }
        public Builder trailingPercent(Double v) { trailingPercent = v; return this; }
        public Builder algoStrategy(String v) { algoStrategy = v; return this; }
        public Builder algoParams(List<TagValue> v) { algoParams = v; return this; }
        public Builder whatIf(boolean v) { whatIf = v; return this; }
        public Builder modelCode(String v) { modelCode = v; return this; }
        public Builder conditions(OrderConditions v) { conditions = v; return this; }

        public Order build() {
            return new Order(action, totalQuantity, orderType, lmtPrice, auxPrice, tif, ocaGroup, account,
                    openClose, origin, orderRef, transmit, parentId, outsideRth, hidden, goodAfterTime,
                    goodTillDate, clientId, permId, trailStopPrice, trailingPercent, algoStrategy, algoParams,
                    whatIf, modelCode, conditions);
        }
    }
}
