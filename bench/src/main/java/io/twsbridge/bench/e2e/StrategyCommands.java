package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bridge.app.BridgeApp;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Commands as a strategy process writes them to the bridge's commands topic (Avro, Confluent wire format, keyed
 * by account), and the waits the end-to-end benchmarks share. None of this is measured.
 */
final class StrategyCommands {

    /**
     * How long closing a bridge may take: it sends what it holds and waits for the acknowledgements, a second or
     * two, unless its records stopped flowing, and then it would never end
     * ({@link io.twsbridge.bench.support.Closing}).
     */
    static final Duration BRIDGE_CLOSE = Duration.ofSeconds(60);

    /** Decimal fields of the contract carry scale 10. */
    private static final int DECIMAL_SCALE = 10;

    private final AvroWireSerializer serializer;
    private final String commandsTopic;

    private StrategyCommands(AvroWireSerializer serializer, String commandsTopic) {
        this.serializer = serializer;
        this.commandsTopic = commandsTopic;
    }

    /**
     * Registers the Command schema under {@code <commandsTopic>-value} (the bridge registered it already; this
     * fills the strategy's own client cache, so serializing never calls the registry).
     */
    static StrategyCommands forTopic(SchemaRegistryClient registry, String commandsTopic) {
        registry.register(commandsTopic + Topic.VALUE_SUBJECT_SUFFIX, Command.getClassSchema());
        return new StrategyCommands(new AvroWireSerializer(registry), commandsTopic);
    }

    /**
     * A latency-minded strategy's producer: durable (acks=all, idempotent) and sending each command at once
     * instead of lingering to batch it.
     */
    static Map<String, Object> producerSettings() {
        return Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0);
    }

    /** The record for {@code command} on the commands topic, keyed as the contract says. */
    ProducerRecord<byte[], byte[]> record(Command command) {
        return record(commandsTopic, command);
    }

    /** The same bytes and key as {@link #record(Command)}, sent to another topic (a baseline's). */
    ProducerRecord<byte[], byte[]> record(String topic, Command command) {
        return new ProducerRecord<>(topic, RecordKeys.command(command).getBytes(StandardCharsets.UTF_8),
                serializer.serialize(commandsTopic, command));
    }

    static Instrument stock(String symbol) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency("USD")
                .build();
    }

    /** A day limit order to buy, far enough below the market to rest without filling. */
    static Command restingLimitBuy(String commandId, String account, String symbol, int quantity, double limitPrice) {
        PlaceOrder order = PlaceOrder.newBuilder().setInstrument(stock(symbol)).setAction(OrderAction.BUY)
                .setQuantity(BigDecimal.valueOf(quantity).setScale(DECIMAL_SCALE)).setOrderType(OrderType.LMT)
                .setLimitPrice(limitPrice).setTimeInForce(TimeInForce.DAY).setOutsideRth(false).build();
        return Command.newBuilder().setCommandId(commandId).setIssuedAt(Instant.now()).setAccount(account)
                .setPayload(order).build();
    }

    /**
     * Sends one SubscribeQuotes command per symbol (command ids {@code idPrefix + symbol}) from a producer of its
     * own, and waits until Kafka has acknowledged every one.
     *
     * @throws ProgressWatchdog.StalledException when acknowledgements stop coming for {@code watchdog}'s bound
     */
    void subscribeAll(BenchStack stack, String idPrefix, List<String> symbols, ProgressWatchdog watchdog)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = stack.producer(producerSettings(), List.of(commandsTopic))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (String symbol : symbols) {
                acks.add(producer.send(record(subscribeQuotes(idPrefix + symbol, symbol))));
            }
            awaitAcknowledged(acks, watchdog);
        }
    }

    /**
     * Waits until every send of {@code acks} is done, for as long as acknowledgements keep coming (a bounded
     * {@code flush}), then throws what the first failed one failed with.
     */
    static void awaitAcknowledged(List<Future<RecordMetadata>> acks, ProgressWatchdog watchdog)
            throws InterruptedException, ExecutionException {
        LongSupplier done = () -> acks.stream().filter(Future::isDone).count();
        watchdog.watch("acknowledgement", done)
                .status(() -> done.getAsLong() + " of " + acks.size() + " records acknowledged")
                .await(() -> done.getAsLong() == acks.size());
        for (Future<RecordMetadata> ack : acks) {
            ack.get(); // done: returns at once, or throws why it failed
        }
    }

    static Command subscribeQuotes(String commandId, String symbol) {
        return Command.newBuilder().setCommandId(commandId).setIssuedAt(Instant.now())
                .setPayload(SubscribeQuotes.newBuilder().setInstrument(stock(symbol)).build()).build();
    }

    /** Starts the bridge and waits until it is ready (session READY, Kafka reachable). */
    static void startAndAwaitReady(BridgeApp bridge, Duration timeout) throws InterruptedException, TimeoutException {
        bridge.start();
        awaitTrue(() -> bridge.ready() && bridge.gateway().session().state() == SessionState.READY, timeout,
                () -> "the bridge did not become ready: " + bridge.gateway().session().snapshot());
    }

    /**
     * Waits for {@code condition}, checking every millisecond: set-up and settling only, never inside a measured
     * interval (those are timed by the probes' own timestamps).
     */
    static void awaitTrue(BooleanSupplier condition, Duration timeout, Supplier<String> failure)
            throws InterruptedException, TimeoutException {
        if (!waitUntil(condition, timeout)) {
            throw new TimeoutException(failure.get());
        }
    }

    /** As {@link #awaitTrue}, but says whether the condition came true instead of throwing. */
    static boolean waitUntil(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting");
            }
        }
        return true;
    }
}
