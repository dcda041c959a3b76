package io.twsbridge.demo;

import io.twsbridge.bridge.app.BridgeApp;
import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.diagnostics.LogFile;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.embedded.EmbeddedKafka;
import io.twsbridge.embedded.SchemaRegistryProcess;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.ContractDetails;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.ResolveContract;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one-command demo: an in-process Kafka broker, the schema registry, the Gateway simulator and the bridge,
 * a few sample commands, and a compact live view of quotes, order updates, fills and status, until Ctrl-C or the
 * duration ends. Everything it starts it stops, and its temporary directories are deleted, whether the duration
 * ends or SIGTERM or SIGINT (Ctrl-C) ends it.
 */
public final class Demo {

    private Demo() {
    }

    /**
     * How long SIGTERM or SIGINT lets the demo close what it started before the JVM halts: the bridge's clean
     * close (its Gateway drain takes 5 s at most), the registry (10 s at most) and the broker, with room to spare.
     * Should it pass, the registry is still ended by {@link io.twsbridge.embedded.ChildProcesses}.
     */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /**
     * Runs the demo, the framework logs (Kafka, the simulator, the bridge) to {@code logFile} rather than the
     * console, which is the live view's; returns the exit code.
     */
    public static int run(long durationSeconds, Path logFile) throws Exception {
        LogFile.only(logFile);
        say("logs of Kafka, the simulator and the bridge go to " + logFile);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // The JVM halts as soon as its shutdown hooks return, wherever the main thread is: this hook asks the main
        // thread to stop and returns only when it has closed everything (or the grace has passed), so that a signal
        // stops the demo as completely as the end of its duration does.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                if (!closed.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    say("not stopped within " + STOP_GRACE.toSeconds() + " s; halting");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            runUntilStopped(durationSeconds, stop);
            say("stopped; nothing left running");
        } catch (Exception | Error e) {
            if (stop.getCount() == 0) {
                // After a signal the JVM halts once the hook returns, before anyone else could print this.
                say("stopped after a failure: " + e);
            }
            throw e;
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // a signal: the JVM is already stopping, and the hook is waiting for the line above
            }
        }
        return 0;
    }

    private static void runUntilStopped(long durationSeconds, CountDownLatch stop) throws Exception {
        say("starting an in-process Kafka broker ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.startDefault()) {
            kafka.awaitReady(Duration.ofSeconds(60));
            say("Kafka ready at " + kafka.bootstrapServers());
            if (stop.getCount() == 0) {
                return;
            }
            say("starting the schema registry (Apicurio, Confluent API) ...");
            try (SchemaRegistryProcess registry = SchemaRegistryProcess.start(SchemaRegistryProcess.locateJar(),
                    Duration.ofSeconds(90));
                 GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().tickRate(2)
                         .build())) {
                say("schema registry ready at " + registry.confluentApiUrl() + " (its log: " + registry.logFile() + ")");
                say("simulated IB Gateway on 127.0.0.1:" + sim.apiPort() + " (admin http://127.0.0.1:" + sim.adminPort()
                        + "/state)");
                BridgeConfig config = new BridgeConfig(
                        GatewayConfig.builder().port(sim.apiPort()).clientId(17).build(),
                        KafkaSettings.builder().bootstrapServers(kafka.bootstrapServers()).partitions(1)
                                .bridgeId("demo-bridge").build(),
                        SchemaRegistryConfig.builder(registry.confluentApiUrl()).build(), ZombieProbe.forThisHost(),
                        OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                                .maxNotional(new BigDecimal("100000")).build());
                say("starting the bridge ...");
                try (BridgeApp bridge = new BridgeApp(config, Clock.systemUTC())) {
                    bridge.start();
                    if (awaitReady(bridge, stop)) {
                        say("bridge READY: accounts " + bridge.gateway().session().accounts());
                        say("watch it from another terminal, e.g.:");
                        say("  java -jar demo/target/bridge-demo.jar replay --topic ib.fills --bootstrap-server "
                                + kafka.bootstrapServers() + " --registry-url " + registry.confluentApiUrl());
                        sendSamples(kafka.bootstrapServers(), registry.confluentApiUrl());
                        watch(kafka.bootstrapServers(), registry.confluentApiUrl(), durationSeconds, stop);
                    }
                    say("stopping ...");
                }
            }
        }
    }

    /** Waits until the bridge is READY; false when asked to stop first. */
    private static boolean awaitReady(BridgeApp bridge, CountDownLatch stop) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(bridge.ready() && bridge.gateway().session().state() == SessionState.READY)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the bridge did not become ready: " + bridge.gateway().session().snapshot());
            }
            // A console progress loop, not a test: wakes at once when a signal asks it to stop.
            if (stop.await(100, TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
        return true;
    }

    private static void sendSamples(String bootstrap, String registryUrl) throws Exception {
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryConfig.builder(registryUrl).build());
        registry.register("ib.commands-value", Command.getClassSchema());
        AvroWireSerializer serializer = new AvroWireSerializer(registry);
        List<Command> samples = List.of(
                command("demo-sub-aapl", null, SubscribeQuotes.newBuilder().setInstrument(stock("AAPL")).build()),
                command("demo-sub-msft", null, SubscribeQuotes.newBuilder().setInstrument(stock("MSFT")).build()),
                command("demo-order-1", "DU111111", PlaceOrder.newBuilder().setInstrument(stock("AAPL"))
                        .setAction(OrderAction.BUY).setQuantity(new BigDecimal("5").setScale(10))
                        .setOrderType(OrderType.LMT).setLimitPrice(1000.0).setTimeInForce(TimeInForce.DAY)
                        .setOutsideRth(false).build()),
                command("demo-positions", null, RequestPositions.newBuilder().build()),
                command("demo-resolve-aapl", null, ResolveContract.newBuilder().setSymbol("AAPL").setSecType("STK")
                        .setCurrency("USD").build()),
                // A day of 5-minute bars, a strategy's warm-up: the last whole regular session.
                command(DEMO_BARS, null, RequestHistoricalBars.newBuilder().setInstrument(stock("AAPL"))
                        .setEndTime(lastSessionClose(Instant.now())).setDuration("1 D").setBarSize(BarSize.MIN_5)
                        .setWhatToShow(WhatToShow.TRADES).build()));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            for (Command c : samples) {
                producer.send(new ProducerRecord<>("ib.commands", RecordKeys.command(c).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize("ib.commands", c))).get();
                say("sent command " + c.getCommandId() + " (" + c.getPayload().getClass().getSimpleName() + ")");
            }
        }
    }

    private static void watch(String bootstrap, String registryUrl, long durationSeconds, CountDownLatch stop)
            throws InterruptedException {
        SchemaRegistryClient registry = new SchemaRegistryClient(SchemaRegistryConfig.builder(registryUrl).build());
        AvroWireDeserializer<Quote> quotes = new AvroWireDeserializer<>(Quote.class, registry);
        AvroWireDeserializer<OrderUpdate> orders = new AvroWireDeserializer<>(OrderUpdate.class, registry);
        AvroWireDeserializer<Fill> fills = new AvroWireDeserializer<>(Fill.class, registry);
        AvroWireDeserializer<GatewayStatus> statuses = new AvroWireDeserializer<>(GatewayStatus.class, registry);
        Decoders decoders = new Decoders(quotes, orders, fills, statuses,
                new AvroWireDeserializer<>(ContractDetails.class, registry), new AvroWireDeserializer<>(Bar.class, registry),
                new AvroWireDeserializer<>(CommandResult.class, registry));
        Map<String, String> lastState = new HashMap<>();
        List<Bar> demoBars = new ArrayList<>();
        CommandResult[] demoResult = new CommandResult[1];
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-viewer");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, Instant> lastQuoteLine = new HashMap<>();
        Instant end = durationSeconds > 0 ? Instant.now().plusSeconds(durationSeconds) : Instant.MAX;
        say(durationSeconds > 0 ? "live view for " + durationSeconds + " s (Ctrl-C stops earlier):"
                : "live view until Ctrl-C:");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of("ib.quotes", "ib.orders", "ib.fills", "ib.status", "ib.contracts", "ib.bars",
                    "ib.command-results"));
            while (Instant.now().isBefore(end) && stop.getCount() > 0) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    if (stop.getCount() == 0) {
                        break; // a signal: the rest of the batch is not shown
                    }
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        show(r, decoders, lastQuoteLine, lastState, demoBars, demoResult);
                    } catch (SerializationException e) {
                        // A viewer: a record it cannot decode (the registry already gone at a signal, say) is worth
                        // a line, not the end of the demo before it has closed what it started.
                        say("cannot show a record of " + r.topic() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /** One decoder per topic the live view shows. */
    private record Decoders(AvroWireDeserializer<Quote> quotes, AvroWireDeserializer<OrderUpdate> orders,
                            AvroWireDeserializer<Fill> fills, AvroWireDeserializer<GatewayStatus> statuses,
                            AvroWireDeserializer<ContractDetails> contracts, AvroWireDeserializer<Bar> bars,
                            AvroWireDeserializer<CommandResult> results) {
    }

    private static void show(ConsumerRecord<byte[], byte[]> r, Decoders decoders, Map<String, Instant> lastQuoteLine,
                             Map<String, String> lastState, List<Bar> demoBars, CommandResult[] demoResult) {
        switch (r.topic()) {
            case "ib.contracts" -> {
                ContractDetails d = decoders.contracts().deserialize(r.value());
                Instrument i = d.getInstrument();
                say("contract " + d.getConId() + " " + i.getSymbol() + " " + i.getSecType() + " " + i.getExchange()
                        + "/" + i.getPrimaryExchange() + " " + i.getCurrency() + " \"" + d.getLongName() + "\" tick "
                        + d.getMinTick() + ", hours in " + d.getTimeZoneId());
            }
            case "ib.bars" -> {
                Bar b = decoders.bars().deserialize(r.value());
                if (DEMO_BARS.equals(b.getCommandId())) {
                    demoBars.add(b);
                    summariseWhenWhole(demoBars, demoResult);
                }
            }
            case "ib.command-results" -> {
                CommandResult res = decoders.results().deserialize(r.value());
                if (res.getCommandId().equals(DEMO_BARS)) {
                    demoResult[0] = res;
                    summariseWhenWhole(demoBars, demoResult);
                } else if (res.getCommandId().startsWith("demo-resolve")) {
                    say("result " + res.getCommandId() + " " + res.getStatus() + " " + res.getReasonCode() + ": "
                            + res.getMessage());
                }
            }
            case "ib.quotes" -> {
                Quote q = decoders.quotes().deserialize(r.value());
                String sym = q.getInstrument().getSymbol();
                Instant last = lastQuoteLine.get(sym);
                if (last == null || last.plusSeconds(2).isBefore(Instant.now())) {
                    lastQuoteLine.put(sym, Instant.now());
                    say(String.format("quote  %-5s bid %s ask %s last %s  #%d", sym, q.getBid(), q.getAsk(),
                            q.getLast(), q.getSequence()));
                }
            }
            case "ib.orders" -> {
                OrderUpdate o = decoders.orders().deserialize(r.value());
                say("order  " + o.getOrderRef() + " " + o.getStatus() + " filled " + plain(o.getFilled()));
            }
            case "ib.fills" -> {
                Fill f = decoders.fills().deserialize(r.value());
                say("fill   " + f.getOrderRef() + " " + f.getSide() + " " + plain(f.getShares()) + " "
                        + f.getInstrument().getSymbol() + " @ " + f.getPrice() + " commission "
                        + plain(f.getCommission()));
            }
            default -> {
                // The status heartbeat repeats the state every few seconds: shown when the state changes.
                GatewayStatus st = decoders.statuses().deserialize(r.value());
                String state = st.getSessionState().toString();
                if (!state.equals(lastState.put(st.getBridgeId().toString(), state))) {
                    say("status " + st.getBridgeId() + " " + state + ": " + st.getStateReason());
                }
            }
        }
    }

    /**
     * Prints the bars' summary once the result and every bar it counts are in: the topics are read together, so the
     * result may be read before the last bars.
     */
    private static void summariseWhenWhole(List<Bar> bars, CommandResult[] result) {
        CommandResult r = result[0];
        if (r != null && (r.getRecordCount() == null || bars.size() >= r.getRecordCount())) {
            say("bars   " + summary(r, bars));
            result[0] = null;
        }
    }

    /** AAPL: 78 bars of 5 mins from .. to ..: open, high, low, close, volume of the whole range. */
    private static String summary(CommandResult result, List<Bar> bars) {
        if (result.getStatus() != CommandStatus.COMPLETED || bars.isEmpty()) {
            return result.getStatus() + " " + result.getReasonCode() + ": " + result.getMessage();
        }
        BigDecimal high = bars.stream().map(Bar::getHigh).max(BigDecimal::compareTo).orElseThrow();
        BigDecimal low = bars.stream().map(Bar::getLow).min(BigDecimal::compareTo).orElseThrow();
        BigDecimal volume = bars.stream().map(Bar::getVolume).filter(java.util.Objects::nonNull)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        Bar first = bars.get(0);
        Bar last = bars.get(bars.size() - 1);
        return first.getInstrument().getSymbol() + " (conId " + first.getInstrument().getConId() + "): "
                + result.getRecordCount() + " bars of " + first.getBarSize() + " from " + result.getFirstBarTime()
                + " to " + result.getLastBarTime() + ": open " + plain(first.getOpen()) + " high " + plain(high)
                + " low " + plain(low) + " close " + plain(last.getClose()) + " volume " + plain(volume);
    }

    /** The close (16:00 New York) of the last weekday session ended by {@code now}; holidays are not known here. */
    static Instant lastSessionClose(Instant now) {
        java.time.ZoneId newYork = java.time.ZoneId.of("America/New_York");
        java.time.ZonedDateTime close = now.atZone(newYork).toLocalDate().atTime(16, 0).atZone(newYork);
        while (close.toInstant().isAfter(now) || close.getDayOfWeek() == java.time.DayOfWeek.SATURDAY
                || close.getDayOfWeek() == java.time.DayOfWeek.SUNDAY) {
            close = close.minusDays(1);
        }
        return close.toInstant();
    }

    private static String plain(BigDecimal d) {
        return d == null ? "-" : d.stripTrailingZeros().toPlainString();
    }

    private static final String DEMO_BARS = "demo-bars-aapl";

    private static Command command(String id, String account, Object payload) {
        return Command.newBuilder().setCommandId(id).setIssuedAt(Instant.now()).setAccount(account).setPayload(payload)
                .build();
    }

    private static Instrument stock(String symbol) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency("USD").build();
    }

    private static void say(String line) {
        System.out.println("[demo] " + line);
        System.out.flush();
    }
}
