package io.twsbridge.client;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.client.serde.SchemaLookupException;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends commands to the bridge and completes a future per command from the results topic.
 *
 * <pre>{@code
 * try (BridgeClient client = BridgeClient.start(BridgeClientConfig.builder("kafka:9092", "http://registry:8081").build())) {
 *     CommandHandle h = client.send(Commands.marketOrder(OrderAction.BUY, BigDecimal.ONE, Instruments.stock("AAPL"))
 *             .withAccount("DU1234567"));
 *     CommandResult accepted = h.accepted().get();   // ACCEPTED: IB has the order
 *     CommandResult result = h.result().get();       // COMPLETED ORDER_FILLED, or REJECTED with IB's reason
 * }
 * }</pre>
 *
 * <p><b>Sending.</b> Commands are keyed by account ({@code _default} without one) and written by a producer with
 * {@code acks=all} and idempotence on, through Kafka's default partitioner (murmur2 of the key, the one the bridge
 * documents), so one account's commands are read in the order they were sent. Values are Confluent wire format;
 * the Command schema is looked up under {@code <commands topic>-value} at start, and registered if the subject does
 * not have it.
 *
 * <p><b>No result is missed.</b> The results consumer (no group: it reads every partition of the results topic, and
 * commits nothing) is positioned at the end of every partition, and those positions are fetched, before
 * {@link #start} returns. A result is written only after the bridge read the command, so it always lies after those
 * positions, however quickly it comes. Partitions added to the topic later are read from their beginning. A send
 * starts waiting for its commandId before the command is written.
 *
 * <p><b>Threading.</b> Thread-safe. One thread of the client reads results, completes the futures and calls the
 * listeners; see {@link CommandHandle}.
 */
public final class BridgeClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BridgeClient.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);
    /** How often the consumer looks for partitions added to the results topic. */
    private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);

    private final BridgeClientConfig config;
    private final Clock clock;
    private final Producer<String, SpecificRecord> producer;
    private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
    private final AvroWireDeserializer<CommandResult> resultReader;
    private final ResultRouter router = new ResultRouter();
    private final ScheduledExecutorService timers;
    private final Thread reader;
    private volatile boolean closed;
    /** Why the results consumer stopped while the client was open, or null. */
    private volatile RuntimeException readerFailure;

    /** What {@link #results} returns: closing it stops the calls. */
    @FunctionalInterface
    public interface Listening extends AutoCloseable {
        @Override
        void close();
    }

    private BridgeClient(BridgeClientConfig config, Clock clock, Producer<String, SpecificRecord> producer,
                         org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
                         AvroWireDeserializer<CommandResult> resultReader) {
        this.config = config;
        this.clock = clock;
        this.producer = producer;
        this.consumer = consumer;
        this.resultReader = resultReader;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bridge-client-timeouts"));
        this.reader = daemon(this::readResults, "bridge-client-results");
    }

    /** A client on the system clock. */
    public static BridgeClient start(BridgeClientConfig config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * Connects: finds (or registers) the Command schema, positions the results consumer at the end of every
     * partition and starts reading.
     *
     * @param clock what {@code issuedAt} is read from
     * @throws IllegalStateException when the results topic does not exist (the bridge creates it at its first start)
     * @throws io.twsbridge.client.registry.SchemaRegistryException when the registry refuses or cannot be reached
     */
    public static BridgeClient start(BridgeClientConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        SchemaRegistryClient registry = new SchemaRegistryClient(config.registry());
        String subject = config.commandsTopic() + "-value";
        if (registry.lookup(subject, Command.getClassSchema()).isEmpty()) {
            registry.register(subject, Command.getClassSchema());
        }
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerConfig(config),
                new StringSerializer(), new AvroWireSerializer(registry));
        KafkaConsumer<String, byte[]> consumer = null;
        try {
            consumer = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(),
                    new ByteArrayDeserializer());
            return start(config, clock, registry, producer, consumer);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            if (consumer != null) {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
            }
            throw e;
        }
    }

    /** The client on clients made elsewhere (tests: Kafka's mock producer and consumer); the caller closes them on failure. */
    static BridgeClient start(BridgeClientConfig config, Clock clock, SchemaRegistryClient registry,
                              Producer<String, SpecificRecord> producer,
                              org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = partitions(consumer, config.resultsTopic());
        if (partitions.isEmpty()) {
            throw new IllegalStateException("the results topic " + config.resultsTopic() + " does not exist:"
                    + " start the bridge first (it creates its topics), or check the topic name");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition tp : partitions) {
            consumer.position(tp, METADATA_TIMEOUT); // resolved now, before any send: nothing later is missed
        }
        BridgeClient client = new BridgeClient(config, clock, producer, consumer,
                new AvroWireDeserializer<>(CommandResult.class, registry));
        client.reader.start();
        return client;
    }

    /** {@link #send(BridgeCommand, Duration)} with the configured result timeout. */
    public CommandHandle send(BridgeCommand<?> command) {
        return send(command, config.resultTimeout());
    }

    /**
     * Writes {@code command} to the commands topic, issued now.
     *
     * @param resultTimeout how long {@link CommandHandle#result()} waits for the final result
     * @throws IllegalStateException when the client is closed or its results consumer failed, or the command is
     *                               incomplete (a ModifyOrder that changes nothing)
     */
    public CommandHandle send(BridgeCommand<?> command, Duration resultTimeout) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(resultTimeout, "resultTimeout");
        if (closed) {
            throw new IllegalStateException("the bridge client is closed");
        }
        RuntimeException failure = readerFailure;
        if (failure != null) {
            throw new IllegalStateException("the bridge client reads no results any more: " + failure, failure);
        }
        Command value = command.toCommand(clock.instant());
        String type = value.getPayload().getClass().getSimpleName();
        ResultRouter.Pending pending = router.register(command.commandId());
        CommandHandle handle = new CommandHandle(command.commandId(), type, pending.accepted, pending.result);
        ScheduledFuture<?> acceptTimer = timers.schedule(() -> pending.accepted.completeExceptionally(
                new CommandTimeoutException(command.commandId(), "ACCEPTED or final", config.acceptTimeout())),
                config.acceptTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> resultTimer = timers.schedule(() -> {
            CommandTimeoutException timeout = new CommandTimeoutException(command.commandId(), "final", resultTimeout);
            pending.accepted.completeExceptionally(timeout);
            pending.result.completeExceptionally(timeout);
        }, resultTimeout.toMillis(), TimeUnit.MILLISECONDS);
        pending.accepted.whenComplete((r, e) -> acceptTimer.cancel(false));
        pending.result.whenComplete((r, e) -> {
            resultTimer.cancel(false);
            router.forget(pending);
        });
        try {
            producer.send(new ProducerRecord<>(config.commandsTopic(), command.key(), value), (metadata, e) -> {
                if (e != null) {
                    fail(pending, e);
                } else if (log.isDebugEnabled()) {
                    log.debug("{} {} written to {}-{}@{}", type, command.commandId(), metadata.topic(),
                            metadata.partition(), metadata.offset());
                }
            });
        } catch (RuntimeException e) {
            // Serialization and buffer-full failures are thrown by send itself rather than given to the callback.
            fail(pending, e);
        }
        return handle;
    }

    /**
     * Calls {@code listener} with every result read from now on, of every command (this client's or anyone's), on
     * the client's consumer thread. A listener that throws is logged and kept.
     *
     * @return what stops the calls
     */
    public Listening results(Consumer<CommandResult> listener) {
        Runnable remove = router.addListener(Objects.requireNonNull(listener, "listener"));
        return remove::run;
    }

    /** Stops reading, fails every future still waiting, closes the producer (sending what it holds) and consumer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
        timers.shutdownNow();
        router.failAll(new IllegalStateException("the bridge client was closed before the result came"));
    }

    private static void fail(ResultRouter.Pending pending, Exception e) {
        pending.accepted.completeExceptionally(e);
        pending.result.completeExceptionally(e);
    }

    private void readResults() {
        long nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
        try {
            while (!closed) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
                        if (!handle(record)) {
                            consumer.seek(tp, record.offset()); // read it again next poll
                            break;
                        }
                    }
                }
                if (System.nanoTime() - nextPartitionCheck > 0) {
                    nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
                    assignNewPartitions();
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                log.error("The results consumer was woken up while the client is open; it stops", e);
            }
        } catch (RuntimeException e) {
            log.error("The results consumer of {} failed and stops; no more results will complete", config.resultsTopic(),
                    e);
            readerFailure = e;
            router.failAll(e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Routes one record; false when it must be read again (the registry could not be asked for its schema). */
    private boolean handle(ConsumerRecord<String, byte[]> record) {
        CommandResult result;
        try {
            result = resultReader.deserialize(record.value());
        } catch (SchemaLookupException e) {
            log.warn("Cannot fetch the schema of the result at {}-{}@{} from the registry; reading it again: {}",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return false;
        } catch (SerializationException e) {
            log.warn("Skipping the unreadable record at {}-{}@{} (key {}): {}", record.topic(), record.partition(),
                    record.offset(), record.key(), e.getMessage());
            return true;
        }
        if (result != null) {
            router.route(result);
        }
        return true;
    }

    private void assignNewPartitions() {
        List<TopicPartition> now = partitions(consumer, config.resultsTopic());
        Set<TopicPartition> added = new HashSet<>(now);
        added.removeAll(consumer.assignment());
        if (!added.isEmpty()) {
            // Created after the client started: every result on them is new to it.
            Set<TopicPartition> all = new HashSet<>(consumer.assignment());
            all.addAll(added);
            consumer.assign(all);
            consumer.seekToBeginning(added);
            log.info("Reading the partitions {} added to {}", added, config.resultsTopic());
        }
    }

    private static List<TopicPartition> partitions(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                                   String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static Map<String, Object> producerConfig(BridgeClientConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafka());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return p;
    }

    private static Map<String, Object> consumerConfig(BridgeClientConfig config) {
        Map<String, Object> c = new HashMap<>(config.kafka());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Results the bridge wrote in a transaction it then aborted never happened.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return c;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
