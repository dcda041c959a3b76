package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How placeOrder spells unset numbers and which conditional fields it carries, field by field, against the
 * protocol fact sheet (§4.1): the field numbers and spellings below are the fact sheet's, for a plain non-BAG
 * order at server version 176 unless a test says otherwise.
 *
 * <p>The old encoder wrote 1.7976931348623157E308 or 2147483647 in 17 fields where IB's client writes an empty
 * field; the first test pins the empty spelling there, which is the fix, not a weakening.
 */
class PlaceOrderUnsetFieldsTest {

    private static final String DOUBLE_MAX = "1.7976931348623157E308";
    private static final String INT_MAX = "2147483647";

    private static final Contract SMART_STOCK = new Contract(0, "AAPL", "STK", "", null, "", "", "SMART", "", "USD",
            "", "");

    @ParameterizedTest(name = "field {0} ({1}) is empty when unset")
    @CsvSource({
            "19, lmtPrice of a market order",
            "20, auxPrice",
            "51, minQty",
            "52, percentOffset",
            "55, nbboPriceCap",
            "57, startingPrice",
            "58, stockRefPrice",
            "59, delta",
            "60, stockRangeLower",
            "61, stockRangeUpper",
            "63, volatility",
            "66, deltaNeutralAuxPrice",
            "69, trailStopPrice",
            "70, trailingPercent",
            "71, scaleInitLevelSize",
            "72, scaleSubsLevelSize",
            "73, scalePriceIncrement",
            "101, cashQty",
            "109, usePriceMgmtAlgo"})
    void fieldsIbsClientLeavesEmptyAreEmpty(int field, String name) {
        List<String> fields = fields(176, SMART_STOCK, Order.builder("BUY", BigDecimal.ONE, "MKT").build());
        assertThat(fields.get(field)).as("%s", name).isEmpty();
    }

    @ParameterizedTest(name = "field {0} ({1}) is {2} when unset")
    @CsvSource({
            "36, discretionaryAmt, " + DOUBLE_MAX,
            "64, volatilityType, " + INT_MAX,
            "68, referencePriceType, " + INT_MAX,
            "92, triggerPrice, " + DOUBLE_MAX,
            "93, lmtPriceOffset, " + DOUBLE_MAX,
            "94, adjustedStopPrice, " + DOUBLE_MAX,
            "95, adjustedStopLimitPrice, " + DOUBLE_MAX,
            "96, adjustedTrailingAmount, " + DOUBLE_MAX})
    void fieldsIbsClientWritesAsMaxValueAreMaxValue(int field, String name, String spelling) {
        List<String> fields = fields(176, SMART_STOCK, Order.builder("BUY", BigDecimal.ONE, "MKT").build());
        assertThat(fields.get(field)).as("%s", name).isEqualTo(spelling);
    }

    @Test
    void setPricesAreWrittenWhereUnsetOnesWouldBeEmpty() {
        Order stopLimit = Order.builder("SELL", BigDecimal.TEN, "STP LMT").lmtPrice(99.5).auxPrice(100.25).build();
        List<String> fields = fields(176, SMART_STOCK, stopLimit);
        assertThat(fields.get(19)).isEqualTo("99.5");
        assertThat(fields.get(20)).isEqualTo("100.25");
    }

    @Test
    void scalePriceIncrementIsFollowedDirectlyByScaleTableWhenUnset() {
        // With scalePriceIncrement unset the 7 scale extras are absent, so field 74 is scaleTable (empty) and 77
        // is hedgeType; the count below equals the plain-order count of the fact sheet, which proves no extra.
        List<String> fields = fields(176, SMART_STOCK, Order.builder("BUY", BigDecimal.ONE, "LMT").lmtPrice(1.0).build());
        assertThat(fields.get(73)).isEmpty();
        assertThat(fields).hasSize(115);
    }

    @ParameterizedTest(name = "an IBKRATS LMT order at sv {0} has {1} fields")
    @CsvSource({"157,110", "165,113", "169,115", "170,116", "176,116", "178,115"})
    void ordersRoutedToIbkratsCarryMinTradeQtyFromVersion170(int sv, int expectedFields) {
        Contract ats = new Contract(0, "AAPL", "STK", "", null, "", "", "IBKRATS", "", "USD", "", "");
        List<String> fields = fields(sv, ats, Order.builder("BUY", BigDecimal.ONE, "LMT").lmtPrice(1.0).build());
        assertThat(fields).hasSize(expectedFields);
        if (sv >= 170) {
            assertThat(fields.get(fields.size() - 1)).as("minTradeQty, unset").isEmpty();
        }
    }

    @ParameterizedTest(name = "a {0} order at sv 176 has {1} fields")
    @CsvSource({"PEG BEST,117", "PEGBEST,117", "PEG MID,117", "PEGMID,117", "LMT,115"})
    void pegBestAndPegMidCarryTheirTwoOffsetFieldsFromVersion170(String orderType, int expectedFields) {
        List<String> fields = fields(176, SMART_STOCK, Order.builder("BUY", BigDecimal.ONE, orderType).lmtPrice(1.0).build());
        assertThat(fields).hasSize(expectedFields);
        assertThat(fields(169, SMART_STOCK, Order.builder("BUY", BigDecimal.ONE, orderType).lmtPrice(1.0).build()))
                .as("no PEG offsets before 170").hasSize(115);
    }

    @Test
    void pegBenchIsRefusedBecauseTheModelHasNoReferenceContract() {
        Order pegBench = Order.builder("BUY", BigDecimal.ONE, "PEG BENCH").build();
        assertThatThrownBy(() -> fields(176, SMART_STOCK, pegBench))
                .isInstanceOf(ProtocolException.UnsupportedFeature.class);
    }

    @ParameterizedTest(name = "the decoder reads back an IBKRATS, PEG MID and plain order at sv {0}")
    @ValueSource(ints = {157, 165, 169, 170, 176, 178})
    void decoderReadsTheConditionalTail(int sv) {
        ClientMessageCodec codec = new ClientMessageCodec(sv);
        Contract ats = new Contract(0, "AAPL", "STK", "", null, "", "", "IBKRATS", "", "USD", "", "");
        for (ClientMessage.PlaceOrder message : List.of(
                new ClientMessage.PlaceOrder(5, ats, Order.builder("BUY", BigDecimal.ONE, "LMT").lmtPrice(1.0).build()),
                new ClientMessage.PlaceOrder(6, ats, Order.builder("BUY", BigDecimal.ONE, "PEG MID").build()),
                new ClientMessage.PlaceOrder(7, SMART_STOCK, Order.builder("BUY", BigDecimal.ONE, "MKT").build()))) {
            assertThat(codec.decode(WireLayoutTest.payloadOf(codec.encode(message)))).isEqualTo(message);
        }
    }

    @Test
    void decoderRefusesAnIbkratsOrderWithoutMinTradeQty() {
        // The form the encoder wrote before the fix: a Gateway would read the next order's fields one off.
        ClientMessageCodec codec = new ClientMessageCodec(176);
        Contract ats = new Contract(0, "AAPL", "STK", "", null, "", "", "IBKRATS", "", "USD", "", "");
        byte[] smartFrame = codec.encode(new ClientMessage.PlaceOrder(5, SMART_STOCK,
                Order.builder("BUY", BigDecimal.ONE, "LMT").lmtPrice(1.0).build()));
        String shortAts = new String(WireLayoutTest.payloadOf(smartFrame), StandardCharsets.US_ASCII)
                .replace("\0SMART\0", "\0IBKRATS\0");
        assertThat(fields(176, ats, Order.builder("BUY", BigDecimal.ONE, "LMT").lmtPrice(1.0).build())).hasSize(116);
        assertThatThrownBy(() -> codec.decode(shortAts.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(ProtocolException.MalformedField.class)
                .hasMessageContaining("IBKRATS");
    }

    private static List<String> fields(int sv, Contract contract, Order order) {
        FieldWriter w = new FieldWriter();
        new ClientMessageCodec(sv).write(w, new ClientMessage.PlaceOrder(1, contract, order));
        FieldReader r = FieldReader.of(w.toPayload());
        List<String> fields = new ArrayList<>();
        while (r.hasMore()) {
            fields.add(r.string());
        }
        return fields;
    }
}
