package io.twsbridge.bridge.app;

import io.twsbridge.schema.Command;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.UnsubscribeBars;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorState;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real-time bars over the whole stack (broker, registry, simulator over sockets, the bridge): subscribed by command,
 * published on the bars topic, restored after a Gateway restart, after IB's "data lost" (1101), after a bust event
 * (10225) and after a bridge restart, each time with exactly one reqRealTimeBars, and counted once against the line limit throughout.
 *
 * <p>The simulator streams bars only while its market is open, so its clock is the wall clock moved to a Wednesday
 * morning in New York: bars come every 5 s of real time whenever the test runs.
 */
class RealTimeBarsIT extends WithKafkaStack {

    /** An instrument description, not a conId: the key the bars are published under until contracts are resolved. */
    private static final String AAPL_KEY = "AAPL|STK|SMART|USD";
    private static final Duration BAR_WAIT = Duration.ofSeconds(20);

    @Test
    void barsSurviveAGatewayRestartA1101AndABustEventAndTakeOneLineThroughout() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(config(), marketHours());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "rtbars", k -> k.marketDataLineLimit(2), g -> g)
                     .start()) {
            bridge.awaitReady();
            bridge.send(subscribeBars("b-aapl", "AAPL", WhatToShow.TRADES, true));
            assertThat(awaitResult(bridge, "b-aapl")).isEqualTo("COMPLETED OK");
            await().atMost(Duration.ofSeconds(10)).until(() -> barSymbols(sim).equals(List.of("AAPL")));
            assertThat(sim.state().received("ReqRealTimeBars")).isEqualTo(1);

            List<GenericRecord> first = awaitBarsAfter(bridge, Instant.EPOCH, 1);
            GenericRecord bar = first.get(0);
            assertThat(bar.get("realTimeBar")).isEqualTo(true);
            assertThat(bar.get("barSize").toString()).isEqualTo("SEC_5");
            assertThat(bar.get("whatToShow").toString()).isEqualTo("TRADES");
            assertThat(bar.get("regularTradingHoursOnly")).isEqualTo(true);
            assertThat(bar.get("commandId")).isNull();
            assertThat(bar.get("index")).isNull();
            assertThat(bar.get("volume")).as("TRADES bars carry volume").isNotNull();
            assertThat(startTime(bar).getEpochSecond() % 5).as("a 5-second boundary").isZero();
            assertThat(bridge.read(bridge.topic(Topic.BARS))).extracting(r -> key(r)).containsOnly(AAPL_KEY);

            // Line limit 2: the bars take one line, a quote the other, and a second quote is one too many.
            bridge.send(Commands.subscribe("q-msft", "MSFT"));
            bridge.send(Commands.subscribe("q-ibm", "IBM"));
            assertThat(awaitResult(bridge, "q-msft")).isEqualTo("COMPLETED OK");
            assertThat(awaitResult(bridge, "q-ibm")).isEqualTo("REJECTED LINE_LIMIT_REACHED");

            // A Gateway restart: every socket closes; the bridge reconnects and asks for the bars once.
            Instant beforeRestart = lastBarStart(bridge);
            sim.restart(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> !bridge.app.ready());
            bridge.awaitReady();
            await().atMost(Duration.ofSeconds(10)).until(() -> barSymbols(sim).equals(List.of("AAPL")));
            List<GenericRecord> afterRestart = awaitBarsAfter(bridge, beforeRestart, 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> sim.state().received("ReqRealTimeBars") == 2);

            // IB's "data lost": the subscription is gone at the Gateway and asked for again, once.
            Instant before1101 = lastBarStart(bridge);
            sim.connectivityLost();
            sim.connectivityRestored(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.state().received("ReqRealTimeBars") == 3
                    && barSymbols(sim).equals(List.of("AAPL")));
            List<GenericRecord> after1101 = awaitBarsAfter(bridge, before1101, 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> sim.state().received("ReqRealTimeBars") == 3);

            // A bust event at IB: the subscription ends with 10225, and the bridge asks for it again at once.
            Instant beforeBust = lastBarStart(bridge);
            assertThat(sim.bustRealTimeBars()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.state().received("ReqRealTimeBars") == 4
                    && barSymbols(sim).equals(List.of("AAPL")));
            List<GenericRecord> afterBust = awaitBarsAfter(bridge, beforeBust, 1);
            assertThat(sim.state().received("CancelRealTimeBars")).as("the busted request ended first").isEqualTo(1);

            // Restored three times, still one line: the second quote is still one too many, the bars again are no
            // new one.
            bridge.send(Commands.subscribe("q-ibm-again", "IBM"));
            bridge.send(subscribeBars("b-aapl-again", "AAPL", WhatToShow.TRADES, true));
            assertThat(awaitResult(bridge, "q-ibm-again")).isEqualTo("REJECTED LINE_LIMIT_REACHED");
            assertThat(awaitResult(bridge, "b-aapl-again")).isEqualTo("COMPLETED OK");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> sim.state().received("ReqRealTimeBars") == 4);
            assertThat(barSymbols(sim)).containsExactly("AAPL");

            List<GenericRecord> all = bars(bridge);
            assertThat(all).extracting(RealTimeBarsIT::startTime).as("no bar published twice").doesNotHaveDuplicates();
            System.out.printf("RealTimeBarsIT: %d bars on %s, all keyed %s; first %s open %s close %s volume %s; "
                            + "reqRealTimeBars received %d (1 + 1 after the restart + 1 after 1101 + 1 after the bust"
                            + " 10225); bars after the restart %d, after 1101 %d, after the bust %d; line limit 2: "
                            + "q-msft COMPLETED, q-ibm and q-ibm-again LINE_LIMIT_REACHED, b-aapl-again COMPLETED "
                            + "without a request%n",
                    all.size(), bridge.topic(Topic.BARS), AAPL_KEY, startTime(bar), decimal(bar, "open"),
                    decimal(bar, "close"), decimal(bar, "volume"), sim.state().received("ReqRealTimeBars"),
                    afterRestart.size(), after1101.size(), afterBust.size());
        }
    }

    @Test
    void barSubscriptionsComeBackAfterABridgeRestartFromTheSubscriptionsTopic() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(config(), marketHours())) {
            BridgeUnderTest first = new BridgeUnderTest(stack, sim, "rtbars-restart", k -> k.marketDataLineLimit(2),
                    g -> g);
            try (first) {
                first.start();
                first.awaitReady();
                first.send(subscribeBars("r-aapl", "AAPL", WhatToShow.TRADES, true));
                first.send(subscribeBars("r-msft", "MSFT", WhatToShow.MIDPOINT, false));
                first.send(unsubscribeBars("u-msft", "MSFT", WhatToShow.MIDPOINT, false));
                first.send(Commands.subscribe("r-aapl-quotes", "AAPL"));
                await().atMost(Duration.ofSeconds(20)).until(() -> results(first).size() == 4);
                await().atMost(Duration.ofSeconds(10)).until(() -> barSymbols(sim).equals(List.of("AAPL"))
                        && quoteSymbols(sim).equals(List.of("AAPL")));
                awaitBarsAfter(first, Instant.EPOCH, 1);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> barSymbols(sim).isEmpty() && quoteSymbols(sim).isEmpty());
            long requestsBefore = sim.state().received("ReqRealTimeBars");
            // Read once the first bridge is closed (the topic outlives it): the last bar it published.
            Instant lastOfFirst = lastBarStart(first);

            try (BridgeUnderTest second = new BridgeUnderTest(stack, sim, "rtbars-restart", k -> k.marketDataLineLimit(2),
                    g -> g).start()) {
                second.awaitReady();
                // No command was sent to the second bridge: both subscriptions came from the compacted topic, the bars
                // as bars (not as a second quote subscription) and the unsubscribed MIDPOINT bars not at all.
                await().atMost(Duration.ofSeconds(10)).until(() -> barSymbols(sim).equals(List.of("AAPL"))
                        && quoteSymbols(sim).equals(List.of("AAPL")));
                SimulatorState.Subscription restored = sim.state().historical().realTimeBars().get(0);
                List<GenericRecord> fresh = awaitBarsAfter(second, lastOfFirst, 1);
                assertThat(sim.state().received("ReqRealTimeBars") - requestsBefore).isEqualTo(1);

                // The restored subscriptions hold the two lines.
                second.send(Commands.subscribe("r-msft-quotes", "MSFT"));
                await().atMost(Duration.ofSeconds(20)).until(() -> results(second).size() == 5);
                assertThat(results(second)).contains("r-msft-quotes REJECTED LINE_LIMIT_REACHED");
                System.out.printf("RealTimeBarsIT: after the bridge restart reqRealTimeBars %d -> %d (reqId %d), "
                                + "quote subscriptions %s, %d fresh bar(s) from the second bridge, a third line "
                                + "refused%n", requestsBefore, sim.state().received("ReqRealTimeBars"),
                        restored.reqId(), quoteSymbols(sim), fresh.size());
            }
        }
    }

    private static SimulatorConfig config() {
        return SimulatorConfig.builder().ephemeralPorts().adminPort(-1).tickRate(5).build();
    }

    /** The wall clock, moved to 11:00 New York time on Wednesday 2 December 2026, inside regular trading hours. */
    private static Clock marketHours() {
        Instant open = ZonedDateTime.of(2026, 12, 2, 11, 0, 0, 0, ZoneId.of("America/New_York")).toInstant();
        return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), open));
    }

    private static Command subscribeBars(String id, String symbol, WhatToShow kind, boolean rth) {
        return Commands.envelope(id).setPayload(SubscribeBars.newBuilder().setInstrument(Commands.stock(symbol))
                .setWhatToShow(kind).setRegularTradingHoursOnly(rth).build()).build();
    }

    private static Command unsubscribeBars(String id, String symbol, WhatToShow kind, boolean rth) {
        return Commands.envelope(id).setPayload(UnsubscribeBars.newBuilder().setInstrument(Commands.stock(symbol))
                .setWhatToShow(kind).setRegularTradingHoursOnly(rth).build()).build();
    }

    /** "commandId STATUS REASON" of every final result so far. */
    private static List<String> results(BridgeUnderTest bridge) {
        return bridge.values(Topic.COMMAND_RESULTS).stream().filter(r -> !r.get("status").toString().equals("ACCEPTED"))
                .map(r -> r.get("commandId") + " " + r.get("status") + " " + r.get("reasonCode")).toList();
    }

    private static String awaitResult(BridgeUnderTest bridge, String commandId) {
        String prefix = commandId + " ";
        await().atMost(Duration.ofSeconds(20)).until(() -> results(bridge).stream().anyMatch(r -> r.startsWith(prefix)));
        return results(bridge).stream().filter(r -> r.startsWith(prefix)).findFirst().orElseThrow()
                .substring(prefix.length());
    }

    private static List<GenericRecord> bars(BridgeUnderTest bridge) {
        return bridge.values(Topic.BARS);
    }

    /** Waits for at least {@code n} bars that start after {@code after}, and returns every such bar. */
    private static List<GenericRecord> awaitBarsAfter(BridgeUnderTest bridge, Instant after, int n) {
        await().atMost(BAR_WAIT).until(() -> barsAfter(bridge, after).size() >= n);
        return barsAfter(bridge, after);
    }

    private static List<GenericRecord> barsAfter(BridgeUnderTest bridge, Instant after) {
        return bars(bridge).stream().filter(b -> startTime(b).isAfter(after)).toList();
    }

    private static Instant lastBarStart(BridgeUnderTest bridge) {
        return bars(bridge).stream().map(RealTimeBarsIT::startTime).max(Instant::compareTo).orElse(Instant.EPOCH);
    }

    private static Instant startTime(GenericRecord bar) {
        return Instant.ofEpochMilli((Long) bar.get("startTime"));
    }

    private static BigDecimal decimal(GenericRecord bar, String field) {
        ByteBuffer bytes = (ByteBuffer) bar.get(field);
        if (bytes == null) {
            return null;
        }
        byte[] unscaled = new byte[bytes.remaining()];
        bytes.duplicate().get(unscaled);
        return new BigDecimal(new BigInteger(unscaled), 10);
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static List<String> barSymbols(GatewaySimulator sim) {
        return sim.state().historical().realTimeBars().stream().map(SimulatorState.Subscription::symbol).sorted()
                .toList();
    }

    private static List<String> quoteSymbols(GatewaySimulator sim) {
        return sim.state().subscriptions().stream().map(SimulatorState.Subscription::symbol).sorted().toList();
    }
}
