package io.twsbridge.bridge.kafka.consume;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The consumer against Kafka's mock clients: whatever a record holds, its answers fit in what Kafka accepts, and no
 * record, not even one that trips a fault of the bridge, stops the consumer.
 */
class CommandConsumerTest {

    /** A small max.request.size, so that records near it stay small in a unit test. */
    private static final int MAX_REQUEST = 64 * 1024;
    private static final String TOPIC = "ib.commands";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    private final KafkaSettings settings = KafkaSettings.builder().bridgeId("b1")
            .clientProperties(Map.of("max.request.size", String.valueOf(MAX_REQUEST))).build();
    /** Whether joined() already said yes while the consumer was still subscribing; null until it subscribes. */
    private final java.util.concurrent.atomic.AtomicReference<Boolean> joinedWhileSubscribing =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest") {
        @Override
        public synchronized void subscribe(java.util.Collection<String> topics,
                                           org.apache.kafka.clients.consumer.ConsumerRebalanceListener listener) {
            joinedWhileSubscribing.set(consumer.joined());
            super.subscribe(topics, listener);
        }
    };
    private final List<SpecificRecord> encoded = new CopyOnWriteArrayList<>();
    private CommandConsumer consumer;
    private MockProducer<byte[], byte[]> producer;

    @AfterEach
    void stop() {
        if (consumer != null) {
            consumer.close();
        }
    }

    @Test
    void aDeadLetterThatWouldNotFitLosesItsValueAndSaysSo() {
        start(true, bytes -> {
            throw new IllegalArgumentException("not a command");
        });
        byte[] large = new byte[MAX_REQUEST - 100];
        byte[] small = {1, 2, 3};
        deliver(List.of(record(0, "k", large), record(1, "k", small)));

        awaitCommitted(2);
        List<ProducerRecord<byte[], byte[]>> deadLetters = sentTo(settings.topic(Topic.COMMANDS_DLQ));
        assertThat(deadLetters).hasSize(2);
        ProducerRecord<byte[], byte[]> cut = deadLetters.get(0);
        assertThat(cut.value()).isNull();
        assertThat(cut.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(header(cut, io.twsbridge.schema.catalogue.DlqHeaders.OMITTED)).contains("value (" + large.length + " bytes)")
                .contains(TOPIC + "-0@0");
        assertThat(header(cut, DlqHeaders.SOURCE_OFFSET)).isEqualTo("0");
        ProducerRecord<byte[], byte[]> whole = deadLetters.get(1);
        assertThat(whole.value()).isEqualTo(small);
        assertThat(header(whole, io.twsbridge.schema.catalogue.DlqHeaders.OMITTED)).isNull();
    }

    @Test
    void aHugeKeyIsLeftOutOfTheDeadLetterToo() {
        start(true, bytes -> {
            throw new IllegalArgumentException("not a command");
        });
        deliver(List.of(new ConsumerRecord<>(TOPIC, 0, 0, new byte[MAX_REQUEST - 50], new byte[] {9})));

        awaitCommitted(1);
        ProducerRecord<byte[], byte[]> cut = sentTo(settings.topic(Topic.COMMANDS_DLQ)).get(0);
        assertThat(cut.key()).isNull();
        assertThat(cut.value()).isNull();
        assertThat(header(cut, io.twsbridge.schema.catalogue.DlqHeaders.OMITTED)).contains("key (" + (MAX_REQUEST - 50) + " bytes)");
    }

    @Test
    void aCommandIdTooLongForAnyResultIsAnsweredByItsDeadLetterOnly() {
        String hugeId = "c".repeat(MAX_REQUEST / 2);
        start(true, bytes -> new String(bytes, StandardCharsets.UTF_8).startsWith("huge") ? positions(hugeId, null)
                : positions("short-but-bad\n", "A".repeat(10_000)));
        deliver(List.of(record(0, "k", "huge".getBytes(StandardCharsets.UTF_8)),
                record(1, "k", "other".getBytes(StandardCharsets.UTF_8))));

        awaitCommitted(2);
        List<CommandResult> results = encoded.stream().filter(CommandResult.class::isInstance)
                .map(CommandResult.class::cast).toList();
        assertThat(results).extracting(r -> r.getCommandId()).containsExactly("short-but-bad\n");
        CommandResult result = results.get(0);
        assertThat(result.getReasonCode()).isEqualTo("VALIDATION_FAILED");
        assertThat(result.getAccount()).as("an account that is no account is not repeated").isNull();
        assertThat(result.getMessage()).hasSizeLessThan(2_100);
        assertThat(sentTo(settings.topic(Topic.COMMANDS_DLQ))).hasSize(2);
        assertThat(consumer.results(io.twsbridge.schema.CommandStatus.REJECTED)).isEqualTo(1);
    }

    @Test
    void aFaultInsideTheBridgeRejectsThatCommandAndTheNextOneIsStillHandled() {
        // The executor fails on every command: a bridge bug, simulated.
        start(true, bytes -> positions(new String(bytes, StandardCharsets.UTF_8), "DU1"));
        deliver(List.of(record(0, "k", "first".getBytes(StandardCharsets.UTF_8)),
                record(1, "k", "second".getBytes(StandardCharsets.UTF_8))));

        awaitCommitted(2);
        assertThat(encoded.stream().filter(CommandResult.class::isInstance).map(CommandResult.class::cast))
                .extracting(r -> r.getCommandId() + " " + r.getStatus() + " " + r.getReasonCode())
                .containsExactly("first REJECTED INTERNAL_ERROR", "second REJECTED INTERNAL_ERROR");
        assertThat(sentTo(settings.topic(Topic.COMMANDS_DLQ))).hasSize(2);
    }

    @Test
    void aDeadLetterTheBrokerRefusesAsTooLargeIsSentAgainWithoutValueAndTheConsumerGoesOn() {
        start(false, bytes -> {
            throw new IllegalArgumentException("not a command");
        });
        deliver(List.of(record(0, "k", new byte[1000])));

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1);
        producer.errorNext(new RecordTooLargeException("the topic's max.message.bytes is 500"));
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);
        producer.completeNext();

        awaitCommitted(1);
        ProducerRecord<byte[], byte[]> second = producer.history().get(1);
        assertThat(second.value()).isNull();
        assertThat(header(second, io.twsbridge.schema.catalogue.DlqHeaders.OMITTED)).contains("value (1000 bytes)");
    }

    @Test
    void beforeTheFirstReadyTheConsumerHoldsNoPartitionAndWaitingIsNoWarningButLosingReadinessLaterIs() {
        AtomicBoolean ready = new AtomicBoolean(false);
        AtomicInteger asked = new AtomicInteger();
        try (LogCapture log = LogCapture.capture()) {
            start(true, bytes -> {
                throw new IllegalArgumentException("not a command");
            }, () -> {
                asked.incrementAndGet();
                return ready.get();
            });
            // Asked twice and told "not READY" both times: the consumer has decided, twice, not to join yet.
            await().atMost(Duration.ofSeconds(10)).until(() -> asked.get() >= 2);
            assertThat(kafka.subscription()).as("the group is not joined before READY").isEmpty();
            assertThat(consumer.joined()).isFalse();

            ready.set(true);
            await().atMost(Duration.ofSeconds(10)).until(consumer::joined);
            // joined() is said only after subscribing, or a reader could see it with no topic yet (a CI flake).
            assertThat(joinedWhileSubscribing.get()).as("joined() while still subscribing").isFalse();
            assertThat(kafka.subscription()).containsExactly(TOPIC);
            assertThat(pauseWarnings(log)).as("the start's wait for READY").isEmpty();

            ready.set(false);
            await().atMost(Duration.ofSeconds(10)).until(consumer::paused);
            assertThat(pauseWarnings(log)).as("READY lost after commands were served").hasSize(1);
        }
    }

    @Test
    void aConsumerFencedByAnotherWithItsInstanceIdStopsSaysSoOnceAndTellsTheBridge() {
        List<String> told = new CopyOnWriteArrayList<>();
        try (LogCapture log = LogCapture.capture()) {
            startWith(() -> true, told::add);
            kafka.schedulePollTask(() -> kafka.setPollException(
                    new FencedInstanceIdException("the broker fenced this static member")));
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.stoppedBecause().isPresent());

            assertThat(consumer.stoppedBecause().get()).startsWith("fenced: another consumer joined group")
                    .contains("group.instance.id b1-commands", "a second bridge with bridge id b1");
            await().atMost(Duration.ofSeconds(10)).until(() -> !told.isEmpty());
            assertThat(told).containsExactly(consumer.stoppedBecause().get());
            assertThat(log.atLeast(Level.ERROR)).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("command consumer " + consumer.stoppedBecause().get());
        }
    }

    @Test
    void aConsumerClosedByTheBridgeHasNotStoppedByItself() {
        List<String> told = new CopyOnWriteArrayList<>();
        startWith(() -> true, told::add);
        await().atMost(Duration.ofSeconds(10)).until(consumer::joined);
        consumer.close();
        assertThat(consumer.stoppedBecause()).isEmpty();
        assertThat(told).isEmpty();
    }

    private static List<ILoggingEvent> pauseWarnings(LogCapture log) {
        return log.atLeast(Level.WARN).stream()
                .filter(e -> e.getFormattedMessage().startsWith("command consumption paused")).toList();
    }

    private void start(boolean autoComplete, Function<byte[], Command> decoder) {
        start(autoComplete, decoder, () -> true);
    }

    private void startWith(BooleanSupplier ready, java.util.function.Consumer<String> onStopped) {
        start(true, bytes -> {
            throw new IllegalArgumentException("not a command");
        }, ready, onStopped);
    }

    private void start(boolean autoComplete, Function<byte[], Command> decoder, BooleanSupplier ready) {
        start(autoComplete, decoder, ready, reason -> { });
    }

    private void start(boolean autoComplete, Function<byte[], Command> decoder, BooleanSupplier ready,
                       java.util.function.Consumer<String> onStopped) {
        producer = new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
        EventPublisher publisher = new EventPublisher(settings, producer, (topic, record) -> {
            encoded.add(record);
            return new byte[] {1};
        }, Clock.systemUTC());
        CommandExecutor executor = command -> {
            throw new IllegalStateException("a fault inside the bridge");
        };
        consumer = new CommandConsumer(settings, kafka, decoder, bytes -> Optional.empty(), executor, publisher,
                ready, Clock.systemUTC());
        consumer.onStopped(onStopped);
        kafka.schedulePollTask(() -> {
            kafka.rebalance(List.of(PARTITION));
            kafka.updateBeginningOffsets(Map.of(PARTITION, 0L));
        });
        consumer.start();
    }

    private void deliver(List<ConsumerRecord<byte[], byte[]>> records) {
        kafka.schedulePollTask(() -> records.forEach(kafka::addRecord));
    }

    private void awaitCommitted(long offset) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var committed = kafka.committed(Set.of(PARTITION)).get(PARTITION);
            return committed != null && committed.offset() == offset;
        });
    }

    private List<ProducerRecord<byte[], byte[]>> sentTo(String topic) {
        return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, byte[] value) {
        return new ConsumerRecord<>(TOPIC, 0, offset, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static Command positions(String commandId, String account) {
        return Command.newBuilder().setCommandId(commandId).setIssuedAt(Instant.now()).setAccount(account)
                .setPayload(RequestPositions.newBuilder().build()).build();
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
