package io.twsbridge.bridge.kafka.consume;

import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.commands.CommandValidator;
import io.twsbridge.bridge.commands.Printable;
import io.twsbridge.bridge.diagnostics.CrashPoints;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.kafka.serde.SchemaLookupException;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.ReasonCodes;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Consumes the commands topic: decode, validate, check expiry, execute, publish exactly one result, and only
 * then commit the offset.
 *
 * <ul>
 *   <li><b>Order.</b> Records are handled one at a time in partition order, and commands are keyed by account,
 *       so one account's commands run in the order they were sent.</li>
 *   <li><b>Not ready, not consuming.</b> While the Gateway session is not READY every partition is paused and
 *       the next unhandled record is where consumption resumes; the consumer keeps polling (with a timeout, not
 *       a busy loop) so the group keeps it. A command read after its expiresAt gets EXPIRED, not executed.</li>
 *   <li><b>Nothing lost, nothing stuck.</b> A record that does not decode is copied to the dead-letter topic; one
 *       that decodes but fails validation gets a REJECTED result and a dead-letter copy. Either way the consumer
 *       moves on. No record can make an answer Kafka refuses (results repeat bounded text only; a dead letter too
 *       large to copy whole loses its value), and a fault of the bridge itself on one record answers that record
 *       INTERNAL_ERROR instead of stopping the consumer.</li>
 *   <li><b>A registry outage is not the record's fault.</b> A record whose writer schema is new to the bridge while
 *       the registry cannot be asked for it is neither dead-lettered nor skipped: its partition waits at that record
 *       (paused, trying again with backoff from 2 s doubling to 30 s) while the other partitions go on, and it is
 *       handled as soon as the registry answers. Records with schema ids the bridge knows decode from its cache.</li>
 *   <li><b>Offsets after results.</b> An offset is committed once its result (and dead letter) is acknowledged
 *       by Kafka. A crash in between redelivers the command; order commands are made safe against that by the
 *       order journal, the others are harmless to repeat.</li>
 * </ul>
 *
 * <p>Runs on its own thread ({@link #start}); {@link #close} stops it.
 */
public final class CommandConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandConsumer.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration ACK_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration LOOKUP_BACKOFF = Duration.ofSeconds(2);
    private static final Duration MAX_LOOKUP_BACKOFF = Duration.ofSeconds(30);
    /** The dead-letter headers the publisher adds: names, offsets, class, a message of at most 1,000 characters. */
    private static final long DLQ_HEADERS_ALLOWANCE = 8 * 1024;
    /** Record batch header (61 bytes) and the record's own varints, rounded up. */
    private static final long RECORD_OVERHEAD = 128;
    private static final long HEADER_OVERHEAD = 10;
    /** Everything of a result but its commandId, with message and account bounded as below. */
    private static final long RESULT_ALLOWANCE = 16 * 1024;
    private static final int RESULT_MESSAGE_CHARS = 2000;
    private static final int RESULT_ACCOUNT_CHARS = 64;
    /** How much of a record's text a log line repeats. */
    private static final int LOGGED = 500;
    private static final int LOGGED_ID = 80;

    private final KafkaSettings settings;
    private final Consumer<byte[], byte[]> consumer;
    private final Function<byte[], Command> decoder;
    private final Function<byte[], Optional<String>> commandIdOfUnreadable;
    private final CommandValidator validator;
    private final CommandExecutor executor;
    private final EventPublisher publisher;
    private final BooleanSupplier ready;
    private final Clock clock;
    private final Thread thread;
    private final AtomicLong handled = new AtomicLong();
    private final Map<String, AtomicLong> resultsByStatus = new HashMap<>();
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile CommandObserver commandObserver =
            CommandObserver.NONE;
    /**
     * Partitions held at a record whose writer schema the registry could not be asked for, with when to try again
     * ({@link System#nanoTime()}). Consumer thread only.
     */
    private final Map<TopicPartition, Long> waitingForRegistry = new HashMap<>();
    /** Failed writer-schema lookups in a row, for the backoff. Consumer thread only. */
    private int lookupFailures;
    /** The largest record the bridge's producer sends: results and dead letters must fit in it. */
    private final int maxRecordBytes;

    /**
     * @param commandIdOfUnreadable finds the commandId of a value that does not decode as a Command (read with
     *                              its writer's schema), so that even such a command gets its REJECTED result
     */
    public CommandConsumer(KafkaSettings settings, Consumer<byte[], byte[]> consumer, Function<byte[], Command> decoder,
                           Function<byte[], Optional<String>> commandIdOfUnreadable,
                           CommandExecutor executor, EventPublisher publisher, BooleanSupplier ready, Clock clock) {
        this.settings = settings;
        this.consumer = consumer;
        this.decoder = decoder;
        this.commandIdOfUnreadable = commandIdOfUnreadable;
        this.executor = executor;
        this.publisher = publisher;
        this.ready = ready;
        this.clock = clock;
        this.validator = new CommandValidator(clock);
        this.maxRecordBytes = maxRequestSize(settings);
        this.thread = new Thread(this::run, "command-consumer");
        this.thread.setDaemon(true);
        for (CommandStatus s : CommandStatus.values()) {
            resultsByStatus.put(s.name(), new AtomicLong());
        }
    }

    public static Map<String, Object> consumerConfig(KafkaSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.clientProperties());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.commandGroupId());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.bridgeId() + "-commands");
        // Static membership: a bridge restarted after a crash takes its partitions back at once, instead of
        // waiting for the dead instance's session to time out (45 s) with every command queued behind it.
        config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.bridgeId() + "-commands");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }

    public static Consumer<byte[], byte[]> createConsumer(KafkaSettings settings) {
        return new KafkaConsumer<>(consumerConfig(settings));
    }

    public void start() {
        thread.start();
    }

    /** Told of every result (commands by type and status in the metrics). */
    public void setCommandObserver(CommandObserver observer) {
        this.commandObserver = observer;
    }

    public long handled() {
        return handled.get();
    }

    public long results(CommandStatus status) {
        return resultsByStatus.get(status.name()).get();
    }

    public boolean paused() {
        return paused;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(settings.topic(Topic.COMMANDS)), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // offsets are committed after every batch; nothing is pending here
                    waitingForRegistry.keySet().removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (paused) {
                        consumer.pause(partitions);
                    }
                }
            });
            while (running) {
                followReadiness();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    handleBatch(records);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("command consumer woken up unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (FencedInstanceIdException e) {
            // Another consumer joined under this group.instance.id: with standby instances, the new active one.
            log.warn("command consumer stopped: another consumer took over group.instance.id {} (a standby bridge's new"
                    + " active instance, or a second bridge with this bridge id)", settings.bridgeId() + "-commands");
        } catch (RuntimeException e) {
            log.error("command consumer stopped by an unexpected error", e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void followReadiness() {
        boolean shouldPause = !ready.getAsBoolean();
        if (shouldPause != paused) {
            if (shouldPause) {
                consumer.pause(consumer.assignment());
                log.warn("command consumption paused: the Gateway session is not READY");
            } else {
                List<TopicPartition> resumed = new ArrayList<>(consumer.assignment());
                resumed.removeAll(waitingForRegistry.keySet());
                consumer.resume(resumed);
                log.info("command consumption resumed: the Gateway session is READY");
            }
            paused = shouldPause;
        }
        if (!paused && !waitingForRegistry.isEmpty()) {
            long now = System.nanoTime();
            List<TopicPartition> due = waitingForRegistry.entrySet().stream()
                    .filter(e -> now - e.getValue() >= 0).map(Map.Entry::getKey).toList();
            due.forEach(waitingForRegistry::remove);
            consumer.resume(due);
        }
    }

    private void handleBatch(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (!ready.getAsBoolean()) {
                    // Not READY any more: stop here and come back to this very record.
                    consumer.seek(partition, record.offset());
                    break;
                }
                try {
                    acks.addAll(handle(record));
                } catch (SchemaLookupException e) {
                    // The registry, not the record, failed: hold this partition at the record and try again later.
                    Duration wait = lookupBackoff(++lookupFailures);
                    log.warn("schema registry unavailable for writer schema {} of the command at {}-{}@{}: that"
                                    + " partition waits at it and tries again in {} s, other partitions go on ({})",
                            e.schemaId(), record.topic(), record.partition(), record.offset(), wait.toSeconds(),
                            e.getMessage());
                    consumer.seek(partition, record.offset());
                    consumer.pause(List.of(partition));
                    waitingForRegistry.put(partition, System.nanoTime() + wait.toNanos());
                    break;
                }
                if (waitingForRegistry.isEmpty()) {
                    lookupFailures = 0;
                }
                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Without the acknowledgement the offsets stay uncommitted: the records come again after a restart.
            log.error("results were not acknowledged by Kafka; offsets not committed: {}", e.toString());
            throw new IllegalStateException("results not acknowledged", e);
        }
        if (!done.isEmpty()) {
            CrashPoints.reach(CrashPoints.AFTER_RESULT);
            consumer.commitSync(done);
        }
    }

    private static Duration lookupBackoff(int failures) {
        long millis = LOOKUP_BACKOFF.toMillis() << Math.min(failures - 1, 10);
        return Duration.ofMillis(Math.min(millis, MAX_LOOKUP_BACKOFF.toMillis()));
    }

    /** Handles one record; returns the acknowledgements to wait for before its offset may be committed. */
    private List<CompletableFuture<?>> handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        handled.incrementAndGet();
        Command command;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("empty record (null value)");
            }
            command = decoder.apply(record.value());
        } catch (SchemaLookupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("undecodable command at {} dead-lettered: {}", where(record), Printable.of(e.getMessage(), LOGGED));
            Optional<String> commandId = record.value() == null ? Optional.empty()
                    : commandIdOfUnreadable.apply(record.value());
            List<CompletableFuture<?>> acks = new ArrayList<>();
            commandId.ifPresent(id -> acks.add(result(record, id, null, null, CommandOutcome.rejected(
                    ReasonCodes.VALIDATION_FAILED, "the command does not match the Command contract: " + e.getMessage()))));
            acks.add(deadLetter(record, e));
            return acks;
        }
        try {
            return handle(record, command);
        } catch (RuntimeException e) {
            // A fault of the bridge, not of the record: report it loudly, answer the command and go on; one bad
            // command must not stop every command behind it.
            log.error("command at {} failed inside the bridge; rejected and dead-lettered", where(record), e);
            return List.of(result(record, command, CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR,
                    "the bridge failed on this command: " + e)), deadLetter(record, e));
        }
    }

    private List<CompletableFuture<?>> handle(ConsumerRecord<byte[], byte[]> record, Command command)
            throws InterruptedException {
        CrashPoints.reach(CrashPoints.AFTER_CONSUME);
        Rejection rejection = validator.validate(command).orElse(null);
        if (rejection != null) {
            log.warn("command {} at {} rejected: {}", Printable.of(command.getCommandId(), LOGGED_ID), where(record),
                    Printable.of(rejection.message(), LOGGED));
            return List.of(result(record, command, CommandOutcome.rejected(rejection)),
                    deadLetter(record, new InvalidCommandException(rejection.message())));
        }
        if (command.getExpiresAt() != null && clock.instant().isAfter(command.getExpiresAt())) {
            return List.of(result(record, command, new CommandOutcome(CommandStatus.EXPIRED, ReasonCodes.COMMAND_EXPIRED,
                    "read at " + clock.instant() + ", after its expiresAt " + command.getExpiresAt(), null)));
        }
        CommandOutcome outcome;
        try {
            outcome = executor.execute(command).get(settings.requestTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            outcome = CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR, "execution failed: " + e);
        }
        return List.of(result(record, command, outcome));
    }

    private CompletableFuture<?> result(ConsumerRecord<byte[], byte[]> source, Command command, CommandOutcome outcome) {
        return result(source, command.getCommandId(), command.getPayload() == null ? null
                : command.getPayload().getClass().getSimpleName(), command.getAccount(), outcome);
    }

    /**
     * Publishes the one result of a command. Everything in it that the sender wrote is bounded, so that no command
     * can make a result Kafka refuses; only the commandId cannot be cut (it is how the sender finds its answer). A
     * commandId too long for any result is always refused by validation, so its dead letter stands for the result.
     */
    private CompletableFuture<?> result(ConsumerRecord<byte[], byte[]> source, String commandId, String commandType,
                                        String account, CommandOutcome outcome) {
        String id = commandId == null ? "" : commandId;
        // The commandId is both key and value of the result.
        if (2L * utf8Length(id) + RESULT_ALLOWANCE > maxRecordBytes) {
            log.warn("command at {} has a commandId of {} characters, too long for a result Kafka accepts; only its"
                    + " dead letter answers it", where(source), id.length());
            return CompletableFuture.completedFuture(null);
        }
        resultsByStatus.get(outcome.status().name()).incrementAndGet();
        commandObserver.result(commandType, outcome.status());
        CommandResult result = CommandResult.newBuilder()
                .setCommandId(id)
                .setStatus(outcome.status())
                .setReasonCode(outcome.reasonCode())
                .setMessage(outcome.message() == null ? "" : Printable.of(outcome.message(), RESULT_MESSAGE_CHARS))
                .setCommandType(commandType)
                .setAccount(plausibleAccount(account) ? account : null)
                .setIbErrorCode(outcome.ibErrorCode())
                .setOrderId(outcome.orderId())
                .setPermId(outcome.permId())
                .setTimestamp(clock.instant())
                .setBridgeId(settings.bridgeId())
                .build();
        return publisher.send(Topic.COMMAND_RESULTS, result.getCommandId(), result).exceptionally(error -> {
            if (!(unwrap(error) instanceof RecordTooLargeException)) {
                throw new CompletionException(unwrap(error));
            }
            // The results topic takes less than the producer sends (its max.message.bytes is lower): answering is
            // impossible, and the dead letter, when there is one, still tells.
            log.warn("the result of command at {} is larger than the results topic accepts; not published", where(source));
            return null;
        });
    }

    /**
     * Copies the record to the dead-letter topic. A copy Kafka would refuse (the original plus the dead-letter
     * headers can exceed the producer's max.request.size) loses its value, then its key, then its headers, and says
     * so in {@link DlqHeaders#OMITTED}; the original stays in the commands topic at the offset the headers name.
     */
    private CompletableFuture<?> deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable error) {
        long deadLetterHeaders = DLQ_HEADERS_ALLOWANCE + utf8Length(record.topic()) + utf8Length(settings.bridgeId());
        if (estimatedSize(record.key(), record.value(), record.headers()) + deadLetterHeaders <= maxRecordBytes) {
            return publisher.deadLetter(record, error).exceptionallyCompose(e -> unwrap(e) instanceof RecordTooLargeException
                    ? publisher.deadLetter(stripped(record, false, false), error)
                    : CompletableFuture.failedFuture(unwrap(e)));
        }
        boolean keepKey = estimatedSize(record.key(), null, record.headers()) + deadLetterHeaders <= maxRecordBytes;
        boolean keepHeaders = keepKey || estimatedSize(null, null, record.headers()) + deadLetterHeaders <= maxRecordBytes;
        log.warn("dead letter of {} would exceed max.request.size ({} bytes) whole; copied without its value{}",
                where(record), maxRecordBytes, keepKey ? "" : " and key");
        return publisher.deadLetter(stripped(record, keepKey, keepHeaders), error);
    }

    private ConsumerRecord<byte[], byte[]> stripped(ConsumerRecord<byte[], byte[]> record, boolean keepKey,
                                                    boolean keepHeaders) {
        ConsumerRecord<byte[], byte[]> copy = new ConsumerRecord<>(record.topic(), record.partition(), record.offset(),
                keepKey ? record.key() : null, null);
        if (keepHeaders) {
            record.headers().forEach(copy.headers()::add);
        }
        List<String> omitted = new ArrayList<>();
        omitted.add("value (" + (record.value() == null ? 0 : record.value().length) + " bytes)");
        if (!keepKey && record.key() != null) {
            omitted.add("key (" + record.key().length + " bytes)");
        }
        if (!keepHeaders) {
            omitted.add("headers (" + record.headers().toArray().length + ")");
        }
        copy.headers().add(DlqHeaders.OMITTED, (String.join(", ", omitted) + ": the copy would exceed the producer's"
                + " max.request.size of " + maxRecordBytes + " bytes; the original is at " + where(record))
                .getBytes(StandardCharsets.UTF_8));
        return copy;
    }

    /** An upper bound of a record's size in a batch of its own (format v2: batch header, varints, lengths). */
    private static long estimatedSize(byte[] key, byte[] value, Headers headers) {
        long size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            size += HEADER_OVERHEAD + utf8Length(h.key()) + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** An account a result may repeat; anything else (1 MB, control characters) was refused and is left out. */
    private static boolean plausibleAccount(String account) {
        return account != null && account.length() <= RESULT_ACCOUNT_CHARS
                && account.chars().noneMatch(Character::isISOControl);
    }

    private static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** The producer's own limit: a user's {@code kafka.max.request.size}, else Kafka's default. */
    private static int maxRequestSize(KafkaSettings settings) {
        String configured = settings.clientProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return configured != null ? Integer.parseInt(configured.trim())
                : (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A command that decoded but failed validation: the dead letter's error class says so. */
    public static final class InvalidCommandException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidCommandException(String message) {
            super(message);
        }
    }
}
