package io.twsbridge.bridge.app;

import io.twsbridge.bridge.contracts.ContractSettings;
import io.twsbridge.bridge.history.HistorySettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.ResolveContract;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorProbe;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Strategy data on the real stack: contract qualification (a known, an unknown and an ambiguous description; an
 * order by conId alone) and historical bars (a day of 5-minute bars, a week of hourly bars, a year of daily bars),
 * each record read back by a plain Avro consumer that fetches its schema from the registry, and compared with what
 * the simulator sent.
 */
class StrategyDataIT extends WithKafkaStack {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A Tuesday at noon in New York: every range below ends inside a regular session, whenever the test runs. */
    private static final Instant END = Instant.parse("2026-12-01T17:00:00Z");

    @Test
    void resolvesKnownUnknownAndAmbiguousDescriptionsAndPlacesAnOrderByConIdAlone() throws Exception {
        List<ClientMessage.PlaceOrder> placed = Collections.synchronizedList(new ArrayList<>());
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "contracts", k -> k, g -> g,
                     OrderSettings.builder().enabled(true).build()).start()) {
            sim.setProbe(new SimulatorProbe() {
                @Override
                public void requestReceived(long connectionId, ClientMessage message, long nanoTime) {
                    if (message instanceof ClientMessage.PlaceOrder p) {
                        placed.add(p);
                    }
                }
            });
            bridge.awaitReady();

            bridge.send(resolve("resolve-known", "AAPL", "STK", "USD"));
            bridge.send(resolve("resolve-unknown", "NOSUCH", "STK", "USD"));
            bridge.send(resolve("resolve-ambiguous", SimulatorConfig.DEFAULT_AMBIGUOUS_SYMBOL, "STK", "USD"));

            GenericRecord known = finalResult(bridge, "resolve-known");
            GenericRecord unknown = finalResult(bridge, "resolve-unknown");
            GenericRecord ambiguous = finalResult(bridge, "resolve-ambiguous");
            System.out.println("ResolveContract known -> " + describe(known));
            System.out.println("ResolveContract unknown -> " + describe(unknown));
            System.out.println("ResolveContract ambiguous -> " + describe(ambiguous));

            assertThat(known.get("status").toString()).isEqualTo("COMPLETED");
            assertThat(known.get("recordCount")).isEqualTo(1);
            long conId = (Long) ((List<?>) known.get("conIds")).get(0);
            List<GenericRecord> details = bridge.values(Topic.CONTRACTS).stream()
                    .filter(r -> "resolve-known".equals(text(r.get("commandId")))).toList();
            assertThat(details).hasSize(1);
            GenericRecord aapl = details.get(0);
            assertThat(aapl.get("conId")).isEqualTo(conId);
            GenericRecord instrument = (GenericRecord) aapl.get("instrument");
            assertThat(instrument.get("symbol").toString()).isEqualTo("AAPL");
            assertThat(text(instrument.get("primaryExchange"))).isEqualTo("NASDAQ");
            assertThat(text(aapl.get("timeZoneId"))).isNotEmpty();
            assertThat(text(aapl.get("longName"))).isNotEmpty();

            assertThat(unknown.get("status").toString()).isEqualTo("REJECTED");
            assertThat(unknown.get("reasonCode").toString()).isEqualTo("CONTRACT_NOT_FOUND");
            assertThat(unknown.get("message").toString()).contains("NOSUCH");

            assertThat(ambiguous.get("status").toString()).isEqualTo("REJECTED");
            assertThat(ambiguous.get("reasonCode").toString()).isEqualTo("CONTRACT_AMBIGUOUS");
            List<?> candidates = (List<?>) ambiguous.get("conIds");
            assertThat(candidates).hasSize(2).doesNotHaveDuplicates();
            for (Object candidate : candidates) {
                assertThat(ambiguous.get("message").toString()).contains("conId " + candidate);
            }
            assertThat(bridge.values(Topic.CONTRACTS).stream()
                    .filter(r -> "resolve-ambiguous".equals(text(r.get("commandId")))).map(r -> r.get("conId")))
                    .as("the candidates' details are published to tell them apart").hasSize(2);

            // An order by conId alone: IB gets the contract's own fields, not a bare id. A limit far below the market,
            // so that the notional is known without a quote and the order rests.
            bridge.send(Commands.envelope("order-by-conid").setAccount("DU111111").setPayload(PlaceOrder.newBuilder()
                    .setInstrument(Instrument.newBuilder().setConId(conId).build()).setAction(OrderAction.BUY)
                    .setQuantity(new BigDecimal("1").setScale(10)).setOrderType(OrderType.LMT).setLimitPrice(10.0)
                    .setTimeInForce(TimeInForce.DAY).setOutsideRth(false).build()).build());
            GenericRecord accepted = firstResult(bridge, "order-by-conid");
            System.out.println("PlaceOrder by conId " + conId + " -> " + describe(accepted));
            assertThat(accepted.get("status").toString()).isEqualTo("ACCEPTED");
            await().atMost(WAIT).until(() -> !placed.isEmpty());
            ClientMessage.PlaceOrder sent = placed.get(0);
            System.out.println("the Gateway received: " + sent.contract());
            assertThat(sent.contract().conId()).isEqualTo((int) conId);
            assertThat(sent.contract().symbol()).isEqualTo("AAPL");
            assertThat(sent.contract().secType()).isEqualTo("STK");
            assertThat(sent.contract().currency()).isEqualTo("USD");
            assertThat(sent.contract().exchange()).isEqualTo("SMART");
            assertThat(sent.contract().primaryExchange()).isEqualTo("NASDAQ");
        }
    }

    @Test
    void historicalBarsArePublishedWithTheirCommandIdAndTheResultSaysTheAnswerIsComplete() throws Exception {
        Map<Integer, ServerMessage.HistoricalData> sentByReqId = new ConcurrentHashMap<>();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "bars", k -> k, g -> g).start()) {
            sim.setProbe(new SimulatorProbe() {
                @Override
                public void barsSent(long connectionId, ServerMessage message) {
                    if (message instanceof ServerMessage.HistoricalData d) {
                        sentByReqId.put(d.reqId(), d);
                    }
                }
            });
            bridge.awaitReady();

            record Case(String commandId, String duration, BarSize barSize) {
            }
            List<Case> cases = List.of(new Case("bars-1d-5min", "1 D", BarSize.MIN_5),
                    new Case("bars-1w-1h", "1 W", BarSize.HOUR_1), new Case("bars-1y-1d", "1 Y", BarSize.DAY_1));
            for (Case c : cases) {
                bridge.send(Commands.envelope(c.commandId()).setPayload(RequestHistoricalBars.newBuilder()
                        .setInstrument(Commands.stock("MSFT")).setEndTime(END).setDuration(c.duration())
                        .setBarSize(c.barSize()).setWhatToShow(WhatToShow.TRADES).build()).build());
            }
            List<Integer> simulated = new ArrayList<>();
            for (Case c : cases) {
                GenericRecord result = finalResult(bridge, c.commandId());
                System.out.println("RequestHistoricalBars " + c.duration() + " of " + c.barSize() + " -> "
                        + describe(result));
                assertThat(result.get("status").toString()).isEqualTo("COMPLETED");
                List<GenericRecord> bars = bridge.values(Topic.BARS).stream()
                        .filter(b -> c.commandId().equals(text(b.get("commandId")))).toList();
                int count = (Integer) result.get("recordCount");
                assertThat(bars).as("every bar of the answer is on the topic when the result says COMPLETED")
                        .hasSize(count);
                assertThat(bars.stream().map(b -> (Integer) b.get("index")).toList())
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).boxed().toList());
                assertThat(bars).allSatisfy(b -> {
                    assertThat(((GenericRecord) b.get("instrument")).get("conId")).isNotNull();
                    assertThat(b.get("barSize").toString()).isEqualTo(c.barSize().name());
                    assertThat(b.get("realTimeBar")).isEqualTo(false);
                });
                assertThat(result.get("firstBarTime")).isEqualTo(bars.get(0).get("startTime"));
                assertThat(result.get("lastBarTime")).isEqualTo(bars.get(count - 1).get("startTime"));
                simulated.add(count);
            }
            // What the simulator sent, answer by answer (it answers each request once; the three go out at once, so
            // in any order).
            List<Integer> sentCounts = sentByReqId.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getValue().bars().size()).collect(Collectors.toList());
            System.out.println("bars the simulator sent per answer: " + sentCounts + "; published: " + simulated);
            assertThat(sentCounts).containsExactlyInAnyOrderElementsOf(simulated);
            assertThat(simulated).allSatisfy(n -> assertThat(n).isPositive());
            // The same request again, within 15 s: answered from the bars just fetched, not asked of IB again.
            long asked = sim.state().historical().requests();
            bridge.send(Commands.envelope("bars-1d-5min-again").setPayload(RequestHistoricalBars.newBuilder()
                    .setInstrument(Commands.stock("MSFT")).setEndTime(END).setDuration("1 D")
                    .setBarSize(BarSize.MIN_5).setWhatToShow(WhatToShow.TRADES).build()).build());
            GenericRecord again = finalResult(bridge, "bars-1d-5min-again");
            System.out.println("the same request again -> " + describe(again) + "; requests the simulator received:"
                    + " " + asked + " before, " + sim.state().historical().requests() + " after");
            assertThat(again.get("status").toString()).isEqualTo("COMPLETED");
            assertThat(again.get("recordCount")).isEqualTo(simulated.get(0));
            assertThat(again.get("message").toString()).contains("not asked of IB again");
            assertThat(sim.state().historical().requests()).isEqualTo(asked).isEqualTo(cases.size());
            assertThat(bridge.values(Topic.BARS).stream()
                    .filter(b -> "bars-1d-5min-again".equals(text(b.get("commandId"))))).hasSize(simulated.get(0));

            // Daily bars are dated; their start is the start of that date in the instrument's zone.
            GenericRecord daily = bridge.values(Topic.BARS).stream()
                    .filter(b -> "bars-1y-1d".equals(text(b.get("commandId")))).findFirst().orElseThrow();
            assertThat(daily.get("date")).isNotNull();
        }
    }

    @Test
    void withQualifiedContractsRequiredQuotesAreKeyedByConIdAndAnInstrumentThatNamesNoneOrSeveralIsRefused()
            throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "qualified", k -> k, g -> g,
                     OrderSettings.builder().enabled(true).build())
                     .withStrategyData(ContractSettings.builder().requireQualified(true).build(),
                             HistorySettings.defaults()).start()) {
            bridge.awaitReady();

            bridge.send(Commands.subscribe("q-sub-aapl", "AAPL"));
            bridge.send(Commands.subscribe("q-sub-twin", SimulatorConfig.DEFAULT_AMBIGUOUS_SYMBOL));
            bridge.send(Commands.limitOrder("q-order-nosuch", "DU111111", "NOSUCH", "1", 10.0));
            GenericRecord subscribed = finalResult(bridge, "q-sub-aapl");
            GenericRecord ambiguous = finalResult(bridge, "q-sub-twin");
            GenericRecord unknown = finalResult(bridge, "q-order-nosuch");
            System.out.println("SubscribeQuotes AAPL -> " + describe(subscribed));
            System.out.println("SubscribeQuotes TWIN -> " + describe(ambiguous));
            System.out.println("PlaceOrder NOSUCH -> " + describe(unknown));
            assertThat(subscribed.get("status").toString()).isEqualTo("COMPLETED");
            assertThat(subscribed.get("message").toString()).isEqualTo("subscribed 265598");
            assertThat(ambiguous.get("reasonCode").toString()).isEqualTo("CONTRACT_AMBIGUOUS");
            assertThat((List<?>) ambiguous.get("conIds")).hasSize(2);
            assertThat(unknown.get("reasonCode").toString()).isEqualTo("CONTRACT_NOT_FOUND");
            assertThat(sim.state().placeOrderCountByOrderRef()).as("nothing placed").isEmpty();

            // Quotes of the qualified instrument are keyed by its conId, as positions are (account|conId).
            await().atMost(WAIT).until(() -> !bridge.read(bridge.topic(Topic.QUOTES)).isEmpty());
            assertThat(bridge.read(bridge.topic(Topic.QUOTES))).allSatisfy(r ->
                    assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("265598"));
            GenericRecord quote = bridge.values(Topic.QUOTES).get(0);
            assertThat(((GenericRecord) quote.get("instrument")).get("conId")).isEqualTo(265598L);
            await().atMost(WAIT).until(() -> bridge.read(bridge.topic(Topic.POSITIONS)).stream()
                    .anyMatch(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)
                            .equals("DU111111|265598")));
        }
    }

    private static Command resolve(String id, String symbol, String secType, String currency) {
        return Commands.envelope(id).setPayload(ResolveContract.newBuilder().setSymbol(symbol).setSecType(secType)
                .setCurrency(currency).build()).build();
    }

    /** The result of {@code commandId} that is not ACCEPTED, once there. */
    private static GenericRecord finalResult(BridgeUnderTest bridge, String commandId) {
        return await().atMost(WAIT).until(() -> bridge.values(Topic.COMMAND_RESULTS).stream()
                .filter(r -> commandId.equals(r.get("commandId").toString()))
                .filter(r -> !"ACCEPTED".equals(r.get("status").toString())).findFirst().orElse(null),
                r -> r != null);
    }

    private static GenericRecord firstResult(BridgeUnderTest bridge, String commandId) {
        return await().atMost(WAIT).until(() -> bridge.values(Topic.COMMAND_RESULTS).stream()
                .filter(r -> commandId.equals(r.get("commandId").toString())).findFirst().orElse(null),
                r -> r != null);
    }

    private static String describe(GenericRecord result) {
        return result.get("status") + " " + result.get("reasonCode") + " recordCount=" + result.get("recordCount")
                + " conIds=" + result.get("conIds") + " firstBarTime=" + result.get("firstBarTime") + " lastBarTime="
                + result.get("lastBarTime") + " \"" + result.get("message") + "\"";
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
