package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ContractSpecification;
import io.twsbridge.protocol.message.ServerMessage.ContractDetails;
import io.twsbridge.protocol.message.TagValue;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

import java.util.List;

/**
 * contractDetails (10), with n secId pairs: 39 + 2n fields at server versions 157..162, 40 + 2n at 163 (which adds
 * sizeMinTick), 40 + 2n from 164 (SIZE_RULES: no message version, no mdSizeMultiplier, the three size rules at
 * the end). The contract's fields are spread over the message rather than kept in one block.
 */
final class ContractDetailsCodec {

    /** Plain integers at most this large are written without a fraction; see {@link #evMultiplierText}. */
    private static final double EXACT_INTEGER_LIMIT = 1e15;

    private ContractDetailsCodec() {
    }

    static void write(FieldWriter w, ContractDetails m, int sv) {
        Contract c = m.contract();
        ContractSpecification s = m.specification();
        w.int32(m.messageId());
        if (sv < ServerVersion.SIZE_RULES) {
            w.int32(8);
        }
        w.int32(m.reqId()).string(c.symbol()).string(c.secType()).string(c.lastTradeDateOrContractMonth())
                .doubleOrEmpty(c.strike()).string(c.right()).string(c.exchange()).string(c.currency())
                .string(c.localSymbol()).string(s.marketName()).string(c.tradingClass()).int32(c.conId())
                .float64(s.minTick());
        if (sv < ServerVersion.SIZE_RULES) {
            w.int32(s.mdSizeMultiplier());
        }
        w.string(c.multiplier()).string(s.orderTypes()).string(s.validExchanges()).int32(s.priceMagnifier())
                .int32(s.underConId())
                .string(sv >= ServerVersion.ENCODE_MSG_ASCII7 ? EscapedText.escape(s.longName()) : s.longName())
                .string(c.primaryExchange()).string(s.contractMonth()).string(s.industry()).string(s.category())
                .string(s.subcategory()).string(s.timeZoneId()).string(s.tradingHours()).string(s.liquidHours())
                .string(s.evRule()).string(evMultiplierText(s.evMultiplier()));
        w.int32(s.secIdList().size());             // "0", never "": ib_async cannot read an empty count
        for (TagValue id : s.secIdList()) {
            w.string(id.tag()).string(id.value());
        }
        w.int32(s.aggGroup()).string(s.underSymbol()).string(s.underSecType()).string(s.marketRuleIds())
                .string(s.realExpirationDate()).string(s.stockType());
        if (sv == ServerVersion.FRACTIONAL_SIZE_SUPPORT) {
            w.decimal(s.sizeMinTick());
        }
        if (sv >= ServerVersion.SIZE_RULES) {
            w.decimal(s.minSize()).decimal(s.sizeIncrement()).decimal(s.suggestedSizeIncrement());
        }
    }

    static ContractDetails read(FieldReader r, int sv) {
        if (sv < ServerVersion.SIZE_RULES) {
            r.skip(1);
        }
        int reqId = r.int32();
        String symbol = r.string();
        String secType = r.string();
        String lastTrade = r.string();
        Double strike = r.doubleOrNull();
        String right = r.string();
        String exchange = r.string();
        String currency = r.string();
        String localSymbol = r.string();
        ContractSpecification.Builder s = ContractSpecification.builder();
        s.marketName(r.string());
        String tradingClass = r.string();
        int conId = r.int32();
        s.minTick(r.float64());
        if (sv < ServerVersion.SIZE_RULES) {
            s.mdSizeMultiplier(r.int32());
        }
        String multiplier = r.string();
        s.orderTypes(r.string()).validExchanges(r.string()).priceMagnifier(r.int32()).underConId(r.int32());
        String longName = r.string();
        s.longName(sv >= ServerVersion.ENCODE_MSG_ASCII7 ? EscapedText.unescape(longName) : longName);
        String primaryExchange = r.string();
        s.contractMonth(r.string()).industry(r.string()).category(r.string()).subcategory(r.string())
                .timeZoneId(r.string()).tradingHours(r.string()).liquidHours(r.string()).evRule(r.string())
                .evMultiplier(r.doubleOrNull());
        List<TagValue> secIds = OrderFields.readTagValues(r);
        s.secIdList(secIds).aggGroup(r.int32()).underSymbol(r.string()).underSecType(r.string())
                .marketRuleIds(r.string()).realExpirationDate(r.string()).stockType(r.string());
        if (sv == ServerVersion.FRACTIONAL_SIZE_SUPPORT) {
            s.sizeMinTick(r.decimalOrNull());
        }
        if (sv >= ServerVersion.SIZE_RULES) {
            s.minSize(r.decimalOrNull()).sizeIncrement(r.decimalOrNull()).suggestedSizeIncrement(r.decimalOrNull());
        }
        Contract contract = new Contract(conId, symbol, secType, lastTrade, strike, right, multiplier, exchange,
                primaryExchange, currency, localSymbol, tradingClass);
        return new ContractDetails(reqId, contract, s.build());
    }

    /**
     * "" when unset, an integer without a fraction when the value is one: ib_async parses this field as an
     * integer and drops the whole message for "1.0". Any other value goes as a decimal, which IB's client and
     * @stoqey/ib read.
     */
    static String evMultiplierText(Double value) {
        if (value == null) {
            return "";
        }
        double v = value;
        if (v == Math.rint(v) && Math.abs(v) < EXACT_INTEGER_LIMIT) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
