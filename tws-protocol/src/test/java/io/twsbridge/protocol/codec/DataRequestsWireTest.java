package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.message.BarTime;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ContractSpecification;
import io.twsbridge.protocol.message.HistoricalBar;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.TagValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Golden frames for the data requests and their replies (contract details, historical and real-time bars, head
 * timestamp), built field by field from the protocol fact sheet's layouts (§7.1 to §7.4), never from the encoder:
 * the codec must write exactly these bytes and read them back, and read the other clients' spellings of the same
 * request as the same record.
 */
class DataRequestsWireTest {

    private static final Contract AAPL_SMART = Contract.stock("AAPL", "SMART", "USD");

    // ---- reqContractDetails (9) ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {176, 178})
    void reqContractDetailsIsIbsCapturedNineteenFieldsFrom176(int sv) {
        // §7.1: "Example from J at sv 176: 9,8,101,0,AAPL,STK,,0.0,,,SMART,,USD,,,0,,," (19 fields)
        byte[] expected = frame("9", "8", "101", "0", "AAPL", "STK", "", "0.0", "", "", "SMART", "", "USD", "", "",
                "0", "", "", "");
        assertEncodesAndDecodes(new ClientMessageCodec(sv), new ClientMessage.ReqContractDetails(101, AAPL_SMART),
                expected);
    }

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {157, 165, 175})
    void reqContractDetailsHasEighteenFieldsBefore176(int sv) {
        byte[] expected = frame("9", "8", "101", "0", "AAPL", "STK", "", "0.0", "", "", "SMART", "", "USD", "", "",
                "0", "", "");
        assertEncodesAndDecodes(new ClientMessageCodec(sv), new ClientMessage.ReqContractDetails(101, AAPL_SMART),
                expected);
    }

    @Test
    void reqContractDetailsCarriesEveryContractFieldInTheSheetsOrder() {
        Contract option = new Contract(712565973, "AAPL", "OPT", "20261218", 200.0, "C", "100", "SMART", "CBOE",
                "USD", "AAPL  261218C00200000", "AAPL");
        // 0 id, 1 version 8, 2 reqId, 3 conId, 4 symbol, 5 secType, 6 lastTradeDateOrContractMonth, 7 strike,
        // 8 right, 9 multiplier, 10 exchange, 11 primaryExch, 12 currency, 13 localSymbol, 14 tradingClass,
        // 15 includeExpired, 16 secIdType, 17 secId, 18 issuerId
        byte[] expected = frame("9", "8", "102", "712565973", "AAPL", "OPT", "20261218", "200.0", "C", "100", "SMART",
                "CBOE", "USD", "AAPL  261218C00200000", "AAPL", "1", "ISIN", "US0378331005", "e1234");
        assertEncodesAndDecodes(new ClientMessageCodec(176),
                new ClientMessage.ReqContractDetails(102, option, true, "ISIN", "US0378331005", "e1234"), expected);
    }

    @Test
    void anIssuerIdCannotBeSentBefore176() {
        // IB's client refuses it (its local error 503) rather than drop it and ask for other contracts.
        ClientMessage withIssuer = new ClientMessage.ReqContractDetails(103, AAPL_SMART, false, "", "", "e1234");
        assertThatThrownBy(() -> new ClientMessageCodec(175).encode(withIssuer))
                .isInstanceOf(ProtocolException.UnsupportedFeature.class).hasMessageContaining("issuerId");
        assertThat(WireLayoutTest.fieldCount(new ClientMessageCodec(176).encode(withIssuer))).isEqualTo(19);
    }

    @Test
    void reqContractDetailsReadsTheOtherClientsSpellings() {
        ClientMessageCodec codec = new ClientMessageCodec(176);
        ClientMessage expected = new ClientMessage.ReqContractDetails(101, AAPL_SMART);
        // @stoqey/ib: conId, strike and includeExpired empty when unset
        assertThat(codec.decode(payload("9", "8", "101", "", "AAPL", "STK", "", "", "", "", "SMART", "", "USD", "",
                "", "", "", "", ""))).isEqualTo(expected);
        // a client that leaves issuerId out (ib_async below 176) sends 18 fields
        assertThat(codec.decode(payload("9", "8", "101", "0", "AAPL", "STK", "", "0.0", "", "", "SMART", "", "USD",
                "", "", "0", "", ""))).isEqualTo(expected);
    }

    // ---- reqHistoricalData (20), cancelHistoricalData (25) -----------------------------------------------------

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {157, 165, 176, 178})
    void reqHistoricalDataIsIbsCapturedTwentyThreeFieldsAtEveryVersion(int sv) {
        // §7.2: "Example from J at sv 176: 20,201,0,AAPL,STK,,0.0,,,SMART,,USD,,,0,20250102 16:00:00 US/Eastern,
        // 1 min,1 D,1,TRADES,1,0," - no message version, and barSizeSetting before durationStr.
        byte[] expected = frame("20", "201", "0", "AAPL", "STK", "", "0.0", "", "", "SMART", "", "USD", "", "", "0",
                "20250102 16:00:00 US/Eastern", "1 min", "1 D", "1", "TRADES", "1", "0", "");
        assertEncodesAndDecodes(new ClientMessageCodec(sv), new ClientMessage.ReqHistoricalData(201, AAPL_SMART,
                false, "20250102 16:00:00 US/Eastern", "1 D", "1 min", true, "TRADES", 1, false, ""), expected);
    }

    @Test
    void reqHistoricalDataCarriesEveryFieldInTheSheetsOrder() {
        Contract future = new Contract(495512563, "ES", "FUT", "202612", null, "", "50", "CME", "", "USD", "ESZ6",
                "ES");
        // 0 id, 1 reqId, 2 conId, 3..13 symbol .. tradingClass, 14 includeExpired, 15 endDateTime,
        // 16 barSizeSetting, 17 durationStr, 18 useRTH, 19 whatToShow, 20 formatDate, 21 keepUpToDate, 22 chartOptions
        byte[] expected = frame("20", "202", "495512563", "ES", "FUT", "202612", "0.0", "", "50", "CME", "", "USD",
                "ESZ6", "ES", "1", "", "5 secs", "3600 S", "0", "BID_ASK", "2", "1", "XYZ=1;");
        assertEncodesAndDecodes(new ClientMessageCodec(176), new ClientMessage.ReqHistoricalData(202, future, true,
                "", "3600 S", "5 secs", false, "BID_ASK", 2, true, "XYZ=1;"), expected);
    }

    @Test
    void reqHistoricalDataReadsStoqeysUnsetSpellings() {
        // @stoqey/ib: conId and strike "", and useRTH, formatDate and keepUpToDate "" when the caller left them out
        ClientMessage decoded = new ClientMessageCodec(176).decode(payload("20", "203", "", "AAPL", "STK", "", "", "",
                "", "SMART", "", "USD", "", "", "0", "", "1 day", "1 Y", "", "MIDPOINT", "", "", ""));
        assertThat(decoded).isEqualTo(new ClientMessage.ReqHistoricalData(203, AAPL_SMART, false, "", "1 Y", "1 day",
                false, "MIDPOINT", 0, false, ""));
    }

    @Test
    void scheduleIsRefusedBefore165AndCombosAlways() {
        ClientMessage schedule = new ClientMessage.ReqHistoricalData(204, AAPL_SMART, false, "", "1 D", "1 day",
                true, "SCHEDULE", 1, false, "");
        assertThatThrownBy(() -> new ClientMessageCodec(164).encode(schedule))
                .isInstanceOf(ProtocolException.UnsupportedFeature.class).hasMessageContaining("SCHEDULE");
        assertThat(WireLayoutTest.fieldCount(new ClientMessageCodec(165).encode(schedule))).isEqualTo(23);

        Contract bag = new Contract(0, "SPY", "BAG", "", null, "", "", "SMART", "", "USD", "", "");
        assertThatThrownBy(() -> new ClientMessageCodec(176).encode(new ClientMessage.ReqHistoricalData(205, bag,
                false, "", "1 D", "1 min", true, "TRADES", 1, false, "")))
                .isInstanceOf(ProtocolException.UnsupportedFeature.class).hasMessageContaining("BAG");
        assertThatThrownBy(() -> new ClientMessageCodec(176).decode(payload("20", "205", "0", "SPY", "BAG", "", "0.0",
                "", "", "SMART", "", "USD", "", "", "0", "", "1 min", "1 D", "1", "TRADES", "1", "0", "0", "")))
                .isInstanceOf(ProtocolException.UnsupportedFeature.class);
    }

    @Test
    void cancelsAreVersionOneAndTheRequestId() {
        ClientMessageCodec codec = new ClientMessageCodec(176);
        assertEncodesAndDecodes(codec, new ClientMessage.CancelHistoricalData(201), frame("25", "1", "201"));
        assertEncodesAndDecodes(codec, new ClientMessage.CancelRealTimeBars(301), frame("51", "1", "301"));
        assertEncodesAndDecodes(codec, new ClientMessage.CancelHeadTimestamp(401), frame("90", "401"));
        assertEncodesAndDecodes(codec, new ClientMessage.ReqCurrentTime(), frame("49", "1"));
    }

    // ---- reqRealTimeBars (50), reqHeadTimestamp (87) -----------------------------------------------------------

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {157, 176, 178})
    void reqRealTimeBarsHasNineteenFieldsAndNoIncludeExpired(int sv) {
        // §7.4: [50, 3, reqId, conId, symbol, secType, lastTrade, strike, right, multiplier, exchange, primaryExch,
        // currency, localSymbol, tradingClass, barSize, whatToShow, useRTH, realTimeBarsOptions]
        byte[] expected = frame("50", "3", "301", "265598", "AAPL", "STK", "", "0.0", "", "", "SMART", "NASDAQ", "USD",
                "AAPL", "NMS", "5", "TRADES", "1", "");
        assertEncodesAndDecodes(new ClientMessageCodec(sv),
                new ClientMessage.ReqRealTimeBars(301, SampleMessages.AAPL, 5, "TRADES", true, ""), expected);
    }

    @Test
    void reqHeadTimestampHasEighteenFieldsWithUseRthBeforeWhatToShow() {
        // §7.3: [87, reqId, conId, symbol .. tradingClass, includeExpired, useRTH, whatToShow, formatDate]
        byte[] expected = frame("87", "401", "0", "AAPL", "STK", "", "0.0", "", "", "SMART", "", "USD", "", "", "0",
                "1", "TRADES", "2");
        assertEncodesAndDecodes(new ClientMessageCodec(176),
                new ClientMessage.ReqHeadTimestamp(401, AAPL_SMART, false, true, "TRADES", 2), expected);
    }

    // ---- contractDetails (10), contractDetailsEnd (52) ----------------------------------------------------------

    /** AAPL with one secId pair; the field lists below put it on the wire by hand. */
    private static ContractSpecification aapl(int mdSizeMultiplier, BigDecimal sizeMinTick, BigDecimal minSize,
                                              BigDecimal sizeIncrement, BigDecimal suggested) {
        return ContractSpecification.builder().marketName("NMS").minTick(0.01).mdSizeMultiplier(mdSizeMultiplier)
                .orderTypes("LMT,MKT,STP").validExchanges("SMART,ISLAND,NASDAQ").priceMagnifier(1).underConId(0)
                .longName("Société Générale – ADR").contractMonth("").industry("Technology").category("Computers")
                .subcategory("Hardware").timeZoneId("US/Eastern").tradingHours("20261128:0400-20261128:2000")
                .liquidHours("20261128:0930-20261128:1600").evRule("").evMultiplier(null)
                .secIdList(List.of(new TagValue("ISIN", "US0378331005"))).aggGroup(1).underSymbol("")
                .underSecType("").marketRuleIds("26,26,26").realExpirationDate("").stockType("COMMON")
                .sizeMinTick(sizeMinTick).minSize(minSize).sizeIncrement(sizeIncrement)
                .suggestedSizeIncrement(suggested).build();
    }

    /** §7.1's table, fields 2 to 30: symbol .. evMultiplier, with minTick's neighbours as {@code afterMinTick}. */
    private static List<String> contractDetailsFields(String... afterMinTick) {
        List<String> f = new ArrayList<>(List.of("AAPL", "STK", "", "", "", "SMART", "USD", "AAPL", "NMS", "NMS",
                "265598", "0.01"));
        f.addAll(List.of(afterMinTick));
        f.addAll(List.of("", "LMT,MKT,STP", "SMART,ISLAND,NASDAQ", "1", "0",
                "Soci\\u00e9t\\u00e9 G\\u00e9n\\u00e9rale \\u2013 ADR", "NASDAQ", "", "Technology", "Computers",
                "Hardware", "US/Eastern", "20261128:0400-20261128:2000", "20261128:0930-20261128:1600", "", "",
                "1", "ISIN", "US0378331005", "1", "", "", "26,26,26", "", "COMMON"));
        return f;
    }

    private static List<String> concat(List<String> head, List<String> middle, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(middle);
        all.addAll(List.of(tail));
        return all;
    }

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {164, 165, 176, 178})
    void contractDetailsFrom164HasNoVersionAndTheThreeSizeRules(int sv) {
        List<String> fields = concat(List.of("10", "7001"), contractDetailsFields(), "0.0001", "0.0001", "100");
        assertThat(fields).as("40 + 2n fields with n = 1").hasSize(42);
        assertEncodesAndDecodes(new ServerMessageCodec(sv), new ServerMessage.ContractDetails(7001,
                        SampleMessages.AAPL, aapl(0, null, new BigDecimal("0.0001"), new BigDecimal("0.0001"),
                                new BigDecimal("100"))),
                frame(fields.toArray(String[]::new)));
    }

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {157, 162})
    void contractDetailsBefore163HasVersionEightAndMdSizeMultiplier(int sv) {
        List<String> fields = concat(List.of("10", "8", "7001"), contractDetailsFields("1"));
        assertThat(fields).as("39 + 2n fields with n = 1").hasSize(41);
        assertEncodesAndDecodes(new ServerMessageCodec(sv),
                new ServerMessage.ContractDetails(7001, SampleMessages.AAPL, aapl(1, null, null, null, null)),
                frame(fields.toArray(String[]::new)));
    }

    @Test
    void contractDetailsAt163AddsSizeMinTickOnly() {
        List<String> fields = concat(List.of("10", "8", "7001"), contractDetailsFields("1"), "0.0001");
        assertThat(fields).hasSize(42);
        assertEncodesAndDecodes(new ServerMessageCodec(163), new ServerMessage.ContractDetails(7001,
                        SampleMessages.AAPL, aapl(1, new BigDecimal("0.0001"), null, null, null)),
                frame(fields.toArray(String[]::new)));
    }

    @Test
    void evMultiplierGoesAsAnIntegerWhenItIsOne() {
        // ib_async parses evMultiplier with int() and drops the whole message for "50.0" (§7.1).
        assertThat(ContractDetailsCodec.evMultiplierText(50.0)).isEqualTo("50");
        assertThat(ContractDetailsCodec.evMultiplierText(null)).isEmpty();
        assertThat(ContractDetailsCodec.evMultiplierText(1.5)).isEqualTo("1.5");
        ServerMessage withEv = new ServerMessage.ContractDetails(7001, SampleMessages.AAPL,
                aapl(0, null, null, null, null).toBuilder().evRule("aapl").evMultiplier(100.0).build());
        List<String> fields = fields(new ServerMessageCodec(176).encode(withEv));
        assertThat(fields.subList(28, 30)).containsExactly("aapl", "100");
        assertThat(new ServerMessageCodec(176).decode(WireLayoutTest.payloadOf(new ServerMessageCodec(176).encode(withEv))))
                .isEqualTo(withEv);
    }

    @Test
    void contractDetailsFromAGatewayWithUnsetNumbersAndADateTimeExpiry() {
        // strike "0", decimals "", the expiry with a time and zone: held as sent (clients split it differently)
        List<String> fields = concat(List.of("10", "7002", "ES", "FUT", "20261218 09:30:00 US/Central", "0", "",
                        "CME", "USD", "ESZ6", "ES", "ES", "495512563", "0.25", "50", "LMT", "CME", "1", "0",
                        "E-mini S&P 500", "CME", "202612", "", "", "", "US/Central", "", "", "", "", "0", "2147483647",
                        "ES", "IND", "67", "20261218", ""),
                List.of(), "", "", "");
        ServerMessage decoded = new ServerMessageCodec(176).decode(payload(fields.toArray(String[]::new)));
        assertThat(decoded).isInstanceOfSatisfying(ServerMessage.ContractDetails.class, d -> {
            assertThat(d.contract()).isEqualTo(new Contract(495512563, "ES", "FUT", "20261218 09:30:00 US/Central",
                    0.0, "", "50", "CME", "CME", "USD", "ESZ6", "ES"));
            assertThat(d.specification().secIdList()).isEmpty();
            assertThat(d.specification().aggGroup()).isEqualTo(Integer.MAX_VALUE);
            assertThat(d.specification().underSecType()).isEqualTo("IND");
            assertThat(d.specification().minSize()).isNull();
            assertThat(d.specification().evMultiplier()).isNull();
        });
    }

    @Test
    void contractDetailsEndIsVersionOneAndTheRequestId() {
        assertEncodesAndDecodes(new ServerMessageCodec(176), new ServerMessage.ContractDetailsEnd(7001),
                frame("52", "1", "7001"));
    }

    // ---- historicalData (17), historicalDataUpdate (90), realtimeBar (50), headTimestamp (88) ------------------

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {157, 165, 176, 178})
    void historicalDataIsOneMessageOfFivePlusEightFieldsPerBar(int sv) {
        // §7.2: [17, reqId, startDateStr, endDateStr, n, (date, open, high, low, close, volume, WAP, barCount) x n]
        byte[] expected = frame("17", "7101", "20261127 16:00:00 US/Eastern", "20261128 16:00:00 US/Eastern", "2",
                "1795853400", "189.5", "190.25", "189.1", "190.0", "12345.5", "189.731", "412",
                "1795853700", "190.0", "190.4", "189.9", "190.3", "8001", "190.12", "250");
        ServerMessage.HistoricalData data = new ServerMessage.HistoricalData(7101, "20261127 16:00:00 US/Eastern",
                "20261128 16:00:00 US/Eastern", List.of(
                new HistoricalBar("1795853400", 189.5, 190.25, 189.1, 190.0, new BigDecimal("12345.5"),
                        new BigDecimal("189.731"), 412),
                new HistoricalBar("1795853700", 190.0, 190.4, 189.9, 190.3, new BigDecimal("8001"),
                        new BigDecimal("190.12"), 250)));
        assertEncodesAndDecodes(new ServerMessageCodec(sv), data, expected);
        assertThat(data.bars().get(1).start(ZoneId.of("UTC")))
                .isEqualTo(new BarTime.Moment(Instant.ofEpochSecond(1795853700L)));
    }

    @Test
    void dailyBarsWithoutVolumeCarryMinusOne() {
        // non-TRADES bars: -1 for volume, WAP and barCount, which every client accepts; "" would break ib_async
        byte[] expected = frame("17", "7102", "20251128", "20261128", "1", "20261127", "188.0", "191.0", "187.5",
                "190.5", "-1", "-1", "-1");
        assertEncodesAndDecodes(new ServerMessageCodec(176), new ServerMessage.HistoricalData(7102, "20251128",
                "20261128", List.of(new HistoricalBar("20261127", 188.0, 191.0, 187.5, 190.5, new BigDecimal("-1"),
                new BigDecimal("-1"), -1))), expected);
    }

    @Test
    void aBarCountTheMessageCannotHoldIsMalformed() {
        assertThatThrownBy(() -> new ServerMessageCodec(176).decode(payload("17", "1", "", "", "2147483647",
                "20261127", "1", "1", "1", "1", "1", "1", "1")))
                .isInstanceOf(ProtocolException.MalformedField.class).hasMessageContaining("bar count");
        assertThatThrownBy(() -> new ServerMessageCodec(176).decode(payload("17", "1", "", "", "-1")))
                .isInstanceOf(ProtocolException.MalformedField.class);
    }

    @Test
    void historicalDataUpdatePutsBarCountFirstAndCloseBeforeHighAndLow() {
        // §7.2: [90, reqId, barCount, date, open, close, high, low, WAP, volume]
        byte[] expected = frame("90", "7104", "17", "1795853100", "190.3", "190.45", "190.5", "190.2", "190.33",
                "310");
        assertEncodesAndDecodes(new ServerMessageCodec(176), new ServerMessage.HistoricalDataUpdate(7104,
                new HistoricalBar("1795853100", 190.3, 190.5, 190.2, 190.45, new BigDecimal("310"),
                        new BigDecimal("190.33"), 17)), expected);
    }

    @ParameterizedTest(name = "sv {0}")
    @ValueSource(ints = {157, 178})
    void realtimeBarHasElevenFields(int sv) {
        // §7.4: [50, 3, reqId, time, open, high, low, close, volume, WAP, count]
        byte[] expected = frame("50", "3", "7201", "1795853140", "190.3", "190.35", "190.28", "190.31", "1200.5",
                "190.317", "9");
        ServerMessage.RealTimeBar bar = new ServerMessage.RealTimeBar(7201, 1_795_853_140L, 190.3, 190.35, 190.28,
                190.31, new BigDecimal("1200.5"), new BigDecimal("190.317"), 9);
        assertEncodesAndDecodes(new ServerMessageCodec(sv), bar, expected);
        assertThat(bar.start()).isEqualTo(Instant.parse("2026-11-28T08:05:40Z"));
    }

    @Test
    void headTimestampHasNoVersion() {
        assertEncodesAndDecodes(new ServerMessageCodec(176), new ServerMessage.HeadTimestamp(7301, "345427200"),
                frame("88", "7301", "345427200"));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static void assertEncodesAndDecodes(ClientMessageCodec codec, ClientMessage message, byte[] expected) {
        assertThat(fields(codec.encode(message))).isEqualTo(fields(expected));
        assertThat(codec.encode(message)).isEqualTo(expected);
        assertThat(codec.decode(WireLayoutTest.payloadOf(expected))).isEqualTo(message);
    }

    private static void assertEncodesAndDecodes(ServerMessageCodec codec, ServerMessage message, byte[] expected) {
        assertThat(fields(codec.encode(message))).isEqualTo(fields(expected));
        assertThat(codec.encode(message)).isEqualTo(expected);
        assertThat(codec.decode(WireLayoutTest.payloadOf(expected))).isEqualTo(message);
    }

    /** A frame by hand: the 4-byte big-endian length, then each field and its NUL. */
    static byte[] frame(String... fields) {
        byte[] payload = payload(fields);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = payload.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] payload(String... fields) {
        StringBuilder sb = new StringBuilder();
        for (String f : fields) {
            sb.append(f).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The fields of a frame, for readable failures. */
    private static List<String> fields(byte[] frame) {
        String text = new String(frame, 4, frame.length - 4, StandardCharsets.US_ASCII);
        List<String> fields = new ArrayList<>(Arrays.asList(text.split("\u0000", -1)));
        fields.remove(fields.size() - 1);   // after the final NUL
        return fields;
    }
}
