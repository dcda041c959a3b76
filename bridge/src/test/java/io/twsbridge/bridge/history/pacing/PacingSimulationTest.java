package io.twsbridge.bridge.history.pacing;

import io.twsbridge.bridge.time.ManualEventLoop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 small-bars requests from 5 producers over many contracts, 40 minutes of virtual time, checked against IB's
 * rules by a checker written from IB's text, not from the pacer's code.
 */
class PacingSimulationTest {

    private static final String[] SYMBOLS = {"AAPL", "MSFT", "IBM", "SPY", "QQQ", "EUR", "GBP", "ES", "NQ", "CL",
            "GC", "TSLA", "AMZN", "META", "NVDA"};
    private static final String[] TICK_TYPES = {"TRADES", "MIDPOINT", "BID_ASK"};

    /** One request's life in the simulation. */
    static final class Sent {
        final String producer;
        final String identity;
        final String contractKey;
        final int weight;
        final Instant arrival;
        final Instant expiry;
        Instant admitted;
        Instant ended;
        Instant refusedAt;
        PacingRefusal.Reason refusal;
        /** When the Gateway would see it: admission plus a delay that varies by less than the margin. */
        Instant received;

        Sent(String producer, String identity, String contractKey, int weight, Instant arrival, Instant expiry) {
            this.producer = producer;
            this.identity = identity;
            this.contractKey = contractKey;
            this.weight = weight;
            this.arrival = arrival;
            this.expiry = expiry;
        }
    }

    @Test
    void twoHundredRequestsFromFiveProducersKeepEveryOneOfIbsRules() {
        ManualEventLoop loop = new ManualEventLoop();
        Instant t0 = loop.clock().instant();
        HistoricalPacer pacer = new HistoricalPacer(PacingSettings.defaults(), loop);
        Random random = new Random(22);
        List<Sent> all = new ArrayList<>();

        // p-flood: 80 at once. p-batch: 50 at once. p-steady: 40, one every 20 s, every fourth the same request
        // again. p-late: 20 in a burst at 5 min. p-rare: 10, one every 3 min, each expiring 8 min after asking, so that some
        // cannot be sent in time.
        plan(all, "p-flood", 80, t0, Duration.ZERO, Duration.ofMinutes(35), random, false);
        plan(all, "p-batch", 50, t0, Duration.ZERO, Duration.ofMinutes(35), random, false);
        plan(all, "p-steady", 40, t0, Duration.ofSeconds(20), Duration.ofMinutes(35), random, true);
        plan(all, "p-late", 20, t0.plus(Duration.ofMinutes(5)), Duration.ZERO, Duration.ofMinutes(30), random, false);
        plan(all, "p-rare", 10, t0.plusSeconds(30), Duration.ofMinutes(3), Duration.ofMinutes(8), random, false);
        assertThat(all).hasSize(200);

        for (Sent s : all) {
            loop.schedule(Duration.between(t0, s.arrival), () -> pacer.admit(
                            new PacedRequest(s.identity, s.contractKey, true, s.weight, s.producer, s.expiry))
                    .whenComplete((permit, error) -> {
                        Instant now = loop.clock().instant();
                        if (permit != null) {
                            s.admitted = now;
                            s.received = now.plusMillis(random.nextInt(1000));
                            // The Gateway answers within 0.2 to 30 s; one in twenty times the bridge gives up.
                            Duration answer = Duration.ofMillis(200 + random.nextInt(29_800));
                            boolean timesOut = random.nextInt(20) == 0;
                            loop.schedule(answer, () -> {
                                s.ended = loop.clock().instant();
                                if (timesOut) {
                                    permit.release();
                                } else {
                                    permit.answered();
                                }
                            });
                        } else {
                            s.refusedAt = now;
                            s.refusal = ((PacingRefusal) error).reason();
                        }
                    }));
        }
        loop.advance(Duration.ofMinutes(40));

        // Every request ended one way or the other, and a refused one exactly at its expiry.
        for (Sent s : all) {
            assertThat(s.admitted != null || s.refusal != null).as("%s %s ended", s.producer, s.identity).isTrue();
            if (s.admitted != null) {
                assertThat(s.admitted).isBefore(s.expiry).isAfterOrEqualTo(s.arrival);
            } else {
                assertThat(s.refusal).isEqualTo(PacingRefusal.Reason.WAIT_EXPIRED);
                assertThat(s.refusedAt).isEqualTo(s.expiry);
            }
        }
        List<Sent> admitted = all.stream().filter(s -> s.admitted != null).toList();
        PacingSnapshot snapshot = pacer.snapshot();
        assertThat(snapshot.admittedTotal()).isEqualTo(admitted.size());
        assertThat(snapshot.refusedExpired()).isEqualTo(all.size() - admitted.size());
        assertThat(snapshot.queueDepth()).isZero();
        assertThat(snapshot.openPermits()).isZero();
        assertThat(snapshot.pacingViolations()).isZero();

        List<String> atAdmission = IbRules.violations(admitted, s -> s.admitted);
        List<String> atReceipt = IbRules.violations(admitted, s -> s.received);
        assertThat(atAdmission).as("IB's rules on the admission times").isEmpty();
        assertThat(atReceipt).as("IB's rules on the receipt times (delay varying by < 1 s)").isEmpty();
        assertThat(IbRules.mostOpen(admitted)).isLessThanOrEqualTo(50);

        // The figures.
        Duration longest = all.stream()
                .map(s -> Duration.between(s.arrival, s.admitted != null ? s.admitted : s.refusedAt))
                .max(Comparator.naturalOrder()).orElseThrow();
        Map<String, String> firstRequests = new LinkedHashMap<>();
        for (String producer : List.of("p-flood", "p-batch", "p-steady", "p-late", "p-rare")) {
            Sent first = all.stream().filter(s -> s.producer.equals(producer)).findFirst().orElseThrow();
            // The bound the pacer's documentation derives: a first request waits at most 10 min + margin for the
            // 10-minute budget (5 producers, 2P = 10 <= 60; the breaker never opened here), unless its expiry
            // comes first.
            Instant bound = first.arrival.plus(Duration.ofMinutes(10)).plusSeconds(1);
            if (first.admitted != null) {
                assertThat(first.admitted).as("%s's first request", producer).isBeforeOrEqualTo(bound);
                firstRequests.put(producer, "admitted after " + Duration.between(first.arrival, first.admitted));
            } else {
                assertThat(first.expiry).as("%s's first request was refused", producer).isBefore(bound);
                Sent firstAdmitted = all.stream().filter(s -> s.producer.equals(producer) && s.admitted != null)
                        .findFirst().orElseThrow();
                firstRequests.put(producer, "refused at its expiry after "
                        + Duration.between(first.arrival, first.refusedAt) + "; its first admitted one after "
                        + Duration.between(firstAdmitted.arrival, firstAdmitted.admitted));
            }
        }
        System.out.printf("pacing simulation: %d admitted, %d refused at expiry, weight %d, longest wait %s, "
                        + "last admission at +%s%n", admitted.size(),
                all.size() - admitted.size(), admitted.stream().mapToInt(s -> s.weight).sum(), longest,
                Duration.between(t0, admitted.stream().map(s -> s.admitted).max(Comparator.naturalOrder())
                        .orElseThrow()));
        firstRequests.forEach((p, w) -> System.out.printf("pacing simulation: %s first request %s%n", p, w));
        assertThat(longest).isEqualTo(snapshot.longestWait());
    }

    @Test
    void theCheckerFindsEachKindOfViolation() {
        Instant t = Instant.parse("2026-01-05T15:00:00Z");
        List<Sent> identical = List.of(sent("A", "K", 1, t), sent("A", "K", 1, t.plusSeconds(15)));
        assertThat(IbRules.violations(identical, s -> s.admitted)).singleElement().asString().contains("identical");

        List<Sent> contract = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            contract.add(sent("R" + i, "K", 1, t.plusMillis(400L * i)));
        }
        assertThat(IbRules.violations(contract, s -> s.admitted)).isEmpty();
        contract.add(sent("R5", "K", 1, t.plusMillis(2000)));
        assertThat(IbRules.violations(contract, s -> s.admitted)).singleElement().asString().contains("2 s");
        List<Sent> bidAsk = List.of(sent("B0", "K", 2, t), sent("B1", "K", 2, t), sent("B2", "K", 2, t.plusSeconds(1)));
        assertThat(IbRules.violations(bidAsk, s -> s.admitted)).singleElement().asString().contains("2 s");

        List<Sent> tenMinutes = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            tenMinutes.add(sent("T" + i, "K" + i, 1, t.plusSeconds(10L * i)));
        }
        assertThat(IbRules.violations(tenMinutes, s -> s.admitted)).singleElement().asString().contains("10 min");
        tenMinutes.remove(60);
        tenMinutes.add(sent("T60", "K60", 1, t.plus(Duration.ofMinutes(10)).plusMillis(1)));
        assertThat(IbRules.violations(tenMinutes, s -> s.admitted)).isEmpty();

        List<Sent> open = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            Sent s = sent("O" + i, "O" + i, 1, t.plusMillis(i));
            s.ended = t.plusSeconds(10);
            open.add(s);
        }
        assertThat(IbRules.mostOpen(open)).isEqualTo(51);
    }

    private static Sent sent(String identity, String contractKey, int weight, Instant admitted) {
        Sent s = new Sent("p", identity, contractKey, weight, admitted, admitted.plusSeconds(3600));
        s.admitted = admitted;
        s.ended = admitted.plusSeconds(1);
        return s;
    }

    private static void plan(List<Sent> all, String producer, int count, Instant start, Duration every,
                             Duration expiresAfter, Random random, boolean repeats) {
        String lastIdentity = null;
        String lastContract = null;
        for (int i = 0; i < count; i++) {
            Instant arrival = start.plus(every.multipliedBy(i));
            String identity;
            String contractKey;
            int weight;
            if (repeats && i % 4 == 3) {
                identity = lastIdentity;
                contractKey = lastContract;
            } else {
                String symbol = SYMBOLS[random.nextInt(SYMBOLS.length)];
                // BID_ASK one time in seven, the others evenly.
                String tickType = random.nextInt(7) == 0 ? "BID_ASK" : TICK_TYPES[random.nextInt(2)];
                contractKey = symbol + "|SMART|" + tickType;
                identity = contractKey + "|5 secs|1800 S|end-" + producer + "-" + i;
            }
            weight = PacedRequest.weightFor(contractKey.substring(contractKey.lastIndexOf('|') + 1));
            all.add(new Sent(producer, identity, contractKey, weight, arrival, arrival.plus(expiresAfter)));
            lastIdentity = identity;
            lastContract = contractKey;
        }
    }

    /**
     * IB's historical-data rules for bars of 30 s or less, from IB's text: an identical request within 15 s; 6 or
     * more requests for the same contract, exchange and tick type within 2 s; more than 60 requests within any
     * 10 minutes; BID_ASK counting twice; at most 50 open at once. Windows are read strictly: both ends included.
     */
    static final class IbRules {

        interface When {
            Instant of(Sent s);
        }

        static List<String> violations(List<Sent> requests, When when) {
            List<Sent> sorted = new ArrayList<>(requests);
            sorted.sort(Comparator.comparing(when::of));
            List<String> found = new ArrayList<>();
            for (int i = 0; i < sorted.size(); i++) {
                Sent first = sorted.get(i);
                Instant start = when.of(first);
                int contractWeight = 0;
                int allWeight = 0;
                for (int j = i; j < sorted.size(); j++) {
                    Sent other = sorted.get(j);
                    Duration apart = Duration.between(start, when.of(other));
                    if (j > i && other.identity.equals(first.identity) && apart.compareTo(Duration.ofSeconds(15)) <= 0) {
                        found.add("identical request " + first.identity + " " + apart + " apart");
                    }
                    if (other.contractKey.equals(first.contractKey) && apart.compareTo(Duration.ofSeconds(2)) <= 0) {
                        contractWeight += other.weight;
                    }
                    if (apart.compareTo(Duration.ofMinutes(10)) <= 0) {
                        allWeight += other.weight;
                    }
                }
                if (contractWeight >= 6) {
                    found.add("weight " + contractWeight + " for " + first.contractKey + " within 2 s from " + start);
                }
                if (allWeight > 60) {
                    found.add("weight " + allWeight + " within 10 min from " + start);
                }
            }
            return found;
        }

        /** The most requests open at one instant: admitted and not yet ended. */
        static int mostOpen(List<Sent> requests) {
            record Edge(Instant at, int delta) {
            }
            List<Edge> edges = new ArrayList<>();
            for (Sent s : requests) {
                edges.add(new Edge(s.admitted, 1));
                edges.add(new Edge(s.ended, -1));
            }
            // At one instant, count the ends first: a slot freed and taken at once is not two open.
            edges.sort(Comparator.comparing(Edge::at).thenComparingInt(Edge::delta));
            int open = 0;
            int most = 0;
            for (Edge e : edges) {
                open += e.delta();
                most = Math.max(most, open);
            }
            return most;
        }
    }
}
