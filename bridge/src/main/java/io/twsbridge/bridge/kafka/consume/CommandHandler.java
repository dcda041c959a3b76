package io.twsbridge.bridge.kafka.consume;

import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.commands.CommandValidator;
import io.twsbridge.bridge.commands.ExecutedCommands;
import io.twsbridge.bridge.commands.Printable;
import io.twsbridge.bridge.diagnostics.CrashPoints;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.client.serde.SchemaLookupException;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What happens to one command record, without Kafka's consumer or a thread: decode, validate, check expiry,
 * execute, and answer with exactly one bounded result (and a dead-letter copy of a record that cannot be carried
 * out). {@link CommandConsumer} polls, pauses and commits around it.
 *
 * <p>No record can make an answer Kafka refuses: results repeat bounded text only, and a dead letter too large to
 * copy whole loses its value, then its key, then its headers. A fault of the bridge on one record answers that
 * record INTERNAL_ERROR instead of stopping the commands behind it.
 *
 * <p>Used by one thread at a time (the consumer's); the counters may be read from any.
 */
public final class CommandHandler {

    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);
    /** How much of a record's text a log line repeats. */
    private static final int LOGGED = 500;
    private static final int LOGGED_ID = 80;

    private final KafkaSettings settings;
    private final Function<byte[], Command> decoder;
    private final Function<byte[], Optional<String>> commandIdOfUnreadable;
    private final CommandValidator validator;
    private final CommandExecutor executor;
    private final ExecutedCommands executed;
    private final CommandAnswers answers;
    private final Clock clock;
    private final CommandResults results;
    private final AtomicLong handled = new AtomicLong();

    /**
     * @param commandIdOfUnreadable finds the commandId of a value that does not decode as a Command (read with
     *                              its writer's schema), so that even such a command gets its REJECTED result
     */
    public CommandHandler(KafkaSettings settings, Function<byte[], Command> decoder,
                          Function<byte[], Optional<String>> commandIdOfUnreadable, CommandExecutor executor,
                          CommandAnswers answers, Clock clock) {
        this(settings, decoder, commandIdOfUnreadable, executor, answers, clock,
                new ExecutedCommands(settings.duplicateWindow()), new CommandResults(settings, answers, clock));
    }

    /**
     * @param executed the commandIds already carried out, restored from ib.command-results at start
     * @param results  publishes the results, the later ones of order commands too (through {@code answers})
     */
    public CommandHandler(KafkaSettings settings, Function<byte[], Command> decoder,
                          Function<byte[], Optional<String>> commandIdOfUnreadable, CommandExecutor executor,
                          CommandAnswers answers, Clock clock, ExecutedCommands executed, CommandResults results) {
        this.executed = executed;
        this.results = results;
        this.settings = settings;
        this.decoder = decoder;
        this.commandIdOfUnreadable = commandIdOfUnreadable;
        this.executor = executor;
        this.answers = answers;
        this.clock = clock;
        this.validator = new CommandValidator(clock);
    }

    /** A command whose outcome comes later, and the record it came in. */
    private record UnderWay(ConsumerRecord<byte[], byte[]> record, Command command) {
    }

    /**
     * Commands whose outcome comes later ({@link CommandExecutor#answersLater}), while it has not come, by commandId.
     * Whoever removes a command from here publishes its one result: its outcome, or {@link #answerUnderWay} at stop.
     */
    private final Map<String, UnderWay> underWay = new ConcurrentHashMap<>();

    /** Told of every result (commands by type and status in the metrics). */
    public void setCommandObserver(CommandObserver observer) {
        results.setObserver(observer);
    }

    /** Records handled so far. */
    public long handled() {
        return handled.get();
    }

    /** Results published so far with {@code status}. */
    public long results(CommandStatus status) {
        return results.count(status);
    }

    /**
     * Handles one record; returns the acknowledgements to wait for before its offset may be committed.
     *
     * @throws SchemaLookupException when the registry, not the record, failed: the caller holds the record
     */
    public List<CompletableFuture<?>> handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
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
                    deadLetter(record, new CommandConsumer.InvalidCommandException(rejection.message())));
        }
        // A commandId already carried out is answered with its first outcome and never executed again, whatever the
        // command type: a redelivery, a sender's retry, a replay of the topic (ExecutedCommands says what counts).
        Optional<ExecutedCommands.First> first = executed.first(command.getCommandId(), clock.instant());
        if (first.isPresent()) {
            log.info("command {} at {} repeats a commandId carried out at {}; answered DUPLICATE, not executed",
                    Printable.of(command.getCommandId(), LOGGED_ID), where(record), first.get().at());
            return List.of(result(record, command, ExecutedCommands.duplicateOf(command.getCommandId(), first.get())));
        }
        CommandOutcome outcome;
        if (command.getExpiresAt() != null && clock.instant().isAfter(command.getExpiresAt())) {
            outcome = new CommandOutcome(CommandStatus.EXPIRED, ReasonCodes.COMMAND_EXPIRED,
                    "read at " + clock.instant() + ", after its expiresAt " + command.getExpiresAt(), null);
        } else if (executor.answersLater(command)) {
            return answerLater(record, command);
        } else {
            results.executing(command.getCommandId());
            try {
                outcome = executor.execute(command).get(settings.requestTimeout().toMillis() + 5_000,
                        TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                outcome = CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR, "execution failed: " + e);
            }
        }
        executed.record(command.getCommandId(), outcome, clock.instant());
        return List.of(result(record, command, outcome));
    }

    /**
     * Starts a command whose outcome may be long in coming and returns at once: its result is published when the
     * outcome comes, and its commandId is spent (or not) then. The offset is committed meanwhile, so a bridge that
     * stops before the outcome answers it at stop instead ({@link #answerUnderWay}), with an id not spent, and the
     * sender's retry under the same commandId runs it again. A repeat read while it is under way is answered
     * DUPLICATE at once.
     */
    private List<CompletableFuture<?>> answerLater(ConsumerRecord<byte[], byte[]> record, Command command) {
        String id = command.getCommandId();
        if (underWay.putIfAbsent(id, new UnderWay(record, command)) != null) {
            return List.of(result(record, command, new CommandOutcome(CommandStatus.DUPLICATE,
                    ReasonCodes.DUPLICATE_COMMAND, "commandId " + id + " is being carried out; its result follows;"
                    + " not executed again", null)));
        }
        CompletableFuture<CommandOutcome> outcome;
        try {
            outcome = executor.execute(command);
        } catch (RuntimeException e) {
            underWay.remove(id);
            throw e;
        }
        outcome.handle((o, e) -> e == null ? o : CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR,
                        "execution failed: " + e))
                .thenCompose(o -> {
                    if (underWay.remove(id) == null) {
                        // Answered at stop already: a command has one final result.
                        log.info("command {} ended with {} {} after the bridge had answered it at stop; not"
                                + " published", Printable.of(id, LOGGED_ID), o.status(), o.reasonCode());
                        return CompletableFuture.completedFuture(null);
                    }
                    executed.record(id, o, clock.instant());
                    return result(record, command, o);
                })
                .exceptionally(e -> {
                    log.error("the result of command {} at {} was not published", Printable.of(id, LOGGED_ID),
                            where(record), e);
                    return null;
                });
        return List.of();
    }

    /**
     * Answers every command still under way, at the bridge's stop: each gets REJECTED {@code NOT_CONNECTED} (which
     * does not spend its id) saying that the bridge stopped, so that "exactly one final result" holds for it too and
     * its sender knows to send it again, to this bridge once it is back or to the standby that takes over. An
     * outcome that comes afterwards is dropped. Returns the results' acknowledgements.
     */
    public List<CompletableFuture<?>> answerUnderWay(String why) {
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (String id : List.copyOf(underWay.keySet())) {
            UnderWay w = underWay.remove(id);
            if (w != null) {
                acks.add(result(w.record(), w.command(), CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, why
                        + " before this command's outcome came; nothing more comes of it: send it again under the same"
                        + " commandId")));
            }
        }
        return acks;
    }

    private CompletableFuture<?> result(ConsumerRecord<byte[], byte[]> source, Command command, CommandOutcome outcome) {
        return result(source, command.getCommandId(), command.getPayload() == null ? null
                : command.getPayload().getClass().getSimpleName(), command.getAccount(), outcome);
    }

    private CompletableFuture<?> result(ConsumerRecord<byte[], byte[]> source, String commandId, String commandType,
                                        String account, CommandOutcome outcome) {
        return results.first(where(source), commandId, commandType, account, outcome);
    }

    /** Copies the record to the dead-letter topic; the publisher leaves out what Kafka would not take. */
    private CompletableFuture<?> deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable error) {
        return answers.deadLetter(record, error);
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
