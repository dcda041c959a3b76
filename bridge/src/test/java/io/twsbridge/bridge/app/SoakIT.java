package io.twsbridge.bridge.app;

import io.twsbridge.bridge.testing.ProcessGauges;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorProbe;
import io.twsbridge.sim.SimulatorState;
import io.twsbridge.testkit.BridgeProcess;
import io.twsbridge.testkit.PrometheusText;
import org.apache.avro.generic.GenericRecord;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * The soak: the production jar, in its own JVM with the production JVM options, streams 100 instruments at 5,000
 * ticks/s in total while a strategy places a marketable order every 2 s and the Gateway drops the link every 15 s
 * (a dropped connection and a Gateway restart, in turn; the next drop waits until the bridge has reconnected and
 * every subscription is streaming again). Throughout, the bridge's threads, file descriptors and sockets and its live
 * heap must stay flat ({@link SoakSeries}); every accepted order must reach the Gateway exactly once and fill (one
 * refused with NOT_CONNECTED, consumed just as the link dropped, must not reach it at all), and every execution must
 * be on ib.fills at least once; no error and no stack trace may reach the log, and SIGTERM must stop the bridge.
 *
 * <p>Length: {@code -Dsoak.duration} (ISO-8601), {@code PT60S} in {@code mvn verify}; {@code ops/soak.sh} runs
 * {@code PT30M}. The figures line, the samples (CSV) and the bridge's log are kept in {@code target/soak/}.
 */
class SoakIT extends WithKafkaStack {

    private static final int INSTRUMENTS = 100;
    private static final double TICKS_PER_SECOND = 5_000;
    /** The simulator's price move is four tick messages: bid, ask, last (each with its size) and the volume. */
    private static final int TICKS_PER_MOVE = 4;
    private static final int CLIENT_ID = 17;
    private static final String ACCOUNT = "DU111111";
    /** The simulator's prices start between 50 and 550 and wander by cents: a buy at 1,000 fills at once. */
    private static final double MARKETABLE_LIMIT = 1_000;
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);
    private static final Duration ORDER_EVERY = Duration.ofSeconds(2);
    private static final Duration DROP_EVERY = Duration.ofSeconds(15);
    /** No drop this close to the end: its recovery would come after the last sample, and only lengthen the run. */
    private static final Duration QUIET_END = Duration.ofSeconds(10);
    /** A Gateway restart refuses connections this long: the bridge's first attempt may fail and back off. */
    private static final Duration RESTART_REFUSAL = Duration.ofSeconds(2);
    /** For anything that should happen soon, on a 2-core machine that is busy with the rest of the run. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @Test
    void staysFlatAndPublishesEveryFillUnderTicksOrdersAndGatewayDrops() throws Exception {
        Duration duration = Duration.parse(System.getProperty("soak.duration", "PT60S"));
        // A sixth of the run (at most a minute) for JIT, class loading and the GC to settle; a live-heap checkpoint
        // (a forced full collection) every 5 s, or 30 in a long run.
        Duration warmup = min(Duration.ofSeconds(60), duration.dividedBy(6));
        Duration checkpointEvery = max(Duration.ofSeconds(5), duration.dividedBy(30));
        Path jar = Path.of(System.getProperty("soak.bridgeJar", "target/bridge.jar"));
        Path dir = jar.toAbsolutePath().getParent().resolve("soak");
        String prefix = "soak-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> symbols = new ArrayList<>();
        for (int i = 1; i <= INSTRUMENTS; i++) {
            symbols.add(String.format(Locale.ROOT, "S%04d", i));
        }
        LongAdder ticks = new LongAdder();
        SoakProbes.requireJar(jar);
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .symbols(symbols).tickRate(TICKS_PER_SECOND / TICKS_PER_MOVE / INSTRUMENTS).build());
             BridgeUnderTest client = new BridgeUnderTest(stack, sim, prefix, k -> k, g -> g);
             BridgeProcess bridge = BridgeProcess.runJar(jar, properties(sim, prefix), dir, prefix).start()) {
            sim.setProbe(new SimulatorProbe() {
                @Override
                public void ticksQueued(long connectionId, int reqId, String symbol, int count, long nanoTime) {
                    ticks.add(count);
                }
            });
            bridge.awaitReady(PATIENCE);
            client.registerCommandSchema();
            for (String symbol : symbols) {
                client.send(Commands.subscribe(prefix + "-subscribe-" + symbol, symbol));
            }
            await("every subscription streaming").atMost(PATIENCE).until(() -> subscriptions(sim) == INSTRUMENTS);

            Run run = new Run(sim, client, bridge, prefix, symbols, ticks, new SoakSeries(warmup.toMillis() / 1000.0));
            run.execute(duration, warmup, checkpointEvery);
            run.judge(duration, dir);
        }
    }

    /** The bridge's configuration file: production defaults but for where things are and orders switched on. */
    private static Properties properties(GatewaySimulator sim, String prefix) {
        Properties p = new Properties();
        p.setProperty("bridge.id", prefix + "-bridge");
        p.setProperty("gateway.host", "127.0.0.1");
        p.setProperty("gateway.port", Integer.toString(sim.apiPort()));
        p.setProperty("gateway.client-id", Integer.toString(CLIENT_ID));
        p.setProperty("kafka.bootstrap.servers", stack.kafka().bootstrapServers());
        p.setProperty("kafka.command-group-id", prefix + "-commands");
        p.setProperty("registry.url", stack.registry().confluentApiUrl());
        for (Topic t : Topic.values()) {
            p.setProperty("topics." + t.name().toLowerCase(Locale.ROOT).replace('_', '-'), prefix + "." + t.defaultName());
        }
        p.setProperty("topics.subscriptions", prefix + ".ib.subscriptions");
        p.setProperty("topics.order-journal", prefix + ".ib.order-journal");
        p.setProperty("topics.partitions", "2");
        p.setProperty("orders.enabled", "true");
        // Each drop is a new incident, not flapping: links of 15 s outlive this cap, so the bridge reconnects after
        // the first backoff step every time instead of doubling its wait (see ConnectionSupervisor.STABLE_LINK).
        p.setProperty("gateway.retry-max-backoff", "10s");
        p.setProperty("http.host", "127.0.0.1");
        p.setProperty("http.port", "0");
        return p;
    }

    private static int subscriptions(GatewaySimulator sim) {
        return (int) sim.state().subscriptions().stream().filter(s -> s.clientId() == CLIENT_ID).count();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** One Gateway drop: what was done, when, to which connection, and when every subscription streamed again. */
    private record Drop(String kind, double at, long connectionId, double recoveredAt) {
        boolean recovered() {
            return !Double.isNaN(recoveredAt);
        }
    }

    /** The run's drivers (sampler, checkpoints, orders, drops) and what they saw. */
    private static final class Run {
        private final GatewaySimulator sim;
        private final BridgeUnderTest client;
        private final BridgeProcess bridge;
        private final String prefix;
        private final List<String> symbols;
        private final LongAdder ticks;
        private final SoakSeries series;
        private final String quotesTopic;
        private final String fillsTopic;
        private final List<String> orders = new CopyOnWriteArrayList<>();
        private final List<Drop> drops = new CopyOnWriteArrayList<>();
        private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile double nextDropAt;
        private volatile double lastDropAt;
        private volatile long start;
        private volatile SoakProbes.LiveHeap judgedHeap;
        private volatile SoakProbes.LiveHeap latestHeap;
        private volatile Map<String, Integer> judgedThreads;

        Run(GatewaySimulator sim, BridgeUnderTest client, BridgeProcess bridge, String prefix, List<String> symbols,
            LongAdder ticks, SoakSeries series) {
            this.sim = sim;
            this.client = client;
            this.bridge = bridge;
            this.prefix = prefix;
            this.symbols = symbols;
            this.ticks = ticks;
            this.series = series;
            this.quotesTopic = client.topic(Topic.QUOTES);
            this.fillsTopic = client.topic(Topic.FILLS);
        }

        /** Runs the load for {@code duration}; returns early only if the bridge exits. */
        void execute(Duration duration, Duration warmup, Duration checkpointEvery) throws InterruptedException {
            nextDropAt = DROP_EVERY.toMillis() / 1000.0;
            lastDropAt = duration.minus(QUIET_END).toMillis() / 1000.0;
            ScheduledExecutorService drivers = Executors.newScheduledThreadPool(4, r -> {
                Thread t = new Thread(r, "soak-driver");
                t.setDaemon(true);
                return t;
            });
            start = System.nanoTime();
            try {
                drivers.scheduleAtFixedRate(() -> guarded("sample", () -> sample(warmup)), 0,
                        SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                drivers.scheduleAtFixedRate(() -> guarded("live heap", () -> checkpoint(warmup)), 0,
                        checkpointEvery.toMillis(), TimeUnit.MILLISECONDS);
                drivers.scheduleAtFixedRate(() -> guarded("order", this::placeOrder), ORDER_EVERY.toMillis(),
                        ORDER_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                drivers.scheduleAtFixedRate(() -> guarded("drop", this::dropWhenDue), 1, 1, TimeUnit.SECONDS);
                drivers.schedule(finished::countDown, duration.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished.await(duration.plus(PATIENCE).toMillis(), TimeUnit.MILLISECONDS)) {
                    errors.add("the run did not end on time");
                }
            } finally {
                // Tasks under way finish (an order sent is an order counted); periodic ones do not start again.
                drivers.shutdown();
                if (!drivers.awaitTermination(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                    errors.add("a driver did not stop");
                }
            }
        }

        double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        private void guarded(String what, ThrowingAction action) {
            try {
                action.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception | AssertionError e) {
                errors.add(String.format(Locale.ROOT, "%s at %.0f s: %s", what, seconds(), e));
            }
        }

        private void sample(Duration warmup) throws Exception {
            double at = seconds();
            if (!bridge.isAlive()) {
                errors.add(String.format(Locale.ROOT, "the bridge exited at %.0f s", at));
                finished.countDown();
                return;
            }
            ProcessGauges.Snapshot gauges = ProcessGauges.of(bridge.pid());
            PrometheusText metrics = PrometheusText.parse(bridge.scrapeMetrics());
            series.add(new SoakSeries.Sample(at, gauges.threads(), gauges.fileDescriptors(), gauges.sockets(),
                    (long) metrics.sumWith("jvm_memory_used_bytes", Map.of("area", "heap")), ticks.sum(),
                    (long) metrics.sumWith("tws_bridge_events_published_total", Map.of("topic", quotesTopic)),
                    (long) metrics.sumWith("tws_bridge_events_published_total", Map.of("topic", fillsTopic)),
                    subscriptions(sim), metrics.sumWith("tws_bridge_ready", Map.of()) == 1));
            if (judgedThreads == null && at >= warmup.toMillis() / 1000.0) {
                judgedThreads = SoakProbes.threadNames(bridge.pid());
            }
        }

        private void checkpoint(Duration warmup) throws Exception {
            SoakProbes.LiveHeap heap = SoakProbes.liveHeap(bridge);
            double at = seconds();
            series.add(new SoakSeries.Checkpoint(at, heap.bytes()));
            if (judgedHeap == null && at >= warmup.toMillis() / 1000.0) {
                judgedHeap = heap;
            }
            latestHeap = heap;
        }

        private void placeOrder() throws Exception {
            String commandId = prefix + "-order-" + (orders.size() + 1);
            String symbol = symbols.get(orders.size() % symbols.size());
            client.send(Commands.limitOrder(commandId, ACCOUNT, symbol, "1", MARKETABLE_LIMIT));
            orders.add(commandId);
        }

        /**
         * Drops the link when one is due and the bridge has recovered from the previous drop: a dropped connection
         * and a Gateway restart (nothing listens for a moment), in turn. Drops fall on a 1 s grid and orders on a 2 s
         * grid from the same start, so about every other drop meets an order on its way in, as a production link may
         * drop under a command.
         */
        private void dropWhenDue() throws Exception {
            Optional<SimulatorState.Connection> active = activeConnection();
            double at = seconds();
            if (!noteRecovery(active, at) || at < nextDropAt || at > lastDropAt || active.isEmpty()) {
                return;
            }
            boolean restart = drops.size() % 2 == 1;
            if (restart) {
                sim.restart(RESTART_REFUSAL);
            } else {
                sim.dropAllConnections();
            }
            drops.add(new Drop(restart ? "restart" : "link", at, active.get().id(), Double.NaN));
            nextDropAt = at + DROP_EVERY.toMillis() / 1000.0;
        }

        /**
         * Notes when the bridge has recovered from the last drop: a new connection is up and streams every instrument
         * again. True once it has (or when nothing was dropped yet).
         */
        private boolean noteRecovery(Optional<SimulatorState.Connection> active, double at) {
            if (drops.isEmpty()) {
                return true;
            }
            Drop last = drops.get(drops.size() - 1);
            if (last.recovered()) {
                return true;
            }
            if (active.isEmpty() || active.get().id() <= last.connectionId() || subscriptions(sim) != INSTRUMENTS) {
                return false;
            }
            drops.set(drops.size() - 1, new Drop(last.kind(), last.at(), last.connectionId(), at));
            return true;
        }

        private Optional<SimulatorState.Connection> activeConnection() {
            return sim.state().connections().stream().filter(c -> c.clientId() == CLIENT_ID && c.state().equals("ACTIVE"))
                    .findFirst();
        }

        /** After the run: waits for the last recovery and the last fill, then judges everything at once. */
        void judge(Duration duration, Path dir) throws Exception {
            boolean recovered = waitFor(PATIENCE, () -> noteRecovery(activeConnection(), seconds()));
            Map<String, Integer> endThreads = SoakProbes.threadNames(bridge.pid());
            List<String> flatness = series.problems(SoakSeries.LIMITS);
            SoakProbes.LiveHeap endHeap = latestHeap;

            // Every order answered; the placed ones filled at the Gateway and published.
            waitFor(PATIENCE, () -> results().keySet().containsAll(orders));
            Map<String, List<String>> results = results();
            Set<String> placed = orders.stream().filter(id -> results.getOrDefault(id, List.of()).stream()
                    .anyMatch(r -> r.startsWith("ACCEPTED "))).collect(Collectors.toSet());
            waitFor(PATIENCE, () -> sim.executionIds().size() >= placed.size());
            List<String> executions = sim.executionIds();
            waitFor(PATIENCE, () -> fills().stream().map(f -> f.get("execId").toString()).collect(Collectors.toSet())
                    .containsAll(executions));
            List<GenericRecord> fills = fills();
            Set<String> publishedExecIds = fills.stream().map(f -> f.get("execId").toString())
                    .collect(Collectors.toSet());
            Set<String> missing = new HashSet<>(executions);
            missing.removeAll(publishedExecIds);
            Map<String, Integer> placeOrders = sim.state().placeOrderCountByOrderRef();
            PrometheusText metrics = PrometheusText.parse(bridge.scrapeMetrics());

            BridgeProcess.Stop stop = bridge.stop(Duration.ofSeconds(60));
            List<String> trouble = SoakProbes.troubleInLog(bridge.log(), 20);

            List<SoakSeries.Sample> samples = series.samples();
            if (samples.isEmpty()) {
                throw new AssertionError("no sample of the bridge: " + errors + "\n" + bridge.logTail(40));
            }
            SoakSeries.Sample first = samples.get(0);
            SoakSeries.Sample end = samples.get(samples.size() - 1);
            double seconds = end.seconds() - first.seconds();
            long ticksSent = end.ticks() - first.ticks();
            OptionalLong lastThirdStart = samples.stream().filter(s -> s.seconds() >= end.seconds() * 2 / 3)
                    .mapToLong(SoakSeries.Sample::ticks).min();
            long lastThirdQuotes = end.quotesPublished() - samples.stream()
                    .filter(s -> s.seconds() >= end.seconds() * 2 / 3).mapToLong(SoakSeries.Sample::quotesPublished)
                    .min().orElse(end.quotesPublished());
            Map<String, Long> statuses = orders.stream().collect(Collectors.groupingBy(
                    id -> String.join(" then ", results.getOrDefault(id, List.of("no result"))), LinkedHashMap::new,
                    Collectors.counting()));
            List<String> placedOtherThanOnce = orders.stream()
                    .filter(id -> placeOrders.getOrDefault(id, 0) != (placed.contains(id) ? 1 : 0))
                    .map(id -> id + " " + results.get(id) + ", placeOrders " + placeOrders.getOrDefault(id, 0)).toList();
            String figures = String.format(Locale.ROOT, "SOAK %s: %.0f s of load; ticks %,d (%,.0f/s; %,.0f/s while "
                            + "every instrument was subscribed, nominal %,.0f); "
                            + "quotes published %,d, shed %,.0f; orders %d (%s), %d reached the Gateway, %d executions, "
                            + "%d of them on ib.fills (%d fill records, %d missing); drops %d (%s; recovered within %.0f s at "
                            + "most); connect attempts %s; heap used peak %.1f MiB; live heap %s MiB, peak %.1f MiB; "
                            + "threads %s; fds %s; sockets %s; stop %s after SIGTERM (exit %d)",
                    duration, seconds, ticksSent, ticksSent / seconds, streamingTickRate(samples), TICKS_PER_SECOND,
                    end.quotesPublished() - first.quotesPublished(),
                    metrics.sumWith("tws_bridge_quotes_shed_total", Map.of()), orders.size(), statuses, placeOrders.size(),
                    executions.size(), executions.size() - missing.size(), fills.size(), missing.size(), drops.size(),
                    drops.stream().collect(Collectors.groupingBy(Drop::kind, Collectors.counting())),
                    drops.stream().filter(Drop::recovered).mapToDouble(d -> d.recoveredAt() - d.at()).max().orElse(0),
                    attempts(metrics), series.peakHeapUsedBytes() / SoakSeries.MIB,
                    series.liveHeapThirds(), series.peakLiveHeapBytes() / SoakSeries.MIB,
                    series.thirds(SoakSeries.Sample::threads, 1), series.thirds(SoakSeries.Sample::fileDescriptors, 1),
                    series.thirds(SoakSeries.Sample::sockets, 1),
                    stop.graceful() ? String.format(Locale.ROOT, "%.1f s", stop.took().toMillis() / 1000.0) : "KILLED",
                    stop.exitCode());
            System.out.println(figures);
            Files.writeString(dir.resolve(prefix + "-figures.txt"), figures + "\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(prefix + "-samples.csv"), series.csv(), StandardCharsets.UTF_8);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(List.copyOf(errors)).as("errors while driving the run").isEmpty();
            soft.assertThat(seconds).as("seconds of load (the bridge stayed up)")
                    .isGreaterThanOrEqualTo(duration.toMillis() / 1000.0 - 2 * SAMPLE_EVERY.toSeconds());
            soft.assertThat(flatness).as("threads, descriptors, sockets and live heap flat; thread names after the "
                    + "warm-up %s and at the end %s; live-heap growth by class: %s", judgedThreads, endThreads,
                    endHeap == null || judgedHeap == null ? "-" : endHeap.growthSince(judgedHeap, 10)).isEmpty();
            soft.assertThat(drops).as("Gateway drops").isNotEmpty();
            soft.assertThat(recovered).as("reconnected and resubscribed after every drop: %s", drops).isTrue();
            soft.assertThat(end.ticks() - lastThirdStart.orElse(end.ticks())).as("ticks in the last third").isPositive();
            soft.assertThat(lastThirdQuotes).as("quotes published in the last third").isPositive();
            soft.assertThat(orders).as("orders sent").isNotEmpty();
            soft.assertThat(results.keySet()).as("a result for every order").containsAll(orders);
            soft.assertThat(orders.stream().filter(id -> !placed.contains(id)).map(id -> id + " " + results.get(id)))
                    .as("orders not accepted; only NOT_CONNECTED (the link dropped between the bridge's check and its "
                            + "send: nothing was sent) is allowed")
                    .allMatch(s -> s.endsWith("[REJECTED NOT_CONNECTED]"));
            soft.assertThat(placedOtherThanOnce).as("orders placed at the Gateway other than exactly once when accepted "
                    + "(and never when not)").isEmpty();
            soft.assertThat(executions).as("executions at the Gateway, one per placed order").hasSize(placed.size());
            soft.assertThat(missing).as("executions missing from ib.fills").isEmpty();
            soft.assertThat(fills).as("fills of orders this run placed")
                    .allMatch(f -> placed.contains(String.valueOf(f.get("orderRef"))));
            soft.assertThat(metrics.sumWith("tws_bridge_publish_errors_total", Map.of())).as("records Kafka refused")
                    .isZero();
            soft.assertThat(stop.graceful()).as("stopped within 60 s of SIGTERM").isTrue();
            soft.assertThat(stop.exitCode()).as("a clean stop on SIGTERM exits 0, not 143").isZero();
            soft.assertThat(trouble).as("ERROR lines and stack traces in the bridge's log %s", bridge.log()).isEmpty();
            soft.assertAll();
        }

        /** Ticks per second between samples at which the simulator streamed every instrument to the bridge. */
        private static double streamingTickRate(List<SoakSeries.Sample> samples) {
            double seconds = 0;
            long ticks = 0;
            for (int i = 1; i < samples.size(); i++) {
                SoakSeries.Sample a = samples.get(i - 1);
                SoakSeries.Sample b = samples.get(i);
                if (a.subscriptions() == INSTRUMENTS && b.subscriptions() == INSTRUMENTS) {
                    seconds += b.seconds() - a.seconds();
                    ticks += b.ticks() - a.ticks();
                }
            }
            return ticks / seconds;
        }

        /** Every result ("STATUS REASON") of each command of this run, in order, by commandId. */
        private Map<String, List<String>> results() {
            Map<String, List<String>> byId = new LinkedHashMap<>();
            client.values(Topic.COMMAND_RESULTS).forEach(r -> byId.computeIfAbsent(r.get("commandId").toString(),
                    k -> new ArrayList<>()).add(r.get("status") + " " + r.get("reasonCode")));
            return byId;
        }

        private List<GenericRecord> fills() {
            return client.values(Topic.FILLS);
        }

        /** Connection attempts by outcome, those that happened. */
        private static Map<String, Long> attempts(PrometheusText metrics) {
            Map<String, Long> byOutcome = new LinkedHashMap<>();
            metrics.samples().stream().filter(s -> s.name().equals("tws_bridge_connect_attempts_total") && s.value() > 0)
                    .forEach(s -> byOutcome.put(s.labels().get("outcome"), (long) s.value()));
            return Collections.unmodifiableMap(byOutcome);
        }
    }

    /** Waits for {@code condition}; false if it did not come true in time (the caller asserts, with figures). */
    private static boolean waitFor(Duration timeout, BooleanSupplier condition) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(condition::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface ThrowingAction {
        void run() throws Exception;
    }
}
