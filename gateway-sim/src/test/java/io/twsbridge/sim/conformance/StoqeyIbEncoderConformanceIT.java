package io.twsbridge.sim.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.Frames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The bridge's encoder against an independent one: a table of placeOrder, reqMktData, cancelOrder, reqExecutions
 * and data requests (reqContractDetails, reqHistoricalData and its cancel, reqRealTimeBars and its cancel,
 * reqHeadTimestamp and its cancel, reqCurrentTime) is encoded by @stoqey/ib 1.6.10's own encoder ({@code encode-requests.mjs} drives it
 * and frames each message with the library's own socket code) and by {@link ClientMessageCodec}, and the two
 * frames are compared field by field.
 *
 * <p>Every difference must be one of the {@link #EXCEPTIONS}, each naming the field, both spellings and why the
 * bridge's spelling is the right one: where the two clients disagree, IB's own client decides, as recorded in
 * the protocol fact sheet ({@code tws-protocol.md}, its §7 on data requests in {@code tws-protocol-data-requests.md})
 * and in CLIENT-FACTS.md beside this harness. A field-count
 * mismatch is never excused, since it shifts every later field for a Gateway. An exception that no longer
 * matches anything fails the test too, so the list cannot go stale.
 */
class StoqeyIbEncoderConformanceIT {

    private static final Path HARNESS = Path.of(System.getProperty("conformance.dir", "conformance/stoqey-ib"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] SERVER_VERSIONS = {157, 165, 176, 178};
    private static final String DOUBLE_MAX = "1.7976931348623157E308";
    private static final String INT_MAX = "2147483647";

    /** One accepted difference: {@code field} is {@code stoqey} from @stoqey/ib and {@code bridge} from the bridge. */
    record KnownDifference(String message, String field, String stoqey, String bridge, String reason) {
        boolean excuses(String message, String field, String stoqeyValue, String bridgeValue) {
            return this.message.equals(message) && this.field.equals(field)
                    && this.stoqey.equals(stoqeyValue) && this.bridge.equals(bridgeValue);
        }
    }

    private static final String S_EMPTY_DEFAULT = "@stoqey/ib writes an empty field for a value the caller left"
            + " unset (CLIENT-FACTS.md §5); IB's client writes its default ";
    private static final String UNSET_CONID = "unset conId: IB's client (and ib_async) write \"0\", @stoqey/ib \"\""
            + " (fact sheet §7.8, msgs 9, 20, 87, 50)";
    private static final String UNSET_STRIKE = "unset strike: IB's client (and ib_async) write \"0.0\", @stoqey/ib"
            + " \"\" (fact sheet §7.8, msgs 9, 20, 87, 50)";
    private static final String J_MAX = "IB's client writes MAX_VALUE here when unset, not an empty field (fact"
            + " sheet §4.1 ";

    private static final List<KnownDifference> EXCEPTIONS = List.of(
            new KnownDifference("placeOrder", "conId", "", "0", "unset conId: IB's client writes \"0\", @stoqey/ib \"\" (fact sheet §4.1 field 2)"),
            new KnownDifference("placeOrder", "strike", "", "0.0", "unset strike: IB's client writes \"0.0\", @stoqey/ib \"\" (fact sheet §4.1 field 6)"),
            new KnownDifference("placeOrder", "blockOrder", "", "0", S_EMPTY_DEFAULT + "false as \"0\" (fact sheet §1: booleans are \"0\"/\"1\")"),
            new KnownDifference("placeOrder", "sweepToFill", "", "0", S_EMPTY_DEFAULT + "false as \"0\" (fact sheet §1)"),
            new KnownDifference("placeOrder", "displaySize", "", "0", S_EMPTY_DEFAULT + "0"),
            new KnownDifference("placeOrder", "triggerMethod", "", "0", S_EMPTY_DEFAULT + "0 (the default method)"),
            new KnownDifference("placeOrder", "discretionaryAmt", "", DOUBLE_MAX, J_MAX + "field 36: J 1.7976931348623157E308, S \"\")"),
            new KnownDifference("placeOrder", "shortSaleSlot", "", "0", S_EMPTY_DEFAULT + "0 (retail)"),
            new KnownDifference("placeOrder", "exemptCode", "", "-1", S_EMPTY_DEFAULT + "-1 (fact sheet §4.1 field 46; CLIENT-FACTS.md §5: \"not -1\")"),
            new KnownDifference("placeOrder", "ocaType", "", "0", S_EMPTY_DEFAULT + "0"),
            new KnownDifference("placeOrder", "allOrNone", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "eTradeOnly", "", "0", "deprecated flag: IB's client always writes false as \"0\", @stoqey/ib passes the caller's (unset) value"),
            new KnownDifference("placeOrder", "firmQuoteOnly", "", "0", "deprecated flag: IB's client always writes false as \"0\", @stoqey/ib passes the caller's (unset) value"),
            new KnownDifference("placeOrder", "auctionStrategy", "", "0", S_EMPTY_DEFAULT + "0, which its empty-for-MAX rule leaves as \"0\""),
            new KnownDifference("placeOrder", "overridePercentageConstraints", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "volatilityType", "", INT_MAX, J_MAX + "field 64: J 2147483647)"),
            new KnownDifference("placeOrder", "continuousUpdate", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "referencePriceType", "", INT_MAX, J_MAX + "field 68: J 2147483647)"),
            new KnownDifference("placeOrder", "optOutSmartRouting", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "notHeld", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "solicited", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "randomizeSize", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "randomizePrice", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "triggerPrice", "", DOUBLE_MAX, J_MAX + "fields 92-96: J sends Double.MAX_VALUE when unset)"),
            new KnownDifference("placeOrder", "lmtPriceOffset", "", DOUBLE_MAX, J_MAX + "fields 92-96)"),
            new KnownDifference("placeOrder", "adjustedStopPrice", "", DOUBLE_MAX, J_MAX + "fields 92-96)"),
            new KnownDifference("placeOrder", "adjustedStopLimitPrice", "", DOUBLE_MAX, J_MAX + "fields 92-96)"),
            new KnownDifference("placeOrder", "adjustedTrailingAmount", "", DOUBLE_MAX, J_MAX + "fields 92-96)"),
            new KnownDifference("placeOrder", "adjustableTrailingUnit", "", "0", S_EMPTY_DEFAULT + "0"),
            new KnownDifference("placeOrder", "dontUseAutoPriceForHedge", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "isOmsContainer", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "discretionaryUpToLimitPrice", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("placeOrder", "duration", "", INT_MAX, "IB's client writes duration (sv >= 158) with its plain int rule, so unset is"
                    + " Integer.MAX_VALUE (its EClient.placeOrder; the fact sheet §4.1 lists the field, not its unset value)"),
            new KnownDifference("placeOrder", "postToAts", "", INT_MAX, "IB's client writes postToAts (sv >= 160) with its plain int rule, so unset is"
                    + " Integer.MAX_VALUE (its EClient.placeOrder; the fact sheet §4.1 lists the field, not its unset value)"),
            new KnownDifference("placeOrder", "autoCancelParent", "", "0", S_EMPTY_DEFAULT + "false as \"0\""),
            new KnownDifference("reqMktData", "conId", "", "0", "unset conId: IB's client writes \"0\", @stoqey/ib \"\" (fact sheet §4 note (a))"),
            new KnownDifference("reqMktData", "strike", "", "0.0", "unset strike: IB's client writes \"0.0\", @stoqey/ib \"\" (fact sheet §4 note (a))"),
            new KnownDifference("reqExecutions", "clientId", "", "0", "filter without a client id: IB's client writes \"0\", @stoqey/ib \"\" (fact sheet §4, reqExecutions)"),
            new KnownDifference("reqContractDetails", "conId", "", "0", UNSET_CONID),
            new KnownDifference("reqContractDetails", "strike", "", "0.0", UNSET_STRIKE),
            new KnownDifference("reqContractDetails", "includeExpired", "", "0", "includeExpired left unset: IB's client writes \"0\", @stoqey/ib passes the caller's (unset) value as \"\" (fact sheet §7.1 field 15, §7.8)"),
            new KnownDifference("reqHistoricalData", "conId", "", "0", UNSET_CONID),
            new KnownDifference("reqHistoricalData", "strike", "", "0.0", UNSET_STRIKE),
            new KnownDifference("reqRealTimeBars", "conId", "", "0", UNSET_CONID),
            new KnownDifference("reqRealTimeBars", "strike", "", "0.0", UNSET_STRIKE),
            new KnownDifference("reqHeadTimestamp", "conId", "", "0", UNSET_CONID),
            new KnownDifference("reqHeadTimestamp", "strike", "", "0.0", UNSET_STRIKE));

    /**
     * Fields where both write the same number in different notation: Java prints doubles as "189.0", JavaScript
     * as "189" (fact sheet §4.1 field 19: "100.0" / "100.0" / "100"). Only equal numbers are excused.
     */
    private static final Set<String> NUMBER_SPELLING_FIELDS = Set.of("lmtPrice", "auxPrice", "strike",
            "totalQuantity");
    private static final String NUMBER_SPELLING_REASON = "same number, other notation: IB's client prints Java"
            + " doubles (\"180.0\"), @stoqey/ib JavaScript numbers (\"180\") (fact sheet §4.1 field 19)";

    /** One request of the table, as the bridge encodes it and as @stoqey/ib is asked to encode it. */
    record Request(String id, String message, int serverVersion, ClientMessage bridge, ObjectNode stoqey,
                   List<String> fieldNames) {
    }

    @BeforeAll
    static void harnessInstalled() {
        assumeFalse(Boolean.getBoolean("conformance.skip"), "conformance suite skipped (-Dconformance.skip=true)");
        assertThat(HARNESS.resolve("node_modules/@stoqey/ib/package.json"))
                .as("the pinned client is installed by 'npm ci' in pre-integration-test").exists();
    }

    @Test
    void stoqeyIbAndTheBridgeEncodeEveryRequestFieldForField() throws Exception {
        List<Request> table = new ArrayList<>();
        for (int sv : SERVER_VERSIONS) {
            table.addAll(placeOrders(sv));
            table.addAll(marketDataRequests(sv));
            table.addAll(cancelOrders(sv));
            table.addAll(executionRequests(sv));
            table.addAll(contractDetailsRequests(sv));
            table.addAll(historicalDataRequests(sv));
            table.addAll(realTimeBarsRequests(sv));
            table.addAll(headTimestampRequests(sv));
            table.addAll(cancelsAndCurrentTime(sv));
        }
        Map<String, JsonNode> stoqey = encodeWithStoqey(table);

        Map<String, int[]> requestsAndFields = new TreeMap<>();     // message -> {requests, fields compared}
        Map<KnownDifference, Integer> excused = new LinkedHashMap<>();
        EXCEPTIONS.forEach(e -> excused.put(e, 0));
        int numberSpellings = 0;
        List<String> unexplained = new ArrayList<>();
        List<String> countMismatches = new ArrayList<>();
        for (Request request : table) {
            JsonNode result = stoqey.get(request.id());
            assertThat(result.path("errors")).as("@stoqey/ib refused %s", request.id()).isEmpty();
            assertThat(result.path("frames")).as("frames @stoqey/ib wrote for %s", request.id()).hasSize(1);
            List<String> theirs = fields(Base64.getDecoder().decode(result.path("frames").get(0).asText()));
            List<String> ours = fields(new ClientMessageCodec(request.serverVersion()).encode(request.bridge()));
            int[] tally = requestsAndFields.computeIfAbsent(request.message(), m -> new int[2]);
            tally[0]++;
            if (theirs.size() != ours.size() || ours.size() != request.fieldNames().size()) {
                countMismatches.add(request.id() + ": @stoqey/ib " + theirs.size() + " fields, bridge " + ours.size()
                        + ", fact sheet layout " + request.fieldNames().size());
                continue;
            }
            for (int i = 0; i < ours.size(); i++) {
                tally[1]++;
                String field = request.fieldNames().get(i);
                String s = theirs.get(i);
                String b = ours.get(i);
                if (s.equals(b)) {
                    continue;
                }
                if (NUMBER_SPELLING_FIELDS.contains(field) && sameNumber(s, b)) {
                    numberSpellings++;
                    continue;
                }
                KnownDifference exception = EXCEPTIONS.stream().filter(e -> e.excuses(request.message(), field, s, b))
                        .findFirst().orElse(null);
                if (exception == null) {
                    unexplained.add(request.id() + " field " + i + " " + field + ": @stoqey/ib '" + s
                            + "', bridge '" + b + "'");
                } else {
                    excused.merge(exception, 1, Integer::sum);
                }
            }
        }

        printTable(table, requestsAndFields, excused, numberSpellings, unexplained, countMismatches);
        assertThat(countMismatches).as("field-count mismatches").isEmpty();
        assertThat(unexplained).as("differences that no documented exception explains").isEmpty();
        assertThat(excused.entrySet().stream().filter(e -> e.getValue() == 0).map(e -> e.getKey().message() + "."
                + e.getKey().field()).toList()).as("exceptions that no longer match anything (remove them)").isEmpty();
        assertThat(requestsAndFields.get("placeOrder")[0]).as("orders compared").isEqualTo(4 * 144);
        assertThat(requestsAndFields.keySet()).as("messages compared").containsExactlyInAnyOrder("placeOrder",
                "reqMktData", "cancelOrder", "reqExecutions", "reqContractDetails", "reqHistoricalData",
                "cancelHistoricalData", "reqRealTimeBars", "cancelRealTimeBars", "reqHeadTimestamp",
                "cancelHeadTimestamp", "reqCurrentTime");
    }

    // ---- the table ---------------------------------------------------------------------------------------------

    private record Instrument(String kind, Contract contract, String directedExchange, BigDecimal quantity) {
        Contract on(String exchange) {
            Contract c = contract;
            return new Contract(c.conId(), c.symbol(), c.secType(), c.lastTradeDateOrContractMonth(), c.strike(),
                    c.right(), c.multiplier(), exchange, c.primaryExchange(), c.currency(), c.localSymbol(),
                    c.tradingClass());
        }
    }

    /** A stock with no conId, an option with a conId and a strike, a future with a local symbol. */
    private static final List<Instrument> INSTRUMENTS = List.of(
            new Instrument("stock", new Contract(0, "AAPL", "STK", "", null, "", "", "", "NASDAQ", "USD", "", ""),
                    "ISLAND", new BigDecimal("100")),
            new Instrument("option", new Contract(712565973, "AAPL", "OPT", "20261218", 200.0, "C", "100", "", "",
                    "USD", "AAPL  261218C00200000", "AAPL"), "CBOE", new BigDecimal("2")),
            new Instrument("future", new Contract(0, "ES", "FUT", "202612", null, "", "50", "", "", "USD", "ESZ6",
                    "ES"), "CME", BigDecimal.ONE));

    private static final List<String> ORDER_TYPES = List.of("LMT", "MKT", "STP", "STP LMT");
    private static final List<String> TIFS = List.of("DAY", "GTC", "IOC", "OPG");

    /** 4 order types x 4 tifs x 3 exchanges x 3 instruments; account, orderRef and outsideRth cycle through all 8 combinations. */
    private static List<Request> placeOrders(int sv) {
        List<Request> requests = new ArrayList<>();
        int n = 0;
        for (Instrument instrument : INSTRUMENTS) {
            for (String exchange : List.of("SMART", "IBKRATS", instrument.directedExchange())) {
                for (String type : ORDER_TYPES) {
                    for (String tif : TIFS) {
                        int toggles = n % 8;
                        Order.Builder b = Order.builder(n % 2 == 0 ? "BUY" : "SELL", instrument.quantity(), type)
                                .tif(tif).transmit(true);
                        if (type.equals("LMT") || type.equals("STP LMT")) {
                            b.lmtPrice(189.25);
                        }
                        if (type.equals("STP") || type.equals("STP LMT")) {
                            b.auxPrice(180.0);
                        }
                        if ((toggles & 1) != 0) {
                            b.account("DU111111");
                        }
                        if ((toggles & 2) != 0) {
                            b.orderRef("cmd-" + n);
                        }
                        b.outsideRth((toggles & 4) != 0);
                        Order order = b.build();
                        Contract contract = instrument.on(exchange);
                        long orderId = 1000 + n;
                        String id = "placeOrder sv" + sv + " " + instrument.kind() + " " + exchange + " " + type
                                + " " + tif + " #" + n;
                        ObjectNode stoqey = JSON.createObjectNode().put("type", "placeOrder").put("orderId", orderId);
                        stoqey.set("contract", stoqeyContract(contract));
                        stoqey.set("order", stoqeyOrder(order));
                        requests.add(new Request(id, "placeOrder", sv, new ClientMessage.PlaceOrder(orderId, contract,
                                order), stoqey, placeOrderFieldNames(sv, exchange)));
                        n++;
                    }
                }
            }
        }
        return requests;
    }

    private static List<Request> marketDataRequests(int sv) {
        List<Request> requests = new ArrayList<>();
        int n = 0;
        for (Instrument instrument : INSTRUMENTS) {
            for (String exchange : List.of("SMART", instrument.directedExchange())) {
                for (String ticks : List.of("", "233,236")) {
                    for (boolean snapshot : List.of(false, true)) {
                        Contract contract = instrument.on(exchange);
                        int reqId = 50 + n++;
                        ObjectNode stoqey = JSON.createObjectNode().put("type", "reqMktData").put("reqId", reqId)
                                .put("genericTickList", ticks).put("snapshot", snapshot).put("regulatorySnapshot", false);
                        stoqey.set("contract", stoqeyContract(contract));
                        requests.add(new Request("reqMktData sv" + sv + " " + instrument.kind() + " " + exchange
                                + " ticks '" + ticks + "' snapshot " + snapshot, "reqMktData", sv,
                                new ClientMessage.ReqMktData(reqId, contract, ticks, snapshot, false, ""), stoqey,
                                List.of("msgId", "version", "reqId", "conId", "symbol", "secType",
                                        "lastTradeDateOrContractMonth", "strike", "right", "multiplier", "exchange",
                                        "primaryExch", "currency", "localSymbol", "tradingClass", "deltaNeutralFlag",
                                        "genericTickList", "snapshot", "regulatorySnapshot", "mktDataOptions")));
                    }
                }
            }
        }
        return requests;
    }

    private static List<Request> cancelOrders(int sv) {
        List<Request> requests = new ArrayList<>();
        List<String> times = sv >= ServerVersion.MANUAL_ORDER_TIME ? List.of("", "20261128-10:31:00") : List.of("");
        for (String time : times) {
            long orderId = 1001 + requests.size();
            ObjectNode stoqey = JSON.createObjectNode().put("type", "cancelOrder").put("orderId", orderId);
            stoqey.putObject("orderCancel").put("manualOrderCancelTime", time);
            List<String> names = new ArrayList<>(List.of("msgId", "version", "orderId"));
            if (sv >= ServerVersion.MANUAL_ORDER_TIME) {
                names.add("manualOrderCancelTime");
            }
            requests.add(new Request("cancelOrder sv" + sv + " time '" + time + "'", "cancelOrder", sv,
                    new ClientMessage.CancelOrder(orderId, time), stoqey, names));
        }
        return requests;
    }

    private static List<Request> executionRequests(int sv) {
        List<ExecutionFilter> filters = List.of(
                new ExecutionFilter(null, "", "", "", "", "", ""),
                new ExecutionFilter(7, "", "", "", "", "", ""),
                new ExecutionFilter(null, "DU111111", "20261128-09:30:00", "AAPL", "STK", "SMART", "BUY"),
                new ExecutionFilter(7, "DU222222", "", "ES", "FUT", "CME", "SELL"));
        List<Request> requests = new ArrayList<>();
        for (ExecutionFilter f : filters) {
            int reqId = 90 + requests.size();
            ObjectNode stoqey = JSON.createObjectNode().put("type", "reqExecutions").put("reqId", reqId);
            ObjectNode filter = stoqey.putObject("filter").put("acctCode", f.accountCode()).put("time", f.time())
                    .put("symbol", f.symbol()).put("secType", f.secType()).put("exchange", f.exchange())
                    .put("side", f.side());
            if (f.clientId() != null) {
                filter.put("clientId", f.clientId());
            }
            requests.add(new Request("reqExecutions sv" + sv + " " + f, "reqExecutions", sv,
                    new ClientMessage.ReqExecutions(reqId, f), stoqey, List.of("msgId", "version", "reqId",
                    "clientId", "acctCode", "time", "symbol", "secType", "exchange", "side")));
        }
        return requests;
    }

    /** Contract fields 3..14 of the requests that carry the full request block (fact sheet §7.1 to §7.4). */
    private static final List<String> REQUEST_CONTRACT_FIELDS = List.of("conId", "symbol", "secType",
            "lastTradeDateOrContractMonth", "strike", "right", "multiplier", "exchange", "primaryExch", "currency",
            "localSymbol", "tradingClass");

    private static List<String> names(List<String> head, List<String> tail) {
        List<String> names = new ArrayList<>(head);
        names.addAll(REQUEST_CONTRACT_FIELDS);
        names.addAll(tail);
        return names;
    }

    /**
     * 3 instruments x SMART or directed x includeExpired or not x no secId or an ISIN (with an issuerId where the
     * version carries it, fact sheet §7.1): 24 per version.
     */
    private static List<Request> contractDetailsRequests(int sv) {
        List<Request> requests = new ArrayList<>();
        for (Instrument instrument : INSTRUMENTS) {
            for (String exchange : List.of("SMART", instrument.directedExchange())) {
                for (boolean includeExpired : List.of(false, true)) {
                    for (boolean isin : List.of(false, true)) {
                        Contract contract = instrument.on(exchange);
                        int reqId = 7000 + requests.size();
                        String secIdType = isin ? "ISIN" : "";
                        String secId = isin ? "US0378331005" : "";
                        String issuerId = isin && sv >= ServerVersion.BOND_ISSUERID ? "e1234567" : "";
                        ObjectNode c = stoqeyContract(contract);
                        if (includeExpired) {
                            c.put("includeExpired", true);      // a caller leaves it out otherwise
                        }
                        if (isin) {
                            c.put("secIdType", secIdType).put("secId", secId);
                        }
                        if (!issuerId.isEmpty()) {
                            c.put("issuerId", issuerId);
                        }
                        ObjectNode stoqey = JSON.createObjectNode().put("type", "reqContractDetails")
                                .put("reqId", reqId);
                        stoqey.set("contract", c);
                        List<String> tail = new ArrayList<>(List.of("includeExpired", "secIdType", "secId"));
                        if (sv >= ServerVersion.BOND_ISSUERID) {
                            tail.add("issuerId");
                        }
                        requests.add(new Request("reqContractDetails sv" + sv + " " + instrument.kind() + " "
                                + exchange + " expired " + includeExpired + " isin " + isin, "reqContractDetails", sv,
                                new ClientMessage.ReqContractDetails(reqId, contract, includeExpired, secIdType, secId,
                                        issuerId), stoqey, names(List.of("msgId", "version", "reqId"), tail)));
                    }
                }
            }
        }
        return requests;
    }

    /** One reqHistoricalData's parameters, as the bridge's record orders them. */
    private record HistoricalQuery(String endDateTime, String durationStr, String barSizeSetting, boolean useRth,
                                   String whatToShow, int formatDate, boolean keepUpToDate, String chartTag) {
    }

    /**
     * 3 instruments x 5 queries (now or a zoned or UTC end, text or epoch dates, keepUpToDate, chart options) x
     * includeExpired or not, and a SCHEDULE query where the version allows it (fact sheet §7.2): 30, 33 from 165.
     */
    private static List<Request> historicalDataRequests(int sv) {
        List<HistoricalQuery> queries = new ArrayList<>(List.of(
                new HistoricalQuery("", "1 D", "5 mins", true, "TRADES", 1, false, ""),
                new HistoricalQuery("20261127 16:00:00 US/Eastern", "1 W", "1 hour", false, "MIDPOINT", 2, false, ""),
                new HistoricalQuery("20261127-21:00:00", "1 Y", "1 day", true, "ADJUSTED_LAST", 1, false, ""),
                new HistoricalQuery("", "3600 S", "5 secs", false, "BID_ASK", 2, true, ""),
                new HistoricalQuery("", "60 S", "1 secs", true, "BID", 1, false, "XYZ")));
        if (sv >= ServerVersion.HISTORICAL_SCHEDULE) {
            queries.add(new HistoricalQuery("", "5 D", "1 day", true, "SCHEDULE", 1, false, ""));
        }
        List<Request> requests = new ArrayList<>();
        for (Instrument instrument : INSTRUMENTS) {
            for (HistoricalQuery q : queries) {
                for (boolean includeExpired : q.whatToShow().equals("SCHEDULE") ? List.of(false) : List.of(false, true)) {
                    Contract contract = instrument.on("SMART");
                    int reqId = 7100 + requests.size();
                    ObjectNode c = stoqeyContract(contract);
                    if (includeExpired) {
                        c.put("includeExpired", true);
                    }
                    ObjectNode stoqey = JSON.createObjectNode().put("type", "reqHistoricalData").put("reqId", reqId)
                            .put("endDateTime", q.endDateTime()).put("durationStr", q.durationStr())
                            .put("barSizeSetting", q.barSizeSetting()).put("whatToShow", q.whatToShow())
                            .put("useRTH", q.useRth()).put("formatDate", q.formatDate())
                            .put("keepUpToDate", q.keepUpToDate());
                    stoqey.set("contract", c);
                    ArrayNode chartOptions = stoqey.putArray("chartOptions");
                    String chartText = "";
                    if (!q.chartTag().isEmpty()) {
                        chartOptions.addObject().put("tag", q.chartTag()).put("value", "1");
                        chartText = q.chartTag() + "=1;";
                    }
                    requests.add(new Request("reqHistoricalData sv" + sv + " " + instrument.kind() + " "
                            + q.durationStr() + " of " + q.barSizeSetting() + " " + q.whatToShow() + " expired "
                            + includeExpired, "reqHistoricalData", sv,
                            new ClientMessage.ReqHistoricalData(reqId, contract, includeExpired, q.endDateTime(),
                                    q.durationStr(), q.barSizeSetting(), q.useRth(), q.whatToShow(), q.formatDate(),
                                    q.keepUpToDate(), chartText), stoqey,
                            names(List.of("msgId", "reqId"), List.of("includeExpired", "endDateTime",
                                    "barSizeSetting", "durationStr", "useRTH", "whatToShow", "formatDate",
                                    "keepUpToDate", "chartOptions"))));
                }
            }
        }
        return requests;
    }

    /** 3 instruments x TRADES, MIDPOINT, BID, ASK x regular hours or not (fact sheet §7.4): 24 per version. */
    private static List<Request> realTimeBarsRequests(int sv) {
        List<Request> requests = new ArrayList<>();
        for (Instrument instrument : INSTRUMENTS) {
            for (String whatToShow : List.of("TRADES", "MIDPOINT", "BID", "ASK")) {
                for (boolean useRth : List.of(false, true)) {
                    Contract contract = instrument.on(instrument.directedExchange());
                    int reqId = 7200 + requests.size();
                    ObjectNode stoqey = JSON.createObjectNode().put("type", "reqRealTimeBars").put("reqId", reqId)
                            .put("barSize", 5).put("whatToShow", whatToShow).put("useRTH", useRth);
                    stoqey.set("contract", stoqeyContract(contract));
                    stoqey.putArray("realTimeBarsOptions");
                    requests.add(new Request("reqRealTimeBars sv" + sv + " " + instrument.kind() + " " + whatToShow
                            + " rth " + useRth, "reqRealTimeBars", sv,
                            new ClientMessage.ReqRealTimeBars(reqId, contract, 5, whatToShow, useRth, ""), stoqey,
                            names(List.of("msgId", "version", "reqId"), List.of("barSize", "whatToShow", "useRTH",
                                    "realTimeBarsOptions"))));
                }
            }
        }
        return requests;
    }

    /** 3 instruments x TRADES or BID x formatDate 1 or 2, regular hours alternating (fact sheet §7.3): 12. */
    private static List<Request> headTimestampRequests(int sv) {
        List<Request> requests = new ArrayList<>();
        for (Instrument instrument : INSTRUMENTS) {
            for (String whatToShow : List.of("TRADES", "BID")) {
                for (int formatDate : new int[] {1, 2}) {
                    Contract contract = instrument.on("SMART");
                    int reqId = 7300 + requests.size();
                    boolean useRth = requests.size() % 2 == 0;
                    ObjectNode stoqey = JSON.createObjectNode().put("type", "reqHeadTimestamp").put("reqId", reqId)
                            .put("whatToShow", whatToShow).put("useRTH", useRth).put("formatDate", formatDate);
                    stoqey.set("contract", stoqeyContract(contract));
                    requests.add(new Request("reqHeadTimestamp sv" + sv + " " + instrument.kind() + " " + whatToShow
                            + " format " + formatDate, "reqHeadTimestamp", sv,
                            new ClientMessage.ReqHeadTimestamp(reqId, contract, false, useRth, whatToShow, formatDate),
                            stoqey, names(List.of("msgId", "reqId"), List.of("includeExpired", "useRTH",
                            "whatToShow", "formatDate"))));
                }
            }
        }
        return requests;
    }

    private static List<Request> cancelsAndCurrentTime(int sv) {
        return List.of(
                new Request("cancelHistoricalData sv" + sv, "cancelHistoricalData", sv,
                        new ClientMessage.CancelHistoricalData(7101),
                        JSON.createObjectNode().put("type", "cancelHistoricalData").put("reqId", 7101),
                        List.of("msgId", "version", "reqId")),
                new Request("cancelRealTimeBars sv" + sv, "cancelRealTimeBars", sv,
                        new ClientMessage.CancelRealTimeBars(7201),
                        JSON.createObjectNode().put("type", "cancelRealTimeBars").put("reqId", 7201),
                        List.of("msgId", "version", "reqId")),
                new Request("cancelHeadTimestamp sv" + sv, "cancelHeadTimestamp", sv,
                        new ClientMessage.CancelHeadTimestamp(7301),
                        JSON.createObjectNode().put("type", "cancelHeadTimestamp").put("reqId", 7301),
                        List.of("msgId", "reqId")),
                new Request("reqCurrentTime sv" + sv, "reqCurrentTime", sv, new ClientMessage.ReqCurrentTime(),
                        JSON.createObjectNode().put("type", "reqCurrentTime"), List.of("msgId", "version")));
    }

    /** The contract in @stoqey/ib's shape; unset numbers stay out, as a caller of the library leaves them. */
    private static ObjectNode stoqeyContract(Contract c) {
        ObjectNode n = JSON.createObjectNode();
        if (c.conId() != 0) {
            n.put("conId", c.conId());
        }
        n.put("symbol", c.symbol()).put("secType", c.secType())
                .put("lastTradeDateOrContractMonth", c.lastTradeDateOrContractMonth());
        if (c.strike() != null) {
            n.put("strike", c.strike());
        }
        return n.put("right", c.right()).put("multiplier", c.multiplier()).put("exchange", c.exchange())
                .put("primaryExch", c.primaryExchange()).put("currency", c.currency())
                .put("localSymbol", c.localSymbol()).put("tradingClass", c.tradingClass());
    }

    /**
     * The same order in @stoqey/ib's shape: every field the bridge's {@link Order} carries, with its value; unset
     * prices stay out. Fields the model does not carry are left to the library, as a caller would leave them.
     */
    private static ObjectNode stoqeyOrder(Order o) {
        ObjectNode n = JSON.createObjectNode().put("action", o.action())
                .put("totalQuantity", o.totalQuantity()).put("orderType", o.orderType());
        if (o.lmtPrice() != null) {
            n.put("lmtPrice", o.lmtPrice());
        }
        if (o.auxPrice() != null) {
            n.put("auxPrice", o.auxPrice());
        }
        n.put("tif", o.tif()).put("ocaGroup", o.ocaGroup()).put("account", o.account())
                .put("openClose", o.openClose()).put("origin", o.origin()).put("orderRef", o.orderRef())
                .put("transmit", o.transmit()).put("parentId", o.parentId()).put("outsideRth", o.outsideRth())
                .put("hidden", o.hidden()).put("goodAfterTime", o.goodAfterTime())
                .put("goodTillDate", o.goodTillDate()).put("algoStrategy", o.algoStrategy())
                .put("whatIf", o.whatIf()).put("modelCode", o.modelCode());
        if (o.trailStopPrice() != null) {
            n.put("trailStopPrice", o.trailStopPrice());
        }
        if (o.trailingPercent() != null) {
            n.put("trailingPercent", o.trailingPercent());
        }
        return n;
    }

    /** placeOrder's fields for a plain non-BAG order, named as the fact sheet (§4.1) numbers them, by version. */
    static List<String> placeOrderFieldNames(int sv, String exchange) {
        List<String> names = new ArrayList<>(List.of("msgId", "orderId", "conId", "symbol", "secType",
                "lastTradeDateOrContractMonth", "strike", "right", "multiplier", "exchange", "primaryExch", "currency",
                "localSymbol", "tradingClass", "secIdType", "secId", "action", "totalQuantity", "orderType",
                "lmtPrice", "auxPrice", "tif", "ocaGroup", "account", "openClose", "origin", "orderRef", "transmit",
                "parentId", "blockOrder", "sweepToFill", "displaySize", "triggerMethod", "outsideRth", "hidden",
                "sharesAllocation", "discretionaryAmt", "goodAfterTime", "goodTillDate", "faGroup", "faMethod",
                "faPercentage"));
        if (sv < ServerVersion.FA_PROFILE_DESUPPORT) {
            names.add("faProfile");
        }
        names.addAll(List.of("modelCode", "shortSaleSlot", "designatedLocation", "exemptCode", "ocaType", "rule80A",
                "settlingFirm", "allOrNone", "minQty", "percentOffset", "eTradeOnly", "firmQuoteOnly", "nbboPriceCap",
                "auctionStrategy", "startingPrice", "stockRefPrice", "delta", "stockRangeLower", "stockRangeUpper",
                "overridePercentageConstraints", "volatility", "volatilityType", "deltaNeutralOrderType",
                "deltaNeutralAuxPrice", "continuousUpdate", "referencePriceType", "trailStopPrice", "trailingPercent",
                "scaleInitLevelSize", "scaleSubsLevelSize", "scalePriceIncrement", "scaleTable", "activeStartTime",
                "activeStopTime", "hedgeType", "optOutSmartRouting", "clearingAccount", "clearingIntent", "notHeld",
                "deltaNeutralContract", "algoStrategy", "algoId", "whatIf", "orderMiscOptions", "solicited",
                "randomizeSize", "randomizePrice", "conditionsCount", "adjustedOrderType", "triggerPrice",
                "lmtPriceOffset", "adjustedStopPrice", "adjustedStopLimitPrice", "adjustedTrailingAmount",
                "adjustableTrailingUnit", "extOperator", "softDollarTierName", "softDollarTierValue", "cashQty",
                "mifid2DecisionMaker", "mifid2DecisionAlgo", "mifid2ExecutionTrader", "mifid2ExecutionAlgo",
                "dontUseAutoPriceForHedge", "isOmsContainer", "discretionaryUpToLimitPrice", "usePriceMgmtAlgo"));
        if (sv >= ServerVersion.DURATION) {
            names.add("duration");
        }
        if (sv >= ServerVersion.POST_TO_ATS) {
            names.add("postToAts");
        }
        if (sv >= ServerVersion.AUTO_CANCEL_PARENT) {
            names.add("autoCancelParent");
        }
        if (sv >= ServerVersion.ADVANCED_ORDER_REJECT) {
            names.add("advancedErrorOverride");
        }
        if (sv >= ServerVersion.MANUAL_ORDER_TIME) {
            names.add("manualOrderTime");
        }
        if (sv >= ServerVersion.PEGBEST_PEGMID_OFFSETS && exchange.equals("IBKRATS")) {
            names.add("minTradeQty");
        }
        return names;
    }

    // ---- running @stoqey/ib and reading frames -----------------------------------------------------------------

    private static Map<String, JsonNode> encodeWithStoqey(List<Request> table) throws IOException, InterruptedException {
        ObjectNode input = JSON.createObjectNode();
        ArrayNode requests = input.putArray("requests");
        for (Request r : table) {
            requests.add(r.stoqey().deepCopy().put("id", r.id()).put("serverVersion", r.serverVersion()));
        }
        Path stderr = Files.createTempFile("stoqey-encode", ".log");
        try {
            Process process = new ProcessBuilder("node", "encode-requests.mjs").directory(HARNESS.toFile())
                    .redirectError(stderr.toFile()).start();
            try (OutputStream in = process.getOutputStream()) {
                JSON.writeValue(in, input);
            }
            byte[] stdout = process.getInputStream().readAllBytes();
            boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String log = Files.readString(stderr);
            assertThat(finished).as("encode-requests.mjs finished; its log:%n%s", log).isTrue();
            assertThat(process.exitValue()).as("encode-requests.mjs exit code; its log:%n%s", log).isZero();
            Map<String, JsonNode> byId = new LinkedHashMap<>();
            JSON.readTree(new String(stdout, StandardCharsets.UTF_8)).path("results")
                    .forEach(result -> byId.put(result.path("id").asText(), result));
            assertThat(byId).as("one result per request").hasSize(table.size());
            return byId;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    private static List<String> fields(byte[] frame) throws IOException {
        byte[] payload = Frames.readFrame(new ByteArrayInputStream(frame));
        assertThat(payload).as("exactly one frame").hasSize(frame.length - Frames.LENGTH_PREFIX_BYTES);
        FieldReader r = FieldReader.of(payload);
        List<String> fields = new ArrayList<>();
        while (r.hasMore()) {
            fields.add(r.string());
        }
        return fields;
    }

    private static boolean sameNumber(String a, String b) {
        try {
            return !a.isEmpty() && !b.isEmpty() && new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void printTable(List<Request> table, Map<String, int[]> requestsAndFields,
                                   Map<KnownDifference, Integer> excused, int numberSpellings, List<String> unexplained,
                                   List<String> countMismatches) {
        StringBuilder out = new StringBuilder("\n@stoqey/ib 1.6.10 encoder vs the bridge's encoder, server versions ");
        for (int sv : SERVER_VERSIONS) {
            out.append(sv).append(' ');
        }
        out.append("\n| message | requests compared | fields compared |\n|---|---|---|\n");
        int totalRequests = 0;
        int totalFields = 0;
        for (Map.Entry<String, int[]> e : requestsAndFields.entrySet()) {
            out.append("| ").append(e.getKey()).append(" | ").append(e.getValue()[0]).append(" | ")
                    .append(e.getValue()[1]).append(" |\n");
            totalRequests += e.getValue()[0];
            totalFields += e.getValue()[1];
        }
        out.append("| all | ").append(totalRequests).append(" | ").append(totalFields).append(" |\n");
        out.append("\nplaceOrder: ").append(table.stream().filter(r -> r.message().equals("placeOrder")).count() / SERVER_VERSIONS.length)
                .append(" orders x ").append(SERVER_VERSIONS.length).append(" server versions\n");
        out.append("\n| exception | @stoqey/ib | bridge | fields excused | reason |\n|---|---|---|---|---|\n");
        for (Map.Entry<KnownDifference, Integer> e : excused.entrySet()) {
            KnownDifference x = e.getKey();
            out.append("| ").append(x.message()).append('.').append(x.field()).append(" | '").append(x.stoqey())
                    .append("' | '").append(x.bridge()).append("' | ").append(e.getValue()).append(" | ")
                    .append(x.reason()).append(" |\n");
        }
        out.append("| number notation in ").append(NUMBER_SPELLING_FIELDS).append(" | e.g. '180' | e.g. '180.0' | ")
                .append(numberSpellings).append(" | ").append(NUMBER_SPELLING_REASON).append(" |\n");
        int excusedFields = excused.values().stream().mapToInt(Integer::intValue).sum();
        out.append("\ndifferences excused: ").append(excusedFields + numberSpellings).append(" (")
                .append(excused.size()).append(" documented exceptions: ").append(excusedFields)
                .append("; number notation: ").append(numberSpellings).append(")\n");
        out.append("unexplained differences: ").append(unexplained.size()).append('\n');
        unexplained.stream().limit(40).forEach(u -> out.append("  ").append(u).append('\n'));
        out.append("field-count mismatches: ").append(countMismatches.size()).append('\n');
        countMismatches.stream().limit(40).forEach(m -> out.append("  ").append(m).append('\n'));
        System.out.println(out);
    }
}
