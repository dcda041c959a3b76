package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

/** The order-state block of openOrder: whatIf, status, what-if margins, commissions, warning. */
final class OrderStateFields {

    /** initMargin/maintMargin/equityWithLoan before, change and after (the first six from server version 142). */
    private static final int MARGIN_FIELDS = 9;

    private OrderStateFields() {
    }

    static void writeWhatIfAndState(FieldWriter w, boolean whatIf, OrderState s) {
        w.bool(whatIf);
        w.string(s.status());
        for (int i = 0; i < MARGIN_FIELDS; i++) {
            w.empty();
        }
        w.doubleOrEmpty(s.commission());
        w.doubleOrEmpty(s.minCommission());
        w.doubleOrEmpty(s.maxCommission());
        w.string(s.commissionCurrency());
        w.string(s.warningText());
    }

    /** Reads status .. warningText (whatIf already read). */
    static OrderState readState(FieldReader r) {
        String status = r.string();
        r.skip(MARGIN_FIELDS);
        Double commission = r.doubleOrNull();
        Double minCommission = r.doubleOrNull();
        Double maxCommission = r.doubleOrNull();
        String currency = r.string();
        String warning = r.string();
        return new OrderState(status, commission, minCommission, maxCommission, currency, warning, "", "");
    }
}
