package io.twsbridge.bridge.app;

import io.twsbridge.bridge.history.HistoricalBarsService;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * IB's historical pacing kept by the bridge for every strategy at once, against a simulator that enforces IB's rules
 * (error 162 for a broken one): 200 requests for 5-second bars from 5 producers at once, one of them flooding.
 *
 * <p>What the rules allow, and so what the test expects: at most 60 requests for small bars in 10 minutes, so of 200
 * sent together 60 are answered and the other 140 wait until their command expires, then are refused
 * PACING_WAIT_EXPIRED, nothing sent. All are for one contract and one kind (the worst case for the rule of fewer
 * than 6 in 2 s), so the pacer admits at most 5 per 2 s plus its 1 s margin. Served round-robin, a producer's first
 * request is among the first 5 admissions after it arrives, within one such window: the bound checked below is that
 * window (3 s) plus the time a result takes through the Gateway and Kafka.
 */
class HistoricalPacingIT extends WithKafkaStack {

    private static final int PRODUCERS = 5;
    private static final int FLOOD = 120;
    private static final int EACH_OTHER = 20;
    private static final Duration EXPIRY = Duration.ofSeconds(45);
    /** One 2 s window plus the pacer's margin, plus the way of a result through the Gateway and Kafka. */
    private static final Duration FIRST_ANSWER_BOUND = Duration.ofSeconds(3).plusSeconds(5);
    private static final Instant END = Instant.parse("2026-12-01T17:00:00Z");

    @Test
    void twoHundredSmallBarRequestsFromFiveProducersBreakNoRuleAndNoProducerStarves() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .historicalPacing(true).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "pacing", k -> k, g -> g).start()) {
            bridge.awaitReady();

            Map<String, Instant> sentAt = new ConcurrentHashMap<>();
            Map<String, String> producerOf = new ConcurrentHashMap<>();
            List<String> firsts = Collections.synchronizedList(new ArrayList<>());
            ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
            List<Future<?>> sending = new ArrayList<>();
            for (int p = 1; p <= PRODUCERS; p++) {
                String producer = "strategy-" + p;
                int count = p == 1 ? FLOOD : EACH_OTHER;
                sending.add(producers.submit(() -> {
                    for (int i = 0; i < count; i++) {
                        String id = producer + "-" + i;
                        Instant now = Instant.now();
                        // A distinct end for each, so that no two are identical (those would be served from one answer).
                        Command c = Commands.envelope(id).setIssuedBy(producer).setExpiresAt(now.plus(EXPIRY))
                                .setPayload(RequestHistoricalBars.newBuilder().setInstrument(Commands.stock("AAPL"))
                                        .setEndTime(END.minusSeconds(60L * i + (long) producer.hashCode() % 30))
                                        .setDuration("1800 S").setBarSize(BarSize.SEC_5)
                                        .setWhatToShow(WhatToShow.TRADES).build()).build();
                        sentAt.put(id, now);
                        producerOf.put(id, producer);
                        if (i == 0) {
                            firsts.add(id);
                        }
                        bridge.send(c);
                    }
                    return null;
                }));
            }
            for (Future<?> f : sending) {
                f.get();
            }
            producers.shutdown();
            int total = FLOOD + (PRODUCERS - 1) * EACH_OTHER;
            assertThat(sentAt).hasSize(total);

            Map<String, GenericRecord> results = await().atMost(EXPIRY.plusSeconds(60)).until(() -> {
                Map<String, GenericRecord> byId = new LinkedHashMap<>();
                for (GenericRecord r : bridge.values(Topic.COMMAND_RESULTS)) {
                    byId.put(r.get("commandId").toString(), r);
                }
                return byId;
            }, byId -> byId.keySet().containsAll(sentAt.keySet()));

            Map<String, Long> byOutcome = results.values().stream().collect(Collectors.groupingBy(
                    r -> r.get("status") + " " + r.get("reasonCode"), TreeMap::new, Collectors.counting()));
            HistoricalBarsService.Status status = bridge.app.history().status();
            long violations = sim.state().historical().pacingViolations();
            System.out.println("outcomes of " + total + " requests: " + byOutcome);
            System.out.println("simulator: " + sim.state().historical());
            System.out.println("bridge pacing: " + status);
            assertThat(violations).as("errors 162 pacing violation at the Gateway").isZero();
            assertThat(status.pacingViolationsReceived()).isZero();
            assertThat(byOutcome.keySet()).as("every request answered or refused at its expiry")
                    .isSubsetOf("COMPLETED OK", "REJECTED PACING_WAIT_EXPIRED");
            long answered = byOutcome.getOrDefault("COMPLETED OK", 0L);
            assertThat(answered).as("IB allows 60 small-bar requests in 10 minutes").isEqualTo(60);
            assertThat(sim.state().historical().requests()).as("the Gateway saw exactly the answered ones")
                    .isEqualTo(answered);

            // Refused at their expiry: not before it, and promptly after.
            List<Duration> lateness = new ArrayList<>();
            for (GenericRecord r : results.values()) {
                if (r.get("reasonCode").toString().equals("PACING_WAIT_EXPIRED")) {
                    Instant expiry = sentAt.get(r.get("commandId").toString()).plus(EXPIRY);
                    Instant refused = Instant.ofEpochMilli((Long) r.get("timestamp"));
                    lateness.add(Duration.between(expiry, refused));
                }
            }
            Duration earliest = Collections.min(lateness);
            Duration latest = Collections.max(lateness);
            System.out.println("refusals at expiry: " + lateness.size() + ", from " + earliest.toMillis() + " ms to "
                    + latest.toMillis() + " ms after the command's expiresAt");
            // The command's expiresAt was set a moment before sending it, hence a little slack before.
            assertThat(earliest).isGreaterThan(Duration.ofMillis(-50));
            assertThat(latest).isLessThan(Duration.ofSeconds(3));

            Instant start = Collections.min(sentAt.values());
            System.out.println("the first 15 answers, ms after the first send: " + results.values().stream()
                    .filter(r -> r.get("status").toString().equals("COMPLETED"))
                    .sorted(java.util.Comparator.comparingLong(r -> (Long) r.get("timestamp"))).limit(15)
                    .map(r -> r.get("commandId") + "@" + ((Long) r.get("timestamp") - start.toEpochMilli()))
                    .collect(Collectors.joining(", ")));
            System.out.println("sent: strategy-1-0@" + Duration.between(start, sentAt.get("strategy-1-0")).toMillis()
                    + ", the last @" + Duration.between(start, Collections.max(sentAt.values())).toMillis());

            // Fairness: every producer's first request answered, within the bound the rules give.
            Map<String, Long> firstAnswerMillis = new TreeMap<>();
            for (String id : firsts) {
                GenericRecord r = results.get(id);
                assertThat(r.get("status").toString()).as(id).isEqualTo("COMPLETED");
                firstAnswerMillis.put(producerOf.get(id), Duration.between(sentAt.get(id),
                        Instant.ofEpochMilli((Long) r.get("timestamp"))).toMillis());
            }
            Map<String, Long> answeredBy = results.entrySet().stream()
                    .filter(e -> e.getValue().get("status").toString().equals("COMPLETED"))
                    .collect(Collectors.groupingBy(e -> producerOf.get(e.getKey()), TreeMap::new,
                            Collectors.counting()));
            System.out.println("first request of each producer answered after (ms): " + firstAnswerMillis
                    + "; answered per producer: " + answeredBy + "; longest wait for a turn: "
                    + status.pacing().longestWait().toMillis() + " ms");
            assertThat(firstAnswerMillis.values()).allSatisfy(ms ->
                    assertThat(ms).isLessThan(FIRST_ANSWER_BOUND.toMillis()));
            assertThat(answeredBy).as("round-robin: the flooding producer gets no more than its share while others wait")
                    .hasSize(PRODUCERS);
            // Before the others' first commands are read, the flooding producer alone may fill one 2 s window (5).
            assertThat(answeredBy.get("strategy-1")).isLessThanOrEqualTo(answered / PRODUCERS + 5);
        }
    }

    /**
     * A bridge that stops while a historical request waits for its turn still gives it its one final result:
     * REJECTED NOT_CONNECTED, which does not spend the id, so the same command sent to the next bridge is carried out.
     * A safety margin of a minute widens IB's 2 s window so that the sixth request for one contract waits through
     * the stop.
     */
    @Test
    void aRequestStillWaitingWhenTheBridgeStopsIsAnsweredOnceAndRunsWhenSentAgain() throws Exception {
        io.twsbridge.bridge.history.HistorySettings.Builder history = io.twsbridge.bridge.history.HistorySettings.builder();
        history.pacing().safetyMargin(Duration.ofMinutes(1));
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .historicalPacing(true).build())) {
            List<Command> commands = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                commands.add(Commands.envelope("stop-" + i).setIssuedBy("strategy-1")
                        .setPayload(RequestHistoricalBars.newBuilder().setInstrument(Commands.stock("AAPL"))
                                .setEndTime(END.minusSeconds(60L * i)).setDuration("1800 S").setBarSize(BarSize.SEC_5)
                                .setWhatToShow(WhatToShow.TRADES).build()).build());
            }
            BridgeUnderTest first = new BridgeUnderTest(stack, sim, "pacing-stop", k -> k, g -> g)
                    .withStrategyData(io.twsbridge.bridge.contracts.ContractSettings.defaults(), history.build()).start();
            try {
                first.awaitReady();
                for (Command c : commands) {
                    first.send(c);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> first.values(Topic.COMMAND_RESULTS).size() == 5
                        && first.app.history().status().pacing().queueDepth() == 1);
            } finally {
                first.close();
            }
            List<GenericRecord> results = first.values(Topic.COMMAND_RESULTS);
            System.out.println("results after the stop: " + results.stream().map(r -> r.get("commandId") + " "
                    + r.get("status") + " " + r.get("reasonCode")).toList());
            assertThat(results).as("one final result each, the waiting one's at the stop").hasSize(6);
            GenericRecord waited = results.stream().filter(r -> r.get("commandId").toString().equals("stop-5"))
                    .findFirst().orElseThrow();
            assertThat(waited.get("status").toString()).isEqualTo("REJECTED");
            assertThat(waited.get("reasonCode").toString()).isEqualTo("NOT_CONNECTED");
            System.out.println("stop-5: " + waited.get("message"));
            assertThat(waited.get("message").toString()).startsWith("the bridge shut down before this command's outcome");
            assertThat(sim.state().historical().requests()).as("the waiting one never reached the Gateway").isEqualTo(5);

            // The next bridge (default pacing) restores the results, finds stop-5's id not spent and carries it out.
            try (BridgeUnderTest second = new BridgeUnderTest(stack, sim, "pacing-stop", k -> k, g -> g).start()) {
                second.awaitReady();
                second.send(commands.get(5));
                second.send(commands.get(0));
                await().atMost(Duration.ofSeconds(30)).until(() -> second.values(Topic.COMMAND_RESULTS).size() == 8);
                // One partition per account key: each command's results are in the order they were written.
                Map<String, List<String>> byCommand = second.values(Topic.COMMAND_RESULTS).stream()
                        .filter(r -> r.get("commandId").toString().equals("stop-5")
                                || r.get("commandId").toString().equals("stop-0"))
                        .collect(Collectors.groupingBy(r -> r.get("commandId").toString(), TreeMap::new,
                                Collectors.mapping(r -> r.get("status") + " " + r.get("reasonCode"), Collectors.toList())));
                System.out.println("sent again to the next bridge: " + byCommand);
                assertThat(byCommand).containsExactly(
                        Map.entry("stop-0", List.of("COMPLETED OK", "DUPLICATE DUPLICATE_COMMAND")),
                        Map.entry("stop-5", List.of("REJECTED NOT_CONNECTED", "COMPLETED OK")));
                assertThat(sim.state().historical().requests()).isEqualTo(6);
            }
        }
    }
}
