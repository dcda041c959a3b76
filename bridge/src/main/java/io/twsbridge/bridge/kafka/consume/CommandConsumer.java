package io.twsbridge.bridge.kafka.consume;

import io.github.resilience4j.core.IntervalFunction;
import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.commands.ExecutedCommands;
import io.twsbridge.bridge.diagnostics.CrashPoints;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.client.serde.SchemaLookupException;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Consumes the commands topic: decode, validate, check expiry, execute, publish exactly one result, and only
 * then commit the offset.
 *
 * <ul>
 *   <li><b>Order.</b> Records are handled one at a time in partition order, and commands are keyed by account,
 *       so one account's commands run in the order they were sent.</li>
 *   <li><b>Not ready, not consuming.</b> The consumer joins the command group only once the Gateway session is
 *       first READY: an instance that never gets a session (a second bridge refused by the Gateway with 326, say)
 *       takes no partition it could not serve. Later, while the session is not READY, every partition is paused
 *       and the next unhandled record is where consumption resumes; the consumer keeps polling (with a timeout,
 *       not a busy loop) so the group keeps it, since no other member of this bridge's group could serve them
 *       (one Gateway session per bridge id; a standby takes over through the election, not through the group).
 *       A command read after its expiresAt gets EXPIRED, not executed.</li>
 *   <li><b>Nothing lost, nothing stuck.</b> A record that does not decode is copied to the dead-letter topic; one
 *       that decodes but fails validation gets a REJECTED result and a dead-letter copy. Either way the consumer
 *       moves on. No record can make an answer Kafka refuses (results repeat bounded text only; a dead letter too
 *       large to copy whole loses its value), and a fault of the bridge itself on one record answers that record
 *       INTERNAL_ERROR instead of stopping the consumer.</li>
 *   <li><b>A registry outage is not the record's fault.</b> A record whose writer schema is new to the bridge while
 *       the registry cannot be asked for it is neither dead-lettered nor skipped: its partition waits at that record
 *       (paused, trying again with backoff from 2 s doubling to 30 s) while the other partitions go on, and it is
 *       handled as soon as the registry answers. Records with schema ids the bridge knows decode from its cache.</li>
 *   <li><b>Fenced is stopped, and said.</b> Another consumer that joins under this bridge's group.instance.id
 *       fences this one for good: it stops, logs one ERROR, and {@link #stoppedBecause()} says why, so that the
 *       bridge reports itself not ready and carries out its policy instead of staying READY while it executes
 *       nothing.</li>
 *   <li><b>Offsets after results.</b> An offset is committed once its result (and dead letter) is acknowledged
 *       by Kafka. A crash in between redelivers the command; order commands are made safe against that by the
 *       order journal, the others are harmless to repeat.</li>
 * </ul>
 *
 * <p>What happens to each record is {@link CommandHandler}'s; this class polls, pauses, holds partitions for the
 * registry and commits. Runs on its own thread ({@link #start}); {@link #close} stops it.
 */
public final class CommandConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandConsumer.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration ACK_TIMEOUT = Duration.ofMinutes(5);
    /** The wait of a partition held for the registry: 2 s, doubling with each failure in a row, at most 30 s. */
    private static final IntervalFunction LOOKUP_BACKOFF =
            IntervalFunction.ofExponentialBackoff(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(30));

    private final KafkaSettings settings;
    private final Consumer<byte[], byte[]> consumer;
    private final CommandHandler handler;
    private final BooleanSupplier ready;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean paused;
    /** Why the consumer stopped by itself (fenced, an unexpected error); null while it runs or was closed. */
    private volatile String stoppedBecause;
    /** Told once, on the consumer's thread, when it stops by itself; set before {@link #start}. */
    private java.util.function.Consumer<String> onStopped = reason -> { };
    /** Whether the consumer has joined the command group (at the first READY); written by the consumer's thread. */
    private volatile boolean subscribed;
    /** Ends the wait for the first READY at once when the consumer is closed. */
    private final Object readyWait = new Object();
    /**
     * Partitions held at a record whose writer schema the registry could not be asked for, with when to try again
     * ({@link System#nanoTime()}). Consumer thread only.
     */
    private final Map<TopicPartition, Long> waitingForRegistry = new HashMap<>();
    /** Failed writer-schema lookups in a row, for the backoff. Consumer thread only. */
    private int lookupFailures;

    /**
     * @param commandIdOfUnreadable finds the commandId of a value that does not decode as a Command (read with
     *                              its writer's schema), so that even such a command gets its REJECTED result
     */
    public CommandConsumer(KafkaSettings settings, Consumer<byte[], byte[]> consumer, Function<byte[], Command> decoder,
                           Function<byte[], Optional<String>> commandIdOfUnreadable,
                           CommandExecutor executor, EventPublisher publisher, BooleanSupplier ready, Clock clock) {
        this(settings, consumer, decoder, commandIdOfUnreadable, executor, publisher, ready, clock,
                new ExecutedCommands(settings.duplicateWindow()));
    }

    /** @param executed the commandIds already carried out (restored from ib.command-results), answered DUPLICATE */
    public CommandConsumer(KafkaSettings settings, Consumer<byte[], byte[]> consumer, Function<byte[], Command> decoder,
                           Function<byte[], Optional<String>> commandIdOfUnreadable,
                           CommandExecutor executor, EventPublisher publisher, BooleanSupplier ready, Clock clock,
                           ExecutedCommands executed) {
        this(settings, consumer, decoder, commandIdOfUnreadable, executor, publisher, ready, clock, executed,
                new CommandResults(settings, CommandAnswers.through(publisher), clock));
    }

    /** @param results publishes every result, the later ones of order commands too (through {@code publisher}) */
    public CommandConsumer(KafkaSettings settings, Consumer<byte[], byte[]> consumer, Function<byte[], Command> decoder,
                           Function<byte[], Optional<String>> commandIdOfUnreadable,
                           CommandExecutor executor, EventPublisher publisher, BooleanSupplier ready, Clock clock,
                           ExecutedCommands executed, CommandResults results) {
        this.settings = settings;
        this.consumer = consumer;
        this.handler = new CommandHandler(settings, decoder, commandIdOfUnreadable, executor,
                CommandAnswers.through(publisher), clock, executed, results);
        this.ready = ready;
        this.thread = new Thread(this::run, "command-consumer");
        this.thread.setDaemon(true);
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
        handler.setCommandObserver(observer);
    }

    public long handled() {
        return handler.handled();
    }

    public long results(CommandStatus status) {
        return handler.results(status);
    }

    public boolean paused() {
        return paused;
    }

    /** Whether the consumer has joined the command group: from the session's first READY on. */
    public boolean joined() {
        return subscribed;
    }

    /**
     * Why the consumer stopped by itself: another consumer took its group.instance.id (a second bridge with this
     * bridge id, or a standby's new active instance), or an error it cannot go on from. Empty while it runs, and
     * after {@link #close}.
     */
    public Optional<String> stoppedBecause() {
        return Optional.ofNullable(stoppedBecause);
    }

    /** Told once, on the consumer's thread, when it stops by itself; call before {@link #start}. */
    public void onStopped(java.util.function.Consumer<String> listener) {
        this.onStopped = listener;
    }

    private String instanceId() {
        return settings.bridgeId() + "-commands";
    }

    private void run() {
        try {
            if (!awaitFirstReady()) {
                return;
            }
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
            // Said only once the subscription is made, so that whoever sees joined() also sees the group's topic.
            subscribed = true;
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
            // Classic group protocol: a consumer that joined later under this group.instance.id took it over.
            stopped("fenced: another consumer joined group " + settings.commandGroupId() + " as group.instance.id "
                    + instanceId() + " (a second bridge with bridge id " + settings.bridgeId()
                    + ", or a standby bridge's new active instance); this bridge executes no more commands", null);
        } catch (UnreleasedInstanceIdException e) {
            // Consumer group protocol (KIP-848): the member that holds the id keeps it and the newcomer is refused.
            stopped("refused by the group: another consumer holds group.instance.id " + instanceId() + " in group "
                    + settings.commandGroupId() + " (a second bridge with bridge id " + settings.bridgeId()
                    + "); this bridge executes no commands", null);
        } catch (RuntimeException e) {
            stopped("stopped by an unexpected error: " + e, e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void stopped(String reason, Throwable cause) {
        if (!running) {
            return; // closing: whatever the consumer threw on its way out is not news
        }
        stoppedBecause = reason;
        log.error("command consumer {}", reason, cause);
        onStopped.accept(reason);
    }

    /**
     * Waits, without joining the group, until the session is READY for the first time; false when the consumer is
     * closed first.
     */
    private boolean awaitFirstReady() throws InterruptedException {
        boolean told = false;
        while (running && !ready.getAsBoolean()) {
            if (!told) {
                // Every start waits for the first READY: that is the plan, not a warning.
                log.info("command consumption waits for the Gateway session to be READY before joining group {}",
                        settings.commandGroupId());
                told = true;
            }
            synchronized (readyWait) {
                readyWait.wait(POLL.toMillis());
            }
        }
        return running;
    }

    private void followReadiness() {
        boolean shouldPause = !ready.getAsBoolean();
        if (shouldPause != paused) {
            if (shouldPause) {
                consumer.pause(consumer.assignment());
                // The start's wait for the first READY is awaitFirstReady's, before the group is joined: a pause
                // here always follows a READY session, which an operator must hear of.
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
                    acks.addAll(handler.handle(record));
                } catch (SchemaLookupException e) {
                    // The registry, not the record, failed: hold this partition at the record and try again later.
                    Duration wait = Duration.ofMillis(LOOKUP_BACKOFF.apply(++lookupFailures));
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

    /**
     * At the bridge's stop, once this consumer is closed and the Gateway session with it: answers every command
     * still under way ({@link CommandHandler#answerUnderWay}) and waits, at most {@code wait}, for Kafka to take the
     * results. Returns how many were answered.
     */
    public int answerCommandsUnderWay(String why, Duration wait) {
        List<CompletableFuture<?>> acks = handler.answerUnderWay(why);
        if (acks.isEmpty()) {
            return 0;
        }
        log.warn("{} command(s) still under way at stop answered REJECTED NOT_CONNECTED ({}); their senders send them"
                + " again", acks.size(), why);
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("the results of commands under way at stop were not all acknowledged within {} ms", wait.toMillis(),
                    e);
        }
        return acks.size();
    }

    @Override
    public void close() {
        running = false;
        synchronized (readyWait) {
            readyWait.notifyAll();
        }
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
